"""Writes an audit entry for every change of an Audited record, inside the same flush."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from opc.audit.models import AuditEntry
from opc.core.db import current_actor, utcnow
from opc.core.models import Audited


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _columns(obj: Audited) -> list[str]:
    excluded = obj.__audit_exclude__
    return [c.key for c in inspect(obj).mapper.column_attrs if c.key not in excluded]


def _snapshot(obj: Audited) -> dict[str, Any]:
    values = inspect(obj).dict  # what the flush wrote; unset columns are NULL
    return {key: _plain(values.get(key)) for key in _columns(obj)}


def _changes(obj: Audited) -> tuple[dict[str, Any], dict[str, Any]]:
    state = inspect(obj)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for key in _columns(obj):
        history = state.attrs[key].history
        if history.has_changes():
            before[key] = _plain(history.deleted[0]) if history.deleted else None
            after[key] = _plain(history.added[0]) if history.added else None
    return before, after


@event.listens_for(Session, "after_flush")
def _record(session: Session, _flush_context: Any) -> None:
    rows: list[dict[str, Any]] = []
    for action, objects in (
        ("create", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in objects:
            if not isinstance(obj, Audited):
                continue
            if action == "create":
                before, after = None, _snapshot(obj)
            elif action == "delete":
                before, after = _snapshot(obj), None
            else:
                before, after = _changes(obj)
                if not after:
                    continue
            rows.append(
                {
                    "action": action,
                    "entity": obj.__tablename__,  # type: ignore[attr-defined]
                    "entity_id": getattr(obj, "id", None),
                    "before": before,
                    "after": after,
                }
            )
    if not rows:
        return
    actor = current_actor()
    actor_id = getattr(actor, "id", None)
    label = getattr(actor, "email", None) or "system"
    at = utcnow()
    for row in rows:
        row.update(actor_id=actor_id, actor_label=label, at=at)
    session.connection().execute(insert(AuditEntry), rows)
