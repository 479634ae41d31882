"""The demo's shared rooms: Chengdu's meeting room and green-screen booth open to residents
and its roadshow hall for staff only, each with its hours, free hours and rate (and Shougang's
rooms); bookings by several teams this week and next, the member login's team among them
with a charge beyond its free hours on this month's statement, one cancelled, never two at
once in a room.

Seeded on a Wednesday morning (some of this week's bookings have passed, some are to come):
tests/events/test_demo_events.py seeds on the real day."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from opc.core.db import utcnow
from opc.demo import DEMO_PASSWORD, MEMBER_TEAM
from opc.extensions import db
from opc.parks.models import Park
from opc.rooms.models import Booking, BookingStatus, Room
from opc.rooms.rent_lines import room_lines
from opc.teams.models import Team
from tests.conftest import login
from tests.core.helpers import text

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 18, 10, 30, tzinfo=SH)  # a Wednesday
MONDAY = date(2026, 11, 16)


@pytest.fixture
def demo(demo_data):
    with time_machine.travel(NOW, tick=True):
        demo_data()
        yield


def _park(code: str) -> Park:
    return db.session.scalars(select(Park).where(Park.code == code)).one()


def _rooms(park: Park) -> dict[str, Room]:
    return {r.unit.code: r for r in db.session.scalars(select(Room).where(Room.park_id == park.id))}


def test_the_demo_rooms_and_their_bookings(app, demo):
    with app.app_context():
        chengdu, shougang = _park("CD-OPC"), _park("SG-SCIFI")
        rooms = _rooms(chengdu)
        assert set(rooms) == {"2-M01", "1-P01", "1-SR01"}
        assert {r.unit.kind for r in rooms.values()} == {"shared_room"}
        hall, meeting, booth = rooms["1-SR01"], rooms["2-M01"], rooms["1-P01"]
        assert (hall.bookable_by, hall.rate_fen_per_hour) == ("staff", 30_000)
        assert meeting.bookable_by == booth.bookable_by == "residents"
        assert meeting.free_hours_per_month > 0 and meeting.rate_fen_per_hour == 4_000
        assert set(_rooms(shougang)) == {"M01", "M02", "F01"}
        assert _rooms(shougang)["M01"].rate_fen_per_hour is None  # free hours only

        start = datetime.combine(MONDAY, datetime.min.time(), SH)
        bookings = list(
            db.session.scalars(
                select(Booking)
                .where(
                    Booking.park_id == chengdu.id,
                    Booking.starts_at >= start,
                    Booking.starts_at < start + timedelta(days=14),
                )
                .order_by(Booking.starts_at)
            )
        )
        confirmed = [b for b in bookings if b.status == BookingStatus.CONFIRMED]
        teams = {b.team.name_zh for b in confirmed if b.team is not None}
        assert MEMBER_TEAM in teams and len(teams) >= 5
        # This week's passed bookings and the ones to come, in this week and the next.
        now = utcnow()
        assert any(b.ends_at <= now for b in confirmed)
        assert any(b.starts_at > now + timedelta(days=5) for b in confirmed)
        # Every room is used; the roadshow hall is held by an event next week too.
        assert {b.unit.code for b in confirmed} == set(rooms)
        assert any(b.event_id is not None and b.unit.code == "1-SR01" for b in confirmed)
        # One cancelled by its team, with the reason.
        (cancelled,) = [b for b in bookings if b.status == BookingStatus.CANCELLED]
        assert cancelled.team is not None and cancelled.cancel_reason
        assert cancelled.cancelled_by_id is not None and cancelled.starts_at > now
        # Never two confirmed bookings of a room at once.
        by_unit: dict[int, list[Booking]] = defaultdict(list)
        for b in db.session.scalars(select(Booking).where(Booking.status == "confirmed")):
            by_unit[b.unit_id].append(b)
        for held in by_unit.values():
            held.sort(key=lambda b: b.starts_at)
            assert all(a.ends_at <= b.starts_at for a, b in pairwise(held))

        # The member's team's shoot runs past its free hours: a charge this month, on its
        # rent statement as a room line.
        member_team = db.session.scalars(
            select(Team).where(Team.park_id == chengdu.id, Team.name_zh == MEMBER_TEAM)
        ).one()
        charged = [b for b in confirmed if b.team_id == member_team.id and b.charge_fen > 0]
        assert [(b.unit.code, b.charged_minutes, b.charge_fen) for b in charged] == [
            ("1-P01", 120, 24_000)
        ]
        assert charged[0].month == "2026-11"
        lines = room_lines(db.session, chengdu.id, date(2026, 11, 1), date(2026, 12, 1))
        assert [(line.kind, line.amount_fen) for line in lines[member_team.id]] == [
            ("room", 24_000)
        ]
        # Bookings of Shougang's rooms too.
        assert db.session.scalars(select(Booking).where(Booking.park_id == shougang.id)).all()


def test_the_member_sees_the_team_bookings_and_the_rooms_week(app, demo, client):
    with time_machine.travel(NOW, tick=True):
        login(client, "member@opc-demo.cn", DEMO_PASSWORD)
        mine = client.get("/rooms/bookings")
        assert mine.status_code == 200
        page = text(mine)
        assert "分镜评审" in page and "¥240.00" in page
        index = client.get("/rooms")
        assert index.status_code == 200 and "2-M01" in text(index)
        with app.app_context():
            meeting = _rooms(_park("CD-OPC"))["2-M01"]
            room_id = meeting.id
        week = client.get(f"/rooms/{room_id}?week={MONDAY + timedelta(days=7)}")
        assert week.status_code == 200
        # Other teams' bookings show as taken, without their names.
        assert "分镜评审" in text(week) and "合作洽谈" not in text(week)
