"""SQLite's way through a usual batch (opc.compute.operations.usage_staged) against the
record-by-record way: the column checks accept no record the record check refuses, and a
batch stored either way stores the same records, draws, sums, days and alerts. On
PostgreSQL both batches take the record-by-record way (the comparison still holds)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from opc.compute.models import UsageBatch, UsageDraw, UsageRecord, Voucher, VoucherAlert
from opc.compute.operations import usage as usage_ops
from opc.compute.operations.usage_input import check_record
from opc.compute.operations.usage_usual import usual
from opc.compute.usage_months import UsageMonth, UsageTeamMonth
from opc.compute.voucher_days import VoucherDay
from opc.extensions import db
from tests.compute.usage_helpers import (
    ingest,
    programme,
    provider,
    record,
    resident,
    rows,
    voucher,
)

# Each: changes to a good record. Some the usual shape takes, some it leaves to the record check.
EDGES: list[dict[str, Any]] = [
    {},
    {"start": "2026-03-10T01:00:00Z", "end": "2026-03-10T03:00:00Z"},
    {"start": "2026-03-10T09:00:00+14:00"},
    {"start": "2026-03-10T09:00:00+15:00"},
    {"start": "2026-03-10T09:00:00+23:59"},
    {"start": "2026-03-10T09:00:00-00:00"},
    {"start": "2026-03-10T09:00:00+08:60"},
    {"start": "2026-03-10T09:00:00z"},
    {"start": "2026-03-10T24:00:00+08:00"},
    {"start": "2026-03-10T09:00:60+08:00"},
    {"start": "2026-03-10T09:60:00+08:00"},
    {"start": "2026-03-10T09:00:00.5+08:00"},
    {"start": "2026-03-10T09:00+08:00"},
    {"start": "2026-03-10 09:00:00+08:00"},
    {"start": "2026-03-10T09:00:00+0800"},
    {"start": "2026-02-29T09:00:00+08:00"},
    {"start": "2024-02-29T09:00:00+08:00"},
    {"start": "2026-04-31T09:00:00+08:00"},
    {"start": "1899-12-31T23:00:00+08:00"},
    {"start": "2201-01-01T00:00:00+08:00"},
    {"start": "２０２６-03-10T09:00:00+08:00"},
    {"end": "2026-03-10T09:00:00+08:00"},
    {"end": "2026-03-10T01:00:00Z"},
    {"end": "2999-01-01T00:00:00+08:00"},
    {"gpu_hours": "16"},
    {"gpu_hours": "16.5"},
    {"gpu_hours": "0.07"},
    {"gpu_hours": "0"},
    {"gpu_hours": "0.00"},
    {"gpu_hours": "016.00"},
    {"gpu_hours": "1e3"},
    {"gpu_hours": "16.000"},
    {"gpu_hours": "９"},
    {"gpu_hours": 16},
    {"gpu_hours": 16.5},
    {"cost_yuan": "0"},
    {"cost_yuan": "99999999.99"},
    {"cost_yuan": "100000000.00"},
    {"cost_yuan": "-1.00"},
    {"cost_yuan": "1,000.00"},
    {"external_id": ""},
    {"external_id": " job"},
    {"external_id": "job\u3000"},
    {"external_id": "job\u200b"},
    {"external_id": "job\x00"},
    {"external_id": "job\ud800"},
    {"external_id": "x" * 100},
    {"external_id": "x" * 101},
    {"external_id": "作业 1"},
    {"external_id": 7},
    {"gpu_type": "g" * 40},
    {"gpu_type": "g" * 41},
    {"gpu_type": "A100\n"},
    {"team_id": True},
    {"team_id": 0},
    {"team_id": 2**31},
    {"team_id": "12"},
    {"colour": "red"},
    {"start": None},
]


def test_the_usual_shape_accepts_no_record_the_record_check_refuses():
    """But for an end not after its start and no GPU-hours, which the table's CHECKs refuse
    (test_usage_ingest's bad records hold such a batch refused and named)."""
    now = datetime(2026, 12, 1, tzinfo=UTC)
    team = type("Team", (), {"id": 12})()
    taken = 0
    for change in EDGES:
        raw = record(team, **change)
        if usual([raw]) is None:
            continue
        taken += 1
        problems: list[tuple[int, str, str]] = []
        if check_record(0, raw, now, problems) is None:
            assert problems in (
                [(0, "end", "Must be after the start.")],
                [(0, "gpu_hours", "Must be greater than zero.")],
            ), change
            continue
        assert problems == []
    assert taken >= 15  # the usual shape is no empty set
    assert usual([record(team, gpu_type="A100 80G"), record(team)]) is not None
    assert usual([record(team, external_id="a"), record(team, external_id="a")]) is None


@pytest.fixture
def staged(monkeypatch) -> list[int]:
    """The batches SQLite's way stored (their record counts)."""
    done: list[int] = []
    original = usage_ops.store_staged

    def spy(*args: Any, **kw: Any) -> Any:
        batch = original(*args, **kw)
        done.append(batch.stored)
        return batch

    monkeypatch.setattr(usage_ops, "store_staged", spy)
    return done


def _sqlite(app: Any) -> bool:
    with app.app_context():
        return db.engine.dialect.name == "sqlite"


def _batch(team: Any, prefix: str) -> list[dict[str, Any]]:
    """Records that split across vouchers, exhaust one on money and one on hours, tie on
    their start, cross a month park-locally, cost nothing, or come in other offsets."""
    out = []
    for n, (start, end, hours, cost) in enumerate(
        [
            ("2026-03-10T09:00:00+08:00", "2026-03-10T11:00:00+08:00", "16.00", "100.00"),
            ("2026-03-10T09:00:00+08:00", "2026-03-10T10:00:00+08:00", "0.07", "0.05"),
            ("2026-03-31T23:30:00+08:00", "2026-04-01T01:00:00+08:00", "12.5", "333.33"),
            ("2026-03-31T16:30:00Z", "2026-03-31T18:00:00Z", "3", "0"),
            ("2026-03-09T20:00:00-05:00", "2026-03-09T23:00:00-05:00", "24.00", "1234.56"),
            ("2026-03-02T08:00:00+08:00", "2026-03-02T09:00:00+08:00", "8.25", "2500.01"),
            ("2026-05-01T00:00:00+08:00", "2026-05-01T08:00:00+08:00", "64.00", "9999.99"),
            ("2026-03-03T08:00:00+08:00", "2026-03-03T09:00:00+08:00", "1.13", "4.35"),
        ]
    ):
        out.append(
            record(
                team,
                external_id=f"{prefix}-{n}",
                start=start,
                end=end,
                gpu_hours=hours,
                cost_yuan=cost,
                gpu_type="H800" if n % 2 else "A100-80G",
            )
        )
    return out


def _stored(app: Any, team: Any) -> dict[str, Any]:
    """What a team's batch stored, by job number (the job ids' prefixes differ)."""
    with app.app_context():
        vouchers = {
            v.id: k
            for k, v in enumerate(
                db.session.scalars(
                    sa.select(Voucher).where(Voucher.team_id == team.id).order_by(Voucher.id)
                )
            )
        }
        records = db.session.scalars(
            sa.select(UsageRecord).where(UsageRecord.team_id == team.id).order_by(UsageRecord.id)
        ).all()
        number = {r.id: r.external_id.split("-")[1] for r in records}
        found = {
            "records": [
                (
                    number[r.id],
                    r.park_id,
                    r.gpu_type,
                    r.started_at,
                    r.ended_at,
                    r.month,
                    r.gpu_hours_hundredths,
                    r.cost_fen,
                    r.subsidy_fen,
                )
                for r in records
            ],
            "draws": sorted(
                (number[d.record_id], vouchers[d.voucher_id], d.subsidy_fen, d.gpu_hours_hundredths)
                for d in db.session.scalars(
                    sa.select(UsageDraw).where(UsageDraw.record_id.in_(list(number)))
                )
            ),
            "used": [
                (vouchers[v.id], v.used_fen, v.used_hundredths)
                for v in db.session.scalars(
                    sa.select(Voucher).where(Voucher.id.in_(list(vouchers))).order_by(Voucher.id)
                )
            ],
            "days": sorted(
                (vouchers[d.voucher_id], d.day, d.subsidy_fen)
                for d in db.session.scalars(
                    sa.select(VoucherDay).where(VoucherDay.voucher_id.in_(list(vouchers)))
                )
            ),
            "alerts": sorted(
                (vouchers[a.voucher_id], a.kind)
                for a in db.session.scalars(
                    sa.select(VoucherAlert).where(VoucherAlert.voucher_id.in_(list(vouchers)))
                )
            ),
        }
        for model in (UsageMonth, UsageTeamMonth):
            sums = db.session.scalars(
                sa.select(model).where(model.team_id == team.id).order_by(model.id)
            )
            found[model.__tablename__] = sorted(
                (
                    m.month,
                    getattr(m, "gpu_type", ""),
                    m.records,
                    m.gpu_hours_hundredths,
                    m.cost_fen,
                    m.subsidy_fen,
                )
                for m in sums
            )
        db.session.remove()
    return found


def test_a_batch_stored_either_way_stores_the_same(app, make, monkeypatch, staged):
    park = make.park()
    source = provider(make)
    city, own = programme(make, park, rate="33.33"), programme(make, park, rate="50")
    teams = [resident(make, park, "2026-01-01") for _n in range(2)]
    for team in teams:  # the same vouchers for each
        voucher(make, city, team, 10_000, valid_to="2026-04-30")  # ¥100, expiring first
        voucher(make, own, team, 100_000, hours=2_000)  # ¥1,000 or 20 GPU-hours
        voucher(make, own, team, 50_000, valid_from="2026-03-05")
    fast = ingest(app, source, _batch(teams[0], "fast"))
    monkeypatch.setattr(usage_ops, "STAGING", False)
    slow = ingest(app, source, _batch(teams[1], "slow"))
    assert staged == ([8] if _sqlite(app) else [])
    assert (fast.stored, fast.duplicates, fast.cost_fen, fast.subsidy_fen) == (
        slow.stored,
        slow.duplicates,
        slow.cost_fen,
        slow.subsidy_fen,
    )
    assert fast.subsidy_fen > 0
    first, second = _stored(app, teams[0]), _stored(app, teams[1])
    assert first == second
    assert len(first["draws"]) > len(first["records"]) // 2  # splits, not only whole shares
    assert first["alerts"]  # a voucher reached 80 % or 100 %
    batches = rows(app, UsageBatch, order_by=UsageBatch.id)
    assert [(b.stored, b.cost_fen, b.subsidy_fen) for b in batches] == [
        (8, fast.cost_fen, fast.subsidy_fen)
    ] * 2


def test_a_batch_of_another_shape_takes_the_record_by_record_way(app, make, staged):
    park = make.park()
    team = resident(make, park, "2026-01-01")
    odd = record(team, start="2026-03-10T09:00:00.250+08:00", end="2026-03-10T11:00:00+08:00")
    ingest(app, provider(make), [record(team), odd])
    assert staged == []
    assert sorted(r.started_at.microsecond for r in rows(app, UsageRecord)) == [0, 250_000]


def test_a_zone_whose_offset_changes_within_the_batch_takes_the_record_by_record_way(
    app, make, staged
):
    park = make.park(timezone="America/Los_Angeles")
    team = resident(make, park, "2026-01-01")
    march = [  # daylight saving time starts on 8 March 2026
        record(team, start="2026-03-07T23:30:00-08:00", end="2026-03-08T01:00:00-08:00"),
        record(team, start="2026-03-31T23:30:00-07:00", end="2026-04-01T00:30:00-07:00"),
    ]
    ingest(app, provider(make), march)
    assert staged == []
    assert sorted(r.month for r in rows(app, UsageRecord)) == ["2026-03", "2026-03"]


def test_a_zone_whose_offset_holds_is_staged_with_its_local_month(app, make, staged):
    park = make.park(timezone="America/Los_Angeles")
    team = resident(make, park, "2026-01-01")
    june = [  # 30 June, 23:30 in Los Angeles (-07:00): written in UTC, and in Beijing time
        record(team, start="2026-07-01T06:30:00Z", end="2026-07-01T07:30:00Z"),
        record(team, start="2026-07-01T14:30:00+08:00", end="2026-07-01T15:30:00+08:00"),
        record(team, start="2026-07-01T00:30:00-07:00", end="2026-07-01T01:30:00-07:00"),
    ]
    ingest(app, provider(make), june)
    assert staged == ([3] if _sqlite(app) else [])
    stored = rows(app, UsageRecord, order_by=UsageRecord.id)
    assert [r.month for r in stored] == ["2026-06", "2026-06", "2026-07"]
    assert stored[0].started_at == datetime(2026, 7, 1, 6, 30, tzinfo=UTC)


def test_a_team_that_moved_in_within_the_batch_is_checked_day_by_day(app, make, staged):
    park = make.park()
    team = resident(make, park, "2026-03-10")
    # Written on the 9th in UTC, both: the 10th (resident) and the 9th in Beijing.
    after = record(team, start="2026-03-09T16:30:00Z", end="2026-03-09T18:00:00Z")
    before = record(team, start="2026-03-09T15:30:00Z", end="2026-03-09T17:00:00Z")
    ingest(app, provider(make), [after, record(team)])
    assert staged == ([2] if _sqlite(app) else [])
    with pytest.raises(usage_ops.InvalidRecords) as refused:
        ingest(app, provider(make), [record(team), before])
    assert [(i, f) for i, f, _r in refused.value.problems] == [(1, "start")]
