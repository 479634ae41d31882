"""Scheduled jobs of reports.

* `reports.monthly-subsidy`, on the 1st at 02:00 (the scheduler's time zone,
  BABEL_DEFAULT_TIMEZONE: the parks' Asia/Shanghai) for the month before: every park's
  report, one park after the other, each mailed as soon as it is done. The job's run (opc.jobs)
  makes the sweep happen once per period however many schedulers; each park's report is
  produced exactly once by its own claim (opc.reports.operations: the park's row lock, the
  run's lease, the unique keys), in transactions of its own beside the job's, so that a
  park's report is committed (and downloadable, and its park's row free for a manual
  request) as soon as it is done, not when the last park's is. Should a park's report
  fail, it is recorded failed, the other parks go on, and the job fails at the end: it is
  retried after its lease (opc.jobs.runner), which finds the done parks done and takes the
  failed ones over.
  SQLite has a single writer, the job's own transaction (BEGIN IMMEDIATE): a session beside
  it would wait on it. There the parks are produced inside the job's transaction, as one
  unit, as before, and mailed once all are done (SQLite serves development and tests).
* `reports.mail`, hourly: produces each park's report of its month before once the 1st
  02:00 has passed in the park's own zone, unless it is done — a park west of the
  scheduler (whose month was not over when the monthly job ran), a run whose producer died
  (a web worker killed during a manual request), one that failed, or a month the scheduler
  was down for — and mails done runs the last sweep could not (a server that was down).
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from opc.compute.usage_queries import add_months, has_ended, month_of
from opc.core.dates import local_today
from opc.core.db import is_sqlite
from opc.extensions import db
from opc.jobs.registry import job
from opc.jobs.runner import forget_finished
from opc.parks.models import Park
from opc.reports.mailing import mail_pending, mail_run
from opc.reports.models import ReportKind, ReportRun, RunStatus
from opc.reports.operations import produce_report

log = logging.getLogger(__name__)

MONTHLY = "reports.monthly-subsidy"
PRODUCED_AT_HOUR = 2  # on the 1st, park time
MAIL = "reports.mail"
HOUR_FORMAT = "%Y-%m-%dT%H"
RUNS_KEPT = timedelta(days=2)
T = TypeVar("T")


def month_before(now: datetime) -> str:
    """The month before `now`'s: 2026-02 on 2026-03-01."""
    return add_months(month_of(now.date()), -1)


def hourly(now: datetime) -> str:
    return now.strftime(HOUR_FORMAT)


def beside_the_job(work: Callable[[], T]) -> T:
    """Run `work` in an app context of its own, and so its own session and transactions
    that commit on their own, beside the job's open transaction (PostgreSQL).

    A fresh contextvars context: nothing of the job's (its open transaction, its actor,
    its app context) is seen inside. On SQLite `work` joins the job's transaction.
    """
    if is_sqlite():
        return work()
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def alone() -> T:
        with app.app_context():
            return work()

    return contextvars.Context().run(alone)


def produce_park(park_id: int, period: str, *, mail: bool) -> str | None:
    """The park's report of `period`, produced now unless done or being produced by
    another, and mailed (once per run) with `mail`; its error's last line if it failed."""
    run, _created = produce_report(park_id=park_id, kind=ReportKind.MONTHLY_SUBSIDY, period=period)
    if run.status == RunStatus.FAILED:
        return ((run.error or "").splitlines() or ["failed"])[-1]
    if mail and run.status == RunStatus.DONE:
        mail_run(run.id)
    return None


@job(
    MONTHLY,
    cron={"day": 1, "hour": PRODUCED_AT_HOUR, "minute": 0},
    period=month_before,
    lease=timedelta(minutes=30),
    misfire_grace_time=6 * 3600,
)
def monthly_subsidy(period: str) -> None:
    """Produce every park's monthly subsidy report of `period`, one park at a time."""
    parks = db.session.execute(select(Park.id, Park.timezone).order_by(Park.id)).all()
    apart = not is_sqlite()  # each park's runs commit on their own: mail each at once
    failed = []
    for park_id, timezone in parks:
        if not has_ended(period, local_today(timezone)):
            continue  # a park west of the scheduler: the hourly sweep produces it later
        error = beside_the_job(lambda p=park_id: produce_park(p, period, mail=apart))
        if error is not None:
            failed.append(f"park {park_id}: {error}")
    if failed:
        raise RuntimeError("monthly subsidy report failed for " + "; ".join(failed))
    mailed = beside_the_job(mail_pending)  # SQLite's, and any a down server left
    log.info(
        "%s %s: %d parks' reports produced, %d mailed late", MONTHLY, period, len(parks), mailed
    )


def produce_due(now: datetime) -> list[str]:
    """Each park's report of the month before its local `now`, once the 1st 02:00 has passed
    there, unless a run of it is done (see the module's doc); the periods produced now."""
    parks = db.session.execute(select(Park.id, Park.timezone).order_by(Park.id)).all()
    due = {}
    for park_id, timezone in parks:
        local = now.astimezone(ZoneInfo(timezone))
        if (local.day, local.hour) >= (1, PRODUCED_AT_HOUR):
            due[park_id] = month_before(local)
    done = set(
        db.session.execute(
            select(ReportRun.park_id, ReportRun.period).where(
                ReportRun.kind == ReportKind.MONTHLY_SUBSIDY,
                ReportRun.status == RunStatus.DONE,
                ReportRun.period.in_(set(due.values())),
            )
        ).tuples()
    )
    produced = []
    for park_id, period in due.items():
        if (park_id, period) in done:
            continue
        error = beside_the_job(lambda p=park_id, m=period: produce_park(p, m, mail=False))
        if error is None:
            produced.append(f"{park_id}:{period}")
        else:  # tried again next hour
            log.warning("%s: park %s's report of %s failed: %s", MAIL, park_id, period, error)
    return produced


@job(MAIL, cron={"minute": 17}, period=hourly, lease=timedelta(minutes=10), max_attempts=1)
def mail_reports(period: str) -> None:
    """Produce the reports due and not done, and mail the done runs not mailed yet."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    produced = produce_due(datetime.strptime(period, HOUR_FORMAT).replace(tzinfo=zone))
    if produced:
        log.info("%s %s: produced late %s", MAIL, period, ", ".join(produced))
    mailed = mail_pending()
    forget_finished(MAIL, period, HOUR_FORMAT, RUNS_KEPT)
    if mailed:
        log.info("%s %s: %d reports mailed", MAIL, period, mailed)
