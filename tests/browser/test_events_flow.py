"""Issue 11 through the pages in a real browser: an outside guest registers for a public
event on its public page and lands on the ticket (confirmed, with its QR code); a team's
member books a free slot of a shared room from its week view, finds it among the team's
bookings, and a second booking of the same slot is refused with the room_taken message;
staff open the event's check-in desk, find the guest in the list and check them in (the
attendance goes up), and the ticket's code typed again is recorded once. axe-core on every
page; the ticket also on a phone's width.

Nothing is frozen: the event starts within the hour (check-in opens two hours before), the
slot is tomorrow morning in the park's time."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from opc.core.dates import format_day
from opc.core.db import utcnow
from tests.browser.test_pages import axe_violations, log_in
from tests.events.checkin_helpers import registration

pytestmark = [pytest.mark.slow, pytest.mark.browser]

GUEST = {"name": "欧阳嘉宾", "organisation": "天府创投", "email": "ouyang@example.com"}


def _accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, "\n".join(violations)


def _guest_registers(page: Any, event_id: int) -> str:
    """Not logged in: the public page's form, then the ticket; the ticket's code."""
    page.goto(f"/p/events/{event_id}")
    assert "Investor roadshow" in page.locator("h1").inner_text()
    _accessible(page)
    page.locator("#name").fill(GUEST["name"])
    page.locator("#organisation").fill(GUEST["organisation"])
    page.locator("#email").fill(GUEST["email"])
    page.locator("#phone").fill("13912345678")
    with page.expect_navigation():
        page.locator("form.guest-form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert "/p/tickets/" in page.url
    ticket = page.locator("section.ticket")
    assert ticket.get_attribute("data-status") == "confirmed"
    assert "Confirmed" in ticket.locator(".ticket-status").inner_text()
    assert page.locator("figure.ticket-qr svg").count() == 1
    token = page.locator("code[data-token]").inner_text().strip()
    assert token
    _accessible(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the ticket scrolls sideways on a phone ({width} px)"
    _accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.log.assert_clean(page)
    return token


def _book(page: Any, day: str, title: str) -> None:
    page.locator("#day").fill(day)
    page.locator("#start").fill("10:00")
    page.locator("#end").fill("11:00")
    page.locator("#title").fill(title)
    with page.expect_navigation():
        page.locator("form[action$='/book'] button[type=submit]").click()
    page.wait_for_load_state("load")


def _member_books(page: Any, email: str, room: Any, day: str) -> None:
    log_in(page, email)
    page.goto("/rooms")
    assert room.unit.code in page.locator("main").inner_text()
    _accessible(page)
    page.goto(f"/rooms/{room.id}?week={day}")
    assert page.locator("table.room-week td[data-state='free']").count() > 0
    _accessible(page)
    _book(page, day, "剧本围读")
    assert "Booked." in page.locator(".flash").first.inner_text()
    assert page.locator("table.room-week td[data-state='taken']").count() == 2  # 2 × 30 min
    assert "剧本围读" in page.locator("table.room-week").inner_text()

    page.goto("/rooms/bookings")
    row = page.locator("table.bookings tr[data-booking]").first
    assert "剧本围读" in row.inner_text() and room.unit.code in row.inner_text()
    _accessible(page)

    page.goto(f"/rooms/{room.id}?week={day}")
    _book(page, day, "再订一次")
    assert page.log.expect_error_status(422, f"/rooms/{room.id}/book") == 1
    refusal = page.locator("main").inner_text()
    shown = format_day(date.fromisoformat(day), "en")
    assert f"The room is booked from {shown}, 10:00 to 11:00." in refusal
    assert page.locator("table.room-week td[data-state='taken']").count() == 2
    _accessible(page)
    page.goto("/rooms/bookings")
    assert page.locator("table.bookings tr[data-booking]").count() == 1
    page.log.assert_clean(page)


def _staff_checks_in(page: Any, email: str, event_id: int, token: str) -> None:
    log_in(page, email)
    page.goto(f"/events/{event_id}/check-in")
    assert page.locator("[data-attendance]").get_attribute("data-attendance") == "0/2"
    _accessible(page)
    page.locator("#desk-q").fill("欧阳")
    with page.expect_navigation():
        page.locator("form[role=search] button[type=submit]").click()
    rows = page.locator("tr[data-registration]")
    assert rows.count() == 1 and GUEST["email"] in rows.inner_text()
    with page.expect_navigation():
        rows.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    assert f"{GUEST['name']} is checked in." in page.locator(".flash").first.inner_text()
    assert page.locator("[data-attendance]").get_attribute("data-attendance") == "1/2"
    assert page.locator("tr[data-registration] button").count() == 0  # the time shows
    _accessible(page)

    page.locator("#checkin-token").fill(token)
    with page.expect_navigation():
        page.locator("form[data-checkin-form] button[type=submit]").click()
    page.wait_for_load_state("load")
    assert "checked in already" in page.locator(".flash").first.inner_text()
    assert page.locator("[data-attendance]").get_attribute("data-attendance") == "1/2"
    page.log.assert_clean(page)


def test_a_guest_registers_a_team_books_a_room_and_staff_check_in(
    app, make, page, screenshot_dir, backend
):
    park = make.park(name_zh="成都OPC孵化园", name_en="Chengdu OPC Hub")
    team = make.team(park, name_zh="星云工作室", name_en="Nebula Studio", status="resident")
    member = make.user("member", team=team)
    staff = make.user("staff", parks=[park])
    room = make.room(park)
    now = utcnow().replace(microsecond=0)
    event = make.event(
        park,
        kind="roadshow",
        title_zh="投资人路演",
        title_en="Investor roadshow",
        starts_at=now + timedelta(hours=1),
        capacity=30,
    )
    registration(make, event, name="张来宾")  # someone registered before the guest
    tomorrow = (now.astimezone(ZoneInfo(park.timezone)) + timedelta(days=1)).date().isoformat()

    token = _guest_registers(page, event.id)
    page.screenshot(path=screenshot_dir / f"events-ticket-{backend}.png", full_page=True)

    _member_books(page, member.email, room, tomorrow)
    page.screenshot(path=screenshot_dir / f"rooms-bookings-{backend}.png", full_page=True)

    page.context.clear_cookies()
    _staff_checks_in(page, staff.email, event.id, token)
    page.screenshot(path=screenshot_dir / f"events-desk-{backend}.png", full_page=True)
