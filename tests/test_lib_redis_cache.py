"""pekppp.lib.redis_cache against the real Redis server (REDIS_URL, else the local one)."""

import os
import threading
import uuid

from django.core.cache.backends.redis import RedisCache
from django.test import SimpleTestCase

from pekppp.lib.redis_cache import SharedClientRedisCache

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


class SharedClientRedisCacheTest(SimpleTestCase):
    def setUp(self):
        params = {"KEY_PREFIX": f"test-{uuid.uuid4().hex}", "TIMEOUT": 60}
        self.cache = SharedClientRedisCache(REDIS_URL, params)
        self.django_cache = RedisCache(REDIS_URL, params)  # same keys, Django's own client
        self.addCleanup(self.cache.delete_many, ["a", "b", "n", "gone", "new", "sessie"])
        self.addCleanup(self.cache.delete_many, [f"t{i}-{j}" for i in range(8) for j in range(25)])

    def test_one_client_serves_every_call(self):
        client = self.cache._cache.get_client()
        self.assertIs(self.cache._cache.get_client("any key"), client)
        self.assertIs(self.cache._cache.get_client(write=True), client)  # one server, one pool
        # What it replaces: Django's client builds a new one per call.
        self.assertIsNot(
            self.django_cache._cache.get_client(), self.django_cache._cache.get_client()
        )

    def test_it_reads_and_writes_what_djangos_redis_cache_does(self):
        self.cache.set("a", {"level": 4, "note": "Sesuai"})
        self.assertEqual(self.django_cache.get("a"), {"level": 4, "note": "Sesuai"})
        self.django_cache.set("b", [1, 2, 3])
        self.assertEqual(self.cache.get("b"), [1, 2, 3])
        self.assertTrue(self.cache.add("new", "x"))
        self.assertFalse(self.cache.add("new", "y"))
        self.assertEqual(self.cache.get("new"), "x")
        self.cache.set("n", 5)
        self.assertEqual(self.cache.incr("n", 2), 7)
        self.assertEqual(
            self.cache.get_many(["a", "n", "missing"]),
            {"a": {"level": 4, "note": "Sesuai"}, "n": 7},
        )
        self.cache.set("gone", 1)
        self.assertTrue(self.cache.delete("gone"))
        self.assertIsNone(self.django_cache.get("gone"))
        self.assertEqual(self.cache.get("gone", "default"), "default")

    def test_threads_share_the_client_without_mixing_answers(self):
        errors = []

        def work(i):
            for j in range(25):
                key, value = f"t{i}-{j}", f"nilai {i} {j}"
                self.cache.set(key, value)
                if (found := self.cache.get(key)) != value:
                    errors.append((key, found))

        threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])
        self.assertEqual(self.django_cache.get("t7-24"), "nilai 7 24")
