"""pekppp/lib/throttle.py, on a cache of its own (Django's local-memory backend)."""

from unittest import TestCase

from django.core.cache.backends.locmem import LocMemCache

from pekppp.lib.throttle import count


class ThrottleCountTest(TestCase):
    def setUp(self):
        self.cache = LocMemCache("throttle-test", {})

    def test_it_counts_each_request_of_a_key_in_its_window(self):
        self.assertEqual([count(self.cache, "a", window=60) for _ in range(3)], [1, 2, 3])
        self.assertEqual(count(self.cache, "b", window=60), 1)

    def test_it_starts_again_when_the_window_has_closed(self):
        count(self.cache, "a", window=60)
        self.cache.delete("a")  # what the cache does when the window's timeout passes
        self.assertEqual(count(self.cache, "a", window=60), 1)
