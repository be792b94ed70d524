import uuid

import pytest
from django.conf import settings as django_settings

from analytics import buffer, capture
from analytics.capture import forget_cached_salts
from codes import services


@pytest.fixture(autouse=True)
def _fresh_scan_state():
    # Salts are memoised per process and the buffer remembers an outage; tests start clean.
    forget_cached_salts()
    buffer.reset()
    yield
    forget_cached_salts()
    buffer.reset()


@pytest.fixture
def code(acme, alice):
    return services.code_create(workspace=acme, actor=alice, destination="https://example.com/")


@pytest.fixture
def real_buffer(settings, monkeypatch):
    """Buffered recording on the real Redis (it also holds the redirect cache), under keys of
    this test's own, so parallel runs and a developer's data are untouched."""
    if not django_settings.REDIS_URL:
        pytest.skip("needs REDIS_URL pointing at a real Redis")
    settings.SCAN_RECORDING = "buffered"
    settings.SCAN_BUFFER_URL = django_settings.REDIS_URL
    settings.REDIRECT_CACHE_URL = django_settings.REDIS_URL
    prefix = f"qrsite-test:{uuid.uuid4().hex}"
    for name in ("BUFFER_KEY", "PROCESSING_KEY", "LOCK_KEY"):
        monkeypatch.setattr(buffer, name, f"{prefix}:{name.lower()}")
    monkeypatch.setattr(capture, "SALT_KEY_PREFIX", f"{prefix}:salt:")
    buffer.reset()
    client = buffer.get_client()  # taken now: a test may point the settings elsewhere
    yield client
    client.delete(buffer.BUFFER_KEY, buffer.PROCESSING_KEY, buffer.LOCK_KEY)
    for key in client.scan_iter(f"{prefix}:salt:*"):
        client.delete(key)
