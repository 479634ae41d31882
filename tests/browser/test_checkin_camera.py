"""The check-in desk's camera in a real browser: Chromium's fake camera films a ticket's QR
code (a Y4M video made from the token with segno), opc/static/js/checkin.js reads it (jsQR
where the browser's BarcodeDetector reads no QR codes, as on Linux) and sends it; the desk
answers "checked in" with the attendance, and the registration is checked in once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import segno

from opc.events.models import Registration
from opc.events.qr import checkin_token
from tests.browser.conftest import CHROMIUM_ARGS
from tests.browser.test_pages import axe_violations, log_in
from tests.core.helpers import one
from tests.events.checkin_helpers import event_now, registration

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SIDE = 480  # pixels of the fake camera's square frame (even: 4:2:0 halves it)


def _qr_video(token: str, path: Path) -> Path:
    """A still Y4M video (4:2:0) of the token's QR code, black on white, centred."""
    matrix = [list(row) for row in segno.make(token, error="m").matrix]
    size = len(matrix) + 8  # with the quiet zone
    scale = SIDE // size
    offset = (SIDE - size * scale) // 2 + 4 * scale
    luma = bytearray(b"\xeb" * SIDE * SIDE)  # white (video range)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if not dark:
                continue
            for dy in range(scale):
                start = (offset + y * scale + dy) * SIDE + offset + x * scale
                luma[start : start + scale] = b"\x10" * scale  # black
    chroma = b"\x80" * (SIDE // 2) * (SIDE // 2)
    frame = b"FRAME\n" + bytes(luma) + chroma + chroma
    header = f"YUV4MPEG2 W{SIDE} H{SIDE} F5:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + frame * 10)
    return path


def test_the_desk_checks_in_a_ticket_filmed_by_the_camera(
    browser: Any,
    chromium_executable: str,
    live_server: str,
    app: Any,
    make: Any,
    tmp_path: Path,
) -> None:
    park = make.park()
    event = event_now(make, park)
    reg = registration(make, event, name="张三")
    staff = make.user("staff", parks=[park])
    with app.app_context():
        video = _qr_video(checkin_token(reg), tmp_path / "ticket.y4m")
    camera = browser.browser_type.launch(
        executable_path=chromium_executable,
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = camera.new_context(base_url=live_server, locale="en-US", permissions=["camera"])
        context.set_default_timeout(20_000)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        log_in(page, staff.email)
        page.goto(f"/events/{event.id}/check-in")
        assert page.locator("[data-attendance]").get_attribute("data-attendance") == "0/1"
        violations = axe_violations(page)
        assert not violations, "\n".join(violations)
        with page.expect_navigation(url=f"**/events/{event.id}/check-in?scan=1"):
            page.locator("[data-checkin-start]").click()
        page.wait_for_load_state("load")
        assert page.locator(".flash-success").inner_text() == "张三 is checked in."
        assert page.locator("[data-attendance]").get_attribute("data-attendance") == "1/1"
        # Back with ?scan=1 the camera starts again by itself: the same ticket is "already".
        page.wait_for_selector(".flash-warning", timeout=20_000)
        assert "checked in already" in page.locator(".flash-warning").inner_text()
        assert not errors, errors
        context.close()
    finally:
        camera.close()
    stored = one(app, Registration, reg.id)
    assert stored.checked_in_at is not None and stored.checked_in_by_id == staff.id
