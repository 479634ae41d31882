"""Map database constraint violations to domain rules, so a race that the checks could not
see still answers with the rule's code (409), not a 500.

A violation is known by the name of the constraint, as the driver reports it: psycopg's
`diag.constraint_name` on PostgreSQL; on SQLite (which names no unique constraint) the
columns of "UNIQUE constraint failed: parks.code" looked up among the unique constraints
and indexes of the models, the name in "CHECK constraint failed: ck_parks_area_positive",
and the message of a trigger's `RAISE(ABORT, '<constraint name>')`.

Each domain registers the constraints of its tables where it declares them (its models
module): `register("uq_parks_code", "park_code_taken", lambda: _("…"))`. The names follow
opc.extensions.NAMING (`uq_<table>_<column>` for `unique=True`). tests/core/test_constraints.py
fails when a unique, check or exclusion constraint of the schema has no rule.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import CheckConstraint, MetaData, PrimaryKeyConstraint, UniqueConstraint
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.exc import IntegrityError

from opc.core.errors import RuleViolation
from opc.extensions import db

log = logging.getLogger(__name__)

# PostgreSQL: unique_violation; SQLite: the extended result codes of a constraint failure.
_PG_UNIQUE = "23505"
_SQLITE_UNIQUE = {sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY}
_SQLITE_CHECK = sqlite3.SQLITE_CONSTRAINT_CHECK
_SQLITE_TRIGGER = sqlite3.SQLITE_CONSTRAINT_TRIGGER

Message = Callable[[], str]


@dataclass(frozen=True)
class Rule:
    code: str
    message: Message


@dataclass(frozen=True)
class SchemaConstraint:
    """A constraint of the models that refuses values: unique, check, a natural primary key."""

    name: str
    table: str
    columns: frozenset[str]
    kind: str  # unique, check, exclusion, primary_key


_RULES: dict[str, Rule] = {}


def register(constraint: str, code: str, message: Message) -> None:
    """Name the rule a constraint enforces; `message` gives the translated text when called."""
    _RULES[constraint] = Rule(code, message)


def rule(constraint: str) -> Rule | None:
    """The rule registered for a constraint name."""
    return _RULES.get(constraint)


def registered() -> frozenset[str]:
    """Every constraint name that has a rule."""
    return frozenset(_RULES)


def schema_constraints(metadata: MetaData | None = None) -> Iterator[SchemaConstraint]:
    """The unique and check constraints (unique indexes included) of the models' tables, and
    the primary keys made of the row's values (an association table's pair), by name."""
    if metadata is None:
        metadata = db.metadata
    for table in metadata.sorted_tables:
        for constraint in table.constraints:
            columns = frozenset(c.name for c in constraint.columns)
            if isinstance(constraint, UniqueConstraint):
                kind = "unique"
            elif isinstance(constraint, ExcludeConstraint):
                kind = "exclusion"
            elif isinstance(constraint, CheckConstraint):
                kind = "check"
            elif isinstance(constraint, PrimaryKeyConstraint):
                if table.autoincrement_column is not None:
                    continue  # a generated id: never taken twice
                kind = "primary_key"
            else:
                continue
            yield SchemaConstraint(str(constraint.name), table.name, columns, kind)
        for index in table.indexes:
            if index.unique:
                columns = frozenset(c.name for c in index.columns)
                yield SchemaConstraint(str(index.name), table.name, columns, "unique")


def constraint_name(exc: IntegrityError) -> str | None:
    """The name of the constraint the database refused the statement by, when it tells."""
    error = exc.orig
    name = getattr(getattr(error, "diag", None), "constraint_name", None)  # psycopg
    if name:
        return str(name)
    code = getattr(error, "sqlite_errorcode", None)
    if code is None:
        return None
    message = str(error)
    if code == _SQLITE_TRIGGER:  # RAISE(ABORT, 'ex_allocations_unit_period')
        return message
    _prefix, _sep, detail = message.partition(" constraint failed: ")
    if code == _SQLITE_CHECK and detail:
        return detail
    if code in _SQLITE_UNIQUE and detail:
        return _unique_by_columns(detail)
    return None


def _unique_by_columns(detail: str) -> str | None:
    """SQLite names the columns ("units.park_id, units.code"): find the constraint on them."""
    qualified = [part.strip().split(".", 1) for part in detail.split(",")]
    if any(len(part) != 2 for part in qualified):
        return None
    table = qualified[0][0]
    columns = frozenset(column for _table, column in qualified)
    for constraint in schema_constraints():
        key = (constraint.kind in {"unique", "primary_key"}, constraint.table, constraint.columns)
        if key == (True, table, columns):
            return constraint.name
    return None


def _is_unique_violation(exc: IntegrityError) -> bool:
    error = exc.orig
    if getattr(error, "sqlstate", None) == _PG_UNIQUE:
        return True
    return getattr(error, "sqlite_errorcode", None) in _SQLITE_UNIQUE


def rule_for_integrity_error(exc: IntegrityError) -> RuleViolation:
    """The domain rule a refused statement broke: the registered one, else a generic one."""
    name = constraint_name(exc)
    found = _RULES.get(name) if name else None
    if found is not None:
        return RuleViolation(found.code, found.message())
    log.warning("constraint %s has no registered rule: %s", name, exc.orig)
    if _is_unique_violation(exc):
        return RuleViolation("duplicate", _("A record with these values exists already."))
    return RuleViolation("constraint_violated", _("The change breaks a rule of the database."))
