"""Generated source records for the monthly subsidy report: random waivers on issued
statements, usage with voucher draws, approvals and tranches, in the month and around it
(other months, another park, a draft tranche), and the sums the report must show."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from opc.compute.models import Programme, Provider, UsageBatch, UsageDraw, UsageRecord, Voucher
from opc.extensions import db
from opc.funds.application_models import Application, Disbursement
from opc.funds.models import Call, Fund
from opc.rent.models import Policy, Statement, StatementLine

PERIOD = "2026-03"
# Instants around the month's edges in Asia/Shanghai (UTC+8).
IN_MONTH = (
    datetime(2026, 2, 28, 16, 30, tzinfo=UTC),  # 03-01 00:30 local: in March
    datetime(2026, 3, 15, 4, 0, tzinfo=UTC),
    datetime(2026, 3, 31, 15, 59, tzinfo=UTC),  # 03-31 23:59 local
)
OUT_OF_MONTH = (
    datetime(2026, 2, 28, 15, 59, tzinfo=UTC),  # 02-28 23:59 local: February
    datetime(2026, 3, 31, 16, 0, tzinfo=UTC),  # 04-01 00:00 local: April
)

Expected = dict[tuple[str, int, int | None], list[int]]  # (section, team, source) -> [h, fen]


def seed(app: Any, make: Any, park: Any, rng: random.Random, teams: int = 5) -> Expected:
    """Source records for `park` (and noise elsewhere); the per team and source sums."""
    expected: Expected = defaultdict(lambda: [0, 0])
    other_park = make.park()
    team_list = [make.team(park, status="resident") for _ in range(teams)]
    outsider = make.team(other_park, status="resident")
    provider_user = make.user("provider")
    with app.app_context(), Session(db.engine, expire_on_commit=False) as s:
        policies = [Policy(park_id=park.id, code=f"R{i}", name_zh=f"政策{i}") for i in range(2)]
        programmes = [
            Programme(
                park_id=park.id,
                code=f"C{i}",
                name_zh=f"算力券{i}",
                budget_fen=50_000_000,
                rate_percent=Decimal("50"),
                valid_from=date(2026, 1, 1),
                valid_to=date(2026, 12, 31),
            )
            for i in range(2)
        ]
        provider = Provider(user_id=provider_user.id, name="算力平台")
        fund = Fund(park_id=park.id, name_zh="基金", budget_fen=900_000_000, calls_fen=0)
        s.add_all([*policies, *programmes, provider, fund])
        s.flush()
        calls = [
            Call(
                fund_id=fund.id,
                park_id=park.id,
                title_zh=f"申报{i}",
                opens_at=datetime(2026, 1, 1, tzinfo=UTC),
                closes_at=datetime(2026, 2, 1, tzinfo=UTC),
                budget_fen=300_000_000,
                ceiling_fen=100_000_000,
            )
            for i in range(2)
        ]
        batch = UsageBatch(
            provider_id=provider.id,
            source="api",
            stored=0,
            duplicates=0,
            cost_fen=0,
            subsidy_fen=0,
        )
        s.add_all([*calls, batch])
        s.flush()
        serial = 0
        for team in [*team_list, outsider]:
            counted = team is not outsider
            # Rent: an issued statement this month and the month before, waiver lines.
            for month in (PERIOD, "2026-02"):
                lines = [StatementLine(position=0, kind="rent", amount_fen=1_000_000)]
                for position, policy in enumerate([*policies, None], start=1):
                    if rng.random() < 0.3:
                        continue
                    fen = rng.randint(1, 300_000)
                    lines.append(
                        StatementLine(
                            position=position,
                            kind="waiver",
                            amount_fen=-fen,
                            policy_id=policy.id if policy else None,
                        )
                    )
                    if counted and month == PERIOD:
                        expected[("rent_waived", team.id, policy.id if policy else None)][1] += fen
                waived = -sum(line.amount_fen for line in lines if line.kind == "waiver")
                s.add(
                    Statement(
                        park_id=team.park_id,
                        team_id=team.id,
                        month=month,
                        gross_fen=1_000_000,
                        waived_fen=waived,
                        adjustments_fen=0,
                        net_fen=1_000_000 - waived,
                        due_on=date(2026, 4, 10),
                        issued_at=datetime(2026, 4, 1, tzinfo=UTC),
                        lines=lines,
                    )
                )
            # Compute: vouchers of both programmes, records this month and the next, draws.
            vouchers = [
                Voucher(
                    programme_id=p.id,
                    team_id=team.id,
                    amount_fen=90_000_000,
                    valid_from=date(2026, 1, 1),
                    valid_to=date(2026, 12, 31),
                )
                for p in programmes
            ]
            s.add_all(vouchers)
            s.flush()
            for _n in range(rng.randint(2, 8)):
                serial += 1
                month = rng.choice((PERIOD, PERIOD, "2026-04"))
                start = datetime(2026, int(month[5:]), 10, tzinfo=UTC)
                hours = rng.randint(1, 5_000)
                cost = rng.randint(1_000, 500_000)
                record = UsageRecord(
                    batch_id=batch.id,
                    provider_id=provider.id,
                    external_id=f"job-{serial}",
                    team_id=team.id,
                    park_id=team.park_id,
                    gpu_type="A100",
                    started_at=start,
                    ended_at=start + timedelta(hours=1),
                    month=month,
                    gpu_hours_hundredths=hours,
                    cost_fen=cost,
                    subsidy_fen=0,
                )
                s.add(record)
                s.flush()
                for voucher in vouchers:
                    if rng.random() < 0.4:
                        continue
                    share = rng.randint(1, cost // 2)
                    draw_hours = rng.randint(0, hours)
                    record.subsidy_fen += share
                    voucher.used_fen += share
                    s.add(
                        UsageDraw(
                            record_id=record.id,
                            voucher_id=voucher.id,
                            subsidy_fen=share,
                            gpu_hours_hundredths=draw_hours,
                        )
                    )
                    if counted and month == PERIOD:
                        key = ("compute_subsidised", team.id, voucher.programme_id)
                        expected[key][0] += draw_hours
                        expected[key][1] += share
            # Funds: an application per call, decided in or out of the month, tranches.
            if not counted:
                continue
            for call in calls:
                decided = rng.choice((*IN_MONTH, *OUT_OF_MONTH))
                approved = rng.randint(100_000, 10_000_000)
                application = Application(
                    call_id=call.id,
                    team_id=team.id,
                    park_id=park.id,
                    status="approved",
                    title="项目",
                    amount_fen=approved,
                    approved_fen=approved,
                    decided_at=decided,
                    submitted_at=decided - timedelta(days=9),
                )
                s.add(application)
                s.flush()
                if decided in IN_MONTH:
                    expected[("fund_approved", team.id, call.id)][1] += approved
                paid_total = 0
                for paid_on, status in (
                    (date(2026, 3, 1), "paid"),
                    (date(2026, 3, 31), "paid"),
                    (date(2026, 4, 1), "paid"),
                    (date(2026, 3, 20), "proposed"),
                ):
                    if rng.random() < 0.4:
                        continue
                    amount = rng.randint(1, approved // 5)
                    s.add(
                        Disbursement(
                            application_id=application.id,
                            milestone="里程碑",
                            amount_fen=amount,
                            paid_on=paid_on,
                            status=status,
                        )
                    )
                    if status == "paid":
                        paid_total += amount
                        if paid_on.month == 3:
                            expected[("fund_disbursed", team.id, call.id)][1] += amount
                application.disbursed_fen = paid_total
        s.commit()
    return dict(expected)
