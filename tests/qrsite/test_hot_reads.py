"""The hand-written reads on the API's hot path (qrsite.hot_reads) give back exactly what the
ORM would, on SQLite and on PostgreSQL, and cost one statement each."""

from datetime import timedelta

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import key_cache
from accounts import selectors as account_selectors
from accounts.models import ApiKey, Membership
from codes import selectors, services
from codes.models import CampaignGroup, LogoAsset, QRCode
from tests.api.conftest import ApiClient, make_key
from tests.codes.views_helpers import logo_png


def field_values(instance):
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_a_code_read_matches_the_orm_field_for_field(alice, acme):
    actor = alice
    group = services.group_create(workspace=acme, actor=actor, name="Spring")
    logo = services.logo_create(workspace=acme, actor=actor, data=logo_png(), name="brand.png")
    code = services.code_create(
        workspace=acme,
        actor=actor,
        name="Poster",
        kind="dynamic",
        destination="https://example.com/spring",
        group=group,
        logo=logo,
        style={"foreground_color": "#1D3557", "module_shape": "rounded"},
        expires_at=timezone.now() + timedelta(days=3),
    )

    found = selectors.code_get_for_workspace(workspace=acme, public_id=code.public_id)

    assert field_values(found) == field_values(QRCode.objects.get(pk=code.pk))
    assert field_values(found.group) == field_values(CampaignGroup.objects.get(pk=group.pk))
    assert field_values(found.logo) == field_values(LogoAsset.objects.get(pk=logo.pk))
    # Datetimes come back as datetimes (SQLite stores them as text), aware, like the ORM's.
    assert found.expires_at.tzinfo is not None
    assert found.workspace is acme
    assert not found._state.adding


def test_a_code_without_group_or_logo_reads_as_none(alice, acme):
    code = services.code_create(
        workspace=acme, actor=alice, destination="https://example.com/plain"
    )

    found = selectors.code_get_for_workspace(workspace=acme, public_id=code.public_id)

    assert found.group is None
    assert found.logo is None


def test_deleted_and_other_mode_codes_stay_hidden(alice, acme, globex):
    actor = alice
    code = services.code_create(workspace=acme, actor=actor, destination="https://example.com/a")
    services.code_delete(code=code, actor=actor)

    with pytest.raises(Http404):
        selectors.code_get_for_workspace(workspace=acme, public_id=code.public_id)
    assert selectors.code_get_for_workspace(
        workspace=acme, public_id=code.public_id, include_deleted=True
    )
    with pytest.raises(Http404):
        selectors.code_get_for_workspace(
            workspace=acme, public_id=code.public_id, include_deleted=True, sandbox=True
        )
    with pytest.raises(Http404):
        selectors.code_get_for_workspace(
            workspace=globex, public_id=code.public_id, include_deleted=True
        )


def test_a_key_read_brings_its_workspace_creator_and_membership(alice, acme):
    secret = make_key(alice, acme, "write")

    with CaptureQueriesContext(connection) as queries:
        api_key = account_selectors.api_key_from_secret(key=secret)
        membership = account_selectors.api_key_creator_membership(api_key=api_key)

    assert len(queries) == 1
    assert field_values(api_key) == field_values(ApiKey.objects.get(pk=api_key.pk))
    assert api_key.workspace == acme
    assert api_key.created_by == alice
    assert membership == Membership.objects.get(user=alice, workspace=acme)
    assert membership.role == "owner"


def test_a_key_whose_creator_left_has_no_membership(alice, bob, acme):
    Membership.objects.filter(user=bob, workspace=acme).update(role="admin")
    secret = make_key(bob, acme, "read")
    Membership.objects.filter(user=bob, workspace=acme).delete()

    api_key = account_selectors.api_key_from_secret(key=secret)

    assert api_key is not None
    assert account_selectors.api_key_creator_membership(api_key=api_key) is None
    response = ApiClient(secret).get("/api/v1/codes")
    assert response.status_code == 401


def test_an_authenticated_code_read_costs_two_statements_cold_and_one_warm(
    alice, acme, django_assert_num_queries, settings
):
    secret = make_key(alice, acme, "write")
    client = ApiClient(secret)
    made = client.post("/api/v1/codes", {"destination": "https://example.com/q"}).json()
    client.get(f"/api/v1/codes/{made['id']}")  # the key's last-used time is written once

    # The key with its creator and membership, then the code with its group and logo.
    settings.API_KEY_CACHE_SECONDS = 0
    with django_assert_num_queries(2):
        response = client.get(f"/api/v1/codes/{made['id']}")
    assert response.status_code == 200
    assert response.json()["id"] == made["id"]

    # With Redis, a key this process read is kept (accounts/key_cache.py): the code alone.
    settings.API_KEY_CACHE_SECONDS = 60
    client.get(f"/api/v1/codes/{made['id']}")
    warm = 1 if key_cache.enabled() else 2
    with django_assert_num_queries(warm):
        assert client.get(f"/api/v1/codes/{made['id']}").status_code == 200


@pytest.mark.postgres
def test_prepared_reads_show_their_statement_in_the_query_log(alice, acme):
    # On PostgreSQL the reads are prepared statements; the query log that assertNumQueries,
    # DEBUG and the toolbar read must still carry each one's text.
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL")
    secret = make_key(alice, acme, "read")
    with CaptureQueriesContext(connection) as log:
        for _ in range(2):  # the second run executes the prepared statement
            assert account_selectors.api_key_from_secret(key=secret) is not None

    statements = [query["sql"] for query in log.captured_queries]
    assert len(statements) == 2
    assert all('FROM "accounts_apikey" "k"' in sql for sql in statements), statements
