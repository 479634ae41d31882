"""Read models of KPI reports: a team's current report and its versions, a team's reports
by quarter, the teams of parks that owe a quarter's report with what they filed, and the
quarter a team should file now.

These read without permission checks: callers load the team or park with get_or_404 first
(the pages and the API), so what they pass is what the user may see.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import aliased, joinedload

from opc.core.dates import local_today
from opc.core.sorting import Sorting
from opc.extensions import db
from opc.kpis.models import FIGURES, KpiReport
from opc.kpis.quarters import Quarter, to_file
from opc.kpis.residency import exits, move_ins, residency_of, resident_between
from opc.teams.models import Team


def _of(team_id: int, quarter: Quarter) -> list:
    return [
        KpiReport.team_id == team_id,
        KpiReport.year == quarter.year,
        KpiReport.quarter == quarter.quarter,
    ]


def current(team_id: int, quarter: Quarter) -> KpiReport | None:
    """The team's current report for the quarter, if it filed one."""
    stmt = select(KpiReport).where(*_of(team_id, quarter), KpiReport.superseded_at.is_(None))
    return db.session.scalar(stmt.options(joinedload(KpiReport.filed_by)))


def versions(team_id: int, quarter: Quarter) -> list[KpiReport]:
    """Every version of the team's report for the quarter, newest first."""
    stmt = (
        select(KpiReport)
        .where(*_of(team_id, quarter))
        .options(joinedload(KpiReport.filed_by))
        .order_by(KpiReport.version.desc())
    )
    return list(db.session.scalars(stmt))


def team_reports(team_id: int) -> list[KpiReport]:
    """The team's current reports, newest quarter first."""
    stmt = (
        select(KpiReport)
        .where(KpiReport.team_id == team_id, KpiReport.superseded_at.is_(None))
        .options(joinedload(KpiReport.filed_by))
        .order_by(KpiReport.year.desc(), KpiReport.quarter.desc())
    )
    return list(db.session.scalars(stmt))


def _figure(field: str) -> Any:
    """A row's figure (None when the team has not filed: those go last)."""
    return lambda row: getattr(row[1], field) if row[1] is not None else None


# A park's quarter as (team, report or None) rows (park_quarter), sorted in Python.
QUARTER_ROWS = Sorting(
    {
        "team": lambda row: row[0].name_pinyin,
        "track": lambda row: row[0].track,
        "state": lambda row: row[1] is None,  # filed first
        "filed_at": lambda row: row[1].created_at if row[1] is not None else None,
        **{field: _figure(field) for field in FIGURES},
    },
    default="team",
    tiebreak=lambda row: row[0].id,
    first_desc=frozenset({"filed_at", *FIGURES}),
)


def park_quarter(park_ids: list[int], quarter: Quarter) -> list[tuple[Team, KpiReport | None]]:
    """The teams of the parks that owe a report for the quarter (resident or suspended on
    some day of it), and those that filed one, each with its current report or None: one
    statement, by park and name."""
    if not park_ids:
        return []
    moved, left = move_ins(), exits()
    report = aliased(KpiReport)
    stmt = (
        select(Team, report)
        .outerjoin(moved, moved.c.team_id == Team.id)
        .outerjoin(left, left.c.team_id == Team.id)
        .outerjoin(
            report,
            and_(
                report.team_id == Team.id,
                report.year == quarter.year,
                report.quarter == quarter.quarter,
                report.superseded_at.is_(None),
            ),
        )
        .where(
            Team.park_id.in_(park_ids),
            resident_between(moved, left, quarter.start, quarter.end) | report.id.is_not(None),
        )
        .order_by(Team.park_id, Team.name_pinyin, Team.id)
    )
    return [(team, found) for team, found in db.session.execute(stmt).tuples()]


def due_for(team: Team) -> Quarter | None:
    """The quarter the team should file now (the one before today's in its park) when it
    was resident during it and has not filed it; else None."""
    quarter = to_file(local_today(team.park.timezone))
    if not residency_of(db.session, team).overlaps(quarter.start, quarter.end):
        return None
    return quarter if current(team.id, quarter) is None else None
