"""Bench data: one park with 100 resident teams, 400 units and 20,000 historical allocations,
written with bulk Core inserts (the benchmark measures reads, not the seeding)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import insert, text

from opc.auth.models import User
from opc.auth.operations import hash_password, issue_token
from opc.extensions import db
from opc.parks.models import Park
from opc.space.models import Allocation, Unit
from opc.teams.models import Team

PASSWORD = "bench-password-1"
TRACKS = ("aigc_film", "digital_humans", "ai_agents", "games", "vfx", "immersive")


def seed(teams: int = 100, units: int = 400, allocations: int = 20_000) -> dict[str, str]:
    """Seed and return the staff login and a read token."""
    rng = random.Random(7)
    park = Park(
        code="BENCH",
        name_zh="基准园区",
        name_en="Bench Park",
        total_area_m2=Decimal(units * 30),
        team_cap=teams,
        timezone="Asia/Shanghai",
    )
    db.session.add(park)
    db.session.commit()
    db.session.execute(
        insert(Team),
        [
            {
                "park_id": park.id,
                "name_zh": f"团队{i}",
                "name_en": f"Team {i}",
                "name_pinyin": f"tuandui{i}",
                "track": TRACKS[i % len(TRACKS)],
                "kind": "company",
                "status": "resident",
                "status_since": date(2024, 1, 1),
                "description": "",
                "contact_name": "",
                "contact_email": "",
                "contact_phone": "",
            }
            for i in range(teams)
        ],
    )
    db.session.execute(
        insert(Unit),
        [
            {
                "park_id": park.id,
                "code": f"{1 + i // 100}-{i:03d}",
                "kind": "office",
                "floor": 1 + i // 100,
                "area_m2": Decimal(30),
                "seats": 4,
                "rent_fen_per_m2": 8000,
            }
            for i in range(units)
        ],
    )
    team_ids = list(db.session.scalars(db.select(Team.id).where(Team.park_id == park.id)))
    unit_ids = list(db.session.scalars(db.select(Unit.id).where(Unit.park_id == park.id)))
    # Back-to-back one-week allocations per unit, oldest first; the last one stays open
    # for the first `teams` units so that today's occupancy is real.
    per_unit = allocations // units
    rows = []
    start0 = date(2026, 11, 1) - timedelta(days=7 * per_unit)
    for n, unit_id in enumerate(unit_ids):
        for k in range(per_unit):
            start = start0 + timedelta(days=7 * k)
            last = k == per_unit - 1
            rows.append(
                {
                    "team_id": rng.choice(team_ids),
                    "unit_id": unit_id,
                    "start": start,
                    "end": None if last and n < teams else start + timedelta(days=7),
                }
            )
    db.session.execute(insert(Allocation), rows)
    staff = User(
        email="bench-staff@example.cn",
        name="Bench",
        role="staff",
        password_hash=hash_password(PASSWORD),
        parks=[park],
    )
    db.session.add(staff)
    db.session.commit()
    # Planner statistics, as a maintained database has them (PostgreSQL's autovacuum
    # gathers them by itself; on SQLite `PRAGMA optimize` does, see opc.core.db).
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    token = issue_token(staff, scope="read", name="bench")
    return {"email": staff.email, "password": PASSWORD, "token": token, "park_id": str(park.id)}
