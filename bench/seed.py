"""Bench data at a park's real scale after five years, written in bulk (the benchmark
measures reads and a steady writer, not the seeding):

* one park with 100 resident teams and 400 units on four floors;
* 20,000 allocations over five years (50 per unit, back to back); today the first 300
  units are held and the last 100 are free, for the benchmark's writer;
* 20 staff users of the park and one admin;
* 120,000 audit entries: 2,000 a month for five years, by the staff.

The rows are inserted as bulk statements with the audit recorder's RECORDED option: the
seeded audit log stands for their history.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import insert, text

from opc.audit.models import AuditEntry
from opc.audit.recorder import RECORDED
from opc.auth.models import User
from opc.auth.operations import hash_password, issue_token
from opc.core.dates import local_today
from opc.extensions import db
from opc.parks.models import Park
from opc.space.models import Allocation, Unit
from opc.teams.models import Team

PASSWORD = "bench-password-1"
TRACKS = ("aigc_film", "digital_humans", "ai_agents", "games", "vfx", "immersive")
TEAMS, UNITS, ALLOCATIONS, STAFF = 100, 400, 20_000, 20
YEARS, AUDIT_PER_MONTH = 5, 2_000
HELD_NOW = 300  # units held today; the others are the writer's
AUDITED = (  # (entity, action, weight): what a park's staff change in a month
    ("allocations", "create", 30),
    ("allocations", "update", 25),
    ("teams", "update", 25),
    ("units", "update", 8),
    ("teams", "create", 5),
    ("users", "update", 4),
    ("api_tokens", "create", 3),
)


def _bulk(model: type, rows: list[dict[str, object]]) -> None:
    for i in range(0, len(rows), 5_000):
        db.session.execute(insert(model), rows[i : i + 5_000], execution_options=RECORDED)


def seed() -> dict[str, str]:
    """Seed; return the park, the staff and admin logins, a read token and a write token."""
    rng = random.Random(7)
    today = local_today("Asia/Shanghai")
    first_day = today - timedelta(days=365 * YEARS)
    park = Park(
        code="BENCH",
        name_zh="基准园区",
        name_en="Bench Park",
        total_area_m2=Decimal(UNITS * 30 + 2_000),
        team_cap=TEAMS + 20,
        timezone="Asia/Shanghai",
    )
    db.session.add(park)
    db.session.commit()
    _bulk(
        Team,
        [
            {
                "park_id": park.id,
                "name_zh": f"团队{i}",
                "name_en": f"Team {i}",
                "name_pinyin": f"tuandui{i}",
                "track": TRACKS[i % len(TRACKS)],
                "kind": "company",
                "status": "resident",
                "status_since": first_day + timedelta(days=i * 7),
                "description": "",
                "contact_name": "",
                "contact_email": "",
                "contact_phone": "",
            }
            for i in range(TEAMS)
        ],
    )
    _bulk(
        Unit,
        [
            {
                "park_id": park.id,
                "code": f"{1 + i // 100}-{i % 100:03d}",
                "kind": "office",
                "floor": 1 + i // 100,
                "area_m2": Decimal(30),
                "seats": 4,
                "rent_fen_per_m2": 8000,
            }
            for i in range(UNITS)
        ],
    )
    team_ids = list(db.session.scalars(db.select(Team.id).where(Team.park_id == park.id)))
    unit_ids = list(
        db.session.scalars(db.select(Unit.id).where(Unit.park_id == park.id).order_by(Unit.id))
    )
    # Back to back per unit over five years; the last allocation of a held unit is open.
    per_unit = ALLOCATIONS // UNITS
    length = (today - first_day).days // per_unit
    rows: list[dict[str, object]] = []
    for n, unit_id in enumerate(unit_ids):
        for k in range(per_unit):
            start = first_day + timedelta(days=length * k)
            last = k == per_unit - 1
            end = start + timedelta(days=length)
            if last:
                end = None if n < HELD_NOW else min(end, today)
            rows.append(
                {"team_id": rng.choice(team_ids), "unit_id": unit_id, "start": start, "end": end}
            )
    _bulk(Allocation, rows)
    hashed = hash_password(PASSWORD)  # one Argon2 hash for all: seeding, not security
    staff = [
        User(
            email=f"bench-staff{i}@example.cn",
            name=f"Staff {i}",
            role="staff",
            password_hash=hashed,
            parks=[park],
        )
        for i in range(STAFF)
    ]
    admin = User(email="bench-admin@example.cn", name="Admin", role="admin", password_hash=hashed)
    db.session.add_all([*staff, admin])
    db.session.commit()
    _seed_audit(rng, [u.id for u in staff], first_day, today)
    db.session.commit()
    # Planner statistics and PostgreSQL's visibility map, as a maintained database has them
    # (autovacuum vacuums and analyzes a table after bulk inserts by itself).
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if conn.dialect.name == "postgresql" else "ANALYZE"))
    reader = issue_token(staff[0], scope="read", name="bench reader")
    writer = issue_token(staff[1], scope="all", name="bench writer")
    return {
        "park_id": str(park.id),
        "email": staff[0].email,
        "admin_email": admin.email,
        "password": PASSWORD,
        "token": reader,
        "write_token": writer,
        "team_ids": ",".join(map(str, team_ids)),
        "free_unit_ids": ",".join(map(str, unit_ids[HELD_NOW:])),
    }


def _seed_audit(rng: random.Random, staff_ids: list[int], first_day: date, today: date) -> None:
    """2,000 entries a month, oldest first, by the staff, at random times of the month."""
    kinds = [(e, a) for e, a, w in AUDITED for _ in range(w)]
    start = datetime.combine(first_day, time(), UTC)
    seconds = int((datetime.combine(today, time(), UTC) - start).total_seconds())
    count = AUDIT_PER_MONTH * 12 * YEARS
    moments = sorted(rng.randrange(seconds) for _ in range(count))
    rows: list[dict[str, object]] = []
    for second in moments:
        entity, action = rng.choice(kinds)
        actor = rng.choice(staff_ids)
        entity_id = rng.randrange(1, 20_000 if entity == "allocations" else 100)
        after = {"end": "2026-01-01"} if action == "update" else {"id": entity_id, "note": ""}
        rows.append(
            {
                "at": start + timedelta(seconds=second),
                "actor_id": actor,
                "actor_label": f"bench-staff{staff_ids.index(actor)}@example.cn",
                "action": action,
                "entity": entity,
                "entity_id": entity_id,
                "before": {"end": None} if action == "update" else None,
                "after": after,
            }
        )
    _bulk(AuditEntry, rows)
