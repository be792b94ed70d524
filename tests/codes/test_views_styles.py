"""Brand styles: saved from the editor or a code, edited, deleted, drawn, applied."""

import pytest
from django.urls import reverse

from codes import services
from codes.models import BrandTemplate
from tests.codes.views_helpers import editor_data, htmx, make_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def template(acme, alice):
    return services.brand_template_create(
        workspace=acme, actor=alice, name="Acme primary", style={"module_shape": "dots"}
    )


def test_empty_styles_page_explains_what_they_are(alice_client):
    html = alice_client.get(reverse("codes:template_list")).content.decode()
    assert "Save your brand once" in html


def test_styles_page_lists_each_style_with_a_sample(alice_client, template):
    html = alice_client.get(reverse("codes:template_list")).content.decode()
    assert "Acme primary" in html
    assert reverse("codes:template_image", args=[template.public_id]) in html
    assert f"?style={template.public_id}" in html


def test_the_sample_image_is_an_svg(alice_client, template):
    response = alice_client.get(reverse("codes:template_image", args=[template.public_id]))
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")


def test_save_the_editors_design_as_a_style_with_htmx(alice_client, acme):
    data = editor_data(module_shape="rounded", **{"template-name": "Event dark"})
    response = alice_client.post(reverse("codes:template_create"), data, **htmx("save-style"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="save-style"')
    assert "Saved as “Event dark”" in html
    template = BrandTemplate.objects.get(workspace=acme)
    assert template.style["module_shape"] == "rounded"


def test_save_a_style_without_javascript_goes_to_the_styles_page(alice_client, acme):
    data = editor_data(**{"template-name": "Event dark"})
    response = alice_client.post(reverse("codes:template_create"), data)
    assert response["Location"] == reverse("codes:template_list")


def test_a_style_needs_a_unique_name(alice_client, template):
    data = editor_data(**{"template-name": "acme PRIMARY"})
    response = alice_client.post(reverse("codes:template_create"), data, **htmx())
    assert "already exists" in response.content.decode()
    assert BrandTemplate.objects.count() == 1


def test_new_style_from_a_code_starts_from_its_design(alice_client, acme, alice):
    code = make_code(acme, alice, style={"module_shape": "vbars", "foreground_color": "#1e1b4b"})
    html = alice_client.get(
        reverse("codes:template_create"), {"from": code.public_id}
    ).content.decode()
    assert 'value="#1e1b4b"' in html
    assert 'value="Spring menu style"' in html


def test_edit_and_delete_a_style(alice_client, template):
    url = reverse("codes:template_edit", args=[template.public_id])
    assert alice_client.get(url).status_code == 200
    response = alice_client.post(
        url, editor_data(module_shape="gapped", **{"template-name": "Acme 2"})
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.name == "Acme 2"
    assert template.style["module_shape"] == "gapped"
    alice_client.post(reverse("codes:template_delete", args=[template.public_id]))
    assert not BrandTemplate.objects.exists()


def test_viewer_and_stranger(carol_client, charlie_client, template):
    assert carol_client.get(reverse("codes:template_list")).status_code == 200
    assert carol_client.get(reverse("codes:template_create")).status_code == 403
    assert (
        carol_client.post(reverse("codes:template_delete", args=[template.public_id])).status_code
        == 403
    )
    for name in ("template_edit", "template_image"):
        assert (
            charlie_client.get(reverse(f"codes:{name}", args=[template.public_id])).status_code
            == 404
        )
    assert (
        charlie_client.post(reverse("codes:template_delete", args=[template.public_id])).status_code
        == 404
    )
    assert BrandTemplate.objects.count() == 1
