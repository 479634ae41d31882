"""Every constraint that refuses values has a rule, and a violation is known by the name of its
constraint as the driver reports it (not by text found anywhere in the message), so a race
that reaches the database answers 409 with the rule's own code."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from opc.core import constraints
from opc.core.db import transaction
from opc.extensions import db

HINT = "register a rule (opc.core.constraints.register) in the domain's models for: "
RAISED = re.compile(r"RAISE\s*\(\s*ABORT\s*,\s*'(\w+)'\s*\)", re.IGNORECASE)
# A trigger function's error that names its rule as the constraint (e.g. statement_frozen).
PG_RAISED = re.compile(r"CONSTRAINT\s*=\s*'(\w+)'", re.IGNORECASE)


def live_constraints() -> set[str]:
    """The constraints of the migrated database that refuse values, whatever declared them:
    unique, check and exclusion constraints and unique indexes on PostgreSQL, and the
    constraint names its trigger functions raise; the names SQLite's triggers raise (the
    exclusion rules SQLite cannot declare, the frozen statements)."""
    if db.engine.dialect.name == "postgresql":
        rows = db.session.execute(
            sa.text(
                "SELECT conname FROM pg_constraint"
                " WHERE contype IN ('u', 'c', 'x') AND connamespace = 'public'::regnamespace"
                " UNION SELECT indexname FROM pg_indexes"
                " WHERE schemaname = 'public' AND indexdef LIKE 'CREATE UNIQUE INDEX%'"
                " AND indexname NOT LIKE 'pk_%'"
            )
        )
        functions = db.session.execute(
            sa.text(
                "SELECT prosrc FROM pg_proc WHERE pronamespace = 'public'::regnamespace"
                " AND prorettype = 'trigger'::regtype"
            )
        )
        raised = {name for (src,) in functions for name in PG_RAISED.findall(src or "")}
        return ({name for (name,) in rows} | raised) - {"alembic_version_pkc"}
    rows = db.session.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'trigger'"))
    return {name for (sql,) in rows for name in RAISED.findall(sql or "")}


def test_every_constraint_of_the_models_has_a_rule(ctx):
    missing = [
        f"{c.name} ({c.kind} on {c.table})"
        for c in constraints.schema_constraints()
        if constraints.rule(c.name) is None
    ]
    assert not missing, HINT + ", ".join(missing)


def test_every_constraint_of_the_database_has_a_rule(ctx):
    found = live_constraints()
    assert found  # the walk sees something: the overlap rule at least
    missing = sorted(name for name in found if constraints.rule(name) is None)
    assert not missing, HINT + ", ".join(missing)


def test_every_rule_names_a_constraint_that_exists(ctx):
    known = {c.name for c in constraints.schema_constraints()} | live_constraints()
    if db.engine.dialect.name == "sqlite":
        known.add("ex_allocations_unit_period")  # an exclusion constraint on PostgreSQL only
    stale = sorted(constraints.registered() - known)
    assert not stale, "rules for constraints that do not exist: " + ", ".join(stale)


def test_every_rule_has_a_code_and_a_translated_message(ctx):
    from flask_babel import force_locale

    for name in constraints.registered():
        rule = constraints.rule(name)
        assert rule is not None and re.fullmatch(r"[a-z_]+", rule.code), name
        with force_locale("en"):
            english = rule.message()
        with force_locale("zh"):
            chinese = rule.message()
        assert english and chinese != english, f"{name}: {english!r} is not translated"


# --- violations, as each database reports them --------------------------------------------


def _park(**kw: Any) -> Any:
    from opc.parks.models import Park

    values = {"code": "P", "name_zh": "园区", "name_en": "", "total_area_m2": 100, "team_cap": 1}
    values.update(kw)
    return Park(**values)


def _refused(write: Callable[[Any], None]) -> IntegrityError:
    with pytest.raises(IntegrityError) as info, transaction() as session:
        write(session)
        session.flush()
    return info.value


def _same_code(session: Any) -> None:
    session.add_all([_park(code="DUP"), _park(code="DUP")])


def _no_area(session: Any) -> None:
    session.add(_park(total_area_m2=Decimal(0)))


def _same_team_name(session: Any) -> None:
    from opc.teams.models import Team

    park = _park()
    session.add(park)
    session.flush()
    for _ in range(2):
        session.add(Team(park_id=park.id, name_zh="星云", track="games", status_since=None))
        session.flush()


def _same_unit_code(session: Any) -> None:
    from opc.space.models import Unit

    park = _park()
    session.add(park)
    session.flush()
    for _ in range(2):
        session.add(Unit(park_id=park.id, code="A1", kind="office", floor=1, area_m2=10))
        session.flush()


def _overlap(session: Any) -> None:
    from opc.space.models import Allocation, Unit
    from opc.teams.models import Team

    park = _park()
    session.add(park)
    session.flush()
    unit = Unit(park_id=park.id, code="A1", kind="office", floor=1, area_m2=10)
    team = Team(park_id=park.id, name_zh="星云", track="games", status="resident")
    session.add_all([unit, team])
    session.flush()
    for start in (date(2026, 3, 1), date(2026, 3, 15)):
        session.add(Allocation(team_id=team.id, unit_id=unit.id, start=start))
        session.flush()


def _staff_twice(session: Any) -> None:
    park = _park()
    session.add(park)
    session.flush()
    # Statements on the connection, past the audit (the transaction is refused anyway).
    conn = session.connection()
    users, staff_parks = db.metadata.tables["users"], db.metadata.tables["staff_parks"]
    user_id = conn.execute(
        sa.insert(users).values(email="s@opc.cn", name="s", role="staff")
    ).inserted_primary_key[0]
    for _ in range(2):
        conn.execute(sa.insert(staff_parks).values(user_id=user_id, park_id=park.id))


@pytest.mark.parametrize(
    ("write", "name", "code"),
    [
        (_same_code, "uq_parks_code", "park_code_taken"),
        (_no_area, "ck_parks_area_positive", "area_not_positive"),
        (_same_team_name, "uq_teams_park_id_name_zh", "team_name_taken"),
        (_same_unit_code, "uq_units_park_id_code", "unit_code_taken"),
        (_overlap, "ex_allocations_unit_period", "allocation_overlap"),
        (_staff_twice, "pk_staff_parks", "staff_already_assigned"),
    ],
)
def test_a_violation_is_known_by_its_constraint(ctx, write, name, code):
    error = _refused(write)
    assert constraints.constraint_name(error) == name
    assert constraints.rule_for_integrity_error(error).code == code


def test_a_violation_without_a_name_is_generic(ctx):
    from opc.parks.models import Park

    error = _refused(lambda session: session.add(_park(name_zh=None)))  # NOT NULL
    assert constraints.constraint_name(error) is None
    violation = constraints.rule_for_integrity_error(error)
    assert violation.code == "constraint_violated"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Park)) == 0


def test_the_message_is_not_searched_for_names(ctx, monkeypatch):
    """A registered name that merely occurs in the message ("parks") is not the constraint."""
    error = _refused(_same_code)
    assert "parks" in str(error.orig)
    decoy = {"parks": constraints.Rule("wrong", str), **constraints._RULES}
    monkeypatch.setattr(constraints, "_RULES", decoy)
    assert constraints.rule_for_integrity_error(error).code == "park_code_taken"
