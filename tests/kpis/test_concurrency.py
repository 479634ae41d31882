"""Filings of one team's quarter at once: each on its own connection (its own app context),
a barrier releases them together, and the step between reading the versions and writing is
slowed. Under the team's row lock they queue and each becomes a version; with the lock
taken away, the database's unique indexes still allow one current version (a clean 409 for
the loser). On SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from opc.extensions import db
from opc.kpis import operations
from opc.kpis.models import KpiReport
from opc.kpis.quarters import Quarter
from tests.core.helpers import race, rows, slowed
from tests.kpis.helpers import FIGURES, resident_team

pytestmark = pytest.mark.slow

Q3 = Quarter(2026, 3)
REFUSED = {"kpi_report_changed", "kpi_version_taken", "concurrent_update"}


def _slowed(monkeypatch: pytest.MonkeyPatch) -> None:
    slowed(monkeypatch, operations, "_next_version", seconds=0.3)


def _race(app: Any, writes: list[Callable[[], Any]]) -> list[Any]:
    """The writes at once; each one's version filed, or its refusal's code."""
    return race(app, writes, outcome=lambda report: report.version, timeout=60)


def _filing(team_id: int, headcount: int) -> Callable[[], Any]:
    figures = {**FIGURES, "headcount": headcount}
    return lambda: operations.file_report(team_id, Q3, figures, actor=None)


def _versions(app: Any) -> list[tuple[int, bool]]:
    stored = rows(app, KpiReport, order_by=KpiReport.version)
    return [(r.version, r.superseded_at is None) for r in stored]


def test_filings_at_once_queue_on_the_team_and_each_is_a_version(app, make, monkeypatch):
    team = resident_team(make)
    _slowed(monkeypatch)
    outcomes = _race(app, [_filing(team.id, n) for n in (8, 9, 10)])
    assert sorted(outcomes) == [1, 2, 3], outcomes
    assert _versions(app) == [(1, False), (2, False), (3, True)]


def test_a_correction_racing_another_supersedes_exactly_one(app, make, monkeypatch):
    team = resident_team(make)
    with app.app_context():
        operations.file_report(team.id, Q3, FIGURES, actor=None)
        db.session.remove()
    _slowed(monkeypatch)
    outcomes = _race(app, [_filing(team.id, n) for n in (9, 10)])
    assert sorted(outcomes) == [2, 3], outcomes
    assert _versions(app) == [(1, False), (2, False), (3, True)]


def test_without_the_lock_the_database_keeps_one_current_version(app, make, monkeypatch):
    team = resident_team(make)

    def unlocked(model: Any, ident: int) -> Any:
        return db.session.get(model, ident)

    monkeypatch.setattr(operations, "lock", unlocked)
    _slowed(monkeypatch)
    outcomes = _race(app, [_filing(team.id, n) for n in (8, 9)])
    filed = [o for o in outcomes if isinstance(o, int)]
    assert filed and set(outcomes) - set(filed) <= REFUSED, outcomes
    versions = _versions(app)
    assert [current for _v, current in versions].count(True) == 1
    assert sorted(filed) == [v for v, _current in versions]


def test_the_index_refuses_a_second_current_version(app, make, ctx):
    team = resident_team(make)
    for version in (1, 2):
        db.session.add(KpiReport(team_id=team.id, year=2026, quarter=3, version=version))
    with pytest.raises(IntegrityError) as refused:
        db.session.flush()
    db.session.rollback()
    from opc.core.constraints import rule_for_integrity_error

    assert rule_for_integrity_error(refused.value).code == "kpi_report_changed"
    assert db.session.scalars(select(KpiReport)).all() == []
