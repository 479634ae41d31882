"""Issue 11's rules for events that the other tests did not pin down: the iCalendar files
keep the instants in a park whose zone has summer time (parsed back and compared), the
public registration form refuses NUL bytes and an e-mail with spaces on their fields
keeping the input and writing nothing, a refused ticket action is not cached either, and
odd query strings and ids on the event pages answer a page or a 4xx, never a 500."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from opc.core.db import utcnow
from opc.events.models import Event, Registration
from tests.conftest import login
from tests.core.helpers import count, one, post_form, text
from tests.events.test_pages import _form as _event_form
from tests.events.test_pages import guest, park_with_people

BERLIN = ZoneInfo("Europe/Berlin")


def _next(month: int) -> datetime:
    """10:15 Berlin time on the 15th of the next `month` at least a week ahead, in UTC."""
    today = utcnow().date() + timedelta(days=7)
    year = today.year if date(today.year, month, 15) >= today else today.year + 1
    return datetime(year, month, 15, 10, 15, tzinfo=BERLIN).astimezone(UTC)


def test_calendars_keep_the_instants_across_summer_time(make: Any, client: Any) -> None:
    park = make.park(timezone="Europe/Berlin")
    winter, summer = _next(1), _next(7)
    events = [
        make.event(park, starts_at=s, ends_at=s + timedelta(hours=3), title_zh=f"活动{s.month}")
        for s in (winter, summer)
    ]
    assert {winter.hour, summer.hour} == {9, 8}  # UTC+1 in winter, UTC+2 in summer
    feed = client.get(f"/parks/{park.id}/events.ics")
    assert feed.status_code == 200
    cal = Calendar.from_ical(feed.data)
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]
    found = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    for event in events:
        item = found[f"event-{event.id}@localhost"]
        start, end = item.decoded("DTSTART"), item.decoded("DTEND")
        assert (start, end) == (event.starts_at, event.ends_at)  # the same instants
        assert (start.astimezone(BERLIN).hour, start.astimezone(BERLIN).minute) == (10, 15)
        assert item["DTSTART"].params["TZID"] == "Europe/Berlin"
        one = Calendar.from_ical(client.get(f"/events/{event.id}.ics").data)
        (single,) = one.walk("VEVENT")
        assert single.decoded("DTSTART") == event.starts_at
        assert single.decoded("DTEND") == event.ends_at


def _form(**kw: str) -> dict[str, str]:
    return {"name": "访客甲", "organisation": "星云科技", "email": "a@example.org",
            "phone": "13800000000", **kw}  # fmt: skip


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "访客\x00甲"),
        ("organisation", "星云\x00"),
        ("phone", "138\x00"),
        ("email", "a\x00@example.org"),
        ("email", "a b@example.org"),
        ("email", "no-at-sign"),
        ("name", "甲" * 5000),
    ],
)
def test_the_guest_form_refuses_bad_values_on_their_field(app, make, client, field, value):
    app.config["EVENT_GUEST_LIMIT_PER_MINUTE"] = 1000
    event = make.event()
    url = f"/p/events/{event.id}"
    response = post_form(client, url, _form(**{field: value}))
    assert response.status_code == 422
    body = text(response)
    kept = "星云科技" if field != "organisation" else "访客甲"
    assert kept in body  # the other fields keep what was typed
    assert f'name="{field}"' in body and "error" in body
    assert count(app, Registration) == 0


def test_a_refused_ticket_action_is_not_cached(app, make, client):
    event = make.event()
    first = guest(app, event, 1)
    ticket = f"/p/tickets/{first.secret}"
    refused = post_form(client, f"{ticket}/accept", {}, page=ticket)  # nothing is offered
    assert refused.status_code == 422
    assert refused.headers["Cache-Control"] == "no-store"


def test_odd_query_strings_and_ids_never_answer_500(app, make, client):
    park = make.park()
    event = make.event(park)
    big = 2**40
    for url in (f"/p/events/{big}", f"/p/tickets/{'a' * 500}", "/p/tickets/%00",
                f"/events/{big}.ics", f"/parks/{big}/events.ics"):  # fmt: skip
        assert client.get(url).status_code == 404, url
    staff = make.user("staff", parks=[park])
    login(client, staff.email)
    for url in (
        "/events?month=9999-99",
        "/events?month=garbage",
        "/events?month=0000-01",
        "/events?month=2200-12",
        "/events?month=1900-01",
        "/events?month=%00",
        "/events?page=99999999999999999999",
        "/events?page=-1",
        "/events?park=abc",
        f"/events?park={big}",
        "/events?kind=%00",
        f"/events/{big}",
        f"/events/{big}/edit",
        f"/events/{big}/check-in",
        f"/events/{big}/attendees.csv",
        f"/events/{event.id}/check-in?q=%00",
        f"/events/{event.id}/check-in?q={'a' * 5000}",
        "/api/v1/events?from=9999-99-99",
        "/api/v1/events?park_id=abc",
        f"/api/v1/events/{big}",
        f"/api/v1/events/{event.id}/registrations?page=abc",
    ):
        assert client.get(url).status_code < 500, url


def test_the_edit_page_refuses_a_capacity_below_the_places_taken_keeping_the_input(
    app, make, client
):
    park, _team, staff, _member = park_with_people(make)
    event = make.event(park, capacity=5, title_zh="旧标题")
    for n in range(3):
        guest(app, event, n)
    login(client, staff.email)
    url = f"/events/{event.id}/edit"
    response = post_form(client, url, _event_form(title_zh="新标题", capacity="2"))
    assert response.status_code == 422
    body = text(response)
    assert "3 places are taken" in body  # a rule's refusal: at the top of the page
    assert 'value="新标题"' in body and 'value="2"' in body
    assert one(app, Event, event.id).capacity == 5
    assert one(app, Event, event.id).title_zh == "旧标题"
