"""What space adds to the team pages (opc.teams.pages): the floor and "has space" filters
and the units column of the team list, the space card of a team's page, and the note on
every choice of teams of whether it holds space today."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, Select, bindparam, exists, select

from opc.core.dates import last_day, local_today
from opc.extensions import db
from opc.space import queries
from opc.space.models import Allocation, Unit
from opc.space.permissions import can_allocate
from opc.teams.models import Team
from opc.teams.pages import (
    Column,
    Filter,
    Section,
    add_column,
    add_facet,
    add_note,
    add_section,
)


def _holds(day: date) -> Select[Any]:
    """Allocations of the team in the outer query that it holds on `day`."""
    return (
        select(Allocation.id)
        .join(Unit, Unit.id == Allocation.unit_id)
        .where(Allocation.team_id == Team.id, Allocation.holds_on(day))
    )


def _floors(park_ids: list[int]) -> Mapping[str, str]:
    stmt = select(Unit.floor).where(Unit.park_id.in_(park_ids)).distinct().order_by(Unit.floor)
    return {str(f): str(f) for f in db.session.scalars(stmt)} if park_ids else {}


def _on_floor(stmt: Select[Any], value: str, day: date) -> Select[Any]:
    return stmt.where(exists(_holds(day).where(Unit.floor == int(value))))


def _has_space(stmt: Select[Any], value: str, day: date) -> Select[Any]:
    held = exists(_holds(day))
    return stmt.where(held if value == "yes" else ~held)


@functools.cache
def _units_held(what: str) -> Select[Any]:
    """The units (`what` "units") or their codes ("codes") held on `day` by the teams `ids`:
    built once, run with parameters (building it cost more than running it)."""
    held = Allocation.held_on(bindparam("day", type_=Date))  # not each team's whole history
    unit = Unit if what == "units" else Unit.code
    return (
        select(held.c.team_id, unit)
        .join(Unit, Unit.id == held.c.unit_id)
        .where(held.c.team_id.in_(bindparam("ids", expanding=True)))
        .order_by(Unit.code)
    )


def _held_by(teams: list[Team], what: str) -> dict[int, list[Any]]:
    """For each team, what it holds today (in its park's zone): one query per distinct zone."""
    by_zone: dict[str, list[int]] = defaultdict(list)
    for team in teams:
        by_zone[team.park.timezone].append(team.id)
    held: dict[int, list[Any]] = defaultdict(list)
    for zone, ids in by_zone.items():
        params = {"day": local_today(zone), "ids": ids}
        for team_id, unit in db.session.execute(_units_held(what), params).all():
            held[team_id].append(unit)
    return held


def current_units(teams: list[Team]) -> dict[int, list[Unit]]:
    """The units each team holds today (in its park's zone): one query per distinct zone."""
    return _held_by(teams, "units")


@functools.cache
def _ends_held() -> Select[Any]:
    """The ends of the allocations held on `day` by the teams `ids` (built once)."""
    held = Allocation.held_on(bindparam("day", type_=Date))
    return select(held.c.team_id, held.c.end).where(
        held.c.team_id.in_(bindparam("ids", expanding=True))
    )


def lease_ends(teams: list[Team]) -> Mapping[int, str | date]:
    """Each team's current lease end: the last day of what it holds today that runs
    longest ("open-ended" when something has no end); teams holding nothing are left out."""
    by_zone: dict[str, list[int]] = defaultdict(list)
    for team in teams:
        by_zone[team.park.timezone].append(team.id)
    ends: dict[int, list[date | None]] = defaultdict(list)
    for zone, ids in by_zone.items():
        params = {"day": local_today(zone), "ids": ids}
        for team_id, end in db.session.execute(_ends_held(), params).all():
            ends[team_id].append(end)
    shown: dict[int, str | date] = {}
    for team_id, found in ends.items():
        if None in found:
            shown[team_id] = _("open-ended")
        else:
            shown[team_id] = last_day(max(e for e in found if e is not None)) or ""
    return shown


def _unit_codes(teams: list[Team]) -> Mapping[int, str]:
    # Codes only: a list page of teams need not load each unit as a record.
    return {tid: ", ".join(codes) for tid, codes in _held_by(teams, "codes").items()}


def space_note(teams: list[Team]) -> Mapping[int, str]:
    """Each team as a choice notes whether it holds space today, and which."""
    held = _held_by(teams, "codes")
    return {
        t.id: _("holds %(units)s", units=", ".join(held[t.id])) if held.get(t.id) else _("no space")
        for t in teams
    }


def _space_card(team: Team, user: Any) -> Mapping[str, Any]:
    return {
        "units": current_units([team]).get(team.id, []),
        "allocations": queries.allocations_of(team),
        "may_allocate": can_allocate(user, team.park),
    }


def register() -> None:
    add_facet(
        [
            Filter("floor", _l("Floor"), _floors, _on_floor),
            Filter(
                "has_space",
                _l("Has space"),
                lambda _ids: {"yes": _("Yes"), "no": _("No")},
                _has_space,
            ),
        ],
        Column(_l("Space today"), _unit_codes),
    )
    add_column(Column(_l("Lease ends"), lease_ends))
    add_section(Section("space", "space/_team_section.html", _space_card, order=60))
    add_note(space_note)
