"""Outgoing mail over SMTP with the MAIL_* settings; empty MAIL_SERVER means not configured."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app


def configured() -> bool:
    """Whether the deployment can send mail (MAIL_SERVER is set)."""
    return bool(current_app.config.get("MAIL_SERVER"))


def send(to: str | list[str], subject: str, body: str) -> None:
    """Send a plain-text message; raises OSError / smtplib.SMTPException when delivery fails."""
    cfg = current_app.config
    message = EmailMessage()
    message["From"] = cfg["MAIL_FROM"]
    message["To"] = ", ".join([to] if isinstance(to, str) else to)
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="opc.local")
    message.set_content(body)
    with smtplib.SMTP(cfg["MAIL_SERVER"], int(cfg["MAIL_PORT"]), timeout=15) as smtp:
        if cfg.get("MAIL_USE_TLS"):
            smtp.starttls()
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD", ""))
        smtp.send_message(message)
