"""Webhook fixtures: a real receiver on 127.0.0.1, the settings that let tests use it, and
alice's membership (the actor of endpoint services)."""

import pytest

from accounts.models import Membership

# Buffered recording on the real Redis, as the analytics tests use it.
from tests.analytics.conftest import real_buffer  # noqa: F401
from tests.webhooks.receiver import Receiver
from webhooks import services


@pytest.fixture(autouse=True)
def _local_receivers_allowed(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    settings.WEBHOOKS_ALLOW_HTTP = True


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


@pytest.fixture
def alice_admin(alice, acme):
    return Membership.objects.select_related("workspace", "user").get(user=alice, workspace=acme)


@pytest.fixture
def make_endpoint(acme, alice_admin):
    def make(url, **kwargs):
        kwargs.setdefault("events", ["*"])
        endpoint, secret = services.endpoint_create(
            workspace=acme, actor=alice_admin, url=url, **kwargs
        )
        return endpoint, secret

    return make
