"""Scheduled jobs of auth: login sessions and attempts are kept only as long as configured."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select

from opc.auth import ratelimit
from opc.auth.models import LoginAttempt, PasswordReset, UserSession
from opc.core.db import transaction, utcnow
from opc.jobs.registry import daily, job

log = logging.getLogger(__name__)


def prune_login_records(now: datetime) -> tuple[int, int]:
    """Delete sessions ended more than SESSION_RETENTION_DAYS before `now` (logged out,
    ended by a password change, or expired) and login attempts older than
    LOGIN_ATTEMPT_RETENTION_DAYS; how many of each."""
    config = current_app.config
    sessions_cutoff = now - timedelta(days=config["SESSION_RETENTION_DAYS"])
    # A session that was not ended expires SESSION_LIFETIME_HOURS after its login.
    created_cutoff = sessions_cutoff - timedelta(hours=config["SESSION_LIFETIME_HOURS"])
    attempts_cutoff = now - timedelta(days=config["LOGIN_ATTEMPT_RETENTION_DAYS"])
    with transaction() as session:
        sessions = session.execute(
            delete(UserSession).where(
                or_(
                    UserSession.revoked_at < sessions_cutoff,
                    UserSession.created_at < created_cutoff,
                )
            )
        ).rowcount
        attempts = session.execute(
            delete(LoginAttempt).where(LoginAttempt.at < attempts_cutoff)
        ).rowcount
    return sessions, attempts


def prune_password_resets(now: datetime) -> int:
    """Delete password links used, replaced or expired more than SESSION_RETENTION_DAYS
    before `now`; how many."""
    cutoff = now - timedelta(days=current_app.config["SESSION_RETENTION_DAYS"])
    ended = func.coalesce(PasswordReset.used_at, PasswordReset.revoked_at, PasswordReset.expires_at)
    with transaction() as session:
        old = session.scalars(select(PasswordReset).where(ended < cutoff)).all()
        for reset in old:
            session.delete(reset)  # through the ORM: the audit log records each
    return len(old)


@job("auth.prune-login-records", cron={"hour": 3, "minute": 20}, period=daily)
def prune_login_records_job(period: str) -> None:
    """Daily housekeeping: the four tables would otherwise only grow."""
    now = utcnow()
    sessions, attempts = prune_login_records(now)
    hits = ratelimit.prune(now)
    resets = prune_password_resets(now)
    log.info(
        "%s: deleted %d login sessions, %d login attempts, %d rate limit hits and %d "
        "password links",
        period,
        sessions,
        attempts,
        hits,
        resets,
    )
