"""Demo events: in Chengdu a demo day, a forum and a workshop of the last months (members and
guests registered, most of them checked in, each event's attendance its own), and to come a
roadshow holding the roadshow hall next week, a public forum full with a waitlist, a
residents-only salon and a workshop in offer mode where the member login has been offered a
freed place; in Shougang a forum in its hall.

Everything goes through the operations, as staff, members and guests would do it. A past
event is played as if it began within the hour — registrations open, check-in at the door
open — and is then dated back to its day, its room held then (opc.rooms' `hold_for_event`),
its registrations, check-ins and the members' notifications dated with it. The events to
come keep their times; their registrations are dated over the days before now, in the order
they were taken. Deterministic: the same data every run. The registrants' mails are not
sent (the demo's people are invented)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opc.auth.models import User
from opc.core.db import utcnow
from opc.demo.event_stories import EVENTS, ORGANISATIONS, Spec
from opc.demo.rooms import member_of
from opc.demo.words import GIVEN, SURNAMES
from opc.events import mails, notify
from opc.events.models import Event, Registration, RegistrationStatus
from opc.events.operations.checkin import check_in
from opc.events.operations.events import create_event
from opc.events.operations.registrations import cancel_registration, register
from opc.notifications.models import Notification
from opc.parks.models import Park
from opc.rooms.operations.venues import hold_for_event
from opc.space.models import Unit
from opc.teams.models import Team, TeamStatus


def seed_events(session: Session, park: Park, staff: User, member: User | None) -> None:
    """The park's events and their registrations (see the module's doc)."""
    zone = ZoneInfo(park.timezone)
    now = utcnow().replace(second=0, microsecond=0)
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    people = People(session, park, member)
    rooms = dict(
        session.execute(select(Unit.code, Unit.id).where(Unit.park_id == park.id)).tuples().all()
    )
    with mails.muted(session):  # the registrants are invented: mail nobody
        for n, spec in enumerate(EVENTS.get(park.code, ())):
            start = _at(monday, spec, zone)
            if start.astimezone(zone).date() < today:
                _past(session, park, staff, spec, start, people, rooms, n, now)
            else:
                _coming(session, park, staff, spec, start, people, rooms, n, now)


def _at(monday: date, spec: Spec, zone: ZoneInfo) -> datetime:
    hour, minute = map(int, spec.at.split(":"))
    return datetime.combine(monday + timedelta(days=spec.day), time(hour, minute), zone)


class People:
    """Members of the park's resident teams, one a team, the member login first when its
    team is the park's; each team's login made when first needed."""

    def __init__(self, session: Session, park: Park, member: User | None) -> None:
        self.session = session
        teams = list(
            session.scalars(
                select(Team)
                .where(Team.park_id == park.id, Team.status == TeamStatus.RESIDENT)
                .order_by(Team.id)
            )
        )
        self.member = (
            member if member is not None and member.team_id in {t.id for t in teams} else None
        )
        mine = [t for t in teams if self.member is not None and t.id == self.member.team_id]
        self.teams = mine + [t for t in teams if t not in mine]

    def __getitem__(self, which: slice) -> list[User]:
        return [self._user(team) for team in self.teams[which]]

    def _user(self, team: Team) -> User:
        if self.member is not None and team.id == self.member.team_id:
            return self.member
        return member_of(self.session, team)


def _create(
    park: Park, staff: User, spec: Spec, start: datetime, rooms: dict[str, int], room: bool
) -> Event:
    return create_event(
        actor=staff,
        park_id=park.id,
        kind=spec.kind,
        title_zh=spec.title_zh,
        title_en=spec.title_en,
        description_zh=spec.description_zh,
        description_en=spec.description_en,
        venue_unit_id=rooms.get(spec.room) if room and spec.room else None,
        venue_text=spec.place,
        starts_at=start,
        ends_at=start + timedelta(minutes=spec.minutes),
        capacity=spec.capacity,
        public=spec.public,
        waitlist_mode=spec.waitlist_mode,
        offer_hours=48,
    )


def _guest(n: int, i: int) -> dict[str, str]:
    k = n * 31 + i
    return {
        "name": SURNAMES[k * 7 % len(SURNAMES)] + GIVEN[k * 11 % len(GIVEN)],
        "email": f"guest{n:02d}.{i:03d}@example.com",
        "organisation": ORGANISATIONS[k % len(ORGANISATIONS)],
        "phone": f"139{k * 7919 % 100_000_000:08d}",
    }


def _register_all(
    event: Event, staff: User, spec: Spec, people: People, n: int, skip: int = 0
) -> list[Registration]:
    """The members (from the `skip`-th of the park's) and then the guests, in this order."""
    made = [register(event.id, actor=user) for user in people[skip : skip + spec.members]]
    guest_actor = None if spec.public else staff
    made += [register(event.id, actor=guest_actor, **_guest(n, i)) for i in range(spec.guests)]
    return made


def _cancel_guests(made: list[Registration], spec: Spec) -> None:
    guests = [r for r in made if r.user_id is None and r.status == RegistrationStatus.CONFIRMED]
    for registration in guests[: spec.cancelled]:
        cancel_registration(registration.id, secret=registration.secret)


def _past(
    session: Session,
    park: Park,
    staff: User,
    spec: Spec,
    start: datetime,
    people: People,
    rooms: dict[str, int],
    n: int,
    now: datetime,
) -> None:
    """Played as if it began within the hour, then dated back to `start`."""
    told = session.scalar(select(func.max(Notification.id))) or 0
    event = _create(park, staff, spec, now + timedelta(hours=1), rooms, room=False)
    made = _register_all(event, staff, spec, people, n, skip=n)
    _cancel_guests(made, spec)
    confirmed = [r for r in made if r.status == RegistrationStatus.CONFIRMED]
    come = round(spec.attendance * len(confirmed))
    order = sorted(range(len(confirmed)), key=lambda i: i * 7 % len(confirmed))
    for i in order[:come]:
        check_in(actor=staff, event_id=event.id, registration_id=confirmed[i].id)
    event.starts_at, event.ends_at = start, start + timedelta(minutes=spec.minutes)
    _date_back(session, event, made, start - timedelta(days=21), start - timedelta(hours=2))
    for i in order[:come]:
        confirmed[i].checked_in_at = start - timedelta(minutes=25 - i % 40)
    if spec.room:
        event.venue_unit_id = rooms[spec.room]
        session.flush()
        booking = hold_for_event(session, event, park, actor=staff)
        if booking is not None:
            booking.created_at = event.created_at
    _date_notifications(session, told, now)


def _coming(
    session: Session,
    park: Park,
    staff: User,
    spec: Spec,
    start: datetime,
    people: People,
    rooms: dict[str, int],
    n: int,
    now: datetime,
) -> None:
    """Registrations taken over the last days; in offer mode, the member login waits in
    line and is offered the place a guest frees."""
    told = session.scalar(select(func.max(Notification.id))) or 0
    event = _create(park, staff, spec, start, rooms, room=True)
    member = people.member
    offer = spec.waitlist_mode == "offer" and member is not None
    made = _register_all(event, staff, spec, people, n, skip=n + 1 if offer else 0)
    if offer:
        assert member is not None
        made.append(register(event.id, actor=member))
        made += [register(event.id, **_guest(n, 100 + i)) for i in range(2)]
    _date_back(session, event, made, now - timedelta(days=12), now - timedelta(hours=3))
    _date_notifications(session, told, now)
    _cancel_guests(made, spec)  # now: the place goes to the next in line


def _date_back(
    session: Session,
    event: Event,
    made: list[Registration],
    opens: datetime,
    last: datetime,
) -> None:
    """The registration window from `opens` (to the start) and the registrations spread
    over [opens, last] in the order they were taken."""
    event.created_at = opens - timedelta(days=1)
    event.registration_opens_at = opens
    event.registration_closes_at = min(event.starts_at, event.registration_closes_at)
    step = (last - opens) / (len(made) + 1)
    for i, registration in enumerate(made, start=1):
        at = (opens + step * i).replace(microsecond=0)
        registration.created_at = registration.queued_at = at
        if registration.confirmed_at is not None:
            registration.confirmed_at = at
        if registration.cancelled_at is not None:
            registration.cancelled_at = at + (last - at) / 2
    session.flush()


def _date_notifications(session: Session, told: int, now: datetime) -> None:
    """The members' notifications since id `told`, dated with their registration and saying
    what it says now (a past event's time and room); those older than a week were read."""
    for notification in session.scalars(
        select(Notification).where(Notification.id > told).order_by(Notification.id)
    ):
        params: dict[str, Any] = notification.params or {}
        registration = session.get(Registration, params.get("registration_id"))
        if registration is None:
            continue
        at = registration.cancelled_at or registration.confirmed_at or registration.queued_at
        notification.created_at = at
        notification.params = {**params, **_when(session, registration)}
        if at < now - timedelta(days=7):
            notification.read_at = at + timedelta(hours=3)


def _when(session: Session, registration: Registration) -> dict[str, Any]:
    fresh = notify.params(session, registration)
    return {key: fresh[key] for key in ("starts_at", "ends_at", "place")}
