"""The demo's service requests: every state, several categories, notes, a wait on the team,
rated closings, a breached and a due-soon request in the staff queue, the member login's
team's requests in three states, all dated back consistently on the working calendar.

Seeded at a fixed working morning (a Wednesday in November), so that the SLA states the
stories need are what the queue shows; tests/core/test_demo.py seeds on the real day."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from opc.auth.models import User
from opc.core.db import utcnow
from opc.demo import DEMO_PASSWORD, MEMBER_TEAM, seed_demo
from opc.directory.models import Profile
from opc.extensions import db
from opc.notifications.models import Notification
from opc.parks.models import Park
from opc.parks.workdays import calendar_of
from opc.service.models import EventKind, ServiceBreach, ServiceRequest, Status
from opc.service.queries import Filters, with_sla
from opc.service.sla import BREACHED, DUE_SOON, sla_of
from opc.teams.models import Team
from tests.conftest import login
from tests.core.helpers import text

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 18, 10, 30, tzinfo=SH)
EN = {"Accept-Language": "en"}


@pytest.fixture
def demo(demo_data):
    with time_machine.travel(NOW, tick=True):
        demo_data()
        yield


def _requests() -> list[ServiceRequest]:
    return list(db.session.scalars(select(ServiceRequest).order_by(ServiceRequest.id)))


def test_the_demo_has_requests_in_every_state_and_category_in_both_parks(app, demo):
    with app.app_context():
        requests = _requests()
        assert {r.status for r in requests} == set(Status)
        assert len({r.category for r in requests}) >= 7
        parks = Counter(r.park.code for r in requests)
        assert parks["CD-OPC"] >= 15 and parks["SG-SCIFI"] >= 3
        kinds = Counter(e.kind for r in requests for e in r.events)
        assert kinds[EventKind.NOTE] >= 3 and kinds[EventKind.COMMENT] >= 10
        assert all(e.internal for r in requests for e in r.events if e.kind == EventKind.NOTE)
        rated = [r for r in requests if r.rating is not None]
        assert len(rated) >= 4 and all(r.status == Status.CLOSED for r in rated)
        assert all(r.rating_comment for r in rated) and {r.rating for r in rated} >= {3, 4, 5}
        # A triaged request filed under another category than the team opened it under.
        assert any(
            e.kind == EventKind.TRIAGED and e.body != "other"
            for r in requests
            if r.status == Status.TRIAGED
            for e in r.events
        )
        assert any(r.attachments for r in requests)


def test_every_request_is_dated_back_consistently_on_the_working_calendar(app, demo):
    with app.app_context():
        _dated_back_consistently(utcnow())


def test_seeded_in_a_long_holiday_every_step_still_happened_before_now(app):
    """Seeded on National Day (1–7 October 2026 off): a request of "4 days ago" opens early
    enough for its steps to be over, never on the next working day, after now."""
    holiday = datetime(2026, 10, 5, 11, 0, tzinfo=SH)
    with time_machine.travel(holiday, tick=True), app.app_context():
        assert seed_demo() is True
        assert {r.status for r in _requests()} == set(Status)
        _dated_back_consistently(utcnow())


def _dated_back_consistently(now: datetime) -> None:
    for r in _requests():
        cal = calendar_of(r.park)
        ats = [e.at for e in r.events]
        assert ats == sorted(ats) and ats[0] == r.created_at and ats[-1] < now, r.title
        assert (now - r.created_at).days <= 160
        assert r.first_response_due == cal.add_working_minutes(r.created_at, r.response_minutes)
        if r.status == Status.WAITING:
            assert r.waiting_since is not None and r.resolution_due is None
        else:
            assert r.waiting_since is None and r.resolution_due is not None
        if r.status in (Status.RESOLVED, Status.CLOSED):
            assert r.created_at < r.resolved_at < now and r.first_responded_at is not None
        if r.status == Status.CLOSED:
            assert r.resolved_at <= r.closed_at
        else:
            assert r.closed_at is None
        if r.rating is not None:
            assert r.rated_at >= r.resolved_at


def test_the_staff_queue_shows_a_breached_and_a_due_soon_request(app, demo):
    with app.app_context():
        staff = db.session.scalar(select(User).where(User.email == "staff@opc-demo.cn"))
        found, states = with_sla(staff, Filters(), utcnow())
        active = [r for r in found if r.status not in (Status.RESOLVED, Status.CLOSED)]
        by_state = Counter(states[r.id].state for r in active)
        assert by_state[BREACHED] >= 1 and by_state[DUE_SOON] >= 1, by_state
        assert {states[r.id].state for r in active} - {BREACHED, DUE_SOON} == {"on_time"}
        waiting = [r for r in active if r.status == Status.WAITING]
        assert len(waiting) >= 2 and all(states[r.id].resolution.paused for r in waiting)
        # The breach warnings job's records: the breached request was warned of, once.
        breached = {r.id for r in active if states[r.id].response.state == BREACHED}
        warned = set(db.session.scalars(select(ServiceBreach.request_id)))
        assert breached and breached <= warned


def test_the_member_sees_their_team_s_requests_in_three_states_and_no_note(app, client, demo):
    with app.app_context():
        team = db.session.scalar(select(Team).where(Team.name_zh == MEMBER_TEAM))
        mine = [r for r in _requests() if r.team_id == team.id]
        assert {r.status for r in mine} == {Status.WAITING, Status.RESOLVED, Status.CLOSED}
        member = db.session.scalar(select(User).where(User.email == "member@opc-demo.cn"))
        assert all(r.opened_by_id == member.id for r in mine)
        notes = [e.body for r in mine for e in r.events if e.kind == EventKind.NOTE]
        others = [r for r in _requests() if r.team_id != team.id]
        ids = {r.id: r.title for r in mine}
        waiting = next(r.id for r in mine if r.status == Status.WAITING)
        # The team heard of each step when it happened; what is over a week old was read.
        told = {
            n.params["title"]: n
            for n in db.session.scalars(
                select(Notification).where(
                    Notification.user_id == member.id, Notification.kind == "service.resolved"
                )
            )
        }
        for r in mine:
            if r.status in (Status.RESOLVED, Status.CLOSED):
                assert told[r.title].created_at == r.resolved_at
                old = (utcnow() - r.resolved_at).days > 7
                assert (told[r.title].read_at is not None) == old
    with time_machine.travel(NOW, tick=True):
        assert login(client, "member@opc-demo.cn", DEMO_PASSWORD).status_code == 302
        page = text(client.get("/service/requests", headers=EN))
        assert all(title in page for title in ids.values())
        assert not any(r.title in page for r in others)
        detail = text(client.get(f"/service/requests/{waiting}", headers=EN))
        assert notes and not any(note in detail for note in notes)
        assert "护照首页扫描件" in detail  # staff's question to the team
        assert client.get(f"/service/requests/{others[0].id}").status_code == 404


def test_the_shougang_requests_are_its_own_and_the_staff_sees_both_parks(app, demo):
    with app.app_context():
        shougang = db.session.scalar(select(Park).where(Park.code == "SG-SCIFI"))
        requests = [r for r in _requests() if r.park_id == shougang.id]
        assert all(r.team.park_id == shougang.id for r in requests)
        assert {Status.OPEN, Status.CLOSED} <= {r.status for r in requests}
        cal = calendar_of(shougang)
        assert all(sla_of(cal, r, utcnow()).state != "unknown" for r in requests)


def test_a_park_set_up_by_hand_gets_no_requests_or_profiles(app, make):
    park = make.park(code="CD-OPC", name_zh="成都已有园区", name_en="Chengdu, set up by hand")
    with time_machine.travel(NOW, tick=True), app.app_context():
        assert seed_demo() is True
        requests = _requests()
        assert requests and all(r.park.code == "SG-SCIFI" for r in requests)
        assert not any(r.park_id == park.id for r in requests)
        assert all(p.team.park_id != park.id for p in db.session.scalars(select(Profile)))
