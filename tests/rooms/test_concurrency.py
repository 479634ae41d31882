"""Two teams booking the last slot at once, on two real connections (SQLite and
PostgreSQL): the room's row is locked before the overlap is read, so one books and the
other is refused with room_taken naming the booking — never two bookings, never a 500."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest
import time_machine

from opc.rooms.models import Booking
from opc.rooms.operations import bookings, overlap
from tests.core.helpers import race_as, slowed
from tests.rooms.helpers import NOW, at, place, rows

pytestmark = pytest.mark.slow


def _book(unit_id: int, team_id: int, *, actor: Any) -> None:
    bookings.book(
        actor=actor,
        unit_id=unit_id,
        team_id=team_id,
        starts_at=at(2027, 3, 2, 20, 30),
        ends_at=at(2027, 3, 2, 21, 0),
    )


def test_two_teams_booking_the_last_slot_at_once(app, make, monkeypatch):
    p = place(make)
    teams = [p.team, make.team(p.park, status="resident")]
    slowed(monkeypatch, overlap, "conflicting")  # both would read a free room
    writes = [partial(_book, p.room.unit_id, team.id) for team in teams]
    with time_machine.travel(NOW, tick=True):
        outcomes = race_as(app, p.staff.id, writes)
    assert outcomes == ["ok", "room_taken"], outcomes
    assert len(rows(app, Booking)) == 1
