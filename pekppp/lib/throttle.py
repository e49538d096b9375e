"""Counting requests in a fixed window, in a cache with Django's `add` and `incr` (the caller
passes it, so this needs no Django)."""


def count(cache, cache_key: str, *, window: int) -> int:
    """Count one request under `cache_key` and return how many were counted in its window,
    which opens with the first one and lasts `window` seconds. `incr` is atomic on Redis, so
    concurrent requests are all counted."""
    cache.add(cache_key, 0, timeout=window)
    try:
        return cache.incr(cache_key)
    except ValueError:  # the window closed between add() and incr()
        cache.add(cache_key, 1, timeout=window)
        return 1
