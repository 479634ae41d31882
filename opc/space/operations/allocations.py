"""Allocations: a resident team holds a unit of its park for [start, end).

Every write locks the park row first and only then reads what it checks, so two staff
members allocating the same unit at once get one allocation and one clear refusal.
A team leaves its space when it graduates or exits: `release_on_leaving` listens to the
team lifecycle and ends its allocations inside the transaction that changes the status.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opc.core import constraints
from opc.core.dates import check_dates, format_day, local_today
from opc.core.db import retrying, transaction
from opc.core.errors import NotFound, RuleViolation, ValidationFailed
from opc.core.permissions import require_actor
from opc.core.values import is_id
from opc.parks.models import Park
from opc.space.models import Allocation, Unit
from opc.space.operations.units import _locked_unit
from opc.space.permissions import can_allocate
from opc.space.rules import OVERLAP_CONSTRAINT, overlap_violation, overlapping
from opc.teams.labels import status_label
from opc.teams.models import Team, TeamStatus
from opc.teams.rules import check_residency

# Statuses that end a team's residency for good: it gives its space back on that day.
LEAVING = (TeamStatus.GRADUATED, TeamStatus.EXITED)


def _check_period(start: Any, end: Any, field: str = "end") -> None:
    errors: dict[str, list[str]] = {}
    if not isinstance(start, date):
        errors["start"] = [_("A start date is required.")]
    if end is not None and not isinstance(end, date):
        errors[field] = [_("Not a date.")]
    if not errors and end is not None and end <= start:
        errors[field] = [_("The end must be after the start (%(d)s).", d=format_day(start))]
    if errors:
        raise ValidationFailed(errors)


def _check_free(
    session: Session,
    unit_id: int,
    start: date,
    end: date | None,
    exclude: tuple[int, ...] = (),
    refusal: str | None = None,
) -> None:
    other = overlapping(session, unit_id, start, end, exclude)
    if other is not None:
        raise overlap_violation(session, other, start, refusal, exclude)


@contextmanager
def _guarded(
    session: Session,
    unit_id: int,
    start: date,
    end: date | None,
    exclude: tuple[int, ...] = (),
    refusal: str | None = None,
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
        if constraints.constraint_name(exc) != OVERLAP_CONSTRAINT:
            raise
        other = overlapping(session, unit_id, start, end, exclude)
        raise overlap_violation(session, other, start, refusal, exclude) from exc


def _resident_team(session: Session, team_id: Any, park: Park) -> Team:
    """The team, when it is resident in the park of the unit (read after the park lock)."""
    team = session.get(Team, team_id, populate_existing=True) if is_id(team_id) else None
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


@retrying
def allocate(
    *, actor: Any, team_id: int, unit_id: int, start: date, end: date | None = None
) -> Allocation:
    """A resident team holds a unit of its park for [start, end) (end None: open)."""
    check_dates(start=start, end=end)
    _check_period(start, end)
    with transaction(actor) as session:
        try:
            unit, park = _locked_unit(session, unit_id)
        except NotFound as exc:  # a unit named in the input: a field error, not a 404
            raise ValidationFailed({"unit_id": [_("No such unit.")]}) from exc
        require_actor(can_allocate, actor, unit)
        team = _resident_team(session, team_id, park)
        check_residency(session, team, start, end)
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


@retrying
def end_allocation(allocation: Allocation, *, actor: Any, end: date) -> Allocation:
    """Set the day the team gives the unit back (exclusive): shortening, or extending if free."""
    check_dates(end=end)
    with transaction(actor) as session:
        allocation, park = _locked_allocation(session, allocation.id)
        require_actor(can_allocate, actor, park)
        _check_period(allocation.start, end)
        check_residency(session, allocation.team, None, end)
        mine = (allocation.id,)
        if allocation.end is None or end > allocation.end:
            _check_free(session, allocation.unit_id, allocation.start, end, mine, _("Not extended"))
        with _guarded(session, allocation.unit_id, allocation.start, end, mine, _("Not extended")):
            allocation.end = end
    return allocation


@retrying
def cancel_allocation(allocation: Allocation, *, actor: Any) -> None:
    """Withdraw an allocation that has not started yet (its start is after the park's
    today): deleted, the audit log keeps it. One that has started is ended instead (409
    allocation_started), so the days it was held stay on the record and in the rent."""
    with transaction(actor) as session:
        allocation, park = _locked_allocation(session, allocation.id)
        require_actor(can_allocate, actor, park)
        today = local_today(park.timezone)
        if allocation.start <= today:
            raise RuleViolation(
                "allocation_started",
                _(
                    "The allocation began on %(d)s: it can be ended, not cancelled.",
                    d=format_day(allocation.start),
                ),
                conflict={"allocation_id": allocation.id, "start": allocation.start.isoformat()},
            )
        session.delete(allocation)


@retrying
def move(allocation: Allocation, *, actor: Any, unit_id: int, on: date) -> Allocation:
    """Move the team to another unit on `on`: this allocation ends, a new one starts, at once.

    The new allocation keeps the old one's end. Both writes are one transaction: if the new
    unit is not free, the team keeps its old one.
    """
    with transaction(actor) as session:
        allocation, park = _locked_allocation(session, allocation.id)
        require_actor(can_allocate, actor, park)
        target = session.get(Unit, unit_id) if is_id(unit_id) else None
        if target is None:
            raise ValidationFailed({"unit_id": [_("No such unit.")]})
        if target.park_id != park.id:
            raise ValidationFailed({"unit_id": [_("The unit is in another park.")]})
        if target.id == allocation.unit_id:
            raise ValidationFailed({"unit_id": [_("The team holds this unit already.")]})
        if isinstance(on, date):
            check_dates(on=on)
        if not isinstance(on, date) or not (
            allocation.start < on and (allocation.end is None or on < allocation.end)
        ):
            raise ValidationFailed(
                {"on": [_("The move must fall after the allocation's start and before its end.")]}
            )
        team = _resident_team(session, allocation.team_id, park)
        until = allocation.end
        _check_free(session, target.id, on, until, refusal=_("Not moved"))
        moved = Allocation(team_id=team.id, unit_id=target.id, start=on, end=until)
        with _guarded(session, target.id, on, until, (allocation.id,), _("Not moved")):
            allocation.end = on
            session.add(moved)
    return moved


@retrying
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


def release_on_leaving(team: Team, **kw: Any) -> None:
    """A team that graduates or exits gives its space back on the day of the step
    (receiver of opc.teams.signals.status_changed)."""
    if kw.get("to_status") in LEAVING:
        release_team_space(team.id, kw["on"], actor=kw.get("actor"))
