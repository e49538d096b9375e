"""Counting requests in Django's cache: a fixed window per key."""

import hashlib

from django.core.cache import cache

from pekppp.lib.throttle import count


def hit(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Count one request for `key` in `scope`; False once more than `limit` were counted in
    the `window` seconds since the first. Keys are hashed: an email address is not stored."""
    digest = hashlib.sha256(key.strip().lower().encode()).hexdigest()
    return count(cache, f"throttle:{scope}:{digest}", window=window) <= limit
