import pytest
from django.http import Http404

from codes import selectors, services
from tests.codes.factories import CampaignGroupFactory, QRCodeFactory


@pytest.fixture
def acme_code(acme):
    return QRCodeFactory(workspace=acme, name="Acme poster")


def test_code_is_found_in_its_own_workspace(acme, acme_code):
    assert selectors.code_get_for_workspace(workspace=acme, public_id=acme_code.public_id) == (
        acme_code
    )


@pytest.mark.parametrize(
    "read",
    [
        lambda ws, code: selectors.code_get_for_workspace(workspace=ws, public_id=code.public_id),
        lambda ws, code: selectors.group_get_for_workspace(
            workspace=ws, public_id=code.group.public_id
        ),
        lambda ws, code: selectors.group_get_for_workspace(workspace=ws, slug=code.group.slug),
        lambda ws, code: selectors.logo_get_for_workspace(
            workspace=ws, public_id=code.logo.public_id
        ),
        lambda ws, code: selectors.destination_change_get_for_code(
            code=selectors.code_get_for_workspace(workspace=ws, public_id=code.public_id),
            public_id=code.destination_changes.get().public_id,
        ),
    ],
)
def test_another_workspace_gets_404_for_everything_of_acme(acme, alice, globex, read):
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (32, 32), "red").save(out, format="PNG")
    group = services.group_create(workspace=acme, actor=alice, name="Launch")
    logo = services.logo_create(workspace=acme, actor=alice, data=out.getvalue())
    code = services.code_create(
        workspace=acme, actor=alice, destination="https://e.com", group=group, logo=logo
    )
    assert read(acme, code) is not None
    with pytest.raises(Http404):
        read(globex, code)


@pytest.mark.parametrize(
    "read",
    [
        lambda ws: selectors.code_get_for_workspace(workspace=ws, public_id="code_missing"),
        lambda ws: selectors.group_get_for_workspace(workspace=ws, public_id="grp_missing"),
        lambda ws: selectors.group_get_for_workspace(workspace=ws, slug="missing"),
        lambda ws: selectors.group_get_for_workspace(workspace=ws),
        lambda ws: selectors.logo_get_for_workspace(workspace=ws, public_id="logo_missing"),
    ],
)
def test_missing_objects_get_404_like_foreign_ones(acme, read):
    with pytest.raises(Http404):
        read(acme)


def test_lists_never_include_another_workspaces_rows(acme, globex, acme_code):
    QRCodeFactory(workspace=globex)
    CampaignGroupFactory(workspace=globex)
    assert list(selectors.code_list_for_workspace(workspace=acme)) == [acme_code]
    assert not selectors.group_list_for_workspace(workspace=acme).exists()
    assert not selectors.logo_list_for_workspace(workspace=acme).exists()
    foreign_group = CampaignGroupFactory(workspace=globex)
    assert not selectors.code_list_for_workspace(workspace=acme, group=foreign_group).exists()


def test_deleted_codes_are_hidden_unless_asked_for(acme, alice, acme_code):
    services.code_delete(code=acme_code, actor=alice)
    with pytest.raises(Http404):
        selectors.code_get_for_workspace(workspace=acme, public_id=acme_code.public_id)
    assert selectors.code_get_for_workspace(
        workspace=acme, public_id=acme_code.public_id, include_deleted=True
    )
    assert not selectors.code_list_for_workspace(workspace=acme).exists()


def test_code_list_filters(acme, alice):
    group = CampaignGroupFactory(workspace=acme)
    grouped = QRCodeFactory(workspace=acme, group=group, name="Menu", external_id="sku-1")
    inactive = QRCodeFactory(workspace=acme, is_active=False, name="Old flyer")

    def ids(**filters):
        return {c.pk for c in selectors.code_list_for_workspace(workspace=acme, **filters)}

    assert ids(group=group) == {grouped.pk}
    assert ids(ungrouped=True) == {inactive.pk}
    assert ids(is_active=False) == {inactive.pk}
    assert ids(search="menu") == {grouped.pk}
    assert ids(external_id="sku-1") == {grouped.pk}
    assert ids(kind="static") == set()


def test_code_list_runs_one_query(acme, django_assert_num_queries):
    group = CampaignGroupFactory(workspace=acme)
    for _ in range(5):
        QRCodeFactory(workspace=acme, group=group)
    with django_assert_num_queries(1):
        rows = [
            (c.name, c.group.name if c.group else "")
            for c in selectors.code_list_for_workspace(workspace=acme)
        ]
    assert len(rows) == 5


def test_group_list_counts_live_codes_and_hides_archived(acme, alice):
    group = CampaignGroupFactory(workspace=acme)
    QRCodeFactory(workspace=acme, group=group)
    gone = QRCodeFactory(workspace=acme, group=group)
    services.code_delete(code=gone, actor=alice)
    archived = services.group_archive(group=CampaignGroupFactory(workspace=acme), actor=alice)
    groups = list(selectors.group_list_for_workspace(workspace=acme))
    assert [(g.pk, g.code_count) for g in groups] == [(group.pk, 1)]
    assert archived in selectors.group_list_for_workspace(workspace=acme, include_archived=True)


def test_destination_history_is_newest_first(acme, alice):
    code = services.code_create(workspace=acme, actor=alice, destination="https://e.com/1")
    code = services.code_change_destination(code=code, destination="https://e.com/2", actor=alice)
    history = list(selectors.destination_history_for_code(code=code))
    assert [h.new_destination for h in history] == ["https://e.com/2", "https://e.com/1"]
