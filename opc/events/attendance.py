"""Attendance: how many of the confirmed registrants checked in, per event and per park.

The rate is of the confirmed registrations (those who hold a place at the event): checked
in ÷ confirmed, as a percentage (None with nobody confirmed). A registration cancelled after
its check-in does not count in either.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from opc.core.db import utcnow
from opc.core.numbers import percent_of
from opc.events.models import Event, EventStatus, Registration, RegistrationStatus
from opc.extensions import db

Attendance = tuple[int, int, Decimal | None]  # checked in, confirmed, rate in percent


def _figures(checked_in: int, confirmed: int) -> Attendance:
    return checked_in, confirmed, percent_of(checked_in, confirmed) if confirmed else None


def _counts(*where: Any) -> tuple[int, int]:
    row = db.session.execute(
        select(
            func.count(Registration.checked_in_at),
            func.count(Registration.id),
        )
        .join(Event, Event.id == Registration.event_id)
        .where(Registration.status == RegistrationStatus.CONFIRMED, *where)
    ).one()
    return int(row[0] or 0), int(row[1] or 0)


def attendance(event: Event | int) -> Attendance:
    """(checked in, confirmed, rate) of one event."""
    event_id = event if isinstance(event, int) else event.id
    return _figures(*_counts(Registration.event_id == event_id))


def park_attendance(park_id: int, *, since: datetime, until: datetime | None = None) -> Attendance:
    """(checked in, confirmed, rate) over the park's events held (ended, not cancelled)
    between `since` and `until` (default now)."""
    until = until or utcnow()
    return _figures(
        *_counts(
            Event.park_id == park_id,
            Event.status == EventStatus.SCHEDULED,
            Event.ends_at >= since,
            Event.ends_at <= until,
        )
    )
