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
from datetime import timedelta

from opc.core.db import utcnow
from opc.jobs.registry import MINUTE_FORMAT, job, minutely
from opc.jobs.runner import forget_finished
from opc.webhooks.delivery import deliver_due

log = logging.getLogger(__name__)

JOB = "webhooks.deliver"
RUNS_KEPT = timedelta(days=1)


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
    forgotten = forget_finished(JOB, period, MINUTE_FORMAT, RUNS_KEPT)
    if tally.delivered or tally.failed or tally.dead or forgotten:
        log.info("%s: %s, deleted %d old runs", period, tally, forgotten)
