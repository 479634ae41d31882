"""Scheduled jobs of notifications: the outbox is mailed every minute (opc.notifications.delivery).

Each minute is a run of its own (`job_runs`), claimed once whatever the number of scheduler
processes; overlapping runs of two minutes are kept apart by the rows' locks. A run that
failed is not retried: the next minute's run takes what it left. The job deletes its own
runs once they are a day old, or it would add 1,440 rows a day to `job_runs`.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete

from opc.core.db import transaction, utcnow
from opc.jobs.models import JobRun, RunState
from opc.jobs.registry import job
from opc.notifications.delivery import deliver_pending

log = logging.getLogger(__name__)

JOB = "notifications.mail"
RUNS_KEPT = timedelta(days=1)
PERIOD_FORMAT = "%Y-%m-%dT%H:%M"


def minutely(now: datetime) -> str:
    """The local minute: 2026-03-01T08:05."""
    return now.strftime(PERIOD_FORMAT)


def forget_old_runs(period: str) -> int:
    """Delete this job's finished runs of periods more than RUNS_KEPT before `period`."""
    cutoff = (datetime.strptime(period, PERIOD_FORMAT) - RUNS_KEPT).strftime(PERIOD_FORMAT)
    with transaction() as session:
        result = session.execute(
            delete(JobRun).where(
                JobRun.job == JOB,
                JobRun.period < cutoff,  # ISO minutes sort as text
                JobRun.state.in_((RunState.SUCCEEDED, RunState.FAILED)),
            )
        )
    return int(result.rowcount or 0)


@job(
    JOB,
    cron={"minute": "*"},
    period=minutely,
    lease=timedelta(minutes=2),
    max_attempts=1,
    misfire_grace_time=50,
)
def mail_notifications(period: str) -> None:
    """Mail what the outbox holds; forget old runs of this job."""
    sent = deliver_pending(utcnow())
    forgotten = forget_old_runs(period)
    if sent or forgotten:
        log.info("%s: mailed %d notifications, deleted %d old runs", period, sent, forgotten)
