"""Space units of a park and the allocations of units to resident teams."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlalchemy import (
    BindParameter,
    CheckConstraint,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Subquery,
    UniqueConstraint,
    select,
    union_all,
)
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from opc.core import constraints
from opc.core.models import Audited, CreatedMixin
from opc.extensions import db

if TYPE_CHECKING:
    from opc.parks.models import Park
    from opc.teams.models import Team


class UnitKind(StrEnum):
    STUDIO = "studio"
    OFFICE = "office"
    DESK_AREA = "desk_area"
    LAB = "lab"
    ZONE = "zone"
    SHARED_ROOM = "shared_room"


class Unit(Audited, CreatedMixin, db.Model):
    __tablename__ = "units"
    __table_args__ = (
        UniqueConstraint("park_id", "code", name="uq_units_park_id_code"),
        CheckConstraint("area_m2 > 0", name="area_positive"),
        CheckConstraint("seats >= 0", name="seats_not_negative"),
        CheckConstraint("rent_fen_per_m2 >= 0", name="rent_not_negative"),
        CheckConstraint(
            "kind IN ('studio', 'office', 'desk_area', 'lab', 'zone', 'shared_room')",
            name="kind_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16))
    floor: Mapped[int]
    area_m2: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    seats: Mapped[int] = mapped_column(default=0)
    # Monthly rent per m², in fen.
    rent_fen_per_m2: Mapped[int] = mapped_column(default=0)

    park: Mapped[Park] = relationship()

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


class Allocation(Audited, CreatedMixin, db.Model):
    """A team holds a unit for [start, end); end None is open.

    On PostgreSQL the exclusion constraint `ex_allocations_unit_period` (migration
    0001) refuses overlapping periods of one unit; on SQLite a trigger does.
    """

    __tablename__ = "allocations"
    __table_args__ = (
        CheckConstraint('"end" IS NULL OR "end" > start', name="end_after_start"),
        Index("ix_allocations_unit_id_start", "unit_id", "start"),
        # "Held on day D" = start <= D and (end IS NULL or end > D); written as two queries
        # (end IS NULL / end > D) each of which this index answers without a scan.
        Index("ix_allocations_unit_id_end", "unit_id", "end"),
        # Lists show newest first: read in index order instead of sorting the history.
        Index("ix_allocations_start", "start"),
        Index("ix_allocations_end", "end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)

    team: Mapped[Team] = relationship()
    unit: Mapped[Unit] = relationship()

    @property
    def park_id(self) -> int:
        """The park of the allocated unit (permission rules ask records for their park)."""
        return self.unit.park_id

    @hybrid_method
    def holds_on(self, day: date) -> bool:
        """Whether the team holds the unit on `day`: start <= day < end (end None is open)."""
        return self.start <= day and (self.end is None or day < self.end)

    @holds_on.inplace.expression
    @classmethod
    def _holds_on_sql(cls, day: date) -> ColumnElement[bool]:
        """The same in SQL: Allocation.holds_on(day) in a WHERE clause.

        `end IS NULL OR end > day` as one condition makes the planner walk a unit's whole
        history; as a union of two index ranges (ix_allocations_end) it reads only the
        allocations still running, evaluated once per statement.
        """
        running = (
            select(cls.id).where(cls.end.is_(None)).union_all(select(cls.id).where(cls.end > day))
        )
        return (cls.start <= day) & cls.id.in_(running)

    @classmethod
    def held_on(cls, day: date | BindParameter[date]) -> Subquery:
        """The allocations held on `day` (a date or a bindparam), as a subquery to join: its
        columns are id, team_id, unit_id and end.

        Its rows come from two index ranges of ix_allocations_end (open-ended, ending after
        the day), so a join costs what is running, not the history: joining units to
        allocations `ON unit_id = units.id AND holds_on(day)` reads every allocation a unit
        ever had (SQLite walks ix_allocations_unit_id_start, PostgreSQL scans the table).
        """
        columns = (cls.id, cls.team_id, cls.unit_id, cls.end)
        return union_all(
            select(*columns).where(cls.end.is_(None), cls.start <= day),
            select(*columns).where(cls.end > day, cls.start <= day),
        ).subquery("held")

    @classmethod
    def shares_days(cls, start: date, end: date | None = None) -> ColumnElement[bool]:
        """In SQL: the allocation shares a day with [start, end) (end None: from start on)."""
        clause = cls.end.is_(None) | (cls.end > start)
        return clause & (cls.start < end) if end is not None else clause

    def __repr__(self) -> str:
        return f"<Allocation unit={self.unit_id} team={self.team_id} [{self.start}, {self.end})>"


# What the constraints above refuse, when a race gets past the checks (opc.core.constraints).
constraints.register(
    "uq_units_park_id_code",
    "unit_code_taken",
    lambda: _("The park has a unit with this code already."),
)
constraints.register(
    "ck_units_area_positive", "area_not_positive", lambda: _("The area must be greater than zero.")
)
constraints.register(
    "ck_units_seats_not_negative",
    "seats_negative",
    lambda: _("The number of seats must not be negative."),
)
constraints.register(
    "ck_units_rent_not_negative", "rent_negative", lambda: _("The rent must not be negative.")
)
constraints.register(
    "ck_units_kind_known",
    "unknown_unit_kind",
    lambda: _("The kind of unit is not one of the known kinds."),
)
constraints.register(
    "ck_allocations_end_after_start",
    "end_before_start",
    lambda: _("The end must be after the start."),
)
constraints.register(
    "ex_allocations_unit_period",
    "allocation_overlap",
    lambda: _("The unit is allocated to another team for part of this period."),
)
