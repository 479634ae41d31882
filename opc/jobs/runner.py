"""Running a job's period exactly once, however many schedulers share the database.

1. Claim, in a short transaction of its own: insert the (job, period) row, whose unique
   key lets only one scheduler win; or take over a row that is not succeeded, whose lease
   has passed and whose attempts are not used up (its process died, or the job failed).
2. Mark it running (committed, so that the admin page shows it).
3. Work: one transaction locks the row, checks it is still this claim's (same holder and
   attempt), runs the job and marks the run succeeded. The job's writes and "succeeded"
   commit together or not at all, so a crash leaves nothing half-done and the run open.

While the work transaction is open it holds the row (PostgreSQL: a row lock, which a
takeover skips; SQLite: the write lock), so even a run that outlives its lease is never
run twice; the lease only lets a run whose process died be taken over.
"""

from __future__ import annotations

import logging
import os
import socket
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from opc.core.db import transaction, utcnow
from opc.extensions import db
from opc.jobs.models import JobRun, RunState
from opc.jobs.registry import Job

log = logging.getLogger(__name__)

OPEN = (RunState.CLAIMED, RunState.RUNNING)


class Outcome(StrEnum):
    SUCCEEDED = "succeeded"  # this call ran the job
    FAILED = "failed"  # this call ran the job and it raised
    DONE = "done"  # the run had succeeded already
    HELD = "held"  # another scheduler holds it (or won the claim)
    EXHAUSTED = "exhausted"  # failed max_attempts times; left for people to look at
    NOT_DUE = "not due"  # nothing to take over


@dataclass(frozen=True)
class Claim:
    run_id: int
    job: str
    period: str
    attempt: int
    holder: str


def holder_name() -> str:
    """host:pid, recorded on the runs this process claims."""
    return f"{socket.gethostname()}:{os.getpid()}"


def current_period(job: Job, now: datetime | None = None) -> str:
    """The period of `job` due at `now` (default: now), in the scheduler's timezone."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return job.period((now or utcnow()).astimezone(zone))


def _find(job: str, period: str) -> JobRun | None:
    return db.session.scalar(select(JobRun).where(JobRun.job == job, JobRun.period == period))


def _refusal(run: JobRun, job: Job) -> Outcome | None:
    """Why `run` may not be claimed now, or None when it may."""
    if run.state == RunState.SUCCEEDED:
        return Outcome.DONE
    if run.lease_until > utcnow():
        return Outcome.HELD
    if run.attempts >= job.max_attempts:
        return Outcome.EXHAUSTED
    return None


def claim(job: Job, period: str, holder: str) -> Claim | Outcome:
    """Claim the run of `job` for `period` in a transaction of its own, or say why not."""
    now = utcnow()
    try:
        with transaction() as session:
            stmt = select(JobRun).where(JobRun.job == job.name, JobRun.period == period)
            # A run whose work transaction is open is locked: skipped here, and the
            # insert below then fails on the unique key.
            run = session.scalar(
                stmt.with_for_update(skip_locked=True).execution_options(populate_existing=True)
            )
            if run is None:
                run = JobRun(job=job.name, period=period, attempts=1)
                session.add(run)
            else:
                refused = _refusal(run, job)
                if refused:
                    return refused
                run.attempts += 1
            run.state = RunState.CLAIMED
            run.claimed_by = holder
            run.lease_until = now + job.lease
            run.started_at = now
            run.finished_at = None
            run.error = None
            session.flush()
            return Claim(run.id, job.name, period, run.attempts, holder)
    except IntegrityError:
        return Outcome.HELD  # another scheduler inserted the row first


def _own(claimed: Claim) -> JobRun | None:
    """The claimed row, locked, if it is still this claim's (not taken over meanwhile)."""
    stmt = (
        select(JobRun)
        .where(
            JobRun.id == claimed.run_id,
            JobRun.claimed_by == claimed.holder,
            JobRun.attempts == claimed.attempt,
            JobRun.state.in_(OPEN),
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return db.session.scalar(stmt)


def execute(job: Job, claimed: Claim) -> Outcome:
    """Run a claimed run: the job's writes and its success commit in one transaction."""
    with transaction():
        run = _own(claimed)
        if run is None:
            return Outcome.HELD
        run.state = RunState.RUNNING
        run.started_at = utcnow()
    log.info("job %s %s: attempt %d started", job.name, claimed.period, claimed.attempt)
    try:
        with transaction():
            run = _own(claimed)
            if run is None:
                return Outcome.HELD
            job.func(claimed.period)
            run.state = RunState.SUCCEEDED
            run.finished_at = utcnow()
    except Exception:
        error = traceback.format_exc()
        log.error(
            "job %s %s: attempt %d failed\n%s", job.name, claimed.period, claimed.attempt, error
        )
        with transaction():
            run = _own(claimed)
            if run is not None:
                run.state = RunState.FAILED
                run.finished_at = utcnow()
                run.error = error[-4000:]
        return Outcome.FAILED
    log.info("job %s %s: attempt %d succeeded", job.name, claimed.period, claimed.attempt)
    return Outcome.SUCCEEDED


def run_due(
    job: Job, *, holder: str, period: str | None = None, takeover_only: bool = False
) -> Outcome:
    """Run `job` for `period` (default: the one due now) unless it ran or is held.

    With takeover_only, only a run that was claimed before and is open again (its process
    died, or it failed) is run: the periodic sweep that retries runs after their lease.
    """
    period = period or current_period(job)
    existing = _find(job.name, period)  # a plain read first: most checks end here
    if existing is None and takeover_only:
        return Outcome.NOT_DUE
    if existing is not None and (refused := _refusal(existing, job)):
        return refused
    claimed = claim(job, period, holder)
    if isinstance(claimed, Outcome):
        return claimed
    return execute(job, claimed)


def forget_finished(job: str, period: str, period_format: str, kept: timedelta) -> int:
    """Delete `job`'s finished runs of periods more than `kept` before `period` (a job that
    runs every minute or hour would otherwise add its runs to `job_runs` for ever)."""
    cutoff = (datetime.strptime(period, period_format) - kept).strftime(period_format)
    with transaction() as session:
        result = session.execute(
            delete(JobRun).where(
                JobRun.job == job,
                JobRun.period < cutoff,  # ISO periods sort as text
                JobRun.state.in_((RunState.SUCCEEDED, RunState.FAILED)),
            )
        )
    return int(result.rowcount or 0)
