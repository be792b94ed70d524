"""The Print page: a proof of the first page that follows the options (HTMX or the no-JS
button), the PDF download, a job for large runs, refusals on the form; reachable from a
group, a code, a job and the list's bulk actions."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from codes import services as code_services
from jobs.models import Job

pytestmark = pytest.mark.django_db


def _codes(acme, alice, count, group=None):
    return code_services.code_create_many(
        workspace=acme, actor=alice,
        items=[{"destination": f"https://example.com/{i}", "name": f"Bin {i}", "group": group}
               for i in range(count)],
    )  # fmt: skip


@pytest.fixture
def group(acme, alice):
    group = code_services.group_create(workspace=acme, actor=alice, name="Aisle 7")
    _codes(acme, alice, 5, group=group)
    return group


def _token(client, url):
    client.get(url)
    return client.cookies["csrftoken"].value


def _proof(html: str) -> str:
    return re.search(r'src="(data:image/png;base64,[^"]+)"', html).group(1)


def test_a_group_page_links_to_a_proof_of_its_codes(csrf_client_for, alice, group):
    client = csrf_client_for(alice)
    detail = client.get(reverse("codes:group_detail", args=[group.public_id])).content.decode()
    link = f"{reverse('jobs:print')}?print_group={group.public_id}"
    assert link in detail
    page = client.get(link).content.decode()
    assert "Of the codes of “Aisle 7”" in page
    assert _proof(page)
    assert "<strong>5</strong> labels on <strong>1</strong> page" in page


def test_changing_the_preset_changes_the_proof_and_totals(csrf_client_for, alice, group):
    client = csrf_client_for(alice)
    url = f"{reverse('jobs:print')}?print_group={group.public_id}"
    first = _proof(client.get(url).content.decode())
    token = client.cookies["csrftoken"].value
    form = {"csrfmiddlewaretoken": token, "print_group": group.public_id, "mode": "sheet",
            "sheet": "avery-l7651", "line_1": "name", "font_size": "8", "align": "left",
            "start_at": "63", "copies": "1", "scan_distance_m": "0.1"}  # fmt: skip
    response = client.post(reverse("jobs:print"), form, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="card" id="proof"')  # only the fragment
    assert _proof(html) != first
    assert "<strong>5</strong> labels on <strong>2</strong> pages" in html  # 3 fit, then 2


def test_no_js_update_button_rerenders_the_page_and_download_gives_the_pdf(
    csrf_client_for, alice, group
):
    client = csrf_client_for(alice)
    token = _token(client, reverse("jobs:print") + f"?print_group={group.public_id}")
    form = {"csrfmiddlewaretoken": token, "print_group": group.public_id, "mode": "sheet",
            "sheet": "avery-5163", "line_1": "name", "line_2": "short_url", "font_size": "10",
            "align": "center", "start_at": "1", "copies": "2", "scan_distance_m": "0.15"}  # fmt: skip
    page = client.post(reverse("jobs:print"), {**form, "do": "proof"})
    assert page.status_code == 200
    assert "<strong>10</strong> labels on <strong>1</strong> page" in page.content.decode()
    pdf = client.post(reverse("jobs:print"), {**form, "do": "download"})
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == 'attachment; filename="labels.pdf"'
    assert pdf.content.startswith(b"%PDF")


def test_a_large_run_becomes_a_job(csrf_client_for, alice, acme, settings):
    settings.LABELS_SYNC_MAX = 3
    group = code_services.group_create(workspace=acme, actor=alice, name="Big")
    _codes(acme, alice, 4, group=group)
    client = csrf_client_for(alice)
    token = _token(client, reverse("jobs:print") + f"?print_group={group.public_id}")
    response = client.post(reverse("jobs:print"), {
        "csrfmiddlewaretoken": token, "print_group": group.public_id, "mode": "sheet",
        "sheet": "avery-l7163", "font_size": "9", "align": "left", "start_at": "1",
        "copies": "1", "scan_distance_m": "0.15", "do": "download"})  # fmt: skip
    job = Job.objects.get(kind="labels")
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.public_id])


def test_a_custom_grid_off_the_page_is_refused_on_the_form(csrf_client_for, alice, group):
    client = csrf_client_for(alice)
    token = _token(client, reverse("jobs:print") + f"?print_group={group.public_id}")
    response = client.post(reverse("jobs:print"), {
        "csrfmiddlewaretoken": token, "print_group": group.public_id, "mode": "sheet",
        "sheet": "custom", "page_size": "a4", "columns": "4", "rows": "2", "label_width": "60",
        "label_height": "30", "left": "5", "top": "5", "font_size": "9", "align": "left",
        "start_at": "1", "copies": "1", "scan_distance_m": "0.15", "do": "proof"})  # fmt: skip
    assert response.status_code == 400
    assert "4 columns of 60 mm end at 245.0 mm, beyond the page" in response.content.decode()


def test_the_code_page_prints_a_sheet_of_that_one_code(csrf_client_for, alice, acme):
    [code] = _codes(acme, alice, 1)
    client = csrf_client_for(alice)
    detail = client.get(reverse("codes:detail", args=[code.public_id])).content.decode()
    assert f"?print_code={code.public_id}" in detail
    page = client.get(reverse("jobs:print") + f"?print_code={code.public_id}").content.decode()
    assert "<strong>14</strong> labels on <strong>1</strong> page" in page


def test_the_list_bulk_action_opens_the_print_page(csrf_client_for, alice, acme):
    codes = _codes(acme, alice, 2)
    client = csrf_client_for(alice)
    listing = client.get(reverse("codes:list")).content.decode()
    assert f'formaction="{reverse("jobs:print")}"' in listing
    token = client.cookies["csrftoken"].value
    page = client.post(reverse("jobs:print"), {"csrfmiddlewaretoken": token, "action": "move",
                                               "codes": [c.public_id for c in codes]})  # fmt: skip
    html = page.content.decode()
    assert "Of 2 selected codes" in html
    assert html.count('name="codes"') == 2  # the selection rides along the page's own posts


def test_another_workspaces_group_is_a_404(alice, charlie, group):
    client = Client()
    client.force_login(charlie)
    response = client.get(reverse("jobs:print") + f"?print_group={group.public_id}")
    assert response.status_code == 404
