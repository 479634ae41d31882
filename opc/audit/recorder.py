"""Writes an audit entry for every change of an Audited record, inside the same transaction.

One path, so that later domains cannot get it wrong: audited rows are written through the
ORM unit of work, and the `after_flush` hook below logs what each flush did (the ORM knows
every changed value before and after). That includes the record's many-to-many
collections: a change of a staff member's parks (the `staff_parks` association table) is
logged as an update of the user, `{"parks": [1]} -> {"parks": [1, 2]}` (ids, sorted), and
of each park whose staff it changed (`{"staff": [...]}`, the other side of the relationship).

A bulk INSERT/UPDATE/DELETE statement run through a session against an audited table
(an Audited model's table, or an association table of one of its collections) bypasses the
unit of work, so `_refuse_bulk_writes` raises `UnauditedWrite` instead of letting it pass
silently. Load the rows and change them instead (`for row in session.scalars(...)`); the
flush logs each. For the rare write that must stay a statement, log it yourself in the same
transaction with `record(...)` and run the statement with `execution_options=RECORDED`.

Statements the session cannot see (raw SQL text, a connection of its own) are caught by the
test-wide guard in tests/conftest.py: a transaction that writes an audited table without an
entry for it fails the test.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import ORMExecuteState, PassiveFlag, Session
from sqlalchemy.orm.attributes import get_history

from opc.audit.models import AuditEntry
from opc.core.db import current_actor, utcnow
from opc.core.models import Audited
from opc.extensions import db

# What a collection's history includes without loading it: the changes made through a backref.
_UNLOADED_TOO = PassiveFlag.PASSIVE_NO_INITIALIZE | PassiveFlag.INCLUDE_PENDING_MUTATIONS
# Execution options of a statement whose change the caller has logged with record().
RECORDED = {"opc_audit_recorded": True}


class UnauditedWrite(RuntimeError):
    """A bulk statement would change an audited table without an audit entry."""


def audited_tables() -> dict[str, set[str]]:
    """Each audited table, with the entities (audit_entries.entity) whose changes write it."""
    tables: dict[str, set[str]] = {}
    for mapper in db.Model.registry.mappers:
        if not issubclass(mapper.class_, Audited):
            continue
        entity = mapper.class_.__tablename__
        for table in mapper.tables:
            tables.setdefault(table.name, set()).add(entity)
        for rel in _collections(mapper):
            tables.setdefault(rel.secondary.name, set()).add(entity)
    return tables


def unaudited_columns() -> dict[str, set[str]]:
    """Each audited table's columns that the audit leaves out (the `__audit_exclude__` of every
    model on the table): a write that changes only these changes nothing the log records,
    like an API token's `last_used_at`, so it needs no entry."""
    columns: dict[str, set[str]] = {}
    for mapper in db.Model.registry.mappers:
        if not issubclass(mapper.class_, Audited):
            continue
        excluded = mapper.class_.__audit_exclude__
        for table in mapper.tables:
            names = {
                column.name
                for attr in mapper.column_attrs
                if attr.key in excluded
                for column in attr.columns
                if column.table is table
            }
            columns[table.name] = columns[table.name] & names if table.name in columns else names
    return columns


def record(
    entity: str,
    entity_id: int | None,
    *,
    action: str = "update",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Log a change written outside the unit of work, in the running transaction."""
    _insert(db.session(), [_entry(action, entity, entity_id, before, after)])


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _collections(mapper: Any) -> list[Any]:
    """The many-to-many relationships of an audited mapper (their rows are its values)."""
    excluded = getattr(mapper.class_, "__audit_exclude__", frozenset())
    return [r for r in mapper.relationships if r.secondary is not None and r.key not in excluded]


def _ids(objects: Iterable[Any]) -> list[Any]:
    """The primary keys of related records, sorted (a tuple each when composite)."""
    keys = []
    for obj in objects:
        key = inspect(obj).mapper.primary_key_from_instance(obj)
        keys.append(key[0] if len(key) == 1 else tuple(key))
    return sorted(keys)


def _stored_ids(session: Session, state: Any, rel: Any) -> list[Any]:
    """The related keys in the association table, as this flush left them."""
    where = [
        secondary == state.dict[state.mapper.get_property_by_column(local).key]
        for local, secondary in rel.synchronize_pairs
    ]
    columns = [secondary for _remote, secondary in rel.secondary_synchronize_pairs]
    rows = session.connection().execute(select(*columns).where(*where))
    return sorted(row[0] if len(columns) == 1 else tuple(row) for row in rows)


def _columns(obj: Audited) -> list[str]:
    excluded = obj.__audit_exclude__
    return [c.key for c in inspect(obj).mapper.column_attrs if c.key not in excluded]


def _snapshot(obj: Audited) -> dict[str, Any]:
    state = inspect(obj)
    values = state.dict  # what the flush wrote; unset columns are NULL
    snapshot = {key: _plain(values.get(key)) for key in _columns(obj)}
    for rel in _collections(state.mapper):
        if rel.key in values:  # set, or loaded (a delete loads it to remove its rows)
            snapshot[rel.key] = _ids(values[rel.key])
    return snapshot


def _changes(session: Session, obj: Audited) -> tuple[dict[str, Any], dict[str, Any]]:
    state = inspect(obj)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for key in _columns(obj):
        history = state.attrs[key].history
        if history.has_changes():
            before[key] = _plain(history.deleted[0]) if history.deleted else None
            after[key] = _plain(history.added[0]) if history.added else None
    for rel in _collections(state.mapper):
        # An unloaded collection (changed through the other side's backref) knows only what
        # was added and removed: the rest comes from the association table.
        history = get_history(obj, rel.key, passive=_UNLOADED_TOO)
        if not history.has_changes():
            continue
        if rel.key in state.dict:
            new = _ids(state.dict[rel.key])
        else:
            new = _stored_ids(session, state, rel)
        old = sorted((set(new) - set(_ids(history.added))) | set(_ids(history.deleted)))
        if old != new:
            before[rel.key], after[rel.key] = old, new
    return before, after


def _entry(
    action: str,
    entity: str,
    entity_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> dict[str, Any]:
    return {
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "before": before,
        "after": after,
    }


def _insert(session: Session, rows: list[dict[str, Any]]) -> None:
    actor = current_actor()
    actor_id = getattr(actor, "id", None)
    label = getattr(actor, "email", None) or "system"
    at = utcnow()
    for row in rows:
        row.update(actor_id=actor_id, actor_label=label, at=at)
    session.connection().execute(insert(AuditEntry), rows)


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
                before, after = _changes(session, obj)
                if not after:
                    continue
            entity = obj.__tablename__  # type: ignore[attr-defined]
            rows.append(_entry(action, entity, getattr(obj, "id", None), before, after))
    if rows:
        _insert(session, rows)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_writes(state: ORMExecuteState) -> None:
    """A bulk statement on an audited table would leave no entry: refuse it."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    if state.execution_options.get("opc_audit_recorded"):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name in audited_tables():
        raise UnauditedWrite(
            f"a bulk write of the audited table {name} would not be logged: change the rows "
            "through the ORM, or log it with opc.audit.recorder.record() and execute it "
            "with execution_options=RECORDED"
        )
