"""The monthly rollup of usage (opc.compute.usage_months) is the records' own sums to the fen,
and the vouchers' days (opc.compute.voucher_days) their draws' by park-local day, whatever
arrives: batches over two months and GPU types, re-sent duplicates, a record split
across two vouchers, a refused batch, batches at once on real connections; and the pages and
GET /usage read their sums from it, not from the records."""

from __future__ import annotations

import re
from datetime import date
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import time_machine

from opc.compute.models import UsageDraw, UsageRecord
from opc.compute.operations import usage_store
from opc.compute.operations.usage import ingest_usage
from opc.compute.operations.usage_input import InvalidRecords
from opc.compute.usage_months import KEY, UsageMonth, UsageTeamMonth, rebuild_months
from opc.compute.voucher_days import VoucherDay, rebuild_voucher_days
from opc.extensions import db
from opc.parks.models import Park
from tests.compute.usage_helpers import (
    ingest,
    programme,
    provider,
    record,
    resident,
    voucher,
)
from tests.core.helpers import race_as, slowed

Sums = dict[tuple[Any, ...], tuple[int, int, int, int]]


def rollup(app: Any) -> Sums:
    """The rollup as stored: key -> (records, GPU-hours, cost, subsidy)."""
    m = UsageMonth
    with app.app_context():
        stmt = sa.select(*(m.__table__.c[k] for k in KEY), m.records,
                         m.gpu_hours_hundredths, m.cost_fen, m.subsidy_fen)  # fmt: skip
        found = {tuple(row[:5]): tuple(row[5:]) for row in db.session.execute(stmt)}
        db.session.remove()
    return found


def grouped(app: Any) -> tuple[Sums, dict[tuple[Any, ...], int]]:
    """The same sums by GROUP BY over the records, and each key's subsidy summed over the
    draws of its records."""
    r = UsageRecord
    key = [r.__table__.c[k] for k in KEY]
    with app.app_context():
        sums = db.session.execute(
            sa.select(*key, sa.func.count(r.id), sa.func.sum(r.gpu_hours_hundredths),
                      sa.func.sum(r.cost_fen), sa.func.sum(r.subsidy_fen)).group_by(*key)
        )  # fmt: skip
        records = {tuple(row[:5]): tuple(int(v) for v in row[5:]) for row in sums}
        draws = db.session.execute(
            sa.select(*key, sa.func.sum(UsageDraw.subsidy_fen))
            .join(r, r.id == UsageDraw.record_id)
            .group_by(*key)
        )
        drawn = {tuple(row[:5]): int(row[5]) for row in draws}
        db.session.remove()
    return records, drawn


def by_team(app: Any) -> Sums:
    """The per-team table as stored: (park, month, team) -> sums."""
    m = UsageTeamMonth
    with app.app_context():
        stmt = sa.select(m.park_id, m.month, m.team_id, m.records, m.gpu_hours_hundredths,
                         m.cost_fen, m.subsidy_fen)  # fmt: skip
        found = {tuple(row[:3]): tuple(row[3:]) for row in db.session.execute(stmt)}
        db.session.remove()
    return found


def assert_exact(app: Any) -> Sums:
    """Both tables of the rollup are the records' sums, and their subsidy their draws'."""
    found = rollup(app)
    records, drawn = grouped(app)
    assert found == records
    assert {k: v[3] for k, v in found.items() if v[3]} == drawn
    teams: dict[tuple[Any, ...], list[int]] = {}
    for key, sums in records.items():
        into = teams.setdefault(key[:3], [0, 0, 0, 0])
        for n, value in enumerate(sums):
            into[n] += value
    assert by_team(app) == {k: tuple(v) for k, v in teams.items()}
    assert voucher_days(app) == drawn_by_day(app)
    return found


def voucher_days(app: Any) -> dict[tuple[int, date], int]:
    with app.app_context():
        stmt = sa.select(VoucherDay.voucher_id, VoucherDay.day, VoucherDay.subsidy_fen)
        found = {(v, d): fen for v, d, fen in db.session.execute(stmt)}
        db.session.remove()
    return found


def drawn_by_day(app: Any) -> dict[tuple[int, date], int]:
    """Each voucher's draws summed by the park-local day their records started."""
    found: dict[tuple[int, date], int] = {}
    with app.app_context():
        stmt = (
            sa.select(UsageDraw.voucher_id, UsageRecord.started_at, Park.timezone,
                      UsageDraw.subsidy_fen)
            .join(UsageRecord, UsageRecord.id == UsageDraw.record_id)
            .join(Park, Park.id == UsageRecord.park_id)
        )  # fmt: skip
        for voucher_id, started, zone, fen in db.session.execute(stmt):
            key = (voucher_id, started.astimezone(ZoneInfo(zone)).date())
            found[key] = found.get(key, 0) + fen
        db.session.remove()
    return found


def test_the_rollup_is_the_records_sums_after_batches_duplicates_and_split_draws(app, make):
    park = make.park()
    team, other = resident(make, park, "2026-01-01"), resident(make, park, "2026-01-01")
    prog = programme(make, park, rate="50")
    # The team's first voucher (expiring first) has ¥30 left: a ¥100 record's ¥50 splits.
    voucher(make, prog, team, 3_000, valid_to="2026-06-30")
    voucher(make, prog, team, 1_000_000)
    star, cloud = provider(make), provider(make)
    first = [
        record(team, external_id="a1"),
        record(team, external_id="a2", cost_yuan="12.34", gpu_hours="1.05"),
        record(team, external_id="a3", gpu_type="H100", start="2026-04-01T00:30:00+08:00",
               end="2026-04-01T02:00:00+08:00"),
        record(other, external_id="a4", cost_yuan="7.77"),  # no voucher: unsubsidised
        record(team, external_id="a5", start="2026-03-31T23:00:00+08:00",
               end="2026-04-01T01:00:00+08:00", cost_yuan="0.00"),  # March, local
    ]  # fmt: skip
    assert ingest(app, star, first).stored == 5
    # Re-sent with two more of the same keys: the duplicates add nothing, the others add.
    again = ingest(app, star, [*first, record(team, external_id="a6", cost_yuan="0.99"),
                               record(other, external_id="a7", cost_yuan="3.00")])  # fmt: skip
    assert (again.stored, again.duplicates) == (2, 5)
    assert ingest(app, cloud, [record(team, external_id="b1", cost_yuan="45.67")]).stored == 1
    sums = assert_exact(app)
    p, t, o = park.id, team.id, other.id
    assert sums[(p, "2026-03", t, star.id, "A100-80G")] == (4, 4_905, 11_333, 5_667)
    assert sums[(p, "2026-04", t, star.id, "H100")] == (1, 1_600, 10_000, 5_000)
    assert sums[(p, "2026-03", o, star.id, "A100-80G")] == (2, 3_200, 1_077, 0)
    assert sums[(p, "2026-03", t, cloud.id, "A100-80G")] == (1, 1_600, 4_567, 2_284)
    with app.app_context():
        split = db.session.scalar(
            sa.select(sa.func.count()).select_from(
                sa.select(UsageDraw.record_id)
                .group_by(UsageDraw.record_id)
                .having(sa.func.count() == 2)
                .subquery()
            )
        )
        db.session.remove()
    assert split == 1  # a1 drew ¥30 of the first voucher and ¥20 of the second
    # A refused batch adds nothing to the rollup either.
    bad = [record(team, external_id="c1"), record(team, external_id="c2", cost_yuan="-1.00")]
    teams = by_team(app)
    with pytest.raises(InvalidRecords):
        ingest(app, star, bad)
    assert rollup(app) == sums and by_team(app) == teams


def test_rebuilding_the_rollup_from_the_records_gives_what_the_ingestion_kept(app, make):
    park = make.park()
    team = resident(make, park, "2026-01-01")
    voucher(make, programme(make, park), team, 1_000_000)
    ingest(app, provider(make), [record(team, gpu_type=g) for g in ("A100", "H100", "A100")])
    kept = assert_exact(app)
    with app.app_context():
        rebuild_months(db.session)
        rebuild_voucher_days(db.session)
        db.session.commit()
        db.session.remove()
    assert rollup(app) == kept
    assert_exact(app)


@pytest.mark.slow
def test_batches_at_once_keep_the_rollup_exact(app, make, monkeypatch):
    park = make.park()
    team, other = resident(make, park, "2026-01-01"), resident(make, park, "2026-01-01")
    prog = programme(make, park, rate="100")
    voucher(make, prog, team, 10_000)
    voucher(make, prog, other, 10_000)
    staff = make.user("staff", parks=[park])
    slowed(monkeypatch, usage_store, "balances")  # both read their balances, then wait

    def batch(provider_id: int, prefix: str, *, actor: Any) -> None:
        records = [record(t, external_id=f"{prefix}-{n}", cost_yuan="40.00")
                   for n, t in enumerate((team, team, other))]  # fmt: skip
        ingest_usage(provider_id, records, source="api", actor=actor)

    writes = [partial(batch, provider(make).id, p) for p in ("x", "y", "z")]
    assert race_as(app, staff.id, writes) == ["ok", "ok", "ok"]
    sums = assert_exact(app)
    assert sum(v[0] for v in sums.values()) == 9
    assert sum(v[3] for v in sums.values()) == 20_000  # both vouchers used up, never over


def _sums_read(statements: list[str]) -> list[str]:
    """The statements that sum or count the usage records themselves."""
    pattern = re.compile(r"(count|sum)\(\s*(usage_records\.|\*)", re.IGNORECASE)
    return [s for s in statements if "usage_records" in s and pattern.search(s)]


@time_machine.travel("2026-04-15 04:00:00+00:00", tick=False)
def test_the_explorer_and_the_api_read_their_sums_from_the_rollup(
    app, make, client, as_user, api, count_queries
):
    park = make.park()
    team = resident(make, park, "2026-01-01")
    star = provider(make)
    ingest(app, star, [record(team), record(team, gpu_type="H100", cost_yuan="1.50")])
    as_user("staff", parks=[park])
    staff_api = api(make.user("staff", parks=[park]))
    base = f"/parks/{park.id}/compute/usage?month=2026-03"
    for path in (base, f"{base}&gpu_type=H100", f"/teams/{team.id}/usage?month=2026-03"):
        with count_queries() as statements:
            page = client.get(path)
        assert page.status_code == 200
        assert 'data-record="' in page.get_data(as_text=True)
        assert _sums_read(statements) == [], path
        assert any(re.search(r"usage_(team_)?months", s) for s in statements), path
    for query in ("?month=2026-03", "?gpu_type=H100", ""):
        with count_queries() as statements:
            listed = staff_api.get(f"/usage{query}").get_json()
        assert listed["total"] == (1 if "H100" in query else 2)
        assert _sums_read(statements) == [], query
    # Each caller's total is of what it sees: its team's, its own provider's, none else.
    other_team = resident(make, park, "2026-01-01")
    callers = {
        api(make.user("member", team=team), scope="read"): 2,
        api(make.user("member", team=other_team), scope="read"): 0,
        api(star.user, scope="usage:write"): 2,
        api(provider(make).user, scope="usage:write"): 0,
        api(make.user("staff", parks=[make.park()])): 0,
    }
    for caller, total in callers.items():
        listed = caller.get("/usage?month=2026-03").get_json()
        assert (listed["total"], len(listed["items"])) == (total, total)
