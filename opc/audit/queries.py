"""Reading the audit log, filtered."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, distinct, select

from opc.audit.models import AuditEntry
from opc.extensions import db


def entries(
    *,
    entity: str | None = None,
    entity_id: int | None = None,
    actor_id: int | None = None,
    action: str | None = None,
    on: date | None = None,
    tz: str = "Asia/Shanghai",
) -> Select[Any]:
    """Newest first, narrowed by whichever filters are given (`on` is a local date)."""
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc())
    if entity:
        stmt = stmt.where(AuditEntry.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    if actor_id is not None:
        stmt = stmt.where(AuditEntry.actor_id == actor_id)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if on is not None:
        start = datetime.combine(on, time(), ZoneInfo(tz))
        stmt = stmt.where(AuditEntry.at >= start, AuditEntry.at < start + timedelta(days=1))
    return stmt


def entity_names() -> list[str]:
    """The kinds of record the log has entries for (the filter's choices)."""
    return list(db.session.scalars(select(distinct(AuditEntry.entity)).order_by(AuditEntry.entity)))
