"""A job that fires every two seconds, for the scheduler process tests (JOB_MODULES)."""

from __future__ import annotations

from datetime import datetime, timedelta

from opc.jobs.registry import job
from opc.jobs.runner import holder_name
from tests.jobs.helpers import mark


def two_seconds(now: datetime) -> str:
    """The two-second slot of `now`: 2026-03-01T10:00:04."""
    return now.replace(second=now.second - now.second % 2, microsecond=0).isoformat()[:19]


@job("test.tick", cron={"second": "*/2"}, period=two_seconds, lease=timedelta(seconds=5))
def tick(period: str) -> None:
    mark(period, "tick.test", holder_name())
