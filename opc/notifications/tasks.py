"""Scheduled jobs of notifications: the outbox is mailed every minute (opc.notifications.delivery).

Each minute is a run of its own (`job_runs`), claimed once whatever the number of scheduler
processes; overlapping runs of two minutes are kept apart by the rows' locks. A run that
failed is not retried: the next minute's run takes what it left. The job deletes its own
runs once they are a day old, or it would add 1,440 rows a day to `job_runs`.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from opc.core.db import utcnow
from opc.jobs.registry import MINUTE_FORMAT, job, minutely
from opc.jobs.runner import forget_finished
from opc.notifications.delivery import deliver_pending

log = logging.getLogger(__name__)

JOB = "notifications.mail"
RUNS_KEPT = timedelta(days=1)


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
    forgotten = forget_finished(JOB, period, MINUTE_FORMAT, RUNS_KEPT)
    if sent or forgotten:
        log.info("%s: mailed %d notifications, deleted %d old runs", period, sent, forgotten)
