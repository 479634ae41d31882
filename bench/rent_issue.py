"""Rent benchmark: issuing a month for a park group, beside the bare SQL that sums its rent.

    .venv/bin/python -m bench.rent_issue [--parks 10] [--teams 100] [--database-url URL]

Seeds a fresh database (SQLite in a temporary directory unless --database-url names a
PostgreSQL server, where a database is created and dropped) with --parks parks of --teams
resident teams holding 3 units each since a year ago, a free-rent policy (100% for 6
months, then 50% for 12, on at most 40 m²) granted to every other team, then issues last
month for every park through the operation (opc.rent.operations.statements.issue_month:
one computation per park, the inserts of statements, lines and their audit entries) and
prints, per park and in total, the time and SQL statements it took, beside the floor: one
bare SQL statement that sums the same month's full rent over the group. Statements are
computed one pass per park: the statements read do not grow with the number of teams.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from bench.harness import SECRET, database

ROWS = 5_000


def _seed(parks: int, teams: int, today: date) -> list[int]:
    from sqlalchemy import insert

    from opc.audit.recorder import RECORDED
    from opc.extensions import db
    from opc.parks.models import Park
    from opc.rent.models import Policy, PolicyStep, Waiver
    from opc.space.models import Allocation, Unit
    from opc.teams.models import Team, TeamStatusChange

    since = (today.replace(day=1) - timedelta(days=365)).replace(day=1)
    park_ids = []
    for p in range(parks):
        park = Park(
            code=f"RB{p}",
            name_zh=f"租金园区{p}",
            name_en=f"Rent park {p}",
            total_area_m2=Decimal(1_000_000),
            team_cap=teams * 2,
        )
        db.session.add(park)
        db.session.flush()
        policy = Policy(
            park_id=park.id,
            code="SF13-4",
            name_zh="科幻13条 第4条",
            area_cap_m2=Decimal(40),
            tracks=[],
            kinds=[],
        )
        policy.steps = [
            PolicyStep(position=1, months=6, percent=Decimal(100)),
            PolicyStep(position=2, months=12, percent=Decimal(50)),
        ]
        db.session.add(policy)
        db.session.flush()
        team_rows = [
            {
                "park_id": park.id,
                "name_zh": f"团队{p}-{t}",
                "name_en": "",
                "name_pinyin": "",
                "track": "aigc_film",
                "kind": "company",
                "status": "resident",
                "status_since": since,
                "description": "",
                "contact_name": "",
                "contact_email": "",
                "contact_phone": "",
            }
            for t in range(teams)
        ]
        db.session.execute(insert(Team), team_rows, execution_options=RECORDED)
        team_ids = list(db.session.scalars(sa.select(Team.id).where(Team.park_id == park.id)))
        unit_rows = [
            {
                "park_id": park.id,
                "code": f"U{u}",
                "kind": "office",
                "floor": 1,
                "area_m2": Decimal(15 + u % 20),
                "seats": 2,
                "rent_fen_per_m2": 6000 + 100 * (u % 9),
            }
            for u in range(teams * 3)
        ]
        db.session.execute(insert(Unit), unit_rows, execution_options=RECORDED)
        unit_ids = list(db.session.scalars(sa.select(Unit.id).where(Unit.park_id == park.id)))
        db.session.execute(
            insert(TeamStatusChange),
            [
                {
                    "team_id": t,
                    "from_status": "admitted",
                    "to_status": "resident",
                    "on": since,
                    "note": "",
                }
                for t in team_ids
            ],
        )
        db.session.execute(
            insert(Allocation),
            [
                {"team_id": t, "unit_id": unit_ids[3 * i + k], "start": since + timedelta(days=k)}
                for i, t in enumerate(team_ids)
                for k in range(3)
            ],
            execution_options=RECORDED,
        )
        db.session.execute(
            insert(Waiver),
            [
                {
                    "team_id": t,
                    "policy_id": policy.id,
                    "start": since,
                    "status": "approved",
                    "reason": "",
                }
                for t in team_ids[::2]
            ],
            execution_options=RECORDED,
        )
        park_ids.append(park.id)
    db.session.commit()
    return park_ids


def _bare_sum(month_days: int) -> tuple[int, float]:
    """The floor: the group's full rent for a month in one statement (no proration)."""
    from opc.extensions import db
    from opc.space.models import Allocation, Unit

    start = time.perf_counter()
    total = db.session.scalar(
        sa.select(sa.func.sum(Unit.area_m2 * Unit.rent_fen_per_m2)).join(
            Allocation, Allocation.unit_id == Unit.id
        )
    )
    return int(total or 0), time.perf_counter() - start


def _measure(args: argparse.Namespace, database_url: str) -> None:
    os.environ.update({"OPC_DATABASE_URL": database_url, "OPC_SECRET_KEY": SECRET})
    from flask_migrate import upgrade

    from opc import create_app
    from opc.core.dates import local_today
    from opc.extensions import db
    from opc.rent.models import Statement
    from opc.rent.operations.statements import issue_month
    from opc.rent.schedule import month_of, previous_month

    app = create_app({"SEED_DEMO_ON_START": False})
    with app.app_context():
        upgrade()
        today = local_today()
        park_ids = _seed(args.parks, args.teams, today)
        month = previous_month(month_of(today))
        statements: list[str] = []
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        print(f"Issuing {month}: {args.parks} parks × {args.teams} teams × 3 allocations")
        print(f"{'park':>6} {'issued':>7} {'seconds':>8} {'SQL':>6} {'reads':>6}")
        total_s, total_q = 0.0, 0
        for park_id in park_ids:
            statements.clear()
            start = time.perf_counter()
            issued = issue_month(park_id, month, actor=None)
            took = time.perf_counter() - start
            reads = sum(1 for s in statements if s.lstrip().upper().startswith("SELECT"))
            total_s, total_q = total_s + took, total_q + len(statements)
            print(f"{park_id:>6} {issued:>7} {took:>8.3f} {len(statements):>6} {reads:>6}")
        stored = db.session.scalar(sa.select(sa.func.count()).select_from(Statement))
        _fen, floor = _bare_sum(30)
        print(f"{'total':>6} {stored:>7} {total_s:>8.3f} {total_q:>6}")
        print(f"floor: one SQL sum of the group's rent: {floor:.4f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parks", type=int, default=10)
    parser.add_argument("--teams", type=int, default=100)
    parser.add_argument("--database-url", help="a PostgreSQL server URL (a database is created)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url, drop = database(args.database_url, tmp)
        try:
            _measure(args, url)
        finally:
            if drop:
                drop()


if __name__ == "__main__":
    main()
