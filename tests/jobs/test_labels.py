"""Label sheets through the API and the jobs: small runs answer the PDF, large ones a job
whose result is the PDF; every printed code decodes to its short URL; bad input is a 400
naming the field and the numbers."""

import io
import subprocess
import tempfile
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from codes import services as code_services
from codes.rendering import sheets
from jobs.models import Job, Status
from tests.api.conftest import ApiClient, make_key
from tests.jobs.conftest import run

pytestmark = pytest.mark.django_db
K = 300 / 25.4


@pytest.fixture
def client(alice, acme):
    return ApiClient(make_key(alice, acme, "write"))


def _codes(acme, alice, count, **kwargs):
    return code_services.code_create_many(
        workspace=acme,
        actor=alice,
        items=[{"destination": f"https://example.com/p/{i}", "name": f"Shelf {i}",
                "external_id": f"SH-{i}", **kwargs} for i in range(count)],
    )  # fmt: skip


def _pages(pdf: bytes, dpi=300):
    """Every page rasterised by poppler (independent of our writer), as RGB images."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder)
        (path / "in.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(path / "in.pdf"), str(path / "p")],
                       check=True)  # fmt: skip
        return [Image.open(p).convert("RGB") for p in sorted(path.glob("p-*.png"))]


def _decoded(image, sheet):
    found = []
    for x, y in sheet.positions():
        box = (round(x * K), round(y * K), round((x + sheet.label_width) * K),
               round((y + sheet.label_height) * K))  # fmt: skip
        found.append([r.text for r in zxingcpp.read_barcodes(image.crop(box))])
    return found


def test_a_small_run_is_the_pdf_and_every_label_scans_to_its_short_url(client, acme, alice):
    codes = _codes(acme, alice, 9, style={"module_shape": "dots", "foreground_color": "#123456"})
    response = client.post("/api/v1/labels", {
        "sheet": "avery-l7160", "codes": [c.public_id for c in codes],
        "lines": ["name", "external_id", "short_url"], "start_at": 4,
    })  # fmt: skip
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/pdf"
    assert (response["X-Label-Count"], response["X-Page-Count"]) == ("9", "1")
    sheet = sheets.sheet_get("avery-l7160")
    [page] = _pages(response.content)
    found = _decoded(page, sheet)
    assert found[:3] == [[], [], []]
    assert found[3:12] == [[c.short_url] for c in sorted(codes, key=lambda c: c.pk)]
    assert found[12:] == [[]] * 9


def test_a_large_run_is_a_job_whose_result_is_the_pdf(
    client, acme, alice, settings, django_capture_on_commit_callbacks
):
    settings.LABELS_SYNC_MAX = 10
    group = code_services.group_create(workspace=acme, actor=alice, name="Aisle 4")
    codes = _codes(acme, alice, 30, group=group)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/labels", {"sheet": "avery-l7163", "group": group.slug,
                                                   "lines": ["name"]})  # fmt: skip
    assert response.status_code == 202, response.content
    assert response["Location"].endswith(response.json()["id"])
    job = Job.objects.get(public_id=response.json()["id"])
    assert job.kind == "labels"
    with django_capture_on_commit_callbacks(execute=True):
        job = run(job)
    assert job.status == Status.SUCCEEDED, job.error_summary
    assert job.summary["labels"] == 30
    assert job.summary["pages"] == 3
    polled = client.get(f"/api/v1/jobs/{job.public_id}").json()
    pdf = client.get(polled["result_url"]).getvalue()
    pages = _pages(pdf)
    sheet = sheets.sheet_get("avery-l7163")
    found = [texts for page in pages for texts in _decoded(page, sheet)]
    urls = [c.short_url for c in sorted(codes, key=lambda c: c.pk)]
    assert found[:30] == [[u] for u in urls]
    assert found[30:] == [[]] * 12


def test_copies_repeat_one_code_for_a_shelf(client, acme, alice):
    [code] = _codes(acme, alice, 1)
    response = client.post("/api/v1/labels", {"sheet": "avery-l7163", "codes": [code.public_id],
                                              "copies": 14, "lines": ["name"]})  # fmt: skip
    assert response.status_code == 200
    [page] = _pages(response.content, dpi=200)
    global K
    saved, K = K, 200 / 25.4
    try:
        assert _decoded(page, sheets.sheet_get("avery-l7163")) == [[code.short_url]] * 14
    finally:
        K = saved


def test_the_proof_is_a_png_of_the_first_page(client, acme, alice):
    codes = _codes(acme, alice, 3)
    response = client.post("/api/v1/labels", {"codes": [c.public_id for c in codes],
                                              "format": "png"})  # fmt: skip
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.size == pytest.approx((210 / 25.4 * 60, 297 / 25.4 * 60), abs=1)  # A4 at 60 dpi


def _error(response):
    assert response.status_code == 400, response.content
    return response.json()["error"]


def test_a_code_too_small_to_scan_on_the_label_names_the_smallest_size(client, acme, alice):
    codes = _codes(acme, alice, 2)
    error = _error(client.post("/api/v1/labels", {
        "sheet": "avery-l7651", "codes": [c.public_id for c in codes], "lines": [],
        "scan_distance_m": 0.3,
    }))  # fmt: skip
    assert error["field"] == "code_size"
    assert "too small to scan from 0.3 m; print it at least" in error["message"]
    # The smallest size it names does work (on a label big enough for it).
    smallest = float(error["message"].split("at least ")[1].split(" mm")[0])
    ok = client.post("/api/v1/labels", {"sheet": "avery-l7165", "codes": [codes[0].public_id],
                                        "lines": [], "scan_distance_m": 0.3,
                                        "code_size": smallest + 0.1})  # fmt: skip
    assert ok.status_code == 200, ok.content


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ({"sheet": "avery-l9999"}, "sheet", "is not a known sheet"),
        ({"start_at": 15}, "start_at", "beyond the 14 labels"),
        ({"sheet": {"page_size": "a4", "columns": 3, "rows": 2, "label_width": 80,
                    "label_height": 30}}, "sheet.columns", "beyond the page's 210 mm width"),
        ({"code_size": 60}, "code_size", "use at most"),
        ({"lines": ["name", "price"]}, "lines.1", "is not a label field"),
        ({"lines": ["text:مرحبا"]}, "lines.0", "needs shaping"),
    ],
)  # fmt: skip
def test_bad_options_are_a_400_naming_the_field(client, acme, alice, body, field, says):
    [code] = _codes(acme, alice, 1)
    error = _error(client.post("/api/v1/labels", {"codes": [code.public_id], **body}))
    assert error["field"] == field
    assert says in error["message"]


def test_no_codes_and_too_many_labels_are_refused(client, acme, alice):
    group = code_services.group_create(workspace=acme, actor=alice, name="Empty")
    assert "no codes to print" in _error(
        client.post("/api/v1/labels", {"group": group.slug}))["message"]  # fmt: skip
    codes = _codes(acme, alice, 101)
    error = _error(client.post("/api/v1/labels", {"codes": [c.public_id for c in codes],
                                                  "copies": 991}))  # fmt: skip
    assert "100,091 labels" in error["message"]
    assert not Job.objects.filter(kind="labels").exists()


def test_the_presets_are_listed_with_their_dimensions(client):
    body = client.get("/api/v1/label-sheets").json()
    by_id = {s["id"]: s for s in body["results"]}
    assert {"avery-l7163", "avery-5160", "avery-l7121", "zweckform-3474"} <= set(by_id)
    assert by_id["avery-l7163"]["label_width"] == 99.1
    assert by_id["avery-l7163"]["per_sheet"] == 14
    assert by_id["avery-l7121"]["round"] is True
