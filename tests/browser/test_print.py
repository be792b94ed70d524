"""The Print page in Chromium: open it from a group, change the preset, see the proof image
and the totals change, download the PDF (every label on it decodes to its code's short URL).
Screenshots at a desktop and a phone width land in tests/browser/artifacts/."""

import io
import subprocess

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from codes import services as code_services
from codes.rendering import sheets
from tests.browser.test_dashboard import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def short_links_on_the_live_server(settings, live_server):
    settings.SHORT_URL_BASE = f"{live_server.url}/r/"


def test_print_page_proof_follows_the_preset_and_the_pdf_downloads(
    page, alice, acme, screenshot, tmp_path
):
    group = code_services.group_create(workspace=acme, actor=alice, name="Aisle 3")
    codes = code_services.code_create_many(
        workspace=acme, actor=alice,
        items=[{"destination": f"https://example.com/bin/{i}", "name": f"Bin 3-{i}",
                "group": group, "style": {"module_shape": "rounded"}} for i in range(6)],
    )  # fmt: skip
    sign_in(page)
    page.goto(f"/groups/{group.public_id}/")
    page.get_by_role("link", name="Print labels").click()
    expect(page.get_by_role("heading", name="Print labels")).to_be_visible()
    proof = page.locator("img.proof-image")
    expect(proof).to_be_visible()
    expect(page.locator("[data-proof-totals]")).to_contain_text("6 labels on 1 page · 14 per page")
    before = proof.get_attribute("src")
    for width, name in ((1366, "desktop"), (390, "phone")):
        page.set_viewport_size({"width": width, "height": 900 if width > 400 else 844})
        screenshot(f"print-{name}")
        expect(page.get_by_role("button", name="Download PDF")).to_be_visible()
    page.set_viewport_size({"width": 1366, "height": 900})

    page.get_by_role("combobox", name="Sheet").select_option("avery-5163")
    expect(page.locator("[data-proof-totals]")).to_contain_text("10 per page")
    after = page.locator("img.proof-image").get_attribute("src")
    assert after != before
    screenshot("print-changed")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download PDF").click()
    path = tmp_path / "labels.pdf"
    download.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    raster = subprocess.run(["pdftoppm", "-png", "-r", "300", "-singlefile", str(path)],
                            capture_output=True, check=True).stdout  # fmt: skip
    image = Image.open(io.BytesIO(raster))
    sheet = sheets.sheet_get("avery-5163")
    k = 300 / 25.4
    found = []
    for x, y in sheet.positions()[: len(codes)]:
        crop = image.crop((round(x * k), round(y * k), round((x + sheet.label_width) * k),
                           round((y + sheet.label_height) * k)))  # fmt: skip
        found += [r.text for r in zxingcpp.read_barcodes(crop)]
    assert found == [c.short_url for c in sorted(codes, key=lambda c: c.pk)]
