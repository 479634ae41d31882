"""Scheduled job of the service workstation: SLA breach warnings.

Every 15 minutes (each quarter hour a run of its own, claimed once whatever the number of
scheduler processes): a request still waiting for its first response past its due instant,
and an active request not waiting on the team past its resolution due instant, warn its
assignee (or, unassigned, the park's staff), once per request and kind of breach (the
ServiceBreach's unique key; the job skips requests that have theirs). The due instants were
counted in working minutes when they were set, so the job compares instants only.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, joinedload

from opc.core.db import transaction, utcnow
from opc.jobs.registry import job
from opc.service import notify
from opc.service.models import ACTIVE, BreachKind, ServiceBreach, ServiceRequest, Status

log = logging.getLogger(__name__)
JOB = "service.breach-warnings"


def quarter_hour(now: datetime) -> str:
    """The local quarter hour: 2026-03-01T08:15."""
    return now.replace(minute=now.minute - now.minute % 15).strftime("%Y-%m-%dT%H:%M")


def _breached(session: Session, kind: BreachKind, now: datetime) -> list[ServiceRequest]:
    warned = exists().where(
        ServiceBreach.request_id == ServiceRequest.id, ServiceBreach.kind == kind
    )
    if kind == BreachKind.FIRST_RESPONSE:
        late = [
            ServiceRequest.first_responded_at.is_(None),
            ServiceRequest.first_response_due <= now,
        ]
    else:
        late = [ServiceRequest.resolution_due.is_not(None), ServiceRequest.resolution_due <= now]
    stmt = (
        select(ServiceRequest)
        .options(joinedload(ServiceRequest.team))
        .where(ServiceRequest.status.in_(ACTIVE - {Status.WAITING}), *late, ~warned)
        .order_by(ServiceRequest.id)
    )
    return list(session.scalars(stmt))


def warn_breaches(now: datetime) -> int:
    """Record and send the breach warnings due at `now`; how many were sent."""
    sent = 0
    with transaction() as session:
        for kind in BreachKind:
            for request in _breached(session, kind, now):
                session.add(ServiceBreach(request_id=request.id, kind=kind, sent_at=utcnow()))
                session.flush()  # the unique key refuses a warning sent meanwhile
                notify.tell_handlers(session, request, notify.BREACHED, breach=kind.value)
                sent += 1
    return sent


@job(JOB, cron={"minute": "*/15"}, period=quarter_hour, lease=timedelta(minutes=5))
def breach_warnings_job(period: str) -> None:
    """Every quarter hour: warn of service requests past their SLA."""
    log.info("%s: sent %d SLA breach warnings", period, warn_breaches(utcnow()))
