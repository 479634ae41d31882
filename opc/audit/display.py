"""Audit entries as people read them: who, the record by its name with a link, and each
change as a field with its old and new value in display form.

Values never show as JSON: money (`*_fen`) as ¥1,234.50, areas (`*_m2`) as 1,234.50,
booleans as 是/否, times in the zone of the page, codes by the domain's labels, and
references (`team_id`, a user's `parks`) by the names of the records they point to. A page
of entries costs one query per kind of record it names, whatever its length. Rows written
before Chinese was stored unescaped read the same: the JSON is decoded, never shown.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import get_timezone
from flask_babel import gettext as _
from sqlalchemy import inspect, select
from werkzeug.routing import BuildError

from opc.audit import registry
from opc.audit.models import AuditEntry
from opc.auth.models import User
from opc.core.columns import listed
from opc.core.csvio import chunks
from opc.core.dates import format_datetime, format_day
from opc.core.money import format_money
from opc.core.numbers import format_area
from opc.core.pinyin import sort_key
from opc.extensions import db

_MONEY = re.compile(r"(^|_)fen(_|$)")
_AREA = re.compile(r"(^|_)m2(_|$)")
_LONGEST = 300  # characters of a text value shown; the rest is elided


@dataclass
class Change:
    label: str
    old: str | None = None  # None: a record created (only the new value)
    new: str | None = None  # None: a record deleted (only the old value)


@dataclass
class ShownEntry:
    entry: AuditEntry
    actor: str
    type_label: str
    record: str
    url: str | None
    changes: list[Change] = field(default_factory=list)


@functools.cache
def _models() -> dict[str, Any]:
    """Each mapped table's model (the log names records by table)."""
    return {
        mapper.class_.__tablename__: mapper.class_
        for mapper in db.Model.registry.mappers
        if hasattr(mapper.class_, "__tablename__")
    }


@functools.cache
def references(entity: str) -> dict[str, str]:
    """The fields of a record that point to others: column -> referenced table (from its
    foreign keys), and many-to-many collections -> their records' table."""
    model = _models().get(entity)
    if model is None:
        return {}
    mapper = inspect(model)
    found: dict[str, str] = {}
    for attr in mapper.column_attrs:
        for column in attr.columns:
            for key in getattr(column, "foreign_keys", ()):
                found[attr.key] = key.column.table.name
    for rel in mapper.relationships:
        if rel.secondary is not None:
            found[rel.key] = rel.mapper.class_.__tablename__
    return found


def _lookups(entries: list[AuditEntry]) -> dict[str, set[int]]:
    """The ids of each table the page names: the records and what their values point to."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for entry in entries:
        if entry.entity_id is not None:
            wanted[entry.entity].add(entry.entity_id)
        if entry.actor_id is not None:
            wanted["users"].add(entry.actor_id)
        refs = references(entry.entity)
        for values in (entry.before or {}, entry.after or {}):
            for key, value in values.items():
                if key not in refs:
                    continue
                ids = value if isinstance(value, list) else [value]
                wanted[refs[key]].update(i for i in ids if isinstance(i, int))
    return wanted


def _names(wanted: dict[str, set[int]]) -> tuple[dict[tuple[str, int], str], dict[Any, str]]:
    """(table, id) -> the record's name, and its page where it has one: one query a table."""
    names: dict[tuple[str, int], str] = {}
    urls: dict[tuple[str, int], str] = {}
    for entity, ids in wanted.items():
        model = _models().get(entity)
        if model is None or not ids or not hasattr(model, "id"):
            continue
        kind = registry.kind_of(entity)
        for some in chunks(sorted(ids)):  # an export names many: bounded IN lists
            _name_some(entity, model, kind, list(some), names, urls)
    return names, urls


def _name_some(
    entity: str,
    model: Any,
    kind: registry.RecordKind | None,
    ids: list[int],
    names: dict[tuple[str, int], str],
    urls: dict[tuple[str, int], str],
) -> None:
    stmt = select(model).where(model.id.in_(ids))
    if kind is not None and kind.load:
        stmt = stmt.options(*kind.load)
    for record in db.session.scalars(stmt):
        names[(entity, record.id)] = registry.name_of(entity, record)
        if kind is not None and kind.url is not None:
            with contextlib.suppress(BuildError):  # a page this deployment lacks
                urls[(entity, record.id)] = kind.url(record)


def _text(value: Any) -> str:
    text = str(value)
    return text if len(text) <= _LONGEST else text[:_LONGEST] + "…"


# A day the recorder stored as ISO (opc.audit.recorder), shown as pages show days.
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _day(text: str) -> str:
    try:
        return format_day(date.fromisoformat(text))
    except ValueError:
        return _text(text)


def _datetime(text: str) -> str:
    try:
        return format_datetime(datetime.fromisoformat(text), str(get_timezone()))
    except ValueError:
        return _text(text)


def value_text(entity: str, key: str, value: Any, names: dict[tuple[str, int], str]) -> str:
    """A stored value in its display form."""
    if value is None or value == "" or value == []:
        return "—"
    kind = registry.kind_of(entity)
    if kind is not None and key in kind.values:
        return _text(kind.values[key](value))
    target = references(entity).get(key)
    if target is not None:
        ids = value if isinstance(value, list) else [value]
        return listed(names.get((target, i)) or f"#{i}" for i in ids)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if _MONEY.search(key) and isinstance(value, int):
        return format_money(value)
    if _AREA.search(key):
        return format_area(value)
    if key.endswith("_at") and isinstance(value, str):
        return _datetime(value)
    if isinstance(value, str) and _DAY.fullmatch(value):
        return _day(value)
    if isinstance(value, list):
        return listed(value_text(entity, key, v, names) for v in value)
    if isinstance(value, dict):
        return listed(f"{k}: {value_text(entity, k, v, names)}" for k, v in value.items())
    return _text(value)


def changes(entry: AuditEntry, names: dict[tuple[str, int], str]) -> list[Change]:
    """The entry's fields: old → new for an update, the values of a created or deleted
    record (empty ones left out)."""
    before, after = entry.before or {}, entry.after or {}
    shown: list[Change] = []
    for key in list(dict.fromkeys([*before, *after])):
        if registry.hidden(entry.entity, key):
            continue
        label = registry.field_label(entry.entity, key)
        old = value_text(entry.entity, key, before.get(key), names) if key in before else None
        new = value_text(entry.entity, key, after.get(key), names) if key in after else None
        if entry.action != "update" and (old or new) == "—":
            continue
        shown.append(Change(label, old if entry.action != "create" else None, new))
    return shown


def _snapshot_name(entry: AuditEntry) -> str | None:
    """A deleted record's name, from what the log kept of it."""
    values = entry.before or entry.after or {}
    for key in ("name_zh", "code", "name", "email"):
        if values.get(key):
            return str(values[key])
    return None


def show(entries: Iterable[AuditEntry]) -> list[ShownEntry]:
    """A page of entries for people."""
    page = list(entries)
    names, urls = _names(_lookups(page))
    shown = []
    for entry in page:
        if entry.actor_id is None:
            actor = _("System")
        else:
            actor = names.get(("users", entry.actor_id)) or entry.actor_label
        record = (
            names.get((entry.entity, entry.entity_id or 0))
            or _snapshot_name(entry)
            or f"#{entry.entity_id}"
        )
        shown.append(
            ShownEntry(
                entry=entry,
                actor=actor,
                type_label=registry.type_label(entry.entity),
                record=record,
                url=urls.get((entry.entity, entry.entity_id or 0)),
                changes=changes(entry, names),
            )
        )
    return shown


def people() -> list[tuple[int, str]]:
    """Everyone who may have changed something, for the log's person filter: in pinyin
    order of their names (their e-mail when they have none)."""
    users = db.session.execute(select(User.id, User.name, User.email)).all()
    labelled = [(u.id, f"{u.name} ({u.email})" if u.name else u.email) for u in users]
    return sorted(labelled, key=lambda item: (sort_key(item[1]), item[0]))


def record_types(entities: list[str]) -> list[tuple[str, str]]:
    """The record types of the log as (entity, label), in the order of their labels."""
    return sorted(((e, registry.type_label(e)) for e in entities), key=lambda t: sort_key(t[1]))
