"""Registrants' mail, sent once the change it tells of is committed.

A registration changes inside a transaction (opc.events.operations); its mail is written
there, in the registrant's language with the data at hand, and queued on the session. It
goes out only after the commit — a rolled-back change mails nobody — from a thread of its
own, so that neither the guest's page nor the scheduler's job waits for the mail server
(a failure is logged). Without MAIL_SERVER nothing is sent.

Unlike notifications (opc.notifications: to users who want mail, by the outbox), these go
to every registrant's address, guests included: they are the registration's own messages
(the confirmation carries the ticket's QR code and the event's .ics).
"""

from __future__ import annotations

import logging
import smtplib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from opc.core import mail

log = logging.getLogger(__name__)

_QUEUE = "opc_event_mails"
_MUTED = "opc_event_mails_muted"


@dataclass(frozen=True)
class Outgoing:
    to: str
    subject: str
    body: str
    attachments: tuple[tuple[str, str, bytes], ...] = ()


def queue(session: Session, message: Outgoing) -> None:
    """Send `message` once the session's transaction commits."""
    session.info.setdefault(_QUEUE, []).append(message)


@contextmanager
def muted(session: Session) -> Iterator[None]:
    """Within the block, the session's changes mail nobody (the demo's registrants are
    invented)."""
    session.info[_MUTED] = True
    try:
        yield
    finally:
        session.info.pop(_MUTED, None)


def wanted(session: Session) -> bool:
    """Whether to write the mails of a change: the deployment sends mail and the writer has
    not muted them (the QR code and the .ics cost more than the change itself)."""
    return mail.configured() and not session.info.get(_MUTED)


def _deliver(app: object, messages: list[Outgoing]) -> None:
    """Send the messages one after the other (an event cancelled with hundreds of
    registrants is one thread and one queue, not hundreds of connections at once)."""
    with app.app_context():  # type: ignore[attr-defined]
        for index, message in enumerate(messages):
            try:
                mail.send(message.to, message.subject, message.body, message.attachments)
            except smtplib.SMTPRecipientsRefused as exc:  # this address only: the others go
                log.warning("event mail to %s refused: %s", message.to, exc)
            except (OSError, smtplib.SMTPException) as exc:
                # The server is unreachable or failing: the rest would fail alike.
                log.warning("event mail failed, %d not sent: %s", len(messages) - index, exc)
                break


@sa_event.listens_for(Session, "after_commit")
def _send_committed(session: Session) -> None:
    pending = session.info.pop(_QUEUE, None)
    if not pending or not mail.configured():
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    # Not a daemon: a process that ends lets its mail finish.
    threading.Thread(target=_deliver, args=(app, pending), name="opc-event-mail").start()


@sa_event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, _previous: object) -> None:
    session.info.pop(_QUEUE, None)
