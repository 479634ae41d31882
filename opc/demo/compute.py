"""Demo compute subsidies in Chengdu: three providers, the city's compute voucher programme
and one for early teams, vouchers for fifteen residents (the member's team among them), a
year of GPU usage ingested as providers send it, and the settlements of the months before
last. Deterministic: the same data every run, dates counting back from today.

Some vouchers cross 80 % (alerts) or run out, and one provider is designated by neither
programme, so some usage is unsubsidised."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from opc.auth.models import User
from opc.auth.operations import create_user
from opc.compute.models import Provider
from opc.compute.operations.programmes import create_programme
from opc.compute.operations.settlements import issue_settlement
from opc.compute.operations.usage import ingest_usage
from opc.compute.operations.vouchers import grant_voucher
from opc.parks.models import Park
from opc.rent.schedule import add_months, month_of
from opc.teams.models import Team, TeamStatus
from opc.teams.rules import exit_dates, move_in_dates

MONTHS = 12
VOUCHER_TEAMS = 15
# Other providers besides the demo login's (API only, no password).
PROVIDERS = (
    ("tianfu-compute@opc-demo.cn", "天府智算中心"),
    ("rongcheng-cloud@opc-demo.cn", "蓉城云算"),
)
# GPU type: (yuan per GPU-hour, weight among jobs).
GPUS = {
    "A100": (Decimal("12.00"), 5),
    "H100": (Decimal("22.00"), 2),
    "RTX 4090": (Decimal("3.50"), 6),
}


def seed_compute(session: Session, park: Park, provider_email: str, today: date) -> None:
    """Providers, programmes, vouchers, a year of usage and settled months for the park."""
    rng = random.Random(2026 + park.id)
    providers = _providers(session, provider_email)
    start = add_months(today.replace(day=1), -MONTHS)
    city = create_programme(
        actor=None,
        park_id=park.id,
        code="CD-SLQ",
        name_zh="成都市算力券",
        name_en="Chengdu compute vouchers",
        budget_fen=200_000_000,
        rate_percent=Decimal("30"),
        team_cap_fen=20_000_000,
        valid_from=start,
        valid_to=date(today.year + 1, 12, 31),
        tracks=[],
        provider_ids=[p.id for p in providers[:2]],
    )
    early = create_programme(
        actor=None,
        park_id=park.id,
        code="CD-SLQ-START",
        name_zh="初创团队算力全额补贴",
        name_en="Full compute subsidy for early teams",
        budget_fen=30_000_000,
        rate_percent=Decimal("100"),
        team_cap_fen=3_000_000,
        valid_from=start,
        valid_to=date(today.year, 12, 31),
        tracks=[],
        provider_ids=[providers[0].id],
    )
    residents = list(
        session.scalars(
            select(Team)
            .where(Team.park_id == park.id, Team.status == TeamStatus.RESIDENT)
            .order_by(Team.id)
        )
    )
    moved_in = move_in_dates(session, [t.id for t in residents])
    left = exit_dates(session, [t.id for t in residents])
    residents = [t for t in residents if t.id in moved_in]
    member = [t for t in residents if t.name_zh == "星云工作室"]
    granted = (member + [t for t in residents if t not in member])[:VOUCHER_TEAMS]
    for n, team in enumerate(granted):
        valid_from = max(start, moved_in[team.id])
        # The member's team: ¥30,000, about two thirds drawn (its forecast says when 80 %).
        amount = 3_000_000 if team in member else rng.choice((1, 2, 2, 3, 4, 6)) * 1_000_000
        grant_voucher(
            actor=None,
            programme_id=city.id,
            team_id=team.id,
            amount_fen=amount,
            valid_from=valid_from,
            valid_to=city.valid_to,
        )
        if n % 3 == 1:  # a few early teams also hold the full subsidy (it expires first)
            grant_voucher(
                actor=None,
                programme_id=early.id,
                team_id=team.id,
                amount_fen=rng.choice((1, 2, 3)) * 1_000_000,
                valid_from=valid_from,
                valid_to=early.valid_to,
            )
    users = residents[: VOUCHER_TEAMS + 5]  # five more teams use compute with no voucher
    tz = ZoneInfo(park.timezone)
    records = {p.id: [] for p in providers}
    for team in users:
        first = max(start, moved_in[team.id])
        last = min(today - timedelta(days=2), left.get(team.id, (today, ""))[0] - timedelta(1))
        heavy = 2.0 if team in member else rng.uniform(0.5, 3.0)
        for day in _days(first, last):
            if rng.random() > 0.5:
                continue
            for _n in range(rng.choice((1, 1, 1, 2))):
                provider = rng.choices(providers, weights=(5, 3, 2))[0]
                records[provider.id].append(_record(rng, team, day, tz, heavy))
    for quarter in range(4):  # as providers send it: a batch per provider a quarter
        until = add_months(start, 3 * (quarter + 1))
        for provider in providers:
            pending = records[provider.id]
            batch = [r for r in pending if r["start"][:10] < until.isoformat()]
            records[provider.id] = [r for r in pending if r["start"][:10] >= until.isoformat()]
            if batch:
                ingest_usage(provider, batch, source="api", actor=None)
    for n in range(MONTHS - 1):  # settled up to the month before last
        month = month_of(add_months(start, n))
        for provider in providers:
            issue_settlement(park.id, provider.id, month, actor=None)


def _providers(session: Session, provider_email: str) -> list[Provider]:
    found = []
    for email, name in ((provider_email, None), *PROVIDERS):
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            user = create_user(email, role="provider", password=None, name=name)
        provider = session.scalar(select(Provider).where(Provider.user_id == user.id))
        if provider is None:
            provider = Provider(user_id=user.id, name=user.name)
            session.add(provider)
            session.flush()
        found.append(provider)
    return found


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(n) for n in range((last - first).days + 1)]


def _record(rng: random.Random, team: Team, day: date, tz: ZoneInfo, heavy: float) -> dict:
    gpu = rng.choices(list(GPUS), weights=[w for _p, w in GPUS.values()])[0]
    gpus = rng.choice((1, 2, 4, 8))
    hours = Decimal(rng.randint(1, 20)) / 2  # wall-clock hours, half-hour steps
    gpu_hours = (hours * gpus * Decimal(str(round(heavy, 1)))).quantize(Decimal("0.01"))
    started = datetime.combine(day, time(rng.randint(0, 23), rng.choice((0, 15, 30, 45))), tz)
    ended = started + timedelta(hours=float(hours))
    return {
        "external_id": f"{day:%Y%m%d}-{team.id:04d}-{rng.randrange(16**8):08x}",
        "team_id": team.id,
        "gpu_type": gpu,
        "start": started.isoformat(),
        "end": ended.astimezone(UTC).isoformat(),
        "gpu_hours": str(gpu_hours),
        "cost_yuan": str((gpu_hours * GPUS[gpu][0]).quantize(Decimal("0.01"))),
    }
