"""The usage ingestion benchmark's workload: one park of 100 resident teams (ten moving in
during the year), three providers, two programmes and 120 vouchers, and a year of usage
records with a realistic spread (bench.compute_ingest describes it)."""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
TEAMS, LATE_TEAMS = 100, 10
PROVIDERS = ("星河算力", "天府智算", "西部云")
# GPU type, price per GPU-hour in fen, weight.
GPUS = (("A100-80G", 800, 40), ("H800", 1450, 15), ("RTX4090", 220, 30), ("Ascend910B", 630, 15))
GPU_COUNTS = (1, 1, 1, 2, 2, 4, 8)
PRICE_FACTOR = (100, 95, 110)  # percent: each provider's prices


def months(today: date) -> tuple[datetime, datetime]:
    """The 12 whole months before this one, as park-local instants [start, end)."""
    end = datetime(today.year, today.month, 1, tzinfo=TZ)
    start = datetime(today.year - 1, today.month, 1, tzinfo=TZ)
    return start, end


class Workload:
    """The records, batch by batch, the same on both sides (a fixed seed per batch)."""

    def __init__(self, records: int, batch: int, today: date, team_ids: list[int]) -> None:
        self.records, self.batch = records, batch
        self.start, self.end = months(today)
        self.team_ids = team_ids
        self.late_from = self.start + (self.end - self.start) / 4  # the late teams' move-in
        weights = [1 / (rank + 1) ** 0.9 for rank in range(len(team_ids))]
        self.weights = weights
        self.batches = math.ceil(records / batch)

    def batch_records(self, number: int) -> tuple[int, list[dict[str, Any]]]:
        """Batch `number`: its provider (by index) and its records as JSON carries them."""
        rng = random.Random(1000 + number)
        provider = number % len(PROVIDERS)
        span = (self.end - self.start) / self.batches
        first = self.start + span * number
        size = min(self.batch, self.records - number * self.batch)
        late = set(self.team_ids[-LATE_TEAMS:])
        records = []
        teams = rng.choices(self.team_ids, self.weights, k=size)
        for i, team_id in enumerate(teams):
            start = first + timedelta(seconds=rng.random() * (span.total_seconds() - 60))
            if team_id in late and start < self.late_from:
                team_id = self.team_ids[i % (TEAMS - LATE_TEAMS)]
            hours = min(48.0, max(0.05, rng.lognormvariate(math.log(2), 1.0)))
            end = min(start + timedelta(hours=hours), self.end - timedelta(seconds=1))
            gpu, price, _w = rng.choices(GPUS, [g[2] for g in GPUS])[0]
            gpu_hours = max(1, round((end - start).total_seconds() / 36 * rng.choice(GPU_COUNTS)))
            cost = gpu_hours * price * PRICE_FACTOR[provider] // 10_000
            records.append(
                {
                    "external_id": f"P{provider}-{number:03d}-{i:06d}",
                    "team_id": team_id,
                    "gpu_type": gpu,
                    "start": start.isoformat(timespec="seconds"),
                    "end": end.isoformat(timespec="seconds"),
                    "gpu_hours": f"{gpu_hours // 100}.{gpu_hours % 100:02d}",
                    "cost_yuan": f"{cost // 100}.{cost % 100:02d}",
                }
            )
        return provider, records


# --- seeding ---------------------------------------------------------------------------


def seed_park(today: date, vouchers: bool) -> dict[str, Any]:
    """The park, its teams (with their move-in), providers; programmes and vouchers for the
    service's side. Returns the ids the runs need."""
    from sqlalchemy import insert, select

    from opc.audit.recorder import RECORDED
    from opc.auth.models import User
    from opc.compute.models import Programme, Provider, Voucher
    from opc.extensions import db
    from opc.parks.models import Park
    from opc.teams.models import Team, TeamStatusChange

    start, end = months(today)
    park = Park(
        code="CB",
        name_zh="算力园区",
        name_en="Compute park",
        total_area_m2=Decimal(5000),
        team_cap=200,
    )
    db.session.add(park)
    db.session.flush()
    db.session.execute(
        insert(Team),
        [
            {
                "park_id": park.id,
                "name_zh": f"团队{t}",
                "name_en": f"Team {t}",
                "name_pinyin": "",
                "track": "aigc_film",
                "kind": "company",
                "status": "resident",
                "status_since": start.date(),
                "description": "",
                "contact_name": "",
                "contact_email": "",
                "contact_phone": "",
            }
            for t in range(TEAMS)
        ],
        execution_options=RECORDED,
    )
    team_ids = list(db.session.scalars(select(Team.id).order_by(Team.id)))
    late_from = (start + (end - start) / 4).date()
    db.session.execute(
        insert(TeamStatusChange),
        [
            {
                "team_id": t,
                "from_status": "admitted",
                "to_status": "resident",
                "on": late_from if i >= TEAMS - LATE_TEAMS else start.date() - timedelta(days=30),
                "note": "",
            }
            for i, t in enumerate(team_ids)
        ],
    )
    providers = []
    for n, name in enumerate(PROVIDERS):
        user = User(email=f"provider{n}@bench.cn", name=name, role="provider")
        db.session.add(user)
        db.session.flush()
        provider = Provider(user_id=user.id, name=name)
        db.session.add(provider)
        db.session.flush()
        providers.append((provider.id, user.id))
    if vouchers:
        seed_vouchers(park.id, team_ids, providers, start.date(), end.date())
    db.session.commit()
    count = db.session.scalar(select(db.func.count()).select_from(Voucher))
    programmes = db.session.scalar(select(db.func.count()).select_from(Programme))
    return {
        "team_ids": team_ids,
        "providers": providers,
        "vouchers": count,
        "programmes": programmes,
        "park_id": park.id,
    }


def seed_vouchers(
    park_id: int, team_ids: list[int], providers: list[Any], first: date, last: date
) -> None:
    from opc.compute.models import Programme, Provider, Voucher
    from opc.extensions import db

    rng = random.Random(5)
    chosen = [db.session.get(Provider, p) for p, _u in providers]
    city = Programme(
        park_id=park_id,
        code="CD-SLQ",
        name_zh="成都算力券",
        budget_fen=10**10,
        rate_percent=Decimal("50"),
        valid_from=first,
        valid_to=last,
        tracks=[],
    )
    city.providers = chosen[:2]
    park = Programme(
        park_id=park_id,
        code="PARK",
        name_zh="园区算力补贴",
        budget_fen=10**10,
        rate_percent=Decimal("33.33"),
        valid_from=first,
        valid_to=last,
        tracks=[],
    )
    db.session.add_all([city, park])
    db.session.flush()
    half = first + (last - first) / 2
    for i, team_id in enumerate(team_ids[:90]):
        amount = rng.randrange(500_000, 8_000_000)  # ¥5,000 to ¥80,000
        hours = rng.randrange(50_000, 400_000) if i % 9 == 0 else None
        db.session.add(
            Voucher(
                programme_id=city.id,
                team_id=team_id,
                amount_fen=amount,
                gpu_hours_hundredths=hours,
                valid_from=first,
                valid_to=last - timedelta(days=1),
            )
        )
        if i % 3 == 0:
            db.session.add(
                Voucher(
                    programme_id=park.id,
                    team_id=team_id,
                    amount_fen=rng.randrange(200_000, 3_000_000),
                    valid_from=first,
                    valid_to=half,
                )
            )
    db.session.flush()
