"""The Redis cache backend keeps one client per connection pool (qrsite.cache)."""

import uuid

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches


@pytest.mark.redis
def test_the_cache_reuses_its_client_and_still_reads_and_writes():
    if "redis" not in django_settings.CACHES["default"]["BACKEND"].lower():
        pytest.skip("needs REDIS_URL pointing at a real Redis")
    cache = caches["default"]

    key, counter = f"reuse-check-{uuid.uuid4().hex}", f"reuse-counter-{uuid.uuid4().hex}"
    cache.set(key, {"n": 1}, timeout=30)
    first = cache._cache.get_client(write=True)
    assert cache.get(key) == {"n": 1}
    assert cache.add(counter, 0, timeout=30)
    assert cache.incr(counter) == 1
    # Every operation above went through the same client object, not a new one per call.
    assert cache._cache.get_client(write=True) is first
    assert cache._cache.get_client() is first
