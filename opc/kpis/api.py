"""/api/v1/kpi-reports: a team's quarterly KPI reports; thin, opc.kpis.operations holds the
rules.

`POST /kpi-reports {"team_id", "quarter": "2026-Q3", "revenue_yuan", …, "note"}` files the
team's report (a member their own team's, staff any team's of their parks) → 201; filing
again is a correction → 201 with the next `"version"`, the earlier kept. Lists show the
current versions (`?versions=all`: every version). Money is yuan as decimal strings with at
most two places, counts whole numbers. A BI tool reads them with a `reports:read` token of a
staff user of the park. Anyone else gets 404.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from opc.api.pagination import paged
from opc.api.routing import endpoint
from opc.api.schemas import Id, In, Out, whole, yuan_up_to
from opc.core.money import yuan_str
from opc.core.permissions import get_or_404, visible
from opc.kpis.models import COUNT_FIELDS, MONEY_FIELDS, KpiReport
from opc.kpis.operations import MAX_COUNT, MAX_MONEY_YUAN, MAX_NOTE, file_report
from opc.kpis.permissions import can_file_kpis, can_view_kpis
from opc.kpis.quarters import Quarter
from opc.parks.models import Park
from opc.teams.models import Team

# "2026-Q3", years 2000 to 2100 (as Quarter.parse and the table's constraint).
QUARTER_PATTERN = r"^(20[0-9]{2}|2100)-Q[1-4]$"
Yuan = yuan_up_to(MAX_MONEY_YUAN)
Count = whole(0, MAX_COUNT)
ZERO = Decimal(0)


def _yuan_field(name: str) -> str:
    return name.removesuffix("_fen") + "_yuan"


class KpiIn(In):
    """A quarter's figures; figures left out are 0. The graduates hired are among the
    headcount (422 on `graduates_hired` when more)."""

    multiline = frozenset({"note"})

    team_id: Id  # type: ignore[valid-type]
    quarter: str = Field(pattern=QUARTER_PATTERN, examples=["2026-Q3"])
    revenue_yuan: Yuan = ZERO  # type: ignore[valid-type]
    financing_yuan: Yuan = Field(ZERO, description="equity and loans received")  # type: ignore[valid-type]
    rnd_yuan: Yuan = Field(ZERO, description="R&D spending")  # type: ignore[valid-type]
    taxes_yuan: Yuan = Field(ZERO, description="taxes paid")  # type: ignore[valid-type]
    headcount: Count = Field(0, description="people employed at the quarter's end")  # type: ignore[valid-type]
    graduates_hired: Count = Field(0, description="of the headcount; at most it")  # type: ignore[valid-type]
    patents_applied: Count = 0  # type: ignore[valid-type]
    patents_granted: Count = 0  # type: ignore[valid-type]
    software_copyrights_applied: Count = 0  # type: ignore[valid-type]
    software_copyrights_granted: Count = 0  # type: ignore[valid-type]
    trademarks_applied: Count = 0  # type: ignore[valid-type]
    trademarks_granted: Count = 0  # type: ignore[valid-type]
    works_released: Count = 0  # type: ignore[valid-type]
    note: str = Field("", max_length=MAX_NOTE)


class KpiQuery(In):
    park_id: Id | None = None  # type: ignore[valid-type]
    team_id: Id | None = None  # type: ignore[valid-type]
    quarter: str | None = Field(None, pattern=QUARTER_PATTERN, examples=["2026-Q3"])
    versions: Literal["current", "all"] = Field(
        "current", description="current: each quarter's current version; all: every version"
    )


YUAN_OUT = Field(pattern=r"^[0-9]+\.[0-9]{2}$", examples=["1234.50"])


class KpiOut(Out):
    id: int
    team_id: int
    park_id: int
    quarter: str = Field(examples=["2026-Q3"])
    version: int
    current: bool = Field(description="false once a later version superseded it")
    revenue_yuan: str = YUAN_OUT
    financing_yuan: str = YUAN_OUT
    rnd_yuan: str = YUAN_OUT
    taxes_yuan: str = YUAN_OUT
    headcount: int
    graduates_hired: int
    patents_applied: int
    patents_granted: int
    software_copyrights_applied: int
    software_copyrights_granted: int
    trademarks_applied: int
    trademarks_granted: int
    works_released: int
    note: str
    filed_by_id: int | None
    created_at: datetime
    superseded_at: datetime | None


def _report(report: KpiReport) -> dict[str, Any]:
    out = {
        "id": report.id,
        "team_id": report.team_id,
        "park_id": report.team.park_id,
        "quarter": report.period,
        "version": report.version,
        "current": report.superseded_at is None,
        **{_yuan_field(f): yuan_str(getattr(report, f)) for f in MONEY_FIELDS},
        **{f: getattr(report, f) for f in COUNT_FIELDS},
        "note": report.note,
        "filed_by_id": report.filed_by_id,
        "created_at": report.created_at,
        "superseded_at": report.superseded_at,
    }
    return KpiOut.model_validate(out).model_dump(mode="json")


@endpoint(
    "/kpi-reports",
    methods=("POST",),
    scope="kpis:write",
    allow=can_file_kpis,
    body=KpiIn,
    response=KpiOut,
    status=201,
    errors=(404, 409),
)
def create_kpi_report(user: Any, body: KpiIn) -> dict[str, Any]:
    """File a team's report for a quarter that has begun, or a correction of it (the next
    version; the earlier kept). 409 team_not_resident when the team was not resident on
    any day of the quarter; 409 kpi_report_changed when another filing won a race."""
    team = get_or_404(Team, body.team_id, user)
    figures: dict[str, int] = {f: int(getattr(body, _yuan_field(f)) * 100) for f in MONEY_FIELDS}
    figures.update({f: getattr(body, f) for f in COUNT_FIELDS})
    report = file_report(team.id, Quarter.parse(body.quarter), figures, body.note, actor=user)
    return _report(get_or_404(KpiReport, report.id, user))


@endpoint(
    "/kpi-reports",
    scope="reports:read",
    allow=can_view_kpis,
    query=KpiQuery,
    response=KpiOut,
    paged=True,
    errors=(404,),
)
def list_kpi_reports(user: Any, query: KpiQuery) -> dict[str, Any]:
    """The reports the caller may see, newest quarter first, by team, newest version first."""
    stmt = (
        select(KpiReport)
        .join(Team, Team.id == KpiReport.team_id)
        .options(contains_eager(KpiReport.team))
    )
    stmt = stmt.where(visible(user, KpiReport))
    if query.park_id is not None:
        stmt = stmt.where(Team.park_id == get_or_404(Park, query.park_id, user).id)
    if query.team_id is not None:
        stmt = stmt.where(KpiReport.team_id == get_or_404(Team, query.team_id, user).id)
    if query.quarter is not None:
        quarter = Quarter.parse(query.quarter)
        stmt = stmt.where(KpiReport.year == quarter.year, KpiReport.quarter == quarter.quarter)
    if query.versions == "current":
        stmt = stmt.where(KpiReport.superseded_at.is_(None))
    stmt = stmt.order_by(
        KpiReport.year.desc(),
        KpiReport.quarter.desc(),
        KpiReport.team_id,
        KpiReport.version.desc(),
    )
    return paged(stmt, _report)


@endpoint(
    "/kpi-reports/<int:report_id>",
    scope="reports:read",
    allow=can_view_kpis,
    response=KpiOut,
)
def get_kpi_report(user: Any, report_id: int) -> dict[str, Any]:
    """One version of a team's report."""
    return _report(get_or_404(KpiReport, report_id, user))
