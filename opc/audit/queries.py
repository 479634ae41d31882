"""Reading the audit log, filtered."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select

from opc.audit.models import AuditEntry
from opc.core.dates import check_dates
from opc.core.sorting import Sort, Sorting
from opc.extensions import db

SORTING = Sorting(
    {
        "when": AuditEntry.at,
        "action": AuditEntry.action,
        "record": (AuditEntry.entity, AuditEntry.entity_id),
    },
    default="when",
    tiebreak=AuditEntry.id,
    descending=True,
    first_desc=frozenset({"when"}),
)


def entries(
    *,
    entity: str | None = None,
    entity_id: int | None = None,
    actor_id: int | None = None,
    action: str | None = None,
    on: date | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    system: bool = False,
    tz: str = "Asia/Shanghai",
    sort: Sort | None = None,
) -> Select[Any]:
    """In the reader's order, else newest first (by id, which an index answers), narrowed
    by whichever filters are given: `on`, or `date_from` through `date_to` (both included),
    are local dates within the calendar the app accepts (422 otherwise); `system` keeps the
    changes nobody made (scheduled jobs, the CLI)."""
    check_dates(on=on, date_from=date_from, date_to=date_to)
    stmt = select(AuditEntry)
    stmt = stmt.order_by(*sort.order_by()) if sort else stmt.order_by(AuditEntry.id.desc())
    if entity:
        stmt = stmt.where(AuditEntry.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    if actor_id is not None:
        stmt = stmt.where(AuditEntry.actor_id == actor_id)
    if system:
        stmt = stmt.where(AuditEntry.actor_id.is_(None))
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if on is not None:
        date_from = date_to = on
    if date_from is not None:
        stmt = stmt.where(AuditEntry.at >= datetime.combine(date_from, time(), ZoneInfo(tz)))
    if date_to is not None:
        end = datetime.combine(date_to, time(), ZoneInfo(tz)) + timedelta(days=1)
        stmt = stmt.where(AuditEntry.at < end)
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
