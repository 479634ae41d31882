"""Mailing a done run's files to the park's report recipients, at most once per run.

The run's row is locked (PostgreSQL: FOR UPDATE SKIP LOCKED, so a second mailer skips it;
SQLite: one writer at a time), the message with both files attached is sent, and
`mailed_at` is set in that same transaction: a run once mailed is never mailed again. Only
if the database fails between the mail and the commit could it go twice (mail cannot be part
of a database transaction), as with the notifications' outbox. A server that is down leaves
the run unmailed for the next sweep (opc.reports.tasks), for up to MAIL_WITHIN.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from opc.core import mail
from opc.core.db import transaction, utcnow
from opc.core.export import MIME
from opc.core.storage import storage
from opc.extensions import db
from opc.parks.models import Park
from opc.parks.settings import value_of
from opc.reports.models import ReportRun, RunStatus
from opc.reports.settings import RECIPIENTS, recipients

log = logging.getLogger(__name__)

MAIL_WITHIN = timedelta(days=3)


def file_name(run: ReportRun, park: Park, fmt: str) -> str:
    return f"subsidy-{park.code}-{run.period}-v{run.version}.{fmt}"


def _message(run: ReportRun, park: Park) -> tuple[str, str]:
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = _(
            "[OPC Ops] Monthly subsidy report %(period)s: %(park)s",
            period=run.period,
            park=park.name_zh,
        )
        body = _(
            "The monthly subsidy report of %(park)s for %(period)s (version %(version)d) is "
            "attached as CSV and XLSX.",
            park=park.name_zh,
            period=run.period,
            version=run.version,
        )
    return subject, body + "\n"


def mail_run(run_id: int) -> bool:
    """Mail the run's files to its park's recipients unless mailed already; whether sent."""
    if not mail.configured():
        return False
    with transaction():
        run = db.session.scalar(
            select(ReportRun)
            .where(
                ReportRun.id == run_id,
                ReportRun.status == RunStatus.DONE,
                ReportRun.mailed_at.is_(None),
            )
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
        if run is None:
            return False
        to = recipients(value_of(run.park_id, RECIPIENTS.key))
        park = db.session.get(Park, run.park_id)
        if not to or park is None:
            return False
        attachments = []
        for file in run.files:
            with storage().open(file.storage_key) as stream:
                data = stream.read()
            attachments.append((file_name(run, park, file.format), MIME[file.format], data))
        subject, body = _message(run, park)
        try:
            mail.send(to, subject, body, attachments)
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("report run %s not mailed: %s", run.id, exc)
            return False
        run.mailed_at = utcnow()
    return True


def mail_pending(now: datetime | None = None) -> int:
    """Mail every recent done run not mailed yet; how many were."""
    since = (now or utcnow()) - MAIL_WITHIN
    ids = db.session.scalars(
        select(ReportRun.id)
        .where(
            ReportRun.status == RunStatus.DONE,
            ReportRun.mailed_at.is_(None),
            ReportRun.finished_at >= since,
        )
        .order_by(ReportRun.id)
    ).all()
    return sum(1 for run_id in ids if mail_run(run_id))
