"""Direct-mail merge through the import: a destination template filled per row, one dynamic
code per recipient (its external id the customer's), and a merge file for the print shop with
the original columns, short_url, code_id and the image's name in the export's ZIP."""

import csv
import io
import zipfile
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from codes.models import QRCode
from tests.analytics.scanning import PHONE
from tests.api.conftest import ApiClient, make_key
from tests.codes.factories import QRCodeFactory
from tests.jobs.conftest import csv_bytes, upload

pytestmark = pytest.mark.django_db
TEMPLATE = "https://example.com/offer?c={customer_id}&utm_source=mail&utm_campaign={campaign}"
ROWS = [
    ["customer_id", "first_name", "city", "campaign"],
    ["C-1001", "Ada", "Wien", "spring 26"],
    ["C-1002", "Bořek", "Brno", "spring 26"],
    ["C-1003", "Chloé", "Lyon", "spring&summer"],
]


@pytest.fixture
def key(alice, acme):
    return make_key(alice, acme, "write")


def _import(key, **fields):
    client = Client(headers={"Authorization": f"Bearer {key}"})
    return client.post("/api/v1/imports", {
        "file": upload(csv_bytes(ROWS), "mailing.csv"),
        "mapping": '{"customer_id": "external_id", "first_name": "name"}', **fields,
    })  # fmt: skip


def test_a_mailing_list_becomes_one_code_per_recipient_and_a_merge_file(
    key, acme, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _import(key, destination_template=TEMPLATE)
    assert response.status_code == 202, response.content
    api = ApiClient(key)
    job = api.get(f"/api/v1/jobs/{response.json()['id']}").json()
    assert job["status"] == "succeeded", job
    codes = {c.external_id: c for c in QRCode.objects.filter(workspace=acme)}
    assert set(codes) == {"C-1001", "C-1002", "C-1003"}
    query = parse_qs(urlsplit(codes["C-1003"].destination).query)
    # A value never adds a parameter: "spring&summer" stays one campaign.
    assert query == {"c": ["C-1003"], "utm_source": ["mail"], "utm_campaign": ["spring&summer"]}
    assert codes["C-1001"].is_dynamic

    merge = list(csv.reader(io.StringIO(b"".join(api.get(job["result_url"]).streaming_content)
                                        .decode())))  # fmt: skip
    assert merge[0] == [*ROWS[0], "short_url", "code_id", "image_file", "status", "error"]
    for original, row in zip(ROWS[1:], merge[1:], strict=True):
        code = codes[original[0]]
        assert row[:4] == original
        assert row[4:8] == [code.short_url, code.public_id, f"{original[0]}.png", "created"]

    with django_capture_on_commit_callbacks(execute=True):
        export = api.post("/api/v1/exports", {"job": job["id"], "formats": ["png"]})
    assert export.status_code == 202
    done = api.get(export["Location"]).json()
    archive = zipfile.ZipFile(io.BytesIO(b"".join(api.get(done["result_url"]).streaming_content)))
    assert {row[6] for row in merge[1:]} <= set(archive.namelist())


def test_a_template_naming_a_missing_column_is_a_400(key):
    response = _import(key, destination_template="https://example.com/o?c={customer}")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "destination_template"
    assert "no column 'customer'" in error["message"]


def test_a_template_that_makes_no_url_is_a_400(key):
    response = _import(key, destination_template="{city}/offer")
    assert response.status_code == 400
    assert "http(s) URL" in response.json()["error"]["message"]


def test_the_dashboard_import_previews_and_starts_a_mail_merge(
    csrf_client_for, alice, acme, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from jobs import services
    from jobs.models import Job

    client = csrf_client_for(alice)
    client.get(reverse("jobs:import"))
    token = client.cookies["csrftoken"].value
    file = services.import_file_create(workspace=acme, actor=alice,
                                       file=upload(csv_bytes(ROWS)), name="mailing.csv")  # fmt: skip
    url = reverse("jobs:import_map", args=[file.public_id])
    assert "Destination template (mail merge)" in client.get(url).content.decode()
    data = {"row_kind": "dynamic:url", "col_0": "external_id", "col_1": "name", "col_2": "",
            "col_3": "", "mode": "all_or_nothing", "destination_template": TEMPLATE,
            "csrfmiddlewaretoken": token}  # fmt: skip
    preview = client.post(url, data).content.decode()
    assert (
        "https://example.com/offer?c=C-1002&amp;utm_source=mail&amp;utm_campaign=spring%2026"
        in preview
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**data, "start": "1"})
    job = Job.objects.get(kind="import")
    assert job.result_file.name.endswith("merge.csv")


def test_scans_are_attributable_per_recipient_on_the_code_and_in_the_csv_exports(
    key, acme, alice_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert _import(key, destination_template=TEMPLATE).status_code == 202
    codes = {c.external_id: c for c in QRCode.objects.filter(workspace=acme)}
    scanner = Client(headers={"User-Agent": PHONE})
    for recipient, times in (("C-1001", 2), ("C-1003", 1)):
        for _ in range(times):
            assert scanner.get(f"/r/{codes[recipient].slug}").status_code == 302

    page = alice_client.get(reverse("codes:detail", args=[codes["C-1001"].public_id]))
    assert "External ID" in page.content.decode()
    assert "C-1001" in page.content.decode()
    analytics = alice_client.get(reverse("analytics:code", args=[codes["C-1001"].public_id]))
    assert 'external ID <span class="mono">C-1001</span>' in analytics.content.decode()

    scans = alice_client.get(reverse("analytics:workspace_scans"))
    rows = list(csv.DictReader(io.StringIO(b"".join(scans.streaming_content).decode())))
    assert sorted(row["code_external_id"] for row in rows) == ["C-1001", "C-1001", "C-1003"]

    totals = alice_client.get(reverse("analytics:workspace_csv"))
    top = [r for r in csv.DictReader(io.StringIO(totals.content.decode()))
           if r["section"] == "top_codes"]  # fmt: skip
    assert [(r["external_id"], r["scans"]) for r in top] == [("C-1001", "2"), ("C-1003", "1")]
    one = alice_client.get(reverse("analytics:code_csv", args=[codes["C-1003"].public_id]))
    summary = next(csv.DictReader(io.StringIO(one.content.decode())))
    assert (summary["key"], summary["external_id"]) == ("code", "C-1003")


def test_an_external_id_that_looks_like_a_formula_is_defused_in_the_csv(acme, alice_client):
    code = QRCodeFactory(workspace=acme, name="Mailer", external_id="=1+1")
    assert Client(headers={"User-Agent": PHONE}).get(f"/r/{code.slug}").status_code == 302
    scans = alice_client.get(reverse("analytics:workspace_scans"))
    rows = list(csv.DictReader(io.StringIO(b"".join(scans.streaming_content).decode())))
    assert [row["code_external_id"] for row in rows] == ["'=1+1"]
