"""iCalendar files, parsed back with icalendar: one event's (public, or for those who may see
it) and a park's feed (public events only, cancelled ones marked), instants right in the
park's zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar

from opc.core.db import utcnow


def _events(body: bytes) -> list[Any]:
    return list(Calendar.from_ical(body).walk("VEVENT"))


def _start(make: Any, days: int = 7) -> datetime:
    # 06:30 Shanghai: minutes, and a date other than UTC's (22:30 the day before).
    local = (utcnow() + timedelta(days=days)).astimezone(ZoneInfo("Asia/Shanghai"))
    return local.replace(hour=6, minute=30, second=0, microsecond=0).astimezone(UTC)


def test_an_events_ics_has_its_instants_in_the_parks_zone(client: Any, make: Any) -> None:
    park = make.park()
    room = make.room(park)
    starts = _start(make)
    event = make.event(
        park,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2, minutes=15),
        title_zh="路演日",
        title_en="Demo day",
        venue_unit_id=room.unit_id,
    )
    response = client.get(f"/events/{event.id}.ics", headers={"Accept-Language": "zh"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(response.data)
    assert cal["PRODID"] and str(cal["VERSION"]) == "2.0"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    (item,) = _events(response.data)
    start, end = item.decoded("DTSTART"), item.decoded("DTEND")
    assert start == starts and end == starts + timedelta(hours=2, minutes=15)  # same instants
    assert str(start.tzinfo) == "Asia/Shanghai" and (start.hour, start.minute) == (6, 30)
    assert item["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert str(item["UID"]) == f"event-{event.id}@localhost"
    assert str(item["STATUS"]) == "CONFIRMED"
    assert room.unit.code in str(item["LOCATION"])
    assert str(item["SUMMARY"]) == "路演日"
    assert item.decoded("DTSTAMP").tzinfo is not None
    # The same UID every time: a calendar updates the event rather than adding a copy.
    again = _events(client.get(f"/events/{event.id}.ics").data)[0]
    assert str(again["UID"]) == str(item["UID"])


def test_summary_follows_the_language(client: Any, make: Any) -> None:
    event = make.event(make.park(), title_zh="路演日", title_en="Demo day", venue_text="外滩")
    item = _events(client.get(f"/events/{event.id}.ics", headers={"Accept-Language": "en"}).data)
    assert str(item[0]["SUMMARY"]) == "Demo day"
    assert str(item[0]["LOCATION"]) == "外滩"


def test_a_cancelled_event_is_marked_cancelled(client: Any, make: Any) -> None:
    park = make.park()
    event = make.event(park, status="cancelled")
    (item,) = _events(client.get(f"/events/{event.id}.ics").data)
    assert str(item["STATUS"]) == "CANCELLED"
    (fed,) = _events(client.get(f"/parks/{park.id}/events.ics").data)
    assert str(fed["STATUS"]) == "CANCELLED"


def test_a_residents_only_event_needs_a_login_that_may_see_it(
    client: Any, make: Any, as_user: Any
) -> None:
    park = make.park()
    event = make.event(park, public=False)
    response = client.get(f"/events/{event.id}.ics")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    as_user("member", team=make.team(park, status="resident"))
    response = client.get(f"/events/{event.id}.ics")
    assert response.status_code == 200 and len(_events(response.data)) == 1
    assert client.get("/events/2147483647.ics").status_code == 404


def test_another_parks_staff_are_not_told_of_a_residents_event(
    client: Any, make: Any, as_user: Any
) -> None:
    event = make.event(make.park(), public=False)
    as_user("staff", parks=[make.park()])
    assert client.get(f"/events/{event.id}.ics").status_code == 404


def test_the_parks_feed_holds_its_public_events_only(client: Any, make: Any) -> None:
    park, other = make.park(), make.park()
    now = utcnow().replace(microsecond=0)
    shown = make.event(park, title_zh="公开")
    recent = make.event(
        park,
        starts_at=now - timedelta(days=80),
        registration_opens_at=now - timedelta(days=90),
        registration_closes_at=now - timedelta(days=80),
    )
    make.event(park, public=False, title_zh="仅限入驻")
    make.event(
        park,
        starts_at=now - timedelta(days=100),
        registration_opens_at=now - timedelta(days=110),
        registration_closes_at=now - timedelta(days=100),
    )
    make.event(other)
    response = client.get(f"/parks/{park.id}/events.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    uids = [str(e["UID"]) for e in _events(response.data)]
    assert uids == [f"event-{recent.id}@localhost", f"event-{shown.id}@localhost"]
    starts = [e.decoded("DTSTART") for e in _events(response.data)]
    assert starts == [recent.starts_at, shown.starts_at]
    assert client.get("/parks/2147483647/events.ics").status_code == 404


def test_the_api_answers_calendars(api: Any, make: Any, client: Any) -> None:
    park = make.park()
    event = make.event(park, title_zh="沙龙")
    hidden = make.event(park, public=False)
    staff = make.user("staff", parks=[park])
    member_elsewhere = make.user("member", team=make.team(make.park(), status="resident"))
    response = api(staff).get(f"/events/{event.id}/ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    (item,) = _events(response.data)
    assert item.decoded("DTSTART") == event.starts_at
    assert api(staff).get(f"/events/{hidden.id}/ics").status_code == 200
    assert api(member_elsewhere).get(f"/events/{hidden.id}/ics").status_code == 404
    assert api(member_elsewhere).get(f"/events/{event.id}/ics").status_code == 200
    assert client.get(f"/api/v1/parks/{park.id}/events.ics").status_code == 401
    feed = api(member_elsewhere).get(f"/parks/{park.id}/events.ics")  # its public events
    assert feed.status_code == 200
    assert [str(e["UID"]) for e in _events(feed.data)] == [f"event-{event.id}@localhost"]
