import pytest

from analytics import buffer
from analytics.capture import forget_cached_salts


@pytest.fixture(autouse=True)
def _fresh_scan_state():
    # Salts are memoised per process and the buffer remembers an outage; tests start clean.
    forget_cached_salts()
    buffer.reset()
    yield
    forget_cached_salts()
    buffer.reset()
