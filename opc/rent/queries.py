"""Read models of rent for the pages and the API: policies with their reach, waivers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, distinct, func, select
from sqlalchemy.orm import joinedload, selectinload

from opc.core.permissions import visible
from opc.core.sorting import Sort, Sorting
from opc.extensions import db
from opc.parks.models import Park
from opc.rent.models import Policy, StatementLine, Waiver, WaiverStatus
from opc.teams.models import Team


@dataclass(frozen=True)
class WaiverFilters:
    park_id: int | None = None
    team_id: int | None = None
    status: str | None = None
    policy_id: int | None = None


POLICY_SORTING = Sorting(
    {
        "code": Policy.code,
        "name": Policy.name_zh,
        "document": func.nullif(Policy.document, ""),  # none named: last
        "cap": Policy.area_cap_m2,
    },
    default="code",
    tiebreak=Policy.id,
    first_desc=frozenset({"cap"}),
)

# The decided waivers: the team and the policy by name, without joining them twice.
WAIVER_SORTING = Sorting(
    {
        "team": select(Team.name_pinyin).where(Team.id == Waiver.team_id).scalar_subquery(),
        "policy": select(Policy.code).where(Policy.id == Waiver.policy_id).scalar_subquery(),
        "start": Waiver.start,
        "status": Waiver.status,
    },
    default="start",
    tiebreak=Waiver.id,
    descending=True,
    first_desc=frozenset({"start"}),
)


def policies_of(user: Any, park_id: int | None = None, sort: Sort | None = None) -> Select[Any]:
    """The policies the user may see (of one park), steps loaded: in the reader's order, else
    by park and code."""
    stmt = select(Policy).where(visible(user, Policy)).options(selectinload(Policy.steps))
    if park_id is not None:
        stmt = stmt.where(Policy.park_id == park_id)
    if sort is not None:
        return stmt.order_by(*sort.order_by())
    return stmt.order_by(Policy.park_id, Policy.code)


def teams_covered(policy_ids: list[int]) -> dict[int, int]:
    """How many teams each policy reaches with an approved waiver (one statement)."""
    if not policy_ids:
        return {}
    stmt = (
        select(Waiver.policy_id, func.count(distinct(Waiver.team_id)))
        .where(Waiver.policy_id.in_(policy_ids), Waiver.status == WaiverStatus.APPROVED)
        .group_by(Waiver.policy_id)
    )
    return {pid: n for pid, n in db.session.execute(stmt).tuples()}


def waivers_of(user: Any, filters: WaiverFilters) -> Select[Any]:
    """The waivers the user may see, narrowed; newest first, team and policy loaded."""
    stmt = (
        select(Waiver)
        .where(visible(user, Waiver))
        .options(joinedload(Waiver.team), joinedload(Waiver.policy))
    )
    if filters.park_id is not None:
        stmt = stmt.where(
            Waiver.team_id.in_(select(Team.id).where(Team.park_id == filters.park_id))
        )
    if filters.team_id is not None:
        stmt = stmt.where(Waiver.team_id == filters.team_id)
    if filters.status is not None:
        stmt = stmt.where(Waiver.status == filters.status)
    if filters.policy_id is not None:
        stmt = stmt.where(Waiver.policy_id == filters.policy_id)
    return stmt.order_by(Waiver.id.desc())


def parks_for(user: Any) -> list[Park]:
    """The parks whose rent the user may see, in order."""
    return list(db.session.scalars(select(Park).where(visible(user, Park)).order_by(Park.id)))


def park_teams(park_id: int) -> list[Team]:
    """The park's teams by name (the choices of a waiver)."""
    stmt = select(Team).where(Team.park_id == park_id).order_by(Team.name_pinyin, Team.id)
    return list(db.session.scalars(stmt))


def policy_choices(user: Any, park_id: int) -> list[Policy]:
    """The park's policies the user may see (the choices of a waiver)."""
    return list(db.session.scalars(policies_of(user, park_id)))


def proposed_waivers(user: Any, park_id: int) -> list[Waiver]:
    """The approval queue of a park: its proposed waivers, newest first."""
    filters = WaiverFilters(park_id=park_id, status=WaiverStatus.PROPOSED)
    return list(db.session.scalars(waivers_of(user, filters)).unique())


def decided_waivers(user: Any, park_id: int, sort: Sort | None = None) -> Select[Any]:
    """A park's approved, rejected and withdrawn waivers: in the reader's order, else the
    latest start first."""
    filters = WaiverFilters(park_id=park_id)
    stmt = waivers_of(user, filters).where(Waiver.status != WaiverStatus.PROPOSED)
    return stmt.order_by(None).order_by(*(sort or WAIVER_SORTING.chosen({})).order_by())


def waived_to_date(policy_ids: list[int]) -> dict[int, int]:
    """What each policy has waived on issued statements, in fen, less what was clawed back
    (one statement): the measure of a policy's cost that parks report."""
    if not policy_ids:
        return {}
    stmt = (
        select(StatementLine.policy_id, func.sum(StatementLine.amount_fen))
        .where(
            StatementLine.policy_id.in_(policy_ids),
            StatementLine.kind.in_(("waiver", "clawback")),
        )
        .group_by(StatementLine.policy_id)
    )
    return {pid: -int(total or 0) for pid, total in db.session.execute(stmt).tuples()}


def team_waivers(team_id: int) -> list[Waiver]:
    """A team's approved waivers (the policies it benefits from), policies loaded."""
    stmt = (
        select(Waiver)
        .where(Waiver.team_id == team_id, Waiver.status == WaiverStatus.APPROVED)
        .options(joinedload(Waiver.policy))
        .order_by(Waiver.start)
    )
    return list(db.session.scalars(stmt))
