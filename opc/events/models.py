"""Events of a park and their registrations.

An *event* (forum, convention, workshop, salon, roadshow, demo day) has bilingual titles and
descriptions, a venue — a room of the park, which it holds through a booking
(opc.rooms.models.Booking.event_id), or an outside place — start and end instants (entered and
shown in the park's timezone, stored in UTC), a capacity, a registration window and whether
outsiders may register (`public`) or residents only.

A *registration* (a team member, or an outside guest from the public page) is confirmed while
places are left, else waitlisted. When a place frees up the next in line (by `queued_at`,
then id) is confirmed at once (`waitlist_mode` "auto") or offered the place until
`offer_expires_at` ("offer", as pretix does); an offer that lapses passes to the next. The
places taken — `confirmed_count` plus `offered_count`, kept on the event under its row lock —
never exceed the capacity: the database checks it too. One live registration per e-mail and
event (a partial unique index). A check-in is recorded once (`checked_in_at`).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from opc.core import constraints
from opc.core.db import UTCDateTime
from opc.core.models import Audited, CreatedMixin
from opc.extensions import db

if TYPE_CHECKING:
    from opc.auth.models import User
    from opc.parks.models import Park
    from opc.space.models import Unit
    from opc.teams.models import Team


class EventKind(StrEnum):
    FORUM = "forum"
    CONVENTION = "convention"
    WORKSHOP = "workshop"
    SALON = "salon"
    ROADSHOW = "roadshow"
    DEMO_DAY = "demo_day"


class EventStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class WaitlistMode(StrEnum):
    AUTO = "auto"  # the next in line is confirmed at once
    OFFER = "offer"  # the next in line is offered the place until a deadline


class RegistrationStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    OFFERED = "offered"  # a freed place held for this registration until offer_expires_at
    CANCELLED = "cancelled"
    LAPSED = "lapsed"  # an offer not accepted in time


# Registrations that hold (or wait for) a place: one per e-mail and event.
LIVE = frozenset(
    {RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED, RegistrationStatus.OFFERED}
)
MAX_TITLE = 200
MAX_TEXT = 10_000
MAX_CAPACITY = 100_000
_KINDS = ", ".join(f"'{k}'" for k in EventKind)
_REG_STATUSES = ", ".join(f"'{s}'" for s in RegistrationStatus)
_LIVE_SQL = "status IN ('confirmed', 'waitlisted', 'offered')"


def _bilingual(zh: str, en: str, locale: str) -> str:
    return en if locale.startswith("en") and en else zh


class Event(Audited, CreatedMixin, db.Model):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_KINDS})", name="kind_known"),
        CheckConstraint("status IN ('scheduled', 'cancelled')", name="status_known"),
        CheckConstraint("waitlist_mode IN ('auto', 'offer')", name="waitlist_mode_known"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(
            "registration_closes_at > registration_opens_at", name="registration_window"
        ),
        CheckConstraint(f"capacity BETWEEN 1 AND {MAX_CAPACITY}", name="capacity_range"),
        CheckConstraint("offer_hours BETWEEN 1 AND 720", name="offer_hours_range"),
        CheckConstraint(
            "confirmed_count >= 0 AND offered_count >= 0 "
            "AND confirmed_count + offered_count <= capacity",
            name="within_capacity",
        ),
        # A venue: a room of the park or a place outside (or both empty for online).
        CheckConstraint("venue_unit_id IS NULL OR venue_text = ''", name="one_venue"),
        Index("ix_events_park_id_starts_at", "park_id", "starts_at"),
    )
    __audit_exclude__ = frozenset({"confirmed_count", "offered_count"})

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"))
    kind: Mapped[str] = mapped_column(String(16))
    title_zh: Mapped[str] = mapped_column(String(MAX_TITLE))
    title_en: Mapped[str] = mapped_column(String(MAX_TITLE), default="")
    description_zh: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    venue_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    venue_text: Mapped[str] = mapped_column(String(300), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    capacity: Mapped[int] = mapped_column(Integer)
    registration_opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    registration_closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Outside guests may register on the public page; otherwise the park's residents only.
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16), default=EventStatus.SCHEDULED)
    waitlist_mode: Mapped[str] = mapped_column(String(8), default=WaitlistMode.AUTO)
    # How long an offered place is held (waitlist_mode "offer").
    offer_hours: Mapped[int] = mapped_column(Integer, default=24)
    confirmed_count: Mapped[int] = mapped_column(Integer, default=0)
    offered_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    park: Mapped[Park] = relationship()
    venue: Mapped[Unit | None] = relationship()
    registrations: Mapped[list[Registration]] = relationship(
        back_populates="event", order_by="Registration.id", cascade="all, delete-orphan"
    )

    @property
    def places_left(self) -> int:
        return self.capacity - self.confirmed_count - self.offered_count

    def title(self, locale: str) -> str:
        return _bilingual(self.title_zh, self.title_en, locale)

    def description(self, locale: str) -> str:
        return _bilingual(self.description_zh, self.description_en, locale)

    def registration_open(self, at: datetime) -> bool:
        return (
            self.status == EventStatus.SCHEDULED
            and self.registration_opens_at <= at < self.registration_closes_at
            and at < self.ends_at
        )

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.title_zh}>"


class Registration(Audited, CreatedMixin, db.Model):
    __tablename__ = "registrations"
    __table_args__ = (
        CheckConstraint(f"status IN ({_REG_STATUSES})", name="status_known"),
        CheckConstraint(
            "status <> 'offered' OR offer_expires_at IS NOT NULL", name="offer_has_deadline"
        ),
        Index(
            "uq_registrations_event_id_email",
            "event_id",
            "email",
            unique=True,
            sqlite_where=text(_LIVE_SQL),
            postgresql_where=text(_LIVE_SQL),
        ),
        Index("ix_registrations_event_id_status_queued_at", "event_id", "status", "queued_at"),
        Index("ix_registrations_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    # A resident registers as themselves (user and team); a guest by name and e-mail only.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    name: Mapped[str] = mapped_column(String(100))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    # Lower-cased: one registration per address and event.
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(40), default="")
    status: Mapped[str] = mapped_column(String(16))
    # The place in the waitlist's line: when it joined (the registration's time).
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_in_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # The secret half of the guest's links (confirmation page, cancellation, QR token):
    # random, shown only to the registrant.
    secret: Mapped[str] = mapped_column(String(43), unique=True)

    event: Mapped[Event] = relationship(back_populates="registrations")
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    team: Mapped[Team | None] = relationship()

    @property
    def park_id(self) -> int:
        return self.event.park_id

    def __repr__(self) -> str:
        return f"<Registration {self.id} event={self.event_id} {self.status}>"


def _register(table: str, rules: dict[str, tuple[str, Any]]) -> None:
    for name, (code, message) in rules.items():
        constraints.register(f"ck_{table}_{name}", code, message)


_end = ("end_before_start", lambda: _("The end must be after the start."))
_register(
    "events",
    {
        "kind_known": (
            "unknown_event_kind",
            lambda: _("The kind of event is not one of the known kinds."),
        ),
        "status_known": (
            "unknown_event_status",
            lambda: _("The event's status is not one of the known ones."),
        ),
        "waitlist_mode_known": (
            "unknown_waitlist_mode",
            lambda: _("The waitlist's mode is not one of the known ones."),
        ),
        "ends_after_start": _end,
        "registration_window": (
            "registration_window_invalid",
            lambda: _("Registration closes after it opens."),
        ),
        "capacity_range": (
            "capacity_out_of_range",
            lambda: _("The capacity is 1 to %(max)s places.", max=MAX_CAPACITY),
        ),
        "offer_hours_range": (
            "offer_hours_out_of_range",
            lambda: _("An offered place is held for 1 to 720 hours."),
        ),
        "within_capacity": (
            "event_full",
            lambda: _("The event has no place left."),
        ),
        "one_venue": (
            "venue_ambiguous",
            lambda: _("An event takes place in a room of the park or at an outside place."),
        ),
    },
)
_register(
    "registrations",
    {
        "status_known": (
            "unknown_registration_status",
            lambda: _("The registration's status is not one of the known ones."),
        ),
        "offer_has_deadline": (
            "offer_without_deadline",
            lambda: _("An offered place has a deadline to accept it."),
        ),
    },
)
constraints.register(
    "uq_registrations_event_id_email",
    "already_registered",
    lambda: _("This e-mail address is registered for the event already."),
)
constraints.register(
    "uq_registrations_secret",
    "registration_secret_taken",
    lambda: _("The registration's link is taken; try again."),
)
