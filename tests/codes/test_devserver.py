"""The development server's links: which address a code encodes, and what an explicit value keeps."""

import ipaddress
import os
import socket

import pytest
from django.core.management import call_command

from codes import devserver
from codes.management.commands.runserver import Command as RunserverCommand

LAN = "192.168.1.20"
# What runserver is given, in tests that bind nothing.
EVERY_INTERFACE = "0.0.0.0"  # noqa: S104


@pytest.fixture
def interfaces(monkeypatch):
    """Pretend the machine's interfaces have these addresses; its name resolves to nothing."""

    def set_to(*addresses, hostname=()):
        monkeypatch.setattr(devserver, "_interface_addresses", lambda: list(addresses))
        monkeypatch.setattr(devserver, "_hostname_addresses", lambda: list(hostname))

    return set_to


@pytest.mark.parametrize("addr", [EVERY_INTERFACE, "0", "::"])
def test_every_interface_is_linked_by_a_non_loopback_address_when_the_host_has_one(
    interfaces, addr
):
    interfaces("127.0.0.1", "169.254.3.4", LAN, "10.0.0.5")

    assert devserver.served_host(addr) == LAN


def test_the_hostname_is_asked_only_when_the_interfaces_give_nothing_usable(interfaces):
    interfaces("127.0.0.1", hostname=["127.0.1.1", "10.1.2.3"])
    assert devserver.lan_address() == "10.1.2.3"

    interfaces(LAN, hostname=["10.1.2.3"])
    assert devserver.lan_address() == LAN


def test_a_host_without_a_lan_address_is_linked_by_its_loopback(interfaces):
    interfaces("127.0.0.1", hostname=["127.0.1.1", "::1"])

    assert devserver.served_host(EVERY_INTERFACE) == "127.0.0.1"


def test_this_machines_lan_address_is_one_of_its_own():
    address = devserver.lan_address()

    assert address == "127.0.0.1" or not ipaddress.ip_address(address).is_loopback
    # Binding succeeds only on an address of this machine (and sends nothing).
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((address, 0))


def test_a_named_address_is_linked_as_given():
    assert devserver.served_host("127.0.0.1") == "127.0.0.1"
    assert devserver.served_host("localhost") == "localhost"
    assert devserver.served_host("::1") == "[::1]"


def test_unset_urls_follow_the_served_port():
    urls = devserver.devserver_urls(environ={}, addr="127.0.0.1", port="8011")

    assert urls == {
        "SITE_URL": "http://127.0.0.1:8011",
        "SHORT_URL_BASE": "http://127.0.0.1:8011/r/",
    }


def test_empty_values_count_as_unset():
    urls = devserver.devserver_urls(
        environ={"SITE_URL": "", "SHORT_URL_BASE": ""}, addr="127.0.0.1", port="8011"
    )

    assert urls["SHORT_URL_BASE"] == "http://127.0.0.1:8011/r/"


def test_an_explicit_short_url_base_in_the_environment_wins():
    urls = devserver.devserver_urls(
        environ={"SHORT_URL_BASE": "https://qr.example.com/r/"}, addr="127.0.0.1", port="8011"
    )

    assert urls == {"SITE_URL": "http://127.0.0.1:8011"}


def test_an_explicit_site_url_wins_and_keeps_the_base_settings_derived_from_it(interfaces):
    interfaces(LAN)

    urls = devserver.devserver_urls(
        environ={"SITE_URL": "https://qr.example.com"}, addr=EVERY_INTERFACE, port="8011"
    )

    assert urls == {}


@pytest.fixture
def unset_env(monkeypatch):
    """Unset these variables for the test; whatever the command sets is undone after it."""

    def unset(*names):
        for name in names:
            # setenv first, so that monkeypatch restores the original state, absent or not.
            monkeypatch.setenv(name, "")
            monkeypatch.delenv(name)

    return unset


def test_runserver_on_every_interface_links_to_the_lan_address_and_accepts_it(
    settings, interfaces, unset_env, monkeypatch
):
    interfaces(LAN)
    unset_env("SITE_URL", "SHORT_URL_BASE", "ALLOWED_HOSTS")
    # Through the settings fixture, so that what the command sets is undone after the test.
    settings.DEBUG = True
    settings.SITE_URL = settings.SITE_URL
    settings.SHORT_URL_BASE = settings.SHORT_URL_BASE
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
    served = []
    monkeypatch.setattr(RunserverCommand, "inner_run", lambda self, *a, **kw: served.append(1))

    call_command("runserver", f"{EVERY_INTERFACE}:8011", "--noreload", skip_checks=True)

    served_at = f"http://{LAN}:8011"
    assert served == [1]
    assert served_at == settings.SITE_URL
    # The autoreloader's child process reads it from its environment.
    assert served_at + "/r/" == settings.SHORT_URL_BASE == os.environ["SHORT_URL_BASE"]
    assert LAN in settings.ALLOWED_HOSTS


def test_runserver_keeps_an_explicit_short_url_base(settings, interfaces, unset_env, monkeypatch):
    interfaces(LAN)
    unset_env("SITE_URL")
    monkeypatch.setenv("SHORT_URL_BASE", "https://qr.example.com/r/")
    settings.SHORT_URL_BASE = "https://qr.example.com/r/"
    settings.SITE_URL = settings.SITE_URL
    monkeypatch.setattr(RunserverCommand, "inner_run", lambda self, *a, **kw: None)

    call_command("runserver", "127.0.0.1:8011", "--noreload", skip_checks=True)

    assert settings.SHORT_URL_BASE == "https://qr.example.com/r/"
    assert os.environ["SHORT_URL_BASE"] == "https://qr.example.com/r/"
    assert settings.SITE_URL == "http://127.0.0.1:8011"
