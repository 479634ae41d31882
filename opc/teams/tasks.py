"""Scheduled jobs of teams: used and expired invitations are kept only as long as configured."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from opc.core.db import transaction, utcnow
from opc.jobs.registry import daily, job
from opc.teams.models import Invitation

log = logging.getLogger(__name__)


def prune_invitations(now: datetime) -> int:
    """Delete invitations accepted, revoked or expired more than INVITATION_RETENTION_DAYS
    before `now`; pending ones stay. How many were deleted."""
    cutoff = now - timedelta(days=current_app.config["INVITATION_RETENTION_DAYS"])
    # When it ended: accepted, else revoked, else (pending or expired) when it expires.
    ended = func.coalesce(Invitation.accepted_at, Invitation.revoked_at, Invitation.expires_at)
    with transaction() as session:
        old = session.scalars(select(Invitation).where(ended < cutoff)).all()
        for invitation in old:
            session.delete(invitation)  # through the ORM: the audit log records each
    return len(old)


@job("teams.prune-invitations", cron={"hour": 3, "minute": 40}, period=daily)
def prune_invitations_job(period: str) -> None:
    """Daily housekeeping: the invitations table would otherwise only grow."""
    log.info("%s: deleted %d invitations", period, prune_invitations(utcnow()))
