"""The outbox: notifications of users who want mail are mailed by the scheduler process.

Each run takes up to MAIL_BATCH notifications not yet mailed (`emailed_at` empty) of active
users who want mail (`users.notify_by_email`), made within MAIL_WITHIN, oldest first, locks
them, mails each in its reader's language and sets `emailed_at`, all in the run's
transaction. So:

* one sent is never sent again: a second scheduler (or an overlapping run) skips the rows
  the first holds (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: one writer at a time) and
  finds them mailed once the first commits;
* one that failed is tried again on the next run: a refused recipient is skipped, an
  unreachable or failing server ends the run's sending, and their rows stay unmailed;
* only if the database fails between the mail and the commit can a message go twice
  (the run rolls back); mail cannot be part of a database transaction.

Nothing older than MAIL_WITHIN is mailed: a server set up later, or one that was down for
days, does not flood mailboxes with old news (it stays in the list). Without MAIL_SERVER
nothing is mailed.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from opc.auth.models import User
from opc.core import mail
from opc.core.db import transaction, utcnow
from opc.core.links import external_url, has_external_url
from opc.notifications.kinds import render
from opc.notifications.models import Notification

log = logging.getLogger(__name__)

MAIL_BATCH = 50  # per run (a minute): the run holds its rows (and SQLite's lock) while mailing
MAIL_WITHIN = timedelta(days=3)


def language_of(user: User) -> str:
    """The language a user reads mail in: their own choice, else the deployment's default."""
    languages = current_app.config["LANGUAGES"]
    return user.locale if user.locale in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def message_for(notification: Notification, user: User) -> tuple[str, str]:
    """Subject and text of the mail of a notification, in the reader's language."""
    with force_locale(language_of(user)):
        shown = render(notification.kind, notification.params or {})
        parts = [shown.title]
        if shown.body:
            parts.append(shown.body)
        if notification.link and has_external_url():
            base = current_app.config["EXTERNAL_URL"].rstrip("/")
            parts.append(_("Open: %(link)s", link=base + notification.link))
        footer = _(
            "You receive this because e-mail is on for your notifications in OPC Ops. "
            "Turn it off on your account page: %(link)s",
            link=external_url("auth.account"),
        )
        parts.append("-- \n" + footer)
        return f"[OPC Ops] {shown.title}", "\n\n".join(parts) + "\n"


def deliver_pending(now: datetime | None = None, *, limit: int = MAIL_BATCH) -> int:
    """Mail the pending notifications (see the module's doc); how many were sent."""
    if not mail.configured():
        return 0
    now = now or utcnow()
    sent = 0
    with transaction() as session:
        pending = session.execute(
            select(Notification, User)
            .join(User, User.id == Notification.user_id)
            .where(
                Notification.emailed_at.is_(None),
                Notification.created_at >= now - MAIL_WITHIN,
                User.notify_by_email.is_(True),
                User.is_active.is_(True),
            )
            .order_by(Notification.id)
            .limit(limit)
            .with_for_update(of=Notification, skip_locked=True)
            .execution_options(populate_existing=True)
        ).all()
        for notification, user in pending:
            subject, body = message_for(notification, user)
            try:
                mail.send(user.email, subject, body)
            except smtplib.SMTPRecipientsRefused as exc:
                # This address is refused (for now): the others may still go.
                log.warning("notification %s not mailed: %s", notification.id, exc)
                continue
            except (OSError, smtplib.SMTPException) as exc:
                # The server is unreachable or failing: the rest waits for the next run.
                log.warning("mail server failed; the rest waits for the next run: %s", exc)
                break
            notification.emailed_at = utcnow()
            sent += 1
    return sent
