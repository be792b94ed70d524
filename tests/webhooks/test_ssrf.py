"""Every URL the issue lists is refused at registration, and again at each attempt; the
allowance for local receivers never opens link-local or metadata addresses."""

import pytest
from django.core.exceptions import ValidationError

from qrsite.http import UnsafeTarget, target_check
from webhooks import services
from webhooks.delivery import endpoint_drain
from webhooks.models import WebhookEndpoint

REFUSED_ALWAYS = [
    ("https://user:pw@example.com/hook", "user name or password"),
    ("https://user@example.com/hook", "user name or password"),
    ("file:///etc/passwd", "Only http and https"),
    ("gopher://example.com/", "Only http and https"),
    ("ftp://example.com/hook", "Only http and https"),
    ("javascript:alert(1)", "Only http and https"),
    ("http://169.254.169.254/latest/meta-data/", "metadata"),
    ("http://[fd00:ec2::254]/", "metadata"),
    ("http://100.100.100.200/", "metadata"),
    ("http://169.254.1.1/", "link-local"),
    ("http://[fe80::1]/", "link-local"),
    ("http://[::ffff:169.254.169.254]/", "metadata"),
    ("http://0.0.0.0/", "not a routable"),
    ("http://[::]/", "not a routable"),
    ("http://224.0.0.1/", "not a routable"),
    ("http://2130706433/", "dotted decimal"),
    ("http://0177.0.0.1/", "dotted decimal"),
    ("http://0x7f.0.0.1/", "dotted decimal"),
    ("http://0x7f000001/", "dotted decimal"),
    ("http://127.1/", "dotted decimal"),
    ("http://exa mple.com/", "spaces"),
    ("https:///nohost", "no host"),
    ("https://name.invalid/", "does not resolve"),
]
REFUSED_UNLESS_PRIVATE_ALLOWED = [
    ("http://127.0.0.1/", "loopback"),
    ("http://[::1]/", "loopback"),
    ("http://[::ffff:127.0.0.1]/", "loopback"),
    ("http://10.0.0.8/", "private"),
    ("http://172.16.5.4/", "private"),
    ("http://192.168.1.1/", "private"),
    ("http://100.64.0.1/", "carrier-grade NAT"),
    ("http://[fc00::1]/", "private"),
    # A real host name that resolves (through /etc/hosts) to a loopback address.
    ("http://localhost:8080/hook", "loopback"),
]


@pytest.mark.parametrize(("url", "reason"), REFUSED_ALWAYS + REFUSED_UNLESS_PRIVATE_ALLOWED)
def test_registration_refuses(url, reason, make_endpoint, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False

    with pytest.raises(ValidationError) as refused:
        make_endpoint(url)

    assert reason in refused.value.message_dict["url"][0]
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(("url", "reason"), REFUSED_ALWAYS)
def test_allowing_private_networks_still_refuses(url, reason):
    with pytest.raises(UnsafeTarget, match=reason):
        target_check(url, allow_private=True, allow_http=True)


@pytest.mark.parametrize(("url", "_reason"), REFUSED_UNLESS_PRIVATE_ALLOWED[:-1])
def test_allowing_private_networks_lets_local_receivers_through(url, _reason):
    assert target_check(url, allow_private=True, allow_http=True).addresses


def test_http_needs_debug_or_the_setting(make_endpoint, settings):
    settings.WEBHOOKS_ALLOW_HTTP = False

    with pytest.raises(ValidationError, match="https"):
        make_endpoint("http://127.0.0.1:9/hook")


def test_every_resolved_address_is_checked():
    # localhost resolves to 127.0.0.1 and ::1 here: both are seen, both are loopback.
    target = target_check("http://localhost/", allow_private=True, allow_http=True)
    assert set(target.addresses) >= {"127.0.0.1"}
    with pytest.raises(UnsafeTarget, match="loopback"):
        target_check("http://localhost/", allow_private=False, allow_http=True)


def test_each_attempt_checks_the_address_again(receiver, make_endpoint, alice_admin, settings):
    endpoint, _ = make_endpoint(receiver.url)
    services.endpoint_send_test(endpoint=endpoint, actor=alice_admin)
    # Registered while local receivers were allowed; by the attempt they no longer are (as a
    # host whose DNS answer changed to a private address after registration).
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False

    endpoint_drain(endpoint_id=endpoint.pk)

    attempt = endpoint.deliveries.get().attempts.get()
    assert attempt.status_code is None
    assert "Refused" in attempt.error
    assert "loopback" in attempt.error
    assert receiver.requests == []
