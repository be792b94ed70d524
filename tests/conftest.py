"""Personas shared by every test.

alice owns the "Acme" workspace; bob is her teammate (editor) and carol a viewer there;
charlie is a stranger with his own workspace "Globex". Anything of Acme's must be invisible
(404) to charlie.
"""

import os

import pytest
from hypothesis import settings as hypothesis_settings

from accounts.models import Role
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

PASSWORD = "correct-horse-battery"

# `make test` replays one fixed set of property-test examples on every machine and every run, so
# it passes or fails because of the code, never the luck of the draw. `make soak` explores fresh
# examples (HYPOTHESIS_PROFILE=soak) and keeps what fails in .hypothesis/ to replay it.
hypothesis_settings.register_profile("replay", derandomize=True, database=None)
hypothesis_settings.register_profile("soak", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "replay"))


@pytest.fixture
def acme(db):
    return WorkspaceFactory(name="Acme", slug="acme")


@pytest.fixture
def globex(db):
    return WorkspaceFactory(name="Globex", slug="globex")


def _member(email, name, workspace, role):
    user = UserFactory(email=email, full_name=name)
    return MembershipFactory(user=user, workspace=workspace, role=role).user


@pytest.fixture
def alice(acme):
    return _member("alice@example.com", "Alice Owner", acme, Role.OWNER)


@pytest.fixture
def bob(acme, alice):
    return _member("bob@example.com", "Bob Editor", acme, Role.EDITOR)


@pytest.fixture
def carol(acme, alice):
    return _member("carol@example.com", "Carol Viewer", acme, Role.VIEWER)


@pytest.fixture
def charlie(globex):
    return _member("charlie@example.com", "Charlie Stranger", globex, Role.OWNER)


def _client_for(client_class, user):
    client = client_class()
    client.force_login(user)
    return client


@pytest.fixture
def alice_client(alice):
    from django.test import Client

    return _client_for(Client, alice)


@pytest.fixture
def bob_client(bob):
    from django.test import Client

    return _client_for(Client, bob)


@pytest.fixture
def carol_client(carol):
    from django.test import Client

    return _client_for(Client, carol)


@pytest.fixture
def charlie_client(charlie):
    from django.test import Client

    return _client_for(Client, charlie)


@pytest.fixture
def csrf_client_for():
    """A client that enforces CSRF like a browser does, logged in as the given user."""
    from django.test import Client

    def make(user):
        return _client_for(lambda: Client(enforce_csrf_checks=True), user)

    return make


# --- CI refuses silently skipped tests ----------------------------------------------------------
# CI sets FORBID_SKIPS=1: a browser, PostgreSQL or Redis test that skipped there means the thing
# it guards was not checked, so the run fails instead of passing green.
_skipped: list[str] = []


def pytest_runtest_logreport(report):
    # An expected failure (xfail) is reported as skipped too, but it ran.
    if report.skipped and not hasattr(report, "wasxfail"):
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if os.environ.get("FORBID_SKIPS") == "1" and _skipped and exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter):
    if os.environ.get("FORBID_SKIPS") == "1" and _skipped:
        terminalreporter.section("skipped tests are failures in CI (FORBID_SKIPS=1)", red=True)
        for nodeid in _skipped:
            terminalreporter.line(f"SKIPPED {nodeid}", red=True)


@pytest.fixture
def real_redis_memories():
    """A real Redis behind the cache (else the test is skipped), and this process's memories
    confirmed by it (`qrsite.confirmed`) empty before and after the test."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    from accounts import key_cache
    from codes import read_cache

    if not isinstance(caches["default"], RedisCache):
        pytest.skip("needs REDIS_URL pointing at a real Redis")
    key_cache.clear()
    read_cache.clear()
    yield
    key_cache.clear()
    read_cache.clear()
