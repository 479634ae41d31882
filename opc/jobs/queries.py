"""The runs of the scheduled jobs for the admins' page: filtered, in the reader's order."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from opc.core.sorting import Sort, Sorting
from opc.jobs.models import JobRun

SORTING = Sorting(
    {
        "job": (JobRun.job, JobRun.period),
        "period": JobRun.period,
        "state": JobRun.state,
        "attempts": JobRun.attempts,
        "started": JobRun.started_at,
        "finished": JobRun.finished_at,  # still running: last
    },
    default="started",
    tiebreak=JobRun.id,
    descending=True,
    first_desc=frozenset({"period", "attempts", "started", "finished"}),
)


def runs(job: str | None = None, state: str | None = None, sort: Sort | None = None) -> Select[Any]:
    """The runs (of one job, in one state): in the reader's order, else the newest first."""
    stmt = select(JobRun)
    if job:
        stmt = stmt.where(JobRun.job == job)
    if state:
        stmt = stmt.where(JobRun.state == state)
    return stmt.order_by(*sort.order_by()) if sort else stmt.order_by(JobRun.id.desc())
