"""Read models of report runs: a park's runs by period, newest version first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from opc.auth.models import User
from opc.core.permissions import visible
from opc.core.sorting import Sort, Sorting
from opc.parks.models import Park
from opc.reports.models import ReportRun

RUNS = Sorting(
    {
        "park": select(Park.name_zh).where(Park.id == ReportRun.park_id).scalar_subquery(),
        "month": ReportRun.period,
        "version": ReportRun.version,
        "status": ReportRun.status,
        "by": select(User.email).where(User.id == ReportRun.created_by_id).scalar_subquery(),
        "finished": ReportRun.finished_at,  # not finished: last
    },
    default="month",
    tiebreak=ReportRun.id,
    descending=True,
    first_desc=frozenset({"month", "version", "finished"}),
)


def runs_of(
    user: Any,
    *,
    park_id: int | None = None,
    period: str | None = None,
    kind: str | None = None,
    sort: Sort | None = None,
) -> Select[Any]:
    """The runs the user may see, in the reader's order (without one: newest period first,
    park by park, newest version first), files loaded."""
    stmt = select(ReportRun).where(visible(user, ReportRun)).options(selectinload(ReportRun.files))
    if park_id is not None:
        stmt = stmt.where(ReportRun.park_id == park_id)
    if period is not None:
        stmt = stmt.where(ReportRun.period == period)
    if kind is not None:
        stmt = stmt.where(ReportRun.kind == kind)
    if sort is not None:
        return stmt.order_by(*sort.order_by())
    return stmt.order_by(ReportRun.period.desc(), ReportRun.park_id, ReportRun.version.desc())
