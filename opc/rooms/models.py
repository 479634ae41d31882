"""Shared rooms and their bookings.

A *room* is a unit of the park that may be booked by the hour (a meeting room, the roadshow
hall, a studio for shoots): any unit with a `rooms` row, usually of kind `shared_room`. The
row holds its opening hours (minutes from midnight in the park's timezone, on the weekdays
of `weekdays`, a bit per day, Monday = 1), the booking slot length, who may book it and each
team's monthly quota of free hours; beyond the quota a booking costs `rate_fen_per_hour`
(charged on the team's rent statement), or is refused when the room has no rate.

A *booking* holds a room for [starts_at, ends_at) (UTC instants). Two confirmed bookings of
one room never overlap — an event that takes place in a room holds it through a booking too
(`event_id`) — enforced by the database: on PostgreSQL an exclusion constraint over a
`tstzrange`, on SQLite triggers (migration 0020). A cancelled booking keeps its row and
stops blocking.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from opc.core import constraints
from opc.core.db import UTCDateTime
from opc.core.models import Audited, CreatedMixin
from opc.extensions import db

if TYPE_CHECKING:
    from opc.auth.models import User
    from opc.space.models import Unit
    from opc.teams.models import Team


class BookableBy(StrEnum):
    RESIDENTS = "residents"  # the park's resident teams and its staff
    STAFF = "staff"  # staff only (e.g. the roadshow hall, booked for teams by staff)


class BookingStatus(StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


ALL_WEEKDAYS = 0b1111111
WORKDAYS = 0b0011111  # Monday to Friday
MAX_REASON = 500


class Room(Audited, CreatedMixin, db.Model):
    __tablename__ = "rooms"
    __table_args__ = (
        CheckConstraint(
            "opens_minute >= 0 AND closes_minute <= 1440 AND closes_minute > opens_minute",
            name="hours_in_day",
        ),
        CheckConstraint("slot_minutes BETWEEN 15 AND 480", name="slot_range"),
        CheckConstraint("weekdays BETWEEN 1 AND 127", name="weekdays_range"),
        CheckConstraint("free_hours_per_month >= 0", name="quota_not_negative"),
        CheckConstraint(
            "rate_fen_per_hour IS NULL OR rate_fen_per_hour >= 0", name="rate_not_negative"
        ),
        CheckConstraint("bookable_by IN ('residents', 'staff')", name="bookable_by_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), unique=True)
    # The unit's park, kept here for the permission rules and the park's lists.
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"), index=True)
    opens_minute: Mapped[int] = mapped_column(SmallInteger, default=9 * 60)
    closes_minute: Mapped[int] = mapped_column(SmallInteger, default=21 * 60)
    weekdays: Mapped[int] = mapped_column(SmallInteger, default=ALL_WEEKDAYS)
    slot_minutes: Mapped[int] = mapped_column(SmallInteger, default=30)
    bookable_by: Mapped[str] = mapped_column(String(16), default=BookableBy.RESIDENTS)
    free_hours_per_month: Mapped[int] = mapped_column(Integer, default=0)
    # None: no booking beyond the free quota.
    rate_fen_per_hour: Mapped[int | None] = mapped_column(BigInteger)
    # A room that is not bookable any more keeps its bookings.
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    unit: Mapped[Unit] = relationship()

    def open_on(self, weekday: int) -> bool:
        """Whether the room opens on `weekday` (date.weekday(): Monday = 0)."""
        return bool(self.weekdays >> weekday & 1)

    def __repr__(self) -> str:
        return f"<Room {self.id} unit={self.unit_id}>"


class Booking(Audited, CreatedMixin, db.Model):
    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("status IN ('confirmed', 'cancelled')", name="status_known"),
        CheckConstraint("charged_minutes >= 0 AND charge_fen >= 0", name="charge_not_negative"),
        # A team's booking or an event's reservation (or staff's own: neither).
        CheckConstraint("team_id IS NULL OR event_id IS NULL", name="team_or_event"),
        Index("ix_bookings_unit_id_starts_at", "unit_id", "starts_at"),
        Index("ix_bookings_team_id_month", "team_id", "month"),
        Index("ix_bookings_event_id", "event_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The park-local month of the start (YYYY-MM): the team's quota counts per month.
    month: Mapped[str] = mapped_column(String(7))
    title: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default=BookingStatus.CONFIRMED)
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The minutes beyond the team's free quota and what they cost (rate × hours, in fen),
    # fixed when booked; the rent statement of `month` charges confirmed bookings' charges.
    charged_minutes: Mapped[int] = mapped_column(Integer, default=0)
    charge_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    cancel_reason: Mapped[str] = mapped_column(Text, default="")

    unit: Mapped[Unit] = relationship()
    team: Mapped[Team | None] = relationship()
    booked_by: Mapped[User | None] = relationship(foreign_keys=[booked_by_id])

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    def __repr__(self) -> str:
        return f"<Booking {self.id} unit={self.unit_id} [{self.starts_at}, {self.ends_at})>"


def _register(table: str, rules: dict[str, tuple[str, Any]]) -> None:
    for name, (code, message) in rules.items():
        constraints.register(f"ck_{table}_{name}", code, message)


_register(
    "rooms",
    {
        "hours_in_day": (
            "opening_hours_invalid",
            lambda: _("A room closes after it opens, within one day."),
        ),
        "slot_range": (
            "slot_out_of_range",
            lambda: _("A booking slot is 15 minutes to 8 hours long."),
        ),
        "weekdays_range": ("weekdays_invalid", lambda: _("A room opens on at least one day.")),
        "quota_not_negative": (
            "quota_negative",
            lambda: _("The free hours per month must not be negative."),
        ),
        "rate_not_negative": ("rate_negative", lambda: _("The rate must not be negative.")),
        "bookable_by_known": (
            "unknown_bookable_by",
            lambda: _("Who may book the room is not one of the known choices."),
        ),
    },
)
_register(
    "bookings",
    {
        "ends_after_start": ("end_before_start", lambda: _("The end must be after the start.")),
        "status_known": (
            "unknown_booking_status",
            lambda: _("The booking's status is not one of the known ones."),
        ),
        "charge_not_negative": (
            "charge_negative",
            lambda: _("A booking's charge must not be negative."),
        ),
        "team_or_event": (
            "booking_team_and_event",
            lambda: _("A booking is for a team or for an event, not both."),
        ),
    },
)
constraints.register(
    "uq_rooms_unit_id", "room_exists", lambda: _("This unit is a bookable room already.")
)
constraints.register(
    "ex_bookings_unit_period",
    "room_taken",
    lambda: _("The room is booked for part of this time."),
)
