"""Every dashboard view of codes, groups and brand styles × persona → status.

Adding a view adds a row. Owner and editor may do everything (a refused form is still
"allowed": 200/302/400/422); the viewer reads but gets 403 for anything that changes; the
stranger gets 404 for Acme's objects; anonymous visitors are sent to the login page.
"""

import pytest
from django.test import Client
from django.urls import reverse

from codes import services
from tests.codes.views_helpers import logo_png

pytestmark = pytest.mark.django_db

READ, WRITE, MANAGE = "read", "write", "manage"
# (method, url name, argument names, kind)
VIEWS = [
    ("get", "codes:list", [], READ),
    ("get", "codes:create", [], WRITE),
    ("post", "codes:create", [], WRITE),
    ("post", "codes:preview", [], WRITE),
    ("post", "codes:logo_upload", [], WRITE),
    ("get", "codes:logo_image", ["logo"], READ),
    ("post", "codes:bulk", [], WRITE),
    ("post", "codes:undo", [], WRITE),
    ("get", "codes:trash", [], READ),
    ("post", "codes:restore", ["trashed"], WRITE),
    ("get", "codes:detail", ["code"], READ),
    ("get", "codes:edit", ["code"], WRITE),
    ("post", "codes:edit", ["code"], WRITE),
    ("get", "codes:image", ["code"], READ),
    ("get", "codes:download", ["code"], READ),
    ("post", "codes:destination", ["code"], WRITE),
    ("post", "codes:rollback", ["code", "change"], WRITE),
    ("post", "codes:activate", ["code"], WRITE),
    ("post", "codes:deactivate", ["code"], WRITE),
    ("post", "codes:move", ["code"], WRITE),
    ("post", "codes:duplicate", ["code"], WRITE),
    ("post", "codes:delete", ["code"], WRITE),
    ("get", "codes:group_list", [], READ),
    ("get", "codes:group_create", [], WRITE),
    ("post", "codes:group_create", [], WRITE),
    ("get", "codes:group_detail", ["group"], READ),
    ("get", "codes:group_edit", ["group"], WRITE),
    ("post", "codes:group_edit", ["group"], WRITE),
    ("post", "codes:group_archive", ["group"], WRITE),
    ("post", "codes:group_unarchive", ["group"], WRITE),
    ("post", "codes:group_delete", ["group"], WRITE),
    ("get", "codes:scan_page_brand", [], MANAGE),
    ("post", "codes:scan_page_brand", [], MANAGE),
    ("get", "codes:template_list", [], READ),
    ("get", "codes:template_create", [], WRITE),
    ("post", "codes:template_create", [], WRITE),
    ("get", "codes:template_edit", ["template"], WRITE),
    ("post", "codes:template_edit", ["template"], WRITE),
    ("post", "codes:template_delete", ["template"], WRITE),
    ("get", "codes:template_image", ["template"], READ),
    ("post", "codes:sandbox_wipe", [], WRITE),
]
ALLOWED = {200, 302, 400, 422}


@pytest.fixture
def objects(acme, alice):
    group = services.group_create(workspace=acme, actor=alice, name="Spring launch")
    logo = services.logo_create(workspace=acme, actor=alice, data=logo_png())
    code = services.code_create(
        workspace=acme, actor=alice, destination="https://example.com/a", group=group
    )
    change = code.destination_changes.get()
    template = services.brand_template_create(workspace=acme, actor=alice, name="Acme")
    trashed = services.code_create(workspace=acme, actor=alice, destination="https://example.com/b")
    services.code_delete(code=trashed, actor=alice)
    return {
        "trashed": trashed.public_id,
        "code": code.public_id,
        "group": group.public_id,
        "logo": logo.public_id,
        "change": change.public_id,
        "template": template.public_id,
    }


def _url(name, arg_names, objects):
    return reverse(name, args=[objects[a] for a in arg_names])


def _object_view(arg_names):
    return bool(arg_names)


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "charlie", "anonymous"])
@pytest.mark.parametrize(("method", "name", "arg_names", "kind"), VIEWS)
def test_permission_matrix(request, objects, persona, method, name, arg_names, kind):
    client = Client()
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    else:
        request.getfixturevalue("carol")  # the workspace exists; nobody is signed in
    url = _url(name, arg_names, objects)
    response = getattr(client, method)(url)
    status = response.status_code
    if persona == "anonymous":
        assert status == 302
        assert response["Location"].startswith(reverse("login"))
    elif persona == "charlie" and _object_view(arg_names):
        assert status == 404
    elif persona == "charlie":
        # His own workspace: reading is fine, writing goes to his own workspace's forms.
        assert status in ALLOWED
    elif persona == "carol" and kind in (WRITE, MANAGE):
        assert status == 403
    elif persona == "bob" and kind == MANAGE:
        assert status == 403  # an editor makes codes; the workspace's public face is an admin's
    else:
        assert status in ALLOWED, (persona, method, name, status)


def test_every_codes_url_is_in_the_matrix():
    from codes.urls import urlpatterns

    covered = {name.split(":")[1] for _, name, _, _ in VIEWS}
    assert {pattern.name for pattern in urlpatterns} == covered
