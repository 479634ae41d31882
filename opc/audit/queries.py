"""Reading the audit log, filtered."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select

from opc.audit.models import AuditEntry
from opc.core.dates import check_dates
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
    """Newest first, narrowed by whichever filters are given (`on` is a local date, within
    the calendar the app accepts: 422 otherwise)."""
    check_dates(on=on)
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
    """The kinds of record the log has entries for (the filter's choices), in order.

    Read as a skip scan of ix_audit_entries_entity (each next name is the least one after
    the last: an index lookup), so it costs a lookup per kind, whatever the log's length;
    SELECT DISTINCT read every entry.
    """
    found = select(func.min(AuditEntry.entity).label("entity")).cte("found", recursive=True)
    after = select(func.min(AuditEntry.entity)).where(AuditEntry.entity > found.c.entity)
    found = found.union_all(select(after.scalar_subquery()).where(found.c.entity.is_not(None)))
    names = select(found.c.entity).where(found.c.entity.is_not(None)).order_by(found.c.entity)
    return list(db.session.scalars(names))
