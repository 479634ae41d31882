"""Helpers for the rooms tests: a park with a room (09:00–21:00 every day, 30-minute slots,
10 free hours a month, ¥100.00 an hour beyond), a resident team, its member and staff; the
clock frozen on Monday 2027-03-01 08:00 in Shanghai."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import time_machine

from opc.auth.models import User
from opc.core.db import transaction
from opc.core.errors import DomainError
from opc.events.models import Event
from opc.extensions import db
from opc.parks.models import Park
from opc.rooms.operations import bookings as ops
from opc.rooms.operations.venues import hold_for_event
from tests.core.helpers import count, error_of, one, post_form, rows, table_counts, text

__all__ = ["count", "error_of", "one", "post_form", "rows", "table_counts", "text"]

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2027, 3, 1, 8, 0, tzinfo=SH)


def at(*args: int) -> datetime:
    """A wall-clock time in Shanghai (the parks' zone in the tests)."""
    return datetime(*args, tzinfo=SH)  # type: ignore[misc]


@dataclass
class Place:
    park: Any
    room: Any
    team: Any
    member: Any
    staff: Any


def place(make: Any, **room: Any) -> Place:
    park = make.park()
    team = make.team(park, status="resident")
    return Place(
        park,
        make.room(park, **room),
        team,
        make.user("member", team=team),
        make.user("staff", parks=[park]),
    )


def act(app: Any, fn: Any, *args: Any, when: datetime = NOW, **kw: Any) -> Any:
    """Run an operation at a frozen instant in an app context of its own; its result's id."""
    with time_machine.travel(when, tick=False), app.app_context():
        if kw.get("actor") is not None:  # the user as this context loads it (its team, parks)
            kw["actor"] = db.session.get(User, kw["actor"].id)
        result = fn(*args, **kw)
        return getattr(result, "id", result)


def book(
    app: Any, p: Place, start: datetime, end: datetime, *, actor: Any = None, **kw: Any
) -> int:
    """A booking of the place's room for its team (by its member unless `actor`); its id."""
    return act(
        app,
        ops.book,
        actor=actor or p.member,
        unit_id=p.room.unit_id,
        team_id=kw.pop("team_id", p.team.id),
        starts_at=start,
        ends_at=end,
        **kw,
    )


def refused(app: Any, fn: Any, *args: Any, **kw: Any) -> Any:
    """The DomainError an operation raises (fails when it does not), writing nothing."""
    before = table_counts(app)
    try:
        act(app, fn, *args, **kw)
    except DomainError as err:
        assert table_counts(app) == before
        return err
    raise AssertionError("not refused")


def make_event_booking(app: Any, make: Any, p: Place, start: datetime) -> int:
    """An event of the park held in the place's room (through opc.rooms venues); the id of
    the booking that holds it."""
    event = make.event(p.park, starts_at=start, venue_unit_id=p.room.unit_id)
    with app.app_context(), transaction(None) as session:
        booking = hold_for_event(
            session, session.get(Event, event.id), session.get(Park, p.park.id), actor=None
        )
        assert booking is not None
        return booking.id
