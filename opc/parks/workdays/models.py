"""A park's working-calendar years and the days admins decided themselves (overrides).

A `CalendarYear` row exists for every year a park has overrides in or that an admin marked
complete ("every holiday and adjusted working day of this year is entered": how a year the
`chinesecalendar` package does not know yet becomes known). Its overrides hang from it, so
that one joined query loads a park's whole calendar.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from opc.core import constraints
from opc.core.models import Audited, CreatedMixin
from opc.extensions import db

MAX_NOTE = 200


class CalendarYear(Audited, CreatedMixin, db.Model):
    __tablename__ = "calendar_years"
    __table_args__ = (UniqueConstraint("park_id", "year", name="uq_calendar_years_park_id_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id", ondelete="CASCADE"))
    year: Mapped[int]
    complete: Mapped[bool] = mapped_column(default=False)

    overrides: Mapped[list[CalendarOverride]] = relationship(
        back_populates="calendar_year", order_by="CalendarOverride.day"
    )

    def __repr__(self) -> str:
        return f"<CalendarYear park={self.park_id} {self.year}>"


class CalendarOverride(Audited, CreatedMixin, db.Model):
    __tablename__ = "calendar_overrides"
    __table_args__ = (
        UniqueConstraint("year_id", "day", name="uq_calendar_overrides_year_id_day"),
        CheckConstraint("kind IN ('off', 'working', 'half')", name="kind_known"),
        CheckConstraint("works_until > 0 AND works_until < 1440", name="half_day_end_in_day"),
        CheckConstraint(
            "(kind = 'half' AND works_until IS NOT NULL)"
            " OR (kind <> 'half' AND works_until IS NULL)",
            name="half_day_has_end",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(
        ForeignKey("calendar_years.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date]
    kind: Mapped[str] = mapped_column(String(10))
    # A half day's end as minutes after midnight (the audit log stores numbers, not times).
    works_until: Mapped[int | None]
    note: Mapped[str] = mapped_column(String(MAX_NOTE), default="")

    calendar_year: Mapped[CalendarYear] = relationship(back_populates="overrides")

    def __repr__(self) -> str:
        return f"<CalendarOverride {self.day} {self.kind}>"


constraints.register(
    "uq_calendar_years_park_id_year",
    "calendar_year_exists",
    lambda: _("The park's calendar has this year already. Please try again."),
)
constraints.register(
    "uq_calendar_overrides_year_id_day",
    "override_exists",
    lambda: _("This day has an override already: remove it first."),
)
constraints.register(
    "ck_calendar_overrides_kind_known",
    "override_kind_unknown",
    lambda: _("An override makes a day off, working or a half day."),
)
constraints.register(
    "ck_calendar_overrides_half_day_end_in_day",
    "half_day_end_outside_day",
    lambda: _("A half day ends within the day."),
)
constraints.register(
    "ck_calendar_overrides_half_day_has_end",
    "half_day_needs_end",
    lambda: _("A half day needs the time work stops, and only a half day has one."),
)
