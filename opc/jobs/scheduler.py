"""The scheduler process: APScheduler's BlockingScheduler firing the declared jobs.

It runs only under `flask --app opc scheduler`, never inside a web worker: create_app()
starts nothing. Every process may fire every job; the claim in the database (runner.py)
lets one of them run each period. On start each job fires at once, so that a period
that came due while no scheduler ran is caught up; a sweep retries runs whose process
died, once their lease has passed.
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from opc.jobs import registry
from opc.jobs.runner import Outcome, run_due

log = logging.getLogger(__name__)

SWEEP_ID = "opc.jobs.sweep"


def sweep_seconds(jobs: list[registry.Job]) -> float:
    """How often to look for runs to take over: half the shortest lease, at most a minute."""
    shortest = min(job.lease.total_seconds() for job in jobs)
    return max(1.0, min(60.0, shortest / 2))


def _fire(app: Flask, name: str, holder: str, takeover_only: bool = False) -> None:
    """One firing of a job, in an app context (and so a database session) of its own."""
    job = registry.get(name)
    if job is None:
        return
    with app.app_context():
        try:
            outcome = run_due(job, holder=holder, takeover_only=takeover_only)
        except SQLAlchemyError:
            # The database is down or busy: the next firing or the sweep tries again.
            log.exception("job %s: could not reach the database", name)
            return
    if outcome in (Outcome.EXHAUSTED,):
        log.warning("job %s: failed too often; not retried", name)
    else:
        log.debug("job %s: %s", name, outcome)


def _sweep(app: Flask, holder: str) -> None:
    for job in registry.all_jobs():
        _fire(app, job.name, holder, takeover_only=True)


def build(app: Flask, holder: str) -> BlockingScheduler:
    """A scheduler with every declared job, each firing once right away, and the sweep."""
    zone = ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])
    scheduler = BlockingScheduler(timezone=zone)
    jobs = registry.all_jobs()
    for job in jobs:
        scheduler.add_job(
            _fire,
            CronTrigger(timezone=zone, **job.cron),
            args=(app, job.name, holder),
            id=job.name,
            name=job.name,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=job.misfire_grace_time,
            next_run_time=datetime.now(zone),  # catch up on start
        )
    if jobs:
        scheduler.add_job(
            _sweep,
            IntervalTrigger(seconds=sweep_seconds(jobs), timezone=zone),
            args=(app, holder),
            id=SWEEP_ID,
            name="sweep",
            coalesce=True,
            max_instances=1,
        )
    return scheduler
