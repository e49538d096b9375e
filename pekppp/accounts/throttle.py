"""Counting requests in Django's cache: a fixed window per key."""

import hashlib

from django.core.cache import cache


def hit(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Count one request for `key` in `scope`; False once more than `limit` were counted in
    the `window` seconds since the first. Keys are hashed: an email address is not stored."""
    digest = hashlib.sha256(key.strip().lower().encode()).hexdigest()
    cache_key = f"throttle:{scope}:{digest}"
    # add() starts the window only if none is open; incr() is atomic on Redis.
    cache.add(cache_key, 0, timeout=window)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # the window closed between add() and incr()
        cache.add(cache_key, 1, timeout=window)
        count = 1
    return count <= limit
