"""Scheduled jobs of reports.

* `reports.monthly-subsidy`, on the 1st at 02:00 (the scheduler's time zone,
  BABEL_DEFAULT_TIMEZONE: the parks' Asia/Shanghai) for the month before: every park's
  report, in the job's run (opc.jobs: once per period however many schedulers), then mailed.
  Should a park's report fail, the job fails and everything it wrote rolls back: the job
  is retried after its lease (opc.jobs.runner), and produces every park again.
* `reports.mail`, hourly: mails done runs the last sweep could not (a server that was down).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from opc.compute.usage_queries import add_months, has_ended, month_of
from opc.core.dates import local_today
from opc.core.db import transaction
from opc.extensions import db
from opc.jobs.models import JobRun, RunState
from opc.jobs.registry import job
from opc.parks.models import Park
from opc.reports.mailing import mail_pending
from opc.reports.models import ReportKind, RunStatus
from opc.reports.operations import produce_report

log = logging.getLogger(__name__)

MONTHLY = "reports.monthly-subsidy"
MAIL = "reports.mail"
HOUR_FORMAT = "%Y-%m-%dT%H"
RUNS_KEPT = timedelta(days=2)


def month_before(now: datetime) -> str:
    """The month before `now`'s: 2026-02 on 2026-03-01."""
    return add_months(month_of(now.date()), -1)


def hourly(now: datetime) -> str:
    return now.strftime(HOUR_FORMAT)


@job(
    MONTHLY,
    cron={"day": 1, "hour": 2, "minute": 0},
    period=month_before,
    lease=timedelta(minutes=30),
    misfire_grace_time=6 * 3600,
)
def monthly_subsidy(period: str) -> None:
    """Produce every park's monthly subsidy report of `period`, then mail them."""
    failed = []
    for park in db.session.scalars(select(Park).order_by(Park.id)).all():
        if not has_ended(period, local_today(park.timezone)):
            continue  # a park west of the scheduler: its month is not over (never in China)
        run, _created = produce_report(
            park_id=park.id, kind=ReportKind.MONTHLY_SUBSIDY, period=period
        )
        if run.status == RunStatus.FAILED:
            failed.append(f"park {park.id}: {(run.error or '').splitlines()[-1:]}")
    if failed:
        raise RuntimeError("monthly subsidy report failed for " + "; ".join(failed))
    mailed = mail_pending()
    log.info("%s %s: reports produced, %d mailed", MONTHLY, period, mailed)


def forget_old_runs(period: str) -> None:
    """Delete the mail sweep's own finished runs older than RUNS_KEPT (24 a day)."""
    cutoff = (datetime.strptime(period, HOUR_FORMAT) - RUNS_KEPT).strftime(HOUR_FORMAT)
    with transaction() as session:
        session.execute(
            delete(JobRun).where(
                JobRun.job == MAIL,
                JobRun.period < cutoff,
                JobRun.state.in_((RunState.SUCCEEDED, RunState.FAILED)),
            )
        )


@job(MAIL, cron={"minute": 17}, period=hourly, lease=timedelta(minutes=10), max_attempts=1)
def mail_reports(period: str) -> None:
    """Mail the done runs not mailed yet."""
    mailed = mail_pending()
    forget_old_runs(period)
    if mailed:
        log.info("%s %s: %d reports mailed", MAIL, period, mailed)
