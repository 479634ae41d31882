"""Scheduled job of KPI reports: reminding teams that owe their quarterly report.

`kpis.remind`, daily at 09:00 (the scheduler's time zone; one run per day, claimed once
whatever the number of scheduler processes, opc.jobs): on the day a quarter opens for
filing (the 1st of the month after it) and DUE_REMINDER_DAYS before its report is due, the
members of every team of each park that was resident during the quarter and has not filed
hear that the report is due ("kpi.due"). The day is the run's (the scheduler's local day,
which the parks in China share): a run retried later reminds for its own day, once. The
reminders join the run's transaction: a failed run tells nobody and is retried.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from sqlalchemy import select

from opc.core.dates import local_today
from opc.extensions import db
from opc.jobs.registry import daily, job
from opc.kpis.operations import remind
from opc.kpis.quarters import Quarter, to_file
from opc.parks.models import Park

log = logging.getLogger(__name__)

JOB = "kpis.remind"
DUE_REMINDER_DAYS = 5  # the second reminder, this many days before the report is due


def reminder_for(today: date) -> Quarter | None:
    """The quarter whose owing teams are reminded on `today`: the 1st day it may be filed,
    and DUE_REMINDER_DAYS before it is due; None on other days."""
    quarter = to_file(today)
    if today in (quarter.end, quarter.due_on - timedelta(days=DUE_REMINDER_DAYS)):
        return quarter
    return None


def remind_parks(day: date) -> int:
    """On a reminder day, remind the owing teams of every park; how many teams."""
    quarter = reminder_for(day)
    if quarter is None:
        return 0
    reminded = 0
    for park in db.session.scalars(select(Park).order_by(Park.id)).all():
        if quarter.end > local_today(park.timezone):
            continue  # a park west of the scheduler: its quarter is not over (never in China)
        reminded += remind(park.id, quarter, actor=None)
    return reminded


@job(JOB, cron={"hour": 9, "minute": 0}, period=daily, lease=timedelta(minutes=10))
def remind_job(period: str) -> None:
    """Daily: on a reminder day, tell the teams that owe their KPI report."""
    reminded = remind_parks(date.fromisoformat(period))
    log.info("%s %s: %d teams reminded of their KPI report", JOB, period, reminded)
