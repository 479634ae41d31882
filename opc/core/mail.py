"""Outgoing mail over SMTP with the MAIL_* settings; empty MAIL_SERVER means not configured."""

from __future__ import annotations

import logging
import smtplib
import threading
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app

log = logging.getLogger(__name__)


def configured() -> bool:
    """Whether the deployment can send mail (MAIL_SERVER is set)."""
    return bool(current_app.config.get("MAIL_SERVER"))


def send(
    to: str | list[str],
    subject: str,
    body: str,
    attachments: Sequence[tuple[str, str, bytes]] = (),
) -> None:
    """Send a plain-text message, with `attachments` (file name, MIME type, bytes); raises
    OSError / smtplib.SMTPException when delivery fails."""
    cfg = current_app.config
    message = EmailMessage()
    message["From"] = cfg["MAIL_FROM"]
    message["To"] = ", ".join([to] if isinstance(to, str) else to)
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="opc.local")
    message.set_content(body)
    for filename, mimetype, data in attachments:
        maintype, _slash, subtype = mimetype.partition(";")[0].partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    with smtplib.SMTP(cfg["MAIL_SERVER"], int(cfg["MAIL_PORT"]), timeout=15) as smtp:
        if cfg.get("MAIL_USE_TLS"):
            smtp.starttls()
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD", ""))
        smtp.send_message(message)


def send_in_background(to: str, subject: str, body: str) -> threading.Thread:
    """Send a message from a thread of its own: the request's answer neither waits for the
    mail server nor, by how long it takes, tells whether a message went out. A failure is
    logged (nobody is waiting to be told)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def deliver() -> None:
        with app.app_context():
            try:
                send(to, subject, body)
            except (OSError, smtplib.SMTPException) as exc:
                log.warning("mail to %s failed: %s", to, exc)

    thread = threading.Thread(target=deliver, name="opc-mail")  # not a daemon: finish it
    thread.start()
    return thread
