"""Read models of the event pages: the events a user may see (upcoming, filtered; a month's,
placed on each park's local days), an event's registrations by group with the waitlist in
line order, a member's own registration, the park's bookable rooms for the event form, and
the short lists of the dashboard and the team page."""

from __future__ import annotations

from calendar import Calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from opc.core.permissions import visible
from opc.core.sorting import Sort, Sorting
from opc.events.models import LIVE, Event, EventStatus, Registration, RegistrationStatus
from opc.extensions import db
from opc.rooms.models import Room
from opc.space.models import Unit

# The staff's lists of an event's registrations, each a tab: its statuses and its order.
GROUPS: dict[str, tuple[tuple[str, ...], tuple[Any, ...]]] = {
    "confirmed": (
        (RegistrationStatus.CONFIRMED,),
        (Registration.confirmed_at, Registration.id),
    ),
    "offered": (
        (RegistrationStatus.OFFERED,),
        (Registration.offer_expires_at, Registration.id),
    ),
    # The line: who joined first is offered first (queued_at, then id).
    "waitlisted": (
        (RegistrationStatus.WAITLISTED,),
        (Registration.queued_at, Registration.id),
    ),
    "ended": (
        (RegistrationStatus.CANCELLED, RegistrationStatus.LAPSED),
        (Registration.id.desc(),),
    ),
}
AUDIENCES = ("public", "residents")


@dataclass(frozen=True)
class Filters:
    park_id: int | None = None
    kind: str | None = None
    audience: str | None = None  # "public" | "residents"


def _filtered(stmt: Select[Any], filters: Filters) -> Select[Any]:
    if filters.park_id is not None:
        stmt = stmt.where(Event.park_id == filters.park_id)
    if filters.kind is not None:
        stmt = stmt.where(Event.kind == filters.kind)
    if filters.audience is not None:
        stmt = stmt.where(Event.public.is_(filters.audience == "public"))
    return stmt


UPCOMING = Sorting(
    {
        "when": Event.starts_at,
        "title": Event.title_zh,
        "kind": Event.kind,
        "audience": Event.public,
        "places": Event.capacity - Event.confirmed_count - Event.offered_count,
    },
    default="when",
    tiebreak=Event.id,
    first_desc=frozenset({"places"}),
)


def upcoming(user: Any, filters: Filters, now: datetime, sort: Sort | None = None) -> Select[Any]:
    """The events `user` may see that have not ended, in the reader's order (soonest first
    unless told), cancelled ones too (who meant to come learns of it), with their park and
    room loaded."""
    stmt = (
        select(Event)
        .options(joinedload(Event.park), joinedload(Event.venue))
        .where(visible(user, Event), Event.ends_at > now)
        .order_by(*(sort or UPCOMING.chosen({})).order_by())
    )
    return _filtered(stmt, filters)


@dataclass
class Day:
    day: date
    in_month: bool
    events: list[Event] = field(default_factory=list)


def month_grid(user: Any, filters: Filters, first: date) -> list[list[Day]]:
    """The weeks (Monday first) of the month starting on `first`, each day with the events
    that start on it in their park's local time (an event at 00:30 in Shanghai on the 1st
    is on the 1st, whatever the server's zone)."""
    weeks = Calendar().monthdatescalendar(first.year, first.month)
    days = {d: Day(d, d.month == first.month) for week in weeks for d in week}
    # Every zone's local day lies within a day of UTC's: read a little wider, then place.
    low = datetime.combine(weeks[0][0], datetime.min.time(), ZoneInfo("UTC")) - timedelta(days=1)
    high = datetime.combine(weeks[-1][-1], datetime.min.time(), ZoneInfo("UTC")) + timedelta(days=2)
    stmt = (
        select(Event)
        .options(joinedload(Event.park))
        .where(visible(user, Event), Event.starts_at >= low, Event.starts_at < high)
        .order_by(Event.starts_at, Event.id)
    )
    for event in db.session.scalars(_filtered(stmt, filters)):
        local = event.starts_at.astimezone(ZoneInfo(event.park.timezone)).date()
        if local in days:
            days[local].events.append(event)
    return [[days[d] for d in week] for week in weeks]


def counts(event_id: int) -> dict[str, int]:
    """The event's registrations by status (every status present, 0 when none)."""
    rows = db.session.execute(
        select(Registration.status, func.count())
        .where(Registration.event_id == event_id)
        .group_by(Registration.status)
    )
    found = {status: 0 for status in RegistrationStatus}
    found.update({status: n for status, n in rows})
    return found


def group_counts(by_status: dict[str, int]) -> dict[str, int]:
    return {
        name: sum(by_status.get(s, 0) for s in statuses) for name, (statuses, _o) in GROUPS.items()
    }


def registrations(event_id: int, group: str) -> Select[Any]:
    """One group of the event's registrations in its order, with team and user loaded."""
    statuses, order = GROUPS[group]
    return (
        select(Registration)
        .options(joinedload(Registration.team))
        .where(Registration.event_id == event_id, Registration.status.in_(statuses))
        .order_by(*order)
    )


def waitlist_position(registration: Registration) -> int | None:
    """Where a waitlisted registration stands in its event's line (1: next), else None."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(
        select(func.count()).where(
            Registration.event_id == registration.event_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            (Registration.queued_at < registration.queued_at)
            | (
                (Registration.queued_at == registration.queued_at)
                & (Registration.id < registration.id)
            ),
        )
    )
    return int(ahead or 0) + 1


def own_registration(event_id: int, user_id: int) -> Registration | None:
    """A member's registration for the event: the live one, else their latest."""
    stmt = (
        select(Registration)
        .where(Registration.event_id == event_id, Registration.user_id == user_id)
        .order_by(Registration.status.in_(LIVE).desc(), Registration.id.desc())
        .limit(1)
    )
    return db.session.scalars(stmt).first()


def by_secret(secret: str) -> Registration | None:
    """The registration a guest's link names, with its event and park loaded."""
    stmt = (
        select(Registration)
        .options(joinedload(Registration.event).joinedload(Event.park))
        .where(Registration.secret == secret)
    )
    return db.session.scalars(stmt).first()


def bookable_rooms(park_id: int, keep_unit_id: int | None = None) -> list[Unit]:
    """The park's active rooms (their units, by code) an event may take place in; the unit
    an event holds already stays listed even when its room is no longer bookable."""
    active = Room.active.is_(True)
    if keep_unit_id is not None:
        active = active | (Room.unit_id == keep_unit_id)
    stmt = (
        select(Unit)
        .join(Room, Room.unit_id == Unit.id)
        .where(Room.park_id == park_id, active)
        .order_by(Unit.code, Unit.id)
    )
    return list(db.session.scalars(stmt))


def room_id_of(unit_id: int | None) -> int | None:
    """The room (its week view's id) of a venue unit."""
    if unit_id is None:
        return None
    return db.session.scalar(select(Room.id).where(Room.unit_id == unit_id))


def next_events(park_id: int, now: datetime, limit: int = 5) -> list[Event]:
    """The park's next scheduled events that have not ended (the dashboard, the team page)."""
    stmt = (
        select(Event)
        .where(
            Event.park_id == park_id,
            Event.status == EventStatus.SCHEDULED,
            Event.ends_at > now,
        )
        .order_by(Event.starts_at, Event.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def team_registrations(user: Any, team_id: int, now: datetime, limit: int = 10) -> list[Any]:
    """The team's live registrations for events that have not ended, that `user` may see
    (staff: the team's; a member: their own), soonest event first."""
    stmt = (
        select(Registration)
        .join(Event, Event.id == Registration.event_id)
        .options(joinedload(Registration.event))
        .where(
            visible(user, Registration),
            Registration.team_id == team_id,
            Registration.status.in_(LIVE),
            Event.ends_at > now,
        )
        .order_by(Event.starts_at, Registration.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))
