"""Read models of report runs: a park's runs by period, newest version first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from opc.core.permissions import visible
from opc.reports.models import ReportRun


def runs_of(
    user: Any, *, park_id: int | None = None, period: str | None = None, kind: str | None = None
) -> Select[Any]:
    """The runs the user may see, newest period first, then newest version (files loaded)."""
    stmt = select(ReportRun).where(visible(user, ReportRun)).options(selectinload(ReportRun.files))
    if park_id is not None:
        stmt = stmt.where(ReportRun.park_id == park_id)
    if period is not None:
        stmt = stmt.where(ReportRun.period == period)
    if kind is not None:
        stmt = stmt.where(ReportRun.kind == kind)
    return stmt.order_by(ReportRun.period.desc(), ReportRun.park_id, ReportRun.version.desc())
