"""The database itself refuses two confirmed bookings of one room that overlap (an
exclusion constraint on PostgreSQL, triggers on SQLite), while cancelled bookings, touching
ends and other rooms pass; and an event's places never exceed its capacity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from opc.core import constraints
from opc.events.models import Event
from opc.extensions import db
from opc.rooms.models import Booking

T0 = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


def _booking(room, start, hours=1, status="confirmed"):
    return Booking(
        unit_id=room.unit_id,
        park_id=room.park_id,
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        month="2026-12",
        status=status,
    )


def _add(app, *records):
    with app.app_context(), Session(db.engine) as session:
        session.add_all(records)
        session.commit()


def _refused(app, record) -> str | None:
    try:
        _add(app, record)
    except sa.exc.IntegrityError as exc:
        return constraints.rule_for_integrity_error(exc).code
    return None


def test_overlapping_confirmed_bookings_are_refused_by_the_database(app, make):
    room = make.room()
    other = make.room(make.park())
    _add(app, _booking(room, T0, hours=2))
    refusal = _refused(app, _booking(room, T0 + timedelta(minutes=30)))
    assert refusal == "room_taken"
    # Touching ends, another room, a cancelled booking: all fine.
    _add(app, _booking(room, T0 + timedelta(hours=2)))
    _add(app, _booking(other, T0))
    _add(app, _booking(room, T0, status="cancelled"))
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 4


def test_an_update_into_an_overlap_is_refused_too(app, make):
    room = make.room()
    _add(app, _booking(room, T0), _booking(room, T0 + timedelta(hours=3), status="cancelled"))
    with app.app_context(), Session(db.engine) as session:
        later = session.scalars(sa.select(Booking).where(Booking.status == "cancelled")).one()
        later.status = "confirmed"
        later.starts_at = T0 + timedelta(minutes=30)
        with pytest.raises(sa.exc.IntegrityError):
            session.commit()


def test_places_taken_never_exceed_the_capacity(app, make):
    event = make.event(capacity=2)
    with app.app_context(), Session(db.engine) as session:
        row = session.get(Event, event.id)
        row.confirmed_count = 2
        session.commit()
        row.offered_count = 1
        with pytest.raises(sa.exc.IntegrityError):
            session.commit()


def test_an_event_holds_its_room_and_a_clash_is_refused_naming_the_booking(app, make):
    from opc.core.db import transaction
    from opc.core.errors import RuleViolation
    from opc.parks.models import Park
    from opc.rooms.operations.venues import hold_for_event, release_for_event

    room = make.room()
    staff = make.user("staff", parks=[])
    _add(app, _booking(room, T0, hours=1))
    first = make.event(
        park_id=room.park_id, starts_at=T0 + timedelta(hours=1), venue_unit_id=room.unit_id
    )
    clash = make.event(
        park_id=room.park_id, starts_at=T0 + timedelta(minutes=30), venue_unit_id=room.unit_id
    )
    with app.app_context():
        with transaction(staff) as session:
            park = session.get(Park, room.park_id)
            held = hold_for_event(session, session.get(Event, first.id), park, actor=staff)
            assert held.event_id == first.id and held.team_id is None
        with pytest.raises(RuleViolation) as refused, transaction(staff) as session:
            park = session.get(Park, room.park_id)
            hold_for_event(session, session.get(Event, clash.id), park, actor=staff)
        assert refused.value.code == "room_taken"
        assert refused.value.conflict["starts_at"].startswith("2026-12-07T10:00")  # Shanghai
        with transaction(staff) as session:
            release_for_event(session, first.id, actor=staff)
        statuses = db.session.scalars(sa.select(Booking.status).order_by(Booking.id)).all()
        assert statuses == ["confirmed", "cancelled"]
