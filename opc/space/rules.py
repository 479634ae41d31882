"""The one home of space's rules: a park's units fit its area; a unit's allocations never
overlap. Operations, imports and the park's resizing all ask here.

The database holds the overlap rule too (`ex_allocations_unit_period`: an exclusion
constraint on PostgreSQL, triggers on SQLite, migration 0001), so a write that slips past
the check still answers 409.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opc.core.dates import ONE_DAY, format_day
from opc.core.errors import RuleViolation
from opc.extensions import db
from opc.parks.models import Park
from opc.space.models import Allocation, Unit

OVERLAP_CONSTRAINT = "ex_allocations_unit_period"
TWO_PLACES = Decimal("0.01")


def area(value: Any) -> Decimal:
    """A stored or summed area as an exact Decimal with two places (SQLite sums in floats)."""
    return Decimal(str(value or 0)).quantize(TWO_PLACES)


def units_area(session: Session, park_id: int, *, exclude_unit_id: int | None = None) -> Decimal:
    """The area the park's units cover (lock the park row before relying on it)."""
    stmt = select(func.coalesce(func.sum(Unit.area_m2), 0)).where(Unit.park_id == park_id)
    if exclude_unit_id is not None:
        stmt = stmt.where(Unit.id != exclude_unit_id)
    return area(session.scalar(stmt))


def park_area_exceeded(
    park: Park, in_use: Decimal, adding: Decimal, total: Decimal | None = None
) -> RuleViolation:
    """The refusal when `adding` m² more would not fit into the park's area (or `total`)."""
    total = area(park.total_area_m2 if total is None else total)
    return RuleViolation(
        "park_area_exceeded",
        _(
            "%(park)s has %(total)s m²; its units cover %(used)s m² already, so %(area)s m² "
            "more does not fit.",
            park=park.name_zh,
            total=total,
            used=in_use,
            area=adding,
        ),
        fields={"area_m2": [_("Not enough free area in the park.")]},
        conflict={
            "park_id": park.id,
            "park": park.name_zh,
            "total_area_m2": str(total),
            "in_use_m2": str(in_use),
            "requested_m2": str(adding),
        },
    )


def check_fits(
    session: Session,
    park: Park,
    adding: Decimal,
    *,
    exclude: int | None = None,
    total: Decimal | None = None,
) -> None:
    """The park's units plus `adding` m² fit its area (or a new `total`); else 409
    park_area_exceeded. Lock the park row first."""
    in_use = units_area(session, park.id, exclude_unit_id=exclude)
    if in_use + adding > area(park.total_area_m2 if total is None else total):
        raise park_area_exceeded(park, in_use, adding, total)


def check_area_on_resize(park: Park, *, total_area_m2: Any = None, **_values: Any) -> None:
    """A park's new area must hold its units (receiver of opc.parks.signals.resizing)."""
    if total_area_m2 is not None:
        check_fits(db.session, park, Decimal(0), total=Decimal(str(total_area_m2)))


def overlapping(
    session: Session, unit_id: int, start: date, end: date | None, exclude: tuple[int, ...] = ()
) -> Allocation | None:
    """The first allocation of the unit that shares a day with [start, end)."""
    stmt = select(Allocation).where(
        Allocation.unit_id == unit_id, Allocation.shares_days(start, end)
    )
    if exclude:
        stmt = stmt.where(Allocation.id.not_in(exclude))
    return session.scalars(stmt.order_by(Allocation.start).limit(1)).first()


def free_from(
    session: Session, unit_id: int, day: date, exclude: tuple[int, ...] = ()
) -> date | None:
    """The first day from `day` on which no allocation holds the unit (following
    allocations that start as the one before ends); None when one without an end holds it."""
    stmt = select(Allocation.start, Allocation.end).where(
        Allocation.unit_id == unit_id, Allocation.shares_days(day)
    )
    if exclude:
        stmt = stmt.where(Allocation.id.not_in(exclude))
    for start, end in session.execute(stmt.order_by(Allocation.start)).tuples():
        if start > day:
            break  # a gap: the unit is free on `day`
        if end is None:
            return None
        day = max(day, end)
    return day


def overlap_violation(
    session: Session,
    other: Allocation | None,
    start: date,
    refusal: str | None = None,
    exclude: tuple[int, ...] = (),
) -> RuleViolation:
    """409 allocation_overlap naming the allocation that holds the unit, its last day and
    the day the unit is free again (or, when it starts later, the last day it is free).

    `refusal` says what did not happen ("Not allocated", the default; "Not moved" …);
    `start` is the first day asked for. Ends are shown as the last day held, as pages do.
    """
    refusal = refusal or _("Not allocated")
    if other is None:
        return RuleViolation(
            "allocation_overlap",
            _(
                "%(refusal)s: the unit is allocated to another team for part of this period.",
                refusal=refusal,
            ),
        )
    names = {"refusal": refusal, "unit": other.unit.code, "team": other.team.name_zh}
    free = None
    if other.start > start:
        message = _(
            "%(refusal)s: %(unit)s is free only until %(free_until)s; %(team)s holds it from "
            "%(start)s.",
            free_until=format_day(other.start - ONE_DAY),
            start=format_day(other.start),
            **names,
        )
    elif other.end is None:
        message = _("%(refusal)s: %(unit)s is held by %(team)s with no end date.", **names)
    else:
        last = format_day(other.end - ONE_DAY)
        free = free_from(session, other.unit_id, other.end, exclude)
        if free is None:
            message = _(
                "%(refusal)s: %(unit)s is held by %(team)s until %(last)s, then allocated "
                "with no end date.",
                last=last,
                **names,
            )
        else:
            message = _(
                "%(refusal)s: %(unit)s is held by %(team)s until %(last)s; it is free from "
                "%(free)s.",
                last=last,
                free=format_day(free),
                **names,
            )
    return RuleViolation(
        "allocation_overlap",
        message,
        conflict={
            "allocation_id": other.id,
            "team_id": other.team_id,
            "team": other.team.name_zh,
            "unit_id": other.unit_id,
            "start": other.start.isoformat(),
            "end": other.end.isoformat() if other.end else None,
            "free_from": free.isoformat() if free else None,
        },
    )
