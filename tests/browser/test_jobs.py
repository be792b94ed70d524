"""The import journey in Chromium: upload a CSV, map its columns, see a row's error in the
preview, fix the file, start, watch the progress bar reach 100 %, download the results CSV
and the ZIP of the images; every image decodes to its code's short URL. Screenshots of the
new pages at a desktop and a phone width land in tests/browser/artifacts/ (and /tmp/shots-14/
when SHOTS_DIR names it)."""

import csv
import io
import os
import shutil
import zipfile
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from codes.models import QRCode
from tests.browser.test_dashboard import sign_in
from tests.jobs.conftest import csv_bytes, url_rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = {"desktop": 1366, "phone": 390}


@pytest.fixture(autouse=True)
def short_links_on_the_live_server(settings, live_server):
    settings.SHORT_URL_BASE = f"{live_server.url}/r/"


def _shots(page, screenshot, name):
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.evaluate("window.scrollTo(0, 0)")
        path = screenshot(f"jobs-{name}-{label}")
        if os.environ.get("SHOTS_DIR"):
            Path(os.environ["SHOTS_DIR"]).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(os.environ["SHOTS_DIR"]) / path.name)
    page.set_viewport_size({"width": 1280, "height": 860})


def _upload(page, tmp_path, rows, name):
    path = tmp_path / name
    path.write_bytes(csv_bytes(rows))
    page.goto("/jobs/import/")
    page.get_by_label("Spreadsheet").set_input_files(str(path))
    page.get_by_role("button", name="Upload and map columns").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()


def test_import_with_a_fixed_row_then_results_and_zip(page, alice, acme, tmp_path, screenshot):
    sign_in(page)
    page.goto("/jobs/")
    _shots(page, screenshot, "list-empty")
    page.get_by_role("link", name="Import codes").click()
    _shots(page, screenshot, "upload")

    broken = url_rows(12)
    broken[4][0] = "notaurl"
    _upload(page, tmp_path, broken, "products.csv")
    # The header's names were guessed; the bad row is flagged before anything exists.
    expect(page.get_by_label("url")).to_have_value("destination")
    expect(page.get_by_label("sku")).to_have_value("external_id")
    expect(page.locator("tr.row-error[data-row='4']")).to_contain_text("url")
    expect(page.locator("[data-preview-summary]")).to_contain_text(
        "1 of the first 10 rows is wrong"
    )
    _shots(page, screenshot, "mapping-error")
    assert not QRCode.objects.exists()

    # Mapping changes re-check the preview at once (htmx).
    page.get_by_label("name", exact=True).select_option("")
    expect(page.locator("tr[data-row='1']")).to_contain_text("—")
    page.get_by_label("name", exact=True).select_option("name")

    page.get_by_role("link", name="Upload another file").click()
    _upload(page, tmp_path, url_rows(12), "products-fixed.csv")
    expect(page.locator("[data-preview-summary]")).to_contain_text("The first 10 rows are fine")
    expect(page.locator("tr.row-error")).to_have_count(0)
    page.get_by_role("button", name="Import 12 rows").click()

    bar = page.get_by_role("progressbar", name="Progress")
    expect(bar).to_have_attribute("aria-valuenow", "100", timeout=30_000)
    expect(page.locator("[data-status]")).to_have_text("Succeeded")
    expect(page.get_by_text("12 codes created")).to_be_visible()
    _shots(page, screenshot, "job-done")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download results CSV").click()
    results = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert [r["status"] for r in results] == ["created"] * 12
    short_urls = {r["code_id"]: r["short_url"] for r in results}
    assert set(short_urls) == set(QRCode.objects.values_list("public_id", flat=True))

    page.get_by_role("button", name="Download images (ZIP)").click()
    expect(page.locator("[data-status]")).to_have_text("Succeeded", timeout=60_000)
    _shots(page, screenshot, "export-done")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download ZIP").click()
    archive = zipfile.ZipFile(download.value.path())
    manifest = list(csv.DictReader(io.TextIOWrapper(archive.open("manifest.csv"), "utf-8")))
    assert len(manifest) == 12
    for entry in manifest:
        assert entry["short_url"] == short_urls[entry["id"]]
        image = Image.open(io.BytesIO(archive.read(entry["file_name"])))
        assert [r.text for r in zxingcpp.read_barcodes(image)] == [entry["short_url"]]
    assert sorted(e["file_name"] for e in manifest) == sorted(f"sku-{i}.png" for i in range(1, 13))

    page.goto("/jobs/")
    expect(page.locator(".jobs-table tbody tr")).to_have_count(2)
    _shots(page, screenshot, "list")
    page.goto("/codes/")
    _shots(page, screenshot, "codes-list-bulk-bar")
    page.locator("input[name=codes]").first.check()
    page.get_by_role("button", name="Download images (ZIP)").click()
    expect(page.get_by_role("heading", name="Download images as a ZIP")).to_be_visible()
    _shots(page, screenshot, "export-options")
