"""The scheduled job of webhooks: `webhooks.deliver`, every minute, posts the deliveries
that are due (opc.webhooks.delivery.deliver_due).

Each minute is a run of its own (`job_runs`), claimed once whatever the number of scheduler
processes; runs of two minutes that overlap take different deliveries (each run leases its
own, opc.webhooks.delivery). A run that failed is not retried: the next minute's takes what
it left, and what it had claimed once the claim's lease has passed. The job deletes its
own runs once they are a day old (1,440 a day otherwise).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete

from opc.core.db import transaction, utcnow
from opc.jobs.models import JobRun, RunState
from opc.jobs.registry import job
from opc.webhooks.delivery import deliver_due

log = logging.getLogger(__name__)

JOB = "webhooks.deliver"
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
    lease=timedelta(minutes=5),
    max_attempts=1,
    misfire_grace_time=50,
)
def deliver_webhooks(period: str) -> None:
    """Post the due deliveries; forget old runs of this job."""
    tally = deliver_due(utcnow())
    forgotten = forget_old_runs(period)
    if tally.delivered or tally.failed or tally.dead or forgotten:
        log.info("%s: %s, deleted %d old runs", period, tally, forgotten)
