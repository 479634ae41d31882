"""Every change to space: the units of a park and the allocations of units to resident teams.

Two rules hold under concurrency because every write here locks the park row first
(`lock(Park, id)`: SELECT … FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already
serialises writers) and only then reads what it checks:

* the areas of a park's units never exceed the park's area (`park_area_exceeded`);
* two allocations of one unit never overlap (`allocation_overlap`). The database holds this
  one too (`ex_allocations_unit_period`: an exclusion constraint on PostgreSQL, triggers on
  SQLite, migration 0001), so a write that slips past the check still answers 409.

A team leaves its space when it graduates or exits: `_release_space` listens to the team
lifecycle and ends its allocations inside the transaction that changes the status.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opc.core import constraints
from opc.core.db import lock, transaction
from opc.core.errors import NotFound, RuleViolation, ValidationFailed
from opc.core.money import parse_yuan
from opc.parks.models import Park
from opc.space.models import Allocation, Unit, UnitKind
from opc.teams.labels import status_label
from opc.teams.models import Team, TeamStatus
from opc.teams.signals import status_changed

OVERLAP_CONSTRAINT = "ex_allocations_unit_period"
UNIT_FIELDS = ("code", "kind", "floor", "area_m2", "seats", "rent_fen_per_m2")
TWO_PLACES = Decimal("0.01")
MAX_AREA = Decimal("99999999.99")  # Numeric(10, 2)
# Statuses that end a team's residency for good: it gives its space back on that day.
LEAVING = (TeamStatus.GRADUATED, TeamStatus.EXITED)

constraints.register(
    OVERLAP_CONSTRAINT,
    "allocation_overlap",
    lambda: _("The unit is allocated to another team for part of this period."),
)
for _name in ("uq_units_park_id_code", "units.park_id, units.code"):
    constraints.register(
        _name, "unit_code_taken", lambda: _("The park has a unit with this code already.")
    )


# --- units -----------------------------------------------------------------------------


def area(value: Any) -> Decimal:
    """A stored or summed area as an exact Decimal with two places (SQLite sums in floats)."""
    return Decimal(str(value or 0)).quantize(TWO_PLACES)


def _integer(value: Any, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise ValueError(_("Must be a whole number."))
    try:
        number = int(value) if isinstance(value, int) else int(str(value).strip())
    except ValueError as exc:
        raise ValueError(_("Must be a whole number.")) from exc
    if not low <= number <= high:
        raise ValueError(_("Must be between %(low)d and %(high)d.", low=low, high=high))
    return number


def _area_value(value: Any) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation as exc:
        raise ValueError(_("Must be a number of m², e.g. 30.50.")) from exc
    if not number.is_finite():
        raise ValueError(_("Must be a number of m², e.g. 30.50."))
    if number <= 0:
        raise ValueError(_("Must be greater than zero."))
    if number != number.quantize(TWO_PLACES):
        raise ValueError(_("At most two decimals."))
    if number > MAX_AREA:
        raise ValueError(_("Too large."))
    return number.quantize(TWO_PLACES)


def _rent_value(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(_("Must be an amount in yuan, e.g. 80.00."))
    if isinstance(value, int):
        fen = value
    else:
        try:
            fen = parse_yuan(value)
        except ValueError as exc:
            raise ValueError(_("Must be an amount in yuan, e.g. 80.00.")) from exc
    if fen < 0:
        raise ValueError(_("Must not be negative."))
    if fen > 2_000_000_000:
        raise ValueError(_("Too large."))
    return fen


def _code_value(value: Any) -> str:
    code = str(value or "").strip()
    if not code:
        raise ValueError(_("A code is required."))
    if len(code) > 40:
        raise ValueError(_("At most %(n)d characters.", n=40))
    return code


def _kind_value(value: Any) -> str:
    kind = str(value or "").strip()
    if kind not in {k.value for k in UnitKind}:
        known = ", ".join(k.value for k in UnitKind)
        raise ValueError(_("Unknown kind. Known: %(known)s.", known=known))
    return kind


_CLEANERS: dict[str, Callable[[Any], Any]] = {
    "code": _code_value,
    "kind": _kind_value,
    "floor": lambda v: _integer(v, -20, 500),
    "area_m2": _area_value,
    "seats": lambda v: _integer(v, 0, 100_000),
    # Monthly rent per m²: fen as an int, or yuan as text/Decimal ("80.00").
    "rent_fen_per_m2": _rent_value,
}
_DEFAULTS = {"seats": 0, "rent_fen_per_m2": 0}


def clean_unit(values: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Checked unit values; ValidationFailed names every bad field at once.

    With `partial` only the given keys are checked (an edit); otherwise code, kind, floor
    and area are required and seats and rent default to 0.
    """
    unknown = set(values) - set(UNIT_FIELDS)
    if unknown:
        raise ValidationFailed({k: [_("Unknown field.")] for k in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for key in UNIT_FIELDS:
        if key not in values or values[key] is None or values[key] == "":
            if partial and key not in values:
                continue
            if key in _DEFAULTS:
                cleaned[key] = _DEFAULTS[key]
                continue
            errors[key] = [_("This field is required.")]
            continue
        try:
            cleaned[key] = _CLEANERS[key](values[key])
        except ValueError as exc:
            errors[key] = [str(exc)]
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def units_area(session: Session, park_id: int, *, exclude_unit_id: int | None = None) -> Decimal:
    """The area the park's units cover (lock the park row before relying on it)."""
    stmt = select(func.coalesce(func.sum(Unit.area_m2), 0)).where(Unit.park_id == park_id)
    if exclude_unit_id is not None:
        stmt = stmt.where(Unit.id != exclude_unit_id)
    return area(session.scalar(stmt))


def park_area_exceeded(park: Park, in_use: Decimal, adding: Decimal) -> RuleViolation:
    """The refusal when `adding` m² more would not fit into the park's area."""
    return RuleViolation(
        "park_area_exceeded",
        _(
            "%(park)s has %(total)s m²; its units cover %(used)s m² already, so %(area)s m² "
            "more does not fit.",
            park=park.name_zh,
            total=area(park.total_area_m2),
            used=in_use,
            area=adding,
        ),
        fields={"area_m2": [_("Not enough free area in the park.")]},
        conflict={
            "park_id": park.id,
            "park": park.name_zh,
            "total_area_m2": str(area(park.total_area_m2)),
            "in_use_m2": str(in_use),
            "requested_m2": str(adding),
        },
    )


def _check_fits(session: Session, park: Park, adding: Decimal, exclude: int | None = None) -> None:
    in_use = units_area(session, park.id, exclude_unit_id=exclude)
    if in_use + adding > area(park.total_area_m2):
        raise park_area_exceeded(park, in_use, adding)


def _check_code_free(session: Session, park_id: int, code: str, exclude: int | None = None) -> None:
    stmt = select(Unit.id).where(Unit.park_id == park_id, Unit.code == code)
    if exclude is not None:
        stmt = stmt.where(Unit.id != exclude)
    if session.scalar(stmt):
        message = _("The park has a unit with code %(code)s already.", code=code)
        raise RuleViolation(
            "unit_code_taken",
            message,
            fields={"code": [message]},
            conflict={"park_id": park_id, "code": code},
        )


def locked_park(park_id: int) -> Park:
    """The park, its row locked (sums of its units' area depend on it); 422 when unknown."""
    park = lock(Park, park_id)
    if park is None:
        raise ValidationFailed({"park_id": [_("No such park.")]})
    return park


def create_unit(park_id: int, *, actor: Any, **values: Any) -> Unit:
    """Add a unit to a park; its area must fit into what the park's units leave free."""
    cleaned = clean_unit(values)
    with transaction(actor) as session:
        park = locked_park(park_id)
        _check_code_free(session, park.id, cleaned["code"])
        _check_fits(session, park, cleaned["area_m2"])
        unit = Unit(park_id=park.id, **cleaned)
        session.add(unit)
        session.flush()
    return unit


def _locked_unit(session: Session, unit_id: int) -> tuple[Unit, Park]:
    """The unit and its park, the park row locked first, the unit read after the lock."""
    park_id = (
        session.scalar(select(Unit.park_id).where(Unit.id == unit_id))
        if isinstance(unit_id, int)
        else None
    )
    if park_id is None:
        raise NotFound("not_found", _("Not found."))
    park = locked_park(park_id)
    unit = session.get(Unit, unit_id, populate_existing=True)
    if unit is None:
        raise NotFound("not_found", _("Not found."))
    return unit, park


def update_unit(unit: Unit, *, actor: Any, **values: Any) -> Unit:
    """Change a unit; a larger area must still fit into the park's area."""
    cleaned = clean_unit(values, partial=True)
    with transaction(actor) as session:
        unit, park = _locked_unit(session, unit.id)
        if "code" in cleaned and cleaned["code"] != unit.code:
            _check_code_free(session, park.id, cleaned["code"], exclude=unit.id)
        if "area_m2" in cleaned and cleaned["area_m2"] > area(unit.area_m2):
            _check_fits(session, park, cleaned["area_m2"], exclude=unit.id)
        for key, value in cleaned.items():
            setattr(unit, key, value)
        session.flush()
    return unit


def delete_unit(unit: Unit, *, actor: Any) -> None:
    """Remove a unit that was never allocated (an allocated one is kept for the record)."""
    with transaction(actor) as session:
        unit, _park = _locked_unit(session, unit.id)
        held = session.scalar(
            select(func.count()).select_from(Allocation).where(Allocation.unit_id == unit.id)
        )
        if held:
            raise RuleViolation(
                "unit_in_use",
                _(
                    "Unit %(code)s has been allocated (%(n)d times); it is kept for the record.",
                    code=unit.code,
                    n=held,
                ),
                conflict={"unit_id": unit.id, "allocations": held},
            )
        session.delete(unit)


# --- allocations -----------------------------------------------------------------------


def _check_period(start: Any, end: Any, field: str = "end") -> None:
    errors: dict[str, list[str]] = {}
    if not isinstance(start, date):
        errors["start"] = [_("A start date is required.")]
    if end is not None and not isinstance(end, date):
        errors[field] = [_("Not a date.")]
    if not errors and end is not None and end <= start:
        errors[field] = [_("The end must be after the start (%(d)s).", d=start.isoformat())]
    if errors:
        raise ValidationFailed(errors)


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


def overlap_violation(other: Allocation | None) -> RuleViolation:
    """409 allocation_overlap naming the allocation that holds the unit."""
    if other is None:
        return RuleViolation(
            "allocation_overlap",
            _("The unit is allocated to another team for part of this period."),
        )
    team = other.team
    until = other.end.isoformat() if other.end else _("open end")
    return RuleViolation(
        "allocation_overlap",
        _(
            "Unit %(unit)s is allocated to %(team)s from %(start)s to %(end)s.",
            unit=other.unit.code,
            team=team.name_zh,
            start=other.start.isoformat(),
            end=until,
        ),
        conflict={
            "allocation_id": other.id,
            "team_id": other.team_id,
            "team": team.name_zh,
            "unit_id": other.unit_id,
            "start": other.start.isoformat(),
            "end": other.end.isoformat() if other.end else None,
        },
    )


def _check_free(
    session: Session, unit_id: int, start: date, end: date | None, exclude: tuple[int, ...] = ()
) -> None:
    other = overlapping(session, unit_id, start, end, exclude)
    if other is not None:
        raise overlap_violation(other)


@contextmanager
def _guarded(
    session: Session, unit_id: int, start: date, end: date | None, exclude: tuple[int, ...] = ()
) -> Iterator[None]:
    """Write in a savepoint; the database's overlap rule becomes allocation_overlap (409).

    Reached only when a write got past the checks (it should not, with the park locked):
    the savepoint keeps the transaction usable to name the conflicting allocation. Make the
    changes inside the block: what is pending before it is flushed outside the savepoint.
    """
    try:
        with session.begin_nested():
            yield
    except IntegrityError as exc:
        if OVERLAP_CONSTRAINT not in str(exc.orig):
            raise
        raise overlap_violation(overlapping(session, unit_id, start, end, exclude)) from exc


def _resident_team(session: Session, team_id: Any, park: Park) -> Team:
    """The team, when it is resident in the park of the unit (read after the park lock)."""
    team = session.get(Team, team_id, populate_existing=True) if isinstance(team_id, int) else None
    if team is None:
        raise ValidationFailed({"team_id": [_("No such team.")]})
    if team.park_id != park.id:
        reason = _("The unit is not in the team's park (it is in %(park)s).", park=park.name_zh)
        raise ValidationFailed({"unit_id": [reason]})
    if team.status != TeamStatus.RESIDENT:
        raise RuleViolation(
            "team_not_resident",
            _(
                "%(team)s is %(status)s: only resident teams hold space.",
                team=team.name_zh,
                status=status_label(team.status),
            ),
            conflict={"team_id": team.id, "status": team.status},
        )
    return team


def allocate(
    *, actor: Any, team_id: int, unit_id: int, start: date, end: date | None = None
) -> Allocation:
    """A resident team holds a unit of its park for [start, end) (end None: open)."""
    _check_period(start, end)
    with transaction(actor) as session:
        try:
            unit, park = _locked_unit(session, unit_id)
        except NotFound as exc:  # a unit named in the input: a field error, not a 404
            raise ValidationFailed({"unit_id": [_("No such unit.")]}) from exc
        team = _resident_team(session, team_id, park)
        _check_free(session, unit.id, start, end)
        allocation = Allocation(team_id=team.id, unit_id=unit.id, start=start, end=end)
        with _guarded(session, unit.id, start, end):
            session.add(allocation)
    return allocation


def _locked_allocation(session: Session, allocation_id: int) -> tuple[Allocation, Park]:
    unit_id = session.scalar(select(Allocation.unit_id).where(Allocation.id == allocation_id))
    if unit_id is None:
        raise NotFound("not_found", _("Not found."))
    _unit, park = _locked_unit(session, unit_id)
    allocation = session.get(Allocation, allocation_id, populate_existing=True)
    if allocation is None:
        raise NotFound("not_found", _("Not found."))
    return allocation, park


def end_allocation(allocation: Allocation, *, actor: Any, end: date) -> Allocation:
    """Set the day the team gives the unit back (exclusive): shortening, or extending if free."""
    with transaction(actor) as session:
        allocation, _park = _locked_allocation(session, allocation.id)
        _check_period(allocation.start, end)
        if allocation.end is None or end > allocation.end:
            _check_free(session, allocation.unit_id, allocation.start, end, (allocation.id,))
        with _guarded(session, allocation.unit_id, allocation.start, end, (allocation.id,)):
            allocation.end = end
    return allocation


def move(allocation: Allocation, *, actor: Any, unit_id: int, on: date) -> Allocation:
    """Move the team to another unit on `on`: this allocation ends, a new one starts, at once.

    The new allocation keeps the old one's end. Both writes are one transaction: if the new
    unit is not free, the team keeps its old one.
    """
    with transaction(actor) as session:
        allocation, park = _locked_allocation(session, allocation.id)
        target = session.get(Unit, unit_id) if isinstance(unit_id, int) else None
        if target is None:
            raise ValidationFailed({"unit_id": [_("No such unit.")]})
        if target.park_id != park.id:
            raise ValidationFailed({"unit_id": [_("The unit is in another park.")]})
        if target.id == allocation.unit_id:
            raise ValidationFailed({"unit_id": [_("The team holds this unit already.")]})
        if not isinstance(on, date) or not (
            allocation.start < on and (allocation.end is None or on < allocation.end)
        ):
            raise ValidationFailed(
                {"on": [_("The move must fall after the allocation's start and before its end.")]}
            )
        team = _resident_team(session, allocation.team_id, park)
        until = allocation.end
        _check_free(session, target.id, on, until)
        moved = Allocation(team_id=team.id, unit_id=target.id, start=on, end=until)
        with _guarded(session, target.id, on, until, (allocation.id,)):
            allocation.end = on
            session.add(moved)
    return moved


def release_team_space(team_id: int, on: date, *, actor: Any) -> int:
    """End the team's allocations on `on`; ones that would only start later are withdrawn.

    Returns how many allocations changed. Joins the caller's transaction.
    """
    with transaction(actor) as session:
        held = session.scalars(
            select(Allocation).where(Allocation.team_id == team_id, Allocation.shares_days(on))
        ).all()
        for allocation in held:
            if allocation.start >= on:
                session.delete(allocation)  # never began: the audit log keeps it
            else:
                allocation.end = on
        session.flush()
    return len(held)


@status_changed.connect
def _release_space(team: Team, **kw: Any) -> None:
    """A team that graduates or exits gives its space back on the day of the step."""
    if kw.get("to_status") in LEAVING:
        release_team_space(team.id, kw["on"], actor=kw.get("actor"))
