"""Batches at once, on real connections: a voucher is never overdrawn when two providers'
batches for one team arrive together, its 80 % alert is sent once when they cross the line
together (SQLite and PostgreSQL), and the lock is the team's: a batch for another team does
not wait for it (PostgreSQL; SQLite has one writer at a time by design)."""

from __future__ import annotations

import threading
from functools import partial
from typing import Any

import pytest
import sqlalchemy as sa

from opc.auth.models import User
from opc.compute.models import UsageDraw, UsageRecord, VoucherAlert
from opc.compute.operations import usage_store
from opc.compute.operations.usage import ingest_usage
from opc.compute.signals import voucher_alerted
from opc.core.db import transaction
from opc.core.errors import DomainError
from opc.extensions import db
from tests.compute.usage_helpers import (
    count,
    programme,
    provider,
    record,
    resident,
    rows,
    used,
    voucher,
)
from tests.core.helpers import race_as, slowed

pytestmark = pytest.mark.slow


def _batch(team: Any, prefix: str, costs: list[str]) -> list[dict[str, Any]]:
    return [record(team, external_id=f"{prefix}-{n}", cost_yuan=c) for n, c in enumerate(costs)]


def _ingest(provider_id: int, records: list[dict[str, Any]], *, actor: Any) -> None:
    ingest_usage(provider_id, records, source="api", actor=actor)


def test_two_providers_batches_for_one_team_at_once_never_overdraw(app, make, monkeypatch):
    park = make.park()
    team = resident(make, park, "2026-01-01")
    staff = make.user("staff", parks=[park])
    full = voucher(make, programme(make, park, rate="100"), team, 10_000)  # ¥100
    first, second = provider(make), provider(make)
    # Each batch alone fits the voucher (¥80); together they would take ¥160 of it.
    slowed(monkeypatch, usage_store, "balances")  # both would read the same balance
    writes = [
        partial(_ingest, first.id, _batch(team, "a", ["40.00", "40.00"])),
        partial(_ingest, second.id, _batch(team, "b", ["40.00", "40.00"])),
    ]
    assert race_as(app, staff.id, writes) == ["ok", "ok"]
    assert used(app, full)[0] == 10_000
    assert sum(d.subsidy_fen for d in rows(app, UsageDraw)) == 10_000
    assert sum(r.subsidy_fen for r in rows(app, UsageRecord)) == 10_000
    assert count(app, UsageRecord) == 4


def test_two_batches_crossing_80_percent_together_alert_once(app, make, monkeypatch):
    park = make.park()
    team = resident(make, park, "2026-01-01")
    staff = make.user("staff", parks=[park])
    full = voucher(make, programme(make, park, rate="100"), team, 10_000)
    sent: list[tuple[int, str]] = []
    slowed(monkeypatch, usage_store, "balances")
    writes = [
        partial(_ingest, provider(make).id, _batch(team, "a", ["45.00"])),
        partial(_ingest, provider(make).id, _batch(team, "b", ["45.00"])),
    ]

    def heard(voucher: Any, kind: str, **_kw: Any) -> None:
        sent.append((voucher.id, kind))

    with voucher_alerted.connected_to(heard):
        assert race_as(app, staff.id, writes) == ["ok", "ok"]
    assert sent == [(full.id, "used_80")]
    assert [(a.voucher_id, a.kind) for a in rows(app, VoucherAlert)] == [(full.id, "used_80")]
    assert used(app, full)[0] == 9_000


@pytest.fixture
def postgresql(app: Any) -> None:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite has one writer at a time by design (BEGIN IMMEDIATE)")


def _held(app: Any, monkeypatch: pytest.MonkeyPatch, team_id: int, actor_id: int, source: Any):
    """A batch for `team_id` that stops once it holds the team's lock, until released."""
    holding, release = threading.Event(), threading.Event()
    errors: list[str] = []
    original = usage_store.balances

    def stopping(session: Any, teams: Any, provider_id: int) -> Any:
        if team_id in teams:
            holding.set()
            if not release.wait(timeout=15):
                errors.append("never released")
        return original(session, teams, provider_id)

    monkeypatch.setattr(usage_store, "balances", stopping)

    def run() -> None:
        with app.app_context():
            try:
                actor = db.session.get(User, actor_id)
                db.session.rollback()
                records = [record(type("T", (), {"id": team_id})(), external_id="held")]
                ingest_usage(source.id, records, source="api", actor=actor)
            except Exception as exc:
                errors.append(repr(exc))
            finally:
                db.session.remove()

    thread = threading.Thread(target=run)
    thread.start()
    assert holding.wait(timeout=10)
    return thread, release, errors


def _within(app: Any, actor_id: int, seconds: int, write: Any) -> str:
    """`write` in a transaction that gives up on any lock after `seconds`: ok or its code."""
    with app.app_context():
        actor = db.session.get(User, actor_id)
        db.session.rollback()
        try:
            with transaction(actor) as session:
                session.execute(sa.text(f"SET LOCAL lock_timeout = '{seconds}s'"))
                write(actor)
            return "ok"
        except DomainError as exc:
            return exc.code
        finally:
            db.session.remove()


def test_a_batch_for_another_team_does_not_wait_for_a_held_one(app, make, monkeypatch, postgresql):
    park = make.park()
    held, other = resident(make, park, "2026-01-01"), resident(make, park, "2026-01-01")
    prog = programme(make, park)
    for team in (held, other):
        voucher(make, prog, team, 1_000_000)
    staff = make.user("staff", parks=[park])
    source = provider(make)
    thread, release, errors = _held(app, monkeypatch, held.id, staff.id, source)
    try:
        outcome = _within(
            app,
            staff.id,
            3,
            lambda actor: ingest_usage(source.id, [record(other)], source="api", actor=actor),
        )
    finally:
        release.set()
        thread.join(timeout=20)
    assert outcome == "ok"
    assert errors == []
    assert count(app, UsageRecord) == 2


def test_a_batch_for_the_same_team_waits_for_the_held_one(app, make, monkeypatch, postgresql):
    park = make.park()
    team = resident(make, park, "2026-01-01")
    voucher(make, programme(make, park), team, 1_000_000)
    staff = make.user("staff", parks=[park])
    source = provider(make)
    thread, release, errors = _held(app, monkeypatch, team.id, staff.id, source)
    try:
        outcome = _within(
            app,
            staff.id,
            1,
            lambda actor: ingest_usage(source.id, [record(team)], source="api", actor=actor),
        )
    finally:
        release.set()
        thread.join(timeout=20)
    assert outcome == "concurrent_update"  # the team's row was locked: it would have waited
    assert errors == []
    assert count(app, UsageRecord) == 1
