"""The event pages for staff and members: who sees which page (404 for another park's, 403
for a member's try at staff pages), the staff's registrations with the waitlist in line
order, a member registering and cancelling, the event form (422 keeping the input, each
error on its field, a taken room at the venue; the times in the park's zone), cancelling an
event, and the upcoming events on the dashboard and the team page."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from opc.auth.models import User
from opc.core.db import utcnow
from opc.events.models import Event, EventStatus, Registration
from opc.events.operations import registrations as reg_ops
from opc.events.operations.checkin import check_in
from opc.extensions import db
from tests.conftest import login
from tests.core.helpers import one, post_form, rows, text

SHANGHAI = ZoneInfo("Asia/Shanghai")


def guest(app: Any, event: Any, n: int, **kw: Any) -> Registration:
    """A guest's registration through the operation (as the public page makes it)."""
    with app.app_context():
        found = reg_ops.register(
            event.id, actor=None, name=f"Guest {n}", email=f"guest{n}@example.org", **kw
        )
        db.session.refresh(found)
        db.session.expunge_all()
        db.session.remove()
    return found


def park_with_people(make: Any) -> Any:
    park = make.park()
    team = make.team(park, status="resident")
    staff = make.user("staff", parks=[park])
    member = make.user("member", team=team)
    return park, team, staff, member


def test_each_role_sees_the_pages_it_may(app, make, client):
    park, _team, staff, member = park_with_people(make)
    event = make.event(park, title_zh="人工智能沙龙", title_en="")
    other = make.park()
    outsider_staff = make.user("staff", parks=[other])
    outsider_member = make.user("member", team=make.team(other, status="resident"))
    url = f"/events/{event.id}"

    login(client, staff.email)
    index = text(client.get("/events"))
    assert "人工智能沙龙" in index and "/events/new" in index
    assert client.get(url).status_code == 200
    assert client.get(f"{url}/edit").status_code == 200
    assert client.get(f"{url}/cancel").status_code == 200

    member_client = app.test_client()
    login(member_client, member.email)
    page = member_client.get(url)
    assert page.status_code == 200 and 'id="registration"' in text(page)
    assert "/events/new" not in text(member_client.get("/events"))
    assert member_client.get("/events/new").status_code == 403
    assert member_client.get(f"{url}/edit").status_code == 403
    assert member_client.get(f"{url}/cancel").status_code == 403

    for user in (outsider_staff, outsider_member):
        c = app.test_client()
        login(c, user.email)
        assert c.get(url).status_code == 404
        assert c.get(f"{url}/edit").status_code == 404
        assert "人工智能沙龙" not in text(c.get("/events"))
    reviewer = app.test_client()
    login(reviewer, make.user("reviewer").email)
    assert reviewer.get("/events").status_code == 404


def test_staff_see_the_registrations_by_group_and_the_waitlist_in_line(app, make, client):
    park, _team, staff, _member = park_with_people(make)
    soon = utcnow().replace(microsecond=0) + timedelta(hours=1)  # check-in opens before
    event = make.event(park, capacity=1, starts_at=soon)
    first = guest(app, event, 1)
    guest(app, event, 2)
    guest(app, event, 3)
    login(client, staff.email)
    page = text(client.get(f"/events/{event.id}"))
    assert 'data-count="confirmed">1 / 1' in page and 'data-count="waitlisted">2' in page
    assert f'data-registration="{first.id}"' in page and "guest1@example.org" in page
    waitlist = text(client.get(f"/events/{event.id}?list=waitlisted"))
    names = re.findall(r"data-position>(\d+)</td>\s*<td>(Guest \d)", waitlist)
    assert names == [("1", "Guest 2"), ("2", "Guest 3")]
    for link in ("/check-in", "/attendees.xlsx", "/attendees.csv", ".ics"):
        assert f'href="/events/{event.id}{link}"' in page, link
    assert 'data-count="checked-in">0 of 1 confirmed (0%)</dd>' in page
    with app.app_context():
        check_in(actor=db.session.get(User, staff.id), event_id=event.id, registration_id=first.id)
        db.session.remove()
    checked = text(client.get(f"/events/{event.id}"))
    assert 'data-count="checked-in">1 of 1 confirmed (100%)</dd>' in checked


def test_a_member_registers_and_cancels_from_the_event_page(app, make, client):
    park, team, _staff, member = park_with_people(make)
    event = make.event(park, capacity=5)
    login(client, member.email)
    url = f"/events/{event.id}"
    done = post_form(client, f"{url}/register", {}, page=url)
    assert done.status_code == 302 and done.headers["Location"].endswith(url)
    (reg,) = rows(app, Registration)
    assert (reg.user_id, reg.team_id, reg.status) == (member.id, team.id, "confirmed")
    page = text(client.get(url))
    assert 'data-registration="confirmed"' in page and f"/p/tickets/{reg.secret}" in page
    again = post_form(client, f"{url}/register", {}, page=url)
    assert again.status_code == 422 and "registered for the event already" in text(again)
    cancel = post_form(client, f"{url}/registrations/{reg.id}/cancel", {}, page=url)
    assert cancel.status_code == 302
    assert one(app, Registration, reg.id).status == "cancelled"
    assert one(app, Event, event.id).confirmed_count == 0


def test_a_member_cannot_cancel_someone_elses_registration(app, make, client):
    park, _team, _staff, member = park_with_people(make)
    event = make.event(park)
    theirs = guest(app, event, 7)
    login(client, member.email)
    url = f"/events/{event.id}"
    refused = post_form(client, f"{url}/registrations/{theirs.id}/cancel", {}, page=url)
    assert refused.status_code == 404
    assert one(app, Registration, theirs.id).status == "confirmed"


def _form(**kw: Any) -> dict[str, Any]:
    values = {
        "kind": "forum",
        "title_zh": "产业论坛",
        "title_en": "Industry forum",
        "description_zh": "",
        "description_en": "",
        "venue_unit_id": "",
        "venue_text": "会展中心",
        "day": (utcnow() + timedelta(days=10)).astimezone(SHANGHAI).date().isoformat(),
        "starts": "14:00",
        "ends": "16:30",
        "last_day": "",
        "capacity": "50",
        "registration_opens_at": "",
        "registration_closes_at": "",
        "public": "y",
        "waitlist_mode": "auto",
        "offer_hours": "24",
    }
    values.update(kw)
    return values


def test_the_form_creates_an_event_at_the_parks_local_times(app, make, client):
    park, _team, staff, _member = park_with_people(make)
    login(client, staff.email)
    data = _form()
    done = post_form(client, "/events/new", data)
    assert done.status_code == 302, text(done)
    (event,) = rows(app, Event)
    day = datetime.fromisoformat(data["day"])
    assert event.starts_at == day.replace(hour=14, tzinfo=SHANGHAI)
    assert event.ends_at == day.replace(hour=16, minute=30, tzinfo=SHANGHAI)
    assert (event.park_id, event.kind, event.capacity, event.public) == (park.id, "forum", 50, True)
    assert event.venue_text == "会展中心" and event.registration_closes_at == event.starts_at
    assert done.headers["Location"].endswith(f"/events/{event.id}")


def test_the_form_refuses_bad_input_keeping_it_with_each_error_on_its_field(app, make, client):
    _park, _team, staff, _member = park_with_people(make)
    login(client, staff.email)
    refused = post_form(client, "/events/new", _form(title_zh="保留的标题", ends="13:00"))
    assert refused.status_code == 422
    page = text(refused)
    assert 'value="保留的标题"' in page and 'value="会展中心"' in page
    assert re.search(r'id="ends-err"><li>[^<]*end must be after', page)
    several = text(post_form(client, "/events/new", _form(capacity="0", kind="picnic")))
    assert 'id="capacity-err"' in several and 'id="kind-err"' in several
    unparsed = post_form(client, "/events/new", _form(day="not a day", capacity="many"))
    assert unparsed.status_code == 422
    assert 'id="day-err"' in text(unparsed) and 'id="capacity-err"' in text(unparsed)
    assert rows(app, Event) == []


def test_a_taken_room_is_refused_at_the_venue(app, make, client):
    park, _team, staff, _member = park_with_people(make)
    room = make.room(park)
    login(client, staff.email)
    first = post_form(client, "/events/new", _form(venue_unit_id=str(room.unit_id), venue_text=""))
    assert first.status_code == 302, text(first)
    clash = post_form(
        client,
        "/events/new",
        _form(title_zh="撞车", venue_unit_id=str(room.unit_id), venue_text="", starts="15:00"),
    )
    assert clash.status_code == 422
    assert re.search(r'id="venue_unit_id-err"><li>The room is booked from', text(clash))
    (event,) = rows(app, Event)
    page = text(client.get(f"/events/{event.id}"))
    assert f'<a href="/rooms/{room.id}">{room.unit.code}</a>' in page


def test_staff_of_several_parks_choose_the_new_events_park(app, make, client):
    mine, also, theirs = make.park(), make.park(), make.park()
    login(client, make.user("staff", parks=[mine, also]).email)
    chooser = text(client.get("/events/new"))
    assert f"/events/new?park_id={mine.id}" in chooser
    assert f"/events/new?park_id={also.id}" in chooser
    assert client.get(f"/events/new?park_id={also.id}").status_code == 200
    assert client.get(f"/events/new?park_id={theirs.id}").status_code == 404
    done = post_form(client, f"/events/new?park_id={also.id}", _form())
    assert done.status_code == 302
    assert [e.park_id for e in rows(app, Event)] == [also.id]


def test_staff_edit_and_cancel_an_event(app, make, client):
    park, _team, staff, _member = park_with_people(make)
    event = make.event(park, capacity=10, title_zh="旧标题", title_en="")
    guest(app, event, 1)
    login(client, staff.email)
    url = f"/events/{event.id}/edit"
    form_page = text(client.get(url))
    assert 'value="旧标题"' in form_page
    low = post_form(client, url, _form(title_zh="新标题", capacity="10"))
    assert low.status_code == 302, text(low)
    assert one(app, Event, event.id).title_zh == "新标题"
    below = post_form(client, url, _form(capacity="0"))
    assert below.status_code == 422
    confirm = client.get(f"/events/{event.id}/cancel")
    assert confirm.status_code == 200 and 'name="reason"' in text(confirm)
    done = post_form(client, f"/events/{event.id}/cancel", {"reason": "天气原因"})
    assert done.status_code == 302
    assert one(app, Event, event.id).status == EventStatus.CANCELLED
    assert {r.status for r in rows(app, Registration)} == {"cancelled"}


def test_upcoming_events_on_the_dashboard_and_the_team_page(app, make, client):
    park, team, staff, member = park_with_people(make)
    soon = make.event(park, title_zh="下周路演", title_en="", kind="roadshow", capacity=30)
    past_start = utcnow() - timedelta(days=3)
    make.event(
        park,
        title_zh="已结束",
        title_en="",
        starts_at=past_start,
        registration_opens_at=past_start - timedelta(days=5),
    )
    mine = guest(app, soon, 1)  # a guest: not the team's
    login(client, staff.email)
    dashboard = text(client.get(f"/parks/{park.id}"))
    card = dashboard.split('data-card="events"', 1)[1].split("</section>", 1)[0]
    assert "下周路演" in card and "29 places left" in card and "已结束" not in card
    member_client = app.test_client()
    login(member_client, member.email)
    post_form(member_client, f"/events/{soon.id}/register", {}, page=f"/events/{soon.id}")
    team_page = text(member_client.get(f"/teams/{team.id}"))
    section = team_page.split('id="events"', 1)[1].split("</section>", 1)[0]
    assert "下周路演" in section and "data-registration=" in section
    assert mine.name not in section


def test_a_member_waits_in_line_then_accepts_the_offered_place(app, make, client):
    park, _team, _staff, member = park_with_people(make)
    event = make.event(park, capacity=1, waitlist_mode="offer", offer_hours=6)
    first = guest(app, event, 1)
    login(client, member.email)
    url = f"/events/{event.id}"
    assert "Join the waitlist" in text(client.get(url))
    post_form(client, f"{url}/register", {}, page=url)
    (mine,) = rows(app, Registration, Registration.user_id == member.id)
    waiting = text(client.get(url))
    assert 'data-registration="waitlisted"' in waiting and "Number 1 on the waitlist." in waiting
    with app.app_context():
        reg_ops.cancel_registration(first.id, secret=first.secret)
        db.session.remove()
    offered = text(client.get(url))
    assert 'data-registration="offered"' in offered and "Accept by " in offered
    accepted = post_form(client, f"{url}/registrations/{mine.id}/accept", {}, page=url)
    assert accepted.status_code == 302
    assert one(app, Registration, mine.id).status == "confirmed"
    again = post_form(client, f"{url}/registrations/{mine.id}/accept", {}, page=url)
    assert again.status_code == 422
