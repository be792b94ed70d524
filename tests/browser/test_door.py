"""The door page in Chromium: a typed code checks in; a fake camera showing a rendered ticket
is decoded and checked in; offline, two tickets are admitted on the device, queued, and
synced and counted once the network is back. Screenshots at a desktop and a phone width land
in tests/browser/artifacts/ (and SHOTS_DIR when set)."""

import contextlib
import os
import shutil
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, expect

from accounts.models import Role
from tests.browser.conftest import ExternalRequestGuard, _chromium_path
from tests.browser.test_dashboard import sign_in
from tests.factories import MembershipFactory, UserFactory
from tests.tickets.conftest import make_event
from tickets import services
from tickets.models import CheckIn, Result
from tickets.rendering import ticket_image

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = {"desktop": 1366, "phone": 390}


@pytest.fixture
def door_event(acme, alice, dora):
    event = make_event(acme, alice, name="Spring Gala")
    tickets = services.ticket_issue_many(
        event=event,
        actor=alice,
        items=[
            {"holder_name": "Ada Lovelace", "ticket_type": "VIP"},
            {"holder_name": "Alan Turing", "ticket_type": "Standard"},
            {"holder_name": "Grace Hopper", "ticket_type": "Standard"},
        ],
    )
    return event, tickets


@pytest.fixture
def dora(acme, alice):
    user = UserFactory(email="dora@example.com", full_name="Dora Door")
    MembershipFactory(user=user, workspace=acme, role=Role.DOOR)
    return user


def _shots(page, screenshot, name):
    size = page.viewport_size
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900 if label == "desktop" else 844})
        path = screenshot(f"door-{name}-{label}")
        if os.environ.get("SHOTS_DIR"):
            Path(os.environ["SHOTS_DIR"]).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(os.environ["SHOTS_DIR"]) / path.name)
    page.set_viewport_size(size)


def _open_door(page, event):
    page.goto(f"/tickets/{event.public_id}/door/")
    expect(page.locator("#door")).to_have_attribute("data-ready", "1")
    expect(page.locator("#kit")).to_have_attribute("data-ready", "1")


def _type(page, payload):
    page.locator("#payload").fill(payload)
    page.get_by_role("button", name="Check in").click()


def _close_result(page):
    page.locator("#result-close").click()
    expect(page.locator("#result")).to_be_hidden()


def test_typing_a_code_checks_the_ticket_in(page, door_event, screenshot):
    event, (ada, _, _) = door_event
    sign_in(page, "dora@example.com")
    _open_door(page, event)
    _shots(page, screenshot, "ready")

    _type(page, ada.payload)

    result = page.locator("#result")
    expect(result).to_have_attribute("data-result", "valid")
    expect(result).to_contain_text("Ada Lovelace")
    expect(result).to_contain_text("VIP")
    _shots(page, screenshot, "valid")
    assert CheckIn.objects.get(result=Result.VALID).ticket == ada

    _close_result(page)
    _type(page, ada.payload)
    expect(result).to_have_attribute("data-result", "already_used")
    expect(result).to_contain_text("First used at")
    expect(result).to_contain_text("gate A")
    _shots(page, screenshot, "already-used")

    _close_result(page)
    _type(page, "https://example.com/r/aB3dE5f")
    expect(result).to_have_attribute("data-result", "invalid")
    _shots(page, screenshot, "invalid")


def _y4m(png: bytes, path: Path, frames: int = 6) -> None:
    """Raw YUV 4:2:0 frames of the ticket's code on a white 640x480 picture (Chromium's fake
    camera plays the file in a loop)."""
    width, height = 640, 480
    picture = Image.new("RGB", (width, height), "white")
    code = Image.open(BytesIO(png)).convert("RGB")
    code.thumbnail((440, 440))
    picture.paste(code, ((width - code.width) // 2, (height - code.height) // 2))
    y, cb, cr = picture.convert("YCbCr").split()
    half = (width // 2, height // 2)
    frame = (
        y.tobytes()
        + cb.resize(half, Image.Resampling.BOX).tobytes()
        + cr.resize(half, Image.Resampling.BOX).tobytes()
    )
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + frame)


def test_the_camera_scanner_decodes_a_rendered_ticket(
    live_server, door_event, tmp_path, browser: Browser
):
    event, (_, alan, _) = door_event
    png, _ = ticket_image(ticket=alan, format="png", size=440)
    video = tmp_path / "ticket.y4m"
    _y4m(png, video)
    guard = ExternalRequestGuard()
    # A browser of its own (the fake camera is a launch option), from the suite's Playwright:
    # a second sync_playwright() cannot start while the session's is running.
    with contextlib.closing(
        browser.browser_type.launch(
            executable_path=_chromium_path(),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
    ) as camera_browser:
        context = camera_browser.new_context(base_url=live_server.url, permissions=["camera"])
        guard.watch(context)
        context.set_default_timeout(20_000)
        page = context.new_page()
        sign_in(page, "dora@example.com")
        _open_door(page, event)

        page.get_by_role("button", name="Scan with the camera").click()

        result = page.locator("#result")
        expect(result).to_have_attribute("data-result", "valid")
        expect(result).to_contain_text("Alan Turing")
        assert page.locator("#door").get_attribute("data-last-scan") == alan.payload
        scanner = page.locator("#door").get_attribute("data-scanner")
        ARTIFACTS = Path(__file__).parent / "artifacts"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "door-camera-valid.png"))
    assert scanner in {"zxing-wasm", "built-in"}
    assert guard.blocked == []
    assert CheckIn.objects.get(result=Result.VALID).ticket == alan


def test_offline_check_ins_queue_then_sync_and_count(page, door_event, screenshot):
    event, (ada, alan, grace) = door_event
    sign_in(page, "dora@example.com")
    _open_door(page, event)
    expect(page.locator("#door")).to_have_attribute("data-worker", "ready")
    _type(page, grace.payload)  # online: the kit the device holds learns of it after sync
    expect(page.locator("#result")).to_have_attribute("data-result", "valid")
    _close_result(page)

    page.context.set_offline(True)
    expect(page.locator("#net")).to_have_attribute("data-state", "offline")
    # The service worker kept the page: it reloads without the network.
    page.reload()
    expect(page.locator("#kit")).to_have_attribute("data-ready", "1")
    expect(page.locator("#net")).to_have_attribute("data-state", "offline")

    result = page.locator("#result")
    _type(page, ada.payload)
    expect(result).to_have_attribute("data-result", "valid")
    expect(result).to_contain_text("Ada Lovelace")
    expect(result).to_contain_text("offline")
    _close_result(page)
    _type(page, alan.payload)
    expect(result).to_have_attribute("data-result", "valid")
    _close_result(page)
    _type(page, ada.payload)  # the device remembers whom it let in
    expect(result).to_have_attribute("data-result", "already_used")
    _close_result(page)
    _type(page, grace.payload)  # admitted online before: it is in the kit
    expect(result).to_have_attribute("data-result", "already_used")
    _close_result(page)
    expect(page.locator("#queue-count")).to_have_text("4")
    _shots(page, screenshot, "offline-queue")
    assert CheckIn.objects.filter(result=Result.VALID).count() == 1  # nothing reached us

    page.context.set_offline(False)

    expect(page.locator("#net")).to_have_attribute("data-state", "online")
    expect(page.locator("#queue-count")).to_have_text("0")
    expect(page.locator("#sync-note")).to_contain_text("Synced 4 check-ins")
    _shots(page, screenshot, "synced")
    admitted = CheckIn.objects.filter(result=Result.VALID, undone_at__isnull=True)
    assert sorted(c.ticket.holder_name for c in admitted) == [
        "Ada Lovelace",
        "Alan Turing",
        "Grace Hopper",
    ]
    assert CheckIn.objects.filter(offline=True).count() == 4
    page.goto(f"/tickets/{event.public_id}/")
    expect(page.locator("[data-stat=checked-in]")).to_have_text("3 / 3")


BREAK_WEBCRYPTO_ED25519 = """
const importKey = crypto.subtle.importKey.bind(crypto.subtle);
crypto.subtle.importKey = (format, key, algorithm, ...rest) =>
  (algorithm && (algorithm === "Ed25519" || algorithm.name === "Ed25519"))
    ? Promise.reject(new DOMException("Unrecognized name", "NotSupportedError"))
    : importKey(format, key, algorithm, ...rest);
"""


def test_without_webcrypto_ed25519_the_vendored_library_verifies_offline(page, door_event):
    from tickets import credentials

    event, (ada, _, _) = door_event
    raw = bytearray(credentials.b45decode(ada.payload))
    raw[50] ^= 0x01
    forged = credentials.b45encode(bytes(raw))
    page.context.add_init_script(BREAK_WEBCRYPTO_ED25519)
    sign_in(page, "dora@example.com")
    _open_door(page, event)
    expect(page.locator("#kit")).to_contain_text("noble-ed25519")
    page.context.set_offline(True)
    expect(page.locator("#net")).to_have_attribute("data-state", "offline")

    _type(page, forged)
    expect(page.locator("#result")).to_have_attribute("data-result", "invalid")
    _close_result(page)
    _type(page, ada.payload)
    expect(page.locator("#result")).to_have_attribute("data-result", "valid")
    page.context.set_offline(False)
    expect(page.locator("#queue-count")).to_have_text("0")
    assert CheckIn.objects.get(result=Result.VALID).ticket == ada
    assert CheckIn.objects.get(result=Result.INVALID).offline
