"""/api/v1/outcomes: the outcome dashboard's figures for BI tools, the same as the page's.

Readable by staff of the park, or a BI tool acting as such a user with a `reports:read`
token. Money travels as `_yuan` decimal strings, areas as `_m2`, percentages as strings with
one place; a growth is null when the year before had nothing to grow from.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from pydantic import Field

from opc.api.routing import endpoint
from opc.api.schemas import Id, In, Out, whole
from opc.core.dates import local_today
from opc.core.errors import NotFound
from opc.core.money import yuan_str
from opc.core.permissions import get_visible
from opc.outcomes.dashboard.figures import (
    MAX_YEAR,
    MIN_YEAR,
    Dashboard,
    Month,
    dashboard,
    headline,
)
from opc.outcomes.dashboard.permissions import can_view_outcomes
from opc.outcomes.dashboard.queries import Output
from opc.parks.models import Park


class OutcomesQuery(In):
    park_id: Id  # type: ignore[valid-type]
    year: whole(MIN_YEAR, MAX_YEAR) | None = Field(  # type: ignore[valid-type]
        None, description="the park's current year when left out"
    )


class OutputOut(Out):
    revenue_yuan: str
    taxes_yuan: str
    financing_yuan: str
    rnd_yuan: str = Field(description="R&D spending")
    ip_applied: int = Field(description="patents, software copyrights and trademarks applied")
    ip_granted: int
    works_released: int
    headcount: int = Field(description="of the last quarter compared, never a sum")
    graduates_hired: int
    reports: int = Field(description="current KPI reports counted (team-quarters)")


class FigureOut(Out):
    this_year: str | None = Field(description="yuan for `_yuan` keys; null: not defined")
    last_year: str | None
    growth_pct: str | None = Field(
        description="change in percent (occupancy: in percentage points); null from nothing"
    )


class TrackOut(Out):
    track: str
    this_year: OutputOut
    last_year: OutputOut


class QuarterOut(Out):
    quarter: int
    output: OutputOut
    rent_waived_yuan: str
    compute_subsidised_yuan: str
    funds_disbursed_yuan: str


class MonthOut(Out):
    month: int
    day: str | None = Field(description="the day read: the month's end, today, or null")
    residents: int | None
    allocated_m2: str | None
    occupancy_pct: str | None
    graduations: int
    rent_waived_yuan: str
    compute_subsidised_yuan: str
    funds_disbursed_yuan: str


class GraduationOut(Out):
    team_id: int
    name_zh: str
    name_en: str
    track: str
    on: str


class OutcomesOut(Out):
    park_id: int
    year: int
    quarters_compared: int = Field(description="Q1 to this quarter against the year before")
    months_compared: int = Field(description="months 1 to this against the year before")
    headline: dict[str, FigureOut]
    this_year: OutputOut
    last_year: OutputOut
    tracks: list[TrackOut]
    quarters: list[QuarterOut]
    last_year_quarters: list[QuarterOut]
    months: list[MonthOut]
    last_year_months: list[MonthOut]
    graduated: list[GraduationOut]


def _output(o: Output) -> dict[str, Any]:
    return {
        "revenue_yuan": yuan_str(o.revenue_fen),
        "taxes_yuan": yuan_str(o.taxes_fen),
        "financing_yuan": yuan_str(o.financing_fen),
        "rnd_yuan": yuan_str(o.rnd_fen),
        "ip_applied": o.ip_applied,
        "ip_granted": o.ip_granted,
        "works_released": o.works_released,
        "headcount": o.headcount,
        "graduates_hired": o.graduates_hired,
        "reports": o.reports,
    }


def _sources(fen: list[int]) -> dict[str, str]:
    keys = ("rent_waived_yuan", "compute_subsidised_yuan", "funds_disbursed_yuan")
    return {k: yuan_str(v) for k, v in zip(keys, fen, strict=True)}


def _month(m: Month) -> dict[str, Any]:
    return {
        "month": m.month,
        "day": m.day.isoformat() if m.day else None,
        "residents": m.residents,
        "allocated_m2": None if m.allocated_m2 is None else f"{m.allocated_m2:.2f}",
        "occupancy_pct": None if m.occupancy_pct is None else f"{m.occupancy_pct:.1f}",
        "graduations": m.graduations,
        **_sources(m.subsidy),
    }


def _shown(kind: str, value: int | Decimal | None) -> str | None:
    """A headline value as the API writes it: yuan, a whole number or a decimal."""
    if value is None:
        return None
    if kind == "money":
        return yuan_str(int(value))
    return str(value)


def _headline(d: Dashboard) -> dict[str, dict[str, Any]]:
    return {
        f.key: {
            "this_year": _shown(f.kind, f.this),
            "last_year": _shown(f.kind, f.last),
            "growth_pct": None if f.growth is None else f"{f.growth:.1f}",
        }
        for f in headline(d)
    }


@endpoint(
    "/outcomes",
    scope="reports:read",
    allow=can_view_outcomes,
    query=OutcomesQuery,
    response=OutcomesOut,
    errors=(404,),
)
def get_outcomes(user: Any, query: OutcomesQuery) -> dict[str, Any]:
    """A park's outcomes for a year against the year before (staff of the park): output by
    quarter and track, residents and occupancy by month, graduations, subsidy spent."""
    park = get_visible(Park, query.park_id, user)
    if park is None or not can_view_outcomes(user, park):
        raise NotFound("not_found", _("Not found."))
    today = local_today(park.timezone)
    d = dashboard(park, query.year or today.year, today)
    return {
        "park_id": park.id,
        "year": d.year,
        "quarters_compared": d.quarters_compared,
        "months_compared": d.months_compared,
        "headline": _headline(d),
        "this_year": _output(d.this),
        "last_year": _output(d.last),
        "tracks": [
            {"track": t.track, "this_year": _output(t.this), "last_year": _output(t.last)}
            for t in d.tracks
        ],
        "quarters": [_quarter(q) for q in d.quarters],
        "last_year_quarters": [_quarter(q) for q in d.last_quarters],
        "months": [_month(m) for m in d.months],
        "last_year_months": [_month(m) for m in d.last_months],
        "graduated": [
            {
                "team_id": g.team_id,
                "name_zh": g.name_zh,
                "name_en": g.name_en,
                "track": g.track,
                "on": g.on.isoformat(),
            }
            for g in d.graduated
        ],
    }


def _quarter(q: Any) -> dict[str, Any]:
    return {"quarter": q.quarter, "output": _output(q.output), **_sources(q.subsidy)}
