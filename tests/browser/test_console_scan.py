"""Hand over by scanning: Chromium's fake camera films the customer's pickup QR (drawn from the customer's
own order, as their phone shows it) and the console reads it with the vendored jsQR (or BarcodeDetector
where the browser has one). The pickup code never appears on the page."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import segno
from playwright.sync_api import expect

from o2o.orders import service as orders
from tests.browser.conftest import chromium, sign_in_staff
from tests.browser.test_console import _card, _paid_pickup, _stocked, _wait_for
from tests.factories.auth import PASSWORD

WIDTH, HEIGHT = 640, 480
CAMERA = Path(tempfile.gettempdir()) / f"o2o-fake-camera-{os.getpid()}.y4m"


def film(payload: str, path: Path = CAMERA, frames: int = 5) -> None:
    """A few frames of a white picture with the QR code in the middle, as a raw YUV 4:2:0 video (y4m)."""
    qr = segno.make(payload, error="m")
    rows = list(qr.matrix_iter(scale=1, border=4))
    scale = min(WIDTH, HEIGHT) * 3 // 4 // len(rows)
    top, left = (HEIGHT - len(rows) * scale) // 2, (WIDTH - len(rows[0]) * scale) // 2
    luma = bytearray(b"\xeb" * (WIDTH * HEIGHT))
    for y, row in enumerate(rows):
        line = b"".join((b"\x10" if dark else b"\xeb") * scale for dark in row)
        for dy in range(scale):
            start = (top + y * scale + dy) * WIDTH + left
            luma[start:start + len(line)] = line
    chroma = b"\x80" * (WIDTH * HEIGHT // 4)
    frame = b"FRAME\n" + bytes(luma) + chroma + chroma
    path.write_bytes(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode() + frame * frames)


def with_camera(path: Path = CAMERA) -> Iterator[Any]:
    """A module's Chromium with a fake camera that plays the video at `path` (written by `film`)."""
    film("nothing yet", path)
    yield from chromium(["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                         f"--use-file-for-fake-video-capture={path}"])
    path.unlink(missing_ok=True)


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    """This module's Chromium has a fake camera that plays CAMERA (written by the test before it scans)."""
    yield from with_camera(CAMERA)


@pytest.mark.parametrize("size", ["phone"])  # a handheld's camera; the page is the same on a desktop
def test_a_clerk_hands_over_by_scanning_the_customers_qr_with_the_camera(live, open_page, shot, auth, size):
    chain = _stocked(live)
    number = _paid_pickup(live, auth, chain, quantity=1)
    auth.staff_user("clerk", store_id=chain.stores["xujiahui"], login="clerk-q")
    page = open_page(size)
    sign_in_staff(page, "clerk-q", PASSWORD)
    _card(page, number).get_by_role("button", name="开始拣货").click()
    _card(page, number).get_by_role("button", name="备货完成").click()
    expect(page.locator(".notice.success")).to_be_visible()

    order = orders.get(live.container.db, number)  # what the customer's phone shows as a QR code
    film(f"O2O-PICKUP:{order.fulfillment_ids[0]}:{order.pickup_code}")
    page.get_by_role("link", name="核销提货").first.click()
    page.get_by_role("button", name="打开摄像头").click()
    expect(page.locator(".notice.success")).to_contain_text(f"{number} 已交付", timeout=20_000)
    assert order.pickup_code not in page.content()
    shot(page, "console-handover-scanned")
    _wait_for(lambda: orders.get(live.container.db, number).status == "completed")


@pytest.mark.parametrize("size", ["phone"])
def test_a_qr_code_that_is_not_a_pickup_code_is_named_as_such(live, open_page, auth, size):
    chain = _stocked(live)
    auth.staff_user("clerk", store_id=chain.stores["xujiahui"], login="clerk-n")
    film("https://example.com/not-ours")
    page = open_page(size, locale="en-US")
    sign_in_staff(page, "clerk-n", PASSWORD)
    page.goto(f"/console/{chain.stores['xujiahui']}/handover")
    page.get_by_role("button", name="Start camera").click()
    expect(page.locator("[data-scan-status]")).to_have_text("That QR code is not a pickup code.", timeout=20_000)
    page.get_by_role("button", name="Stop camera").click()
    expect(page.locator("[data-scan-video]")).to_be_hidden()
