"""Scheduled jobs of compute subsidies: reminders before a voucher with budget left expires.

Daily at 08:00 (the scheduler's zone): a voucher whose last valid day is at most 30 days
away in its park's calendar gets the expires_30 reminder, at most 7 days away expires_7,
each once (the VoucherAlert's unique key; the job skips vouchers that have theirs). A
voucher that has nothing left to pay (its amount, or its GPU-hours, used up) gets none.
A voucher first seen within 7 days (granted late, or the scheduler was down) gets only
the 7-day reminder. Each reminder is sent as `voucher_alerted` (opc.compute.notify tells
the team's members and the park's staff), in the job's transaction.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, joinedload

from opc.compute.models import AlertKind, Programme, Voucher, VoucherAlert
from opc.compute.signals import voucher_alerted
from opc.core.dates import to_local
from opc.core.db import transaction, utcnow
from opc.jobs.registry import daily, job
from opc.parks.models import Park

log = logging.getLogger(__name__)

# (kind, days before the last valid day from which it is due), the nearer first.
REMINDERS = ((AlertKind.EXPIRES_7, 7), (AlertKind.EXPIRES_30, 30))


def _due(session: Session, park_id: int, today: date) -> list[tuple[Voucher, AlertKind]]:
    """The park's vouchers with budget left that a reminder is due for, and which."""
    found: list[tuple[Voucher, AlertKind]] = []
    nearer = today - timedelta(days=1)  # the last valid day of the window before this one
    for kind, days in REMINDERS:
        sent = exists().where(VoucherAlert.voucher_id == Voucher.id, VoucherAlert.kind == kind)
        stmt = (
            select(Voucher)
            .join(Programme, Programme.id == Voucher.programme_id)
            .options(joinedload(Voucher.programme), joinedload(Voucher.team))
            .where(
                Programme.park_id == park_id,
                Voucher.valid_to > nearer,
                Voucher.valid_to <= today + timedelta(days=days),
                Voucher.used_fen < Voucher.amount_fen,
                or_(
                    Voucher.gpu_hours_hundredths.is_(None),
                    Voucher.used_hundredths < Voucher.gpu_hours_hundredths,
                ),
                ~sent,
            )
            .order_by(Voucher.id)
        )
        found += [(voucher, kind) for voucher in session.scalars(stmt)]
        nearer = today + timedelta(days=days)
    return found


def remind_expiring(now: datetime) -> int:
    """Record and send the expiry reminders due at `now`; how many were sent."""
    sent = 0
    with transaction() as session:
        parks = session.execute(
            select(Park.id, Park.timezone).where(Park.id.in_(select(Programme.park_id)))
        ).all()
        for park_id, timezone in parks:
            today = to_local(now, timezone).date()  # type: ignore[union-attr]
            for voucher, kind in _due(session, park_id, today):
                session.add(VoucherAlert(voucher_id=voucher.id, kind=kind, sent_at=utcnow()))
                session.flush()  # the unique key refuses a reminder sent meanwhile
                voucher_alerted.send(voucher, kind=kind.value)
                sent += 1
    return sent


@job("compute.expiry-reminders", cron={"hour": 8, "minute": 0}, period=daily)
def expiry_reminders_job(period: str) -> None:
    """Daily: remind teams and staff of vouchers about to expire with budget left."""
    log.info("%s: sent %d voucher expiry reminders", period, remind_expiring(utcnow()))
