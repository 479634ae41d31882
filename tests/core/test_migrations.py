"""The migrations build exactly the models' schema on a fresh database of the run's backend
(OPC_TEST_DB), with the allocation overlap rule the models cannot express, and take it all
down again."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade

from opc.extensions import db
from tests.conftest import PG_SERVER, _backend, create_database, drop_database, make_app


@pytest.fixture
def fresh_url(tmp_path) -> Iterator[str]:
    """A new, empty database of the run's backend, dropped afterwards."""
    if _backend() == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    server = sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    try:
        name, url = create_database(server, "opc_migrations")
    except sa.exc.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    try:
        yield url
    finally:
        drop_database(server, name)


@pytest.fixture
def fresh_app(fresh_url) -> Iterator[Flask]:
    app = make_app(fresh_url)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def app_tables(app: Flask) -> set[str]:
    with app.app_context():
        return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


def differences(app: Flask) -> list[Any]:
    """What autogenerate would still add, drop or alter to reach the models."""
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_as_batch": True}
        )
        return compare_metadata(context, db.metadata)


def test_upgrade_to_head_yields_exactly_the_models_schema(fresh_app):
    assert app_tables(fresh_app) == set()
    with fresh_app.app_context():
        upgrade()
    assert app_tables(fresh_app) == set(db.metadata.tables)
    assert differences(fresh_app) == []


def test_the_comparison_would_see_a_missing_column(fresh_app):
    """The check above is not vacuous: a schema that differs from the models is reported."""
    with fresh_app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            conn.execute(sa.text('ALTER TABLE parks ADD COLUMN "extra" INTEGER'))
    found = differences(fresh_app)
    assert any(d[0] == "remove_column" and d[3].name == "extra" for d in found), found


def _insert_allocation(conn: Any, ident: int, start: str, end: str | None) -> None:
    conn.execute(
        sa.text(
            'INSERT INTO allocations (id, team_id, unit_id, start, "end", created_at) '
            "VALUES (:id, 1, 1, :start, :end, CURRENT_TIMESTAMP)"
        ),
        {"id": ident, "start": start, "end": end},
    )


def _park_team_unit(conn: Any) -> None:
    conn.execute(
        sa.text(
            "INSERT INTO parks (id, code, name_zh, name_en, total_area_m2, team_cap, timezone, "
            "currency, created_at) VALUES (1, 'P', '园区', 'Park', 1000, 10, 'Asia/Shanghai', "
            "'CNY', CURRENT_TIMESTAMP)"
        )
    )
    conn.execute(
        sa.text(
            "INSERT INTO teams (id, park_id, name_zh, name_en, name_pinyin, track, kind, "
            "description, contact_name, contact_email, contact_phone, status, created_at) "
            "VALUES (1, 1, '团队', 'Team', 'tuandui', 'aigc_film', 'company', '', '', '', '', "
            "'resident', CURRENT_TIMESTAMP)"
        )
    )
    conn.execute(
        sa.text(
            "INSERT INTO units (id, park_id, code, kind, floor, area_m2, seats, rent_fen_per_m2, "
            "created_at) VALUES (1, 1, 'U1', 'office', 1, 30, 4, 8000, CURRENT_TIMESTAMP)"
        )
    )


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-03-15", "2026-04-15"),  # overlaps the end of [03-01, 04-01)
        ("2026-02-01", "2026-03-02"),  # overlaps its start
        ("2026-03-10", "2026-03-11"),  # inside it
        ("2026-02-01", None),  # open-ended, covering it
    ],
)
def test_the_database_refuses_an_overlapping_allocation(fresh_app, start, end):
    with fresh_app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            _park_team_unit(conn)
            _insert_allocation(conn, 1, "2026-03-01", "2026-04-01")
        with pytest.raises(sa.exc.IntegrityError) as refused, db.engine.begin() as conn:
            _insert_allocation(conn, 2, start, end)
        assert "ex_allocations_unit_period" in str(refused.value)
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM allocations")).scalar() == 1


def test_the_database_refuses_an_update_into_an_overlap(fresh_app):
    with fresh_app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            _park_team_unit(conn)
            _insert_allocation(conn, 1, "2026-03-01", "2026-04-01")
            _insert_allocation(conn, 2, "2026-04-01", None)  # back to back: allowed
        with pytest.raises(sa.exc.IntegrityError) as refused, db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE allocations SET start = '2026-03-31' WHERE id = 2"))
        assert "ex_allocations_unit_period" in str(refused.value)


def test_the_overlap_rule_is_the_backends_own(fresh_app):
    """PostgreSQL: the exclusion constraint; SQLite: the triggers that stand in for it."""
    with fresh_app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                found = conn.execute(
                    sa.text(
                        "SELECT contype FROM pg_constraint "
                        "WHERE conname = 'ex_allocations_unit_period'"
                    )
                ).scalar()
                assert found == "x"  # an exclusion constraint
            else:
                triggers = conn.execute(
                    sa.text(
                        "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                        "AND tbl_name = 'allocations' ORDER BY name"
                    )
                ).scalars()
                assert list(triggers) == [
                    "tr_allocations_no_overlap_insert",
                    "tr_allocations_no_overlap_update",
                ]


def test_downgrade_to_base_leaves_no_application_table(fresh_app):
    with fresh_app.app_context():
        upgrade()
        assert app_tables(fresh_app)
        downgrade(revision="base")
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar() == 0
            if conn.dialect.name == "sqlite":
                leftovers = conn.execute(
                    sa.text(
                        "SELECT name FROM sqlite_master WHERE type IN ('trigger', 'index') "
                        "AND tbl_name <> 'alembic_version'"
                    )
                ).scalars()
                assert list(leftovers) == []
    assert app_tables(fresh_app) == set()
    # And back up again: the chain is repeatable.
    with fresh_app.app_context():
        upgrade()
    assert differences(fresh_app) == []


def test_each_revision_downgrades_to_the_one_before(fresh_app):
    """Step down one revision at a time, so that every downgrade() is exercised alone."""
    from alembic.script import ScriptDirectory

    with fresh_app.app_context():
        upgrade()
        config = fresh_app.extensions["migrate"].migrate.get_config()
        revisions = list(ScriptDirectory.from_config(config).walk_revisions())
        for _ in revisions:
            downgrade(revision="-1")
    assert app_tables(fresh_app) == set()
