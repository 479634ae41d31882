"""What reports add to the staff's Today queue (opc.parks.queue.add_queue): the parks'
reports produced in the last 24 hours, and those that failed, each linking to the park's
reports."""

from __future__ import annotations

from datetime import date, timedelta

from flask import url_for
from flask_babel import ngettext
from sqlalchemy import func, select

from opc.core.db import utcnow
from opc.extensions import db
from opc.parks.queue import URGENT, QueueItem, add_queue, one_park
from opc.reports.models import ReportRun, RunStatus

SINCE = timedelta(hours=24)


def _queue(park_ids: list[int], _today: date) -> list[QueueItem]:
    """One statement: the runs finished in the last 24 hours, by status."""
    rows = db.session.execute(
        select(ReportRun.status, func.count())
        .where(ReportRun.park_id.in_(park_ids), ReportRun.finished_at >= utcnow() - SINCE)
        .group_by(ReportRun.status)
    )
    counts = {status: int(n) for status, n in rows}
    done, failed = counts.get(RunStatus.DONE.value, 0), counts.get(RunStatus.FAILED.value, 0)
    url = url_for("reports.index", park_id=one_park(park_ids))
    return [
        QueueItem(
            ngettext("%(num)d report failed", "%(num)d reports failed", failed),
            failed,
            url,
            URGENT,
        ),
        QueueItem(
            ngettext(
                "%(num)d report produced in the last 24 hours",
                "%(num)d reports produced in the last 24 hours",
                done,
            ),
            done,
            url,
        ),
    ]


def register() -> None:
    add_queue("reports", _queue, order=40)
