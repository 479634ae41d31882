"""Demo data: the Chengdu OPC hub and the Shougang cluster, their space, teams and users.

`flask --app opc seed-demo` (and the run command on first start). Idempotent: a park that
exists already is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from pypinyin import lazy_pinyin
from sqlalchemy import select
from stdnum.cn import uscc

from opc.auth.models import User
from opc.auth.operations import create_user
from opc.core.dates import local_today
from opc.core.db import transaction
from opc.extensions import db
from opc.parks.models import Park
from opc.space.models import Allocation, Unit
from opc.teams.models import Team, TeamStatusChange

DEMO_PASSWORD = "opc-demo-2026"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    name: str
    what: str


LOGINS = (
    DemoLogin("admin@opc-demo.cn", "admin", "王敏", "configures parks, users; the audit log"),
    DemoLogin("staff@opc-demo.cn", "staff", "李娜", "park operator of both parks"),
    DemoLogin("reviewer@opc-demo.cn", "reviewer", "陈教授", "fund expert"),
    DemoLogin("member@opc-demo.cn", "member", "张星", "星云工作室 (Nebula Studio), Chengdu"),
    DemoLogin("provider@opc-demo.cn", "provider", "星河算力", "compute platform (API only)"),
)

# (name_zh, name_en, track, kind, status)
CHENGDU_TEAMS = (
    ("星云工作室", "Nebula Studio", "aigc_film", "solo", "resident"),
    ("幻境影业", "Mirage Pictures", "aigc_film", "company", "resident"),
    ("光年叙事", "Lightyear Narratives", "aigc_film", "company", "resident"),
    ("赛博演员坊", "Cyber Actors Lab", "digital_humans", "company", "resident"),
    ("数字分身科技", "Digital Twin Tech", "digital_humans", "company", "resident"),
    ("灵犀虚拟人", "Lingxi Virtual Humans", "digital_humans", "solo", "resident"),
    ("智能体工坊", "Agent Works", "ai_agents", "company", "resident"),
    ("自主代理实验室", "Autonomous Agents Lab", "ai_agents", "solo", "resident"),
    ("天枢智能", "Tianshu AI", "ai_agents", "company", "admitted"),
    ("未来剧场", "Future Theatre", "aigc_film", "solo", "applicant"),
    ("元宇宙造梦", "Metaverse Dreamworks", "immersive", "company", "applicant"),
)
SHOUGANG_TEAMS = (
    ("钢铁特效", "Steel VFX", "vfx", "company", "resident"),
    ("沉浸空间", "Immersive Space", "immersive", "company", "resident"),
    ("硬核机甲", "Hardcore Mecha", "hard_tech", "company", "resident"),
    ("科幻内容社", "Sci-Fi Content Guild", "content", "company", "resident"),
)


def _chengdu_units() -> list[tuple[str, str, int, str, int, int]]:
    """(code, kind, floor, area m², seats, rent fen per m²): 2,370 m² of the hub's 2,500."""
    units = [(f"1-S{i:02d}", "studio", 1, "80", 6, 6000) for i in range(1, 7)]
    units += [(f"1-L{i:02d}", "lab", 1, "120", 10, 7000) for i in range(1, 3)]
    units += [("1-SR01", "shared_room", 1, "150", 40, 0)]
    units += [(f"2-O{i:02d}", "office", 2, "30", 4, 8000) for i in range(1, 21)]
    units += [("2-D01", "desk_area", 2, "200", 40, 5000)]
    units += [(f"3-O{i:02d}", "office", 3, "40", 6, 8000) for i in range(1, 11)]
    units += [("3-Z01", "zone", 3, "300", 30, 4000)]
    return [(c, k, f, Decimal(a), s, r) for c, k, f, a, s, r in units]  # type: ignore[misc]


def _shougang_units() -> list[tuple[str, str, int, Decimal, int, int]]:
    units = [(f"B{i}-HALL", "zone", i, Decimal("2000"), 60, 3000) for i in range(1, 4)]
    units += [(f"B1-O{i:02d}", "office", 1, Decimal("120"), 12, 9000) for i in range(1, 11)]
    return units


def _uscc(seq: int) -> str:
    base = f"91510100MA{seq:07d}"[:17]
    return base + uscc.calc_check_digit(base)


def _seed_park(
    code: str,
    name_zh: str,
    name_en: str,
    area: str,
    cap: int,
    units: list[tuple[str, str, int, Decimal, int, int]],
    teams: tuple[tuple[str, str, str, str, str], ...],
    uscc_base: int,
) -> Park:
    park = Park(
        code=code,
        name_zh=name_zh,
        name_en=name_en,
        total_area_m2=Decimal(area),
        team_cap=cap,
        timezone="Asia/Shanghai",
        currency="CNY",
    )
    db.session.add(park)
    db.session.flush()
    unit_rows = [
        Unit(park_id=park.id, code=c, kind=k, floor=f, area_m2=a, seats=s, rent_fen_per_m2=r)
        for c, k, f, a, s, r in units
    ]
    db.session.add_all(unit_rows)
    today = local_today(park.timezone)
    free_units = iter(u for u in unit_rows if u.kind in ("studio", "office", "lab"))
    for n, (zh, en, track, kind, status) in enumerate(teams):
        since = today - timedelta(days=200 - n * 10)
        team = Team(
            park=park,
            name_zh=zh,
            name_en=en,
            name_pinyin="".join(lazy_pinyin(zh)),
            track=track,
            kind=kind,
            status=status,
            status_since=since,
            uscc=_uscc(uscc_base + n) if kind == "company" else None,
            legal_name=f"{zh}有限公司" if kind == "company" else None,
            contact_email=f"team{uscc_base + n}@example.cn",
            description=f"{en}: {track.replace('_', ' ')}",
        )
        team.history.append(TeamStatusChange(from_status=None, to_status="applicant", on=since))
        if status != "applicant":
            team.history.append(
                TeamStatusChange(from_status="applicant", to_status="admitted", on=since)
            )
        if status == "resident":
            team.history.append(
                TeamStatusChange(from_status="admitted", to_status="resident", on=since)
            )
            db.session.add(Allocation(team=team, unit=next(free_units), start=since))
        db.session.add(team)
    return park


def seed_demo() -> bool:
    """Create the demo parks, teams, space and users unless they exist. True if it seeded."""
    if db.session.scalar(select(Park.id).where(Park.code == "CD-OPC")):
        return False
    with transaction():
        chengdu = _seed_park(
            "CD-OPC",
            "成都科幻IP+未来场景OPC社区",
            "Chengdu Sci-Fi IP OPC Hub",
            "2500",
            100,
            _chengdu_units(),
            CHENGDU_TEAMS,
            1000,
        )
        shougang = _seed_park(
            "SG-SCIFI",
            "首钢科幻产业集聚区",
            "Shougang Sci-Fi Industry Cluster",
            "100000",
            200,
            _shougang_units(),
            SHOUGANG_TEAMS,
            2000,
        )
        db.session.flush()
        member_team = db.session.scalar(select(Team.id).where(Team.name_zh == "星云工作室"))
        for login in LOGINS:
            if db.session.scalar(select(User.id).where(User.email == login.email)):
                continue
            create_user(
                login.email,
                role=login.role,
                password=None if login.role == "provider" else DEMO_PASSWORD,
                name=login.name,
                park_ids=[chengdu.id, shougang.id] if login.role == "staff" else None,
                team_id=member_team if login.role == "member" else None,
            )
    return True


def print_logins() -> None:
    click.echo(f"Demo logins (password: {DEMO_PASSWORD}):")
    for login in LOGINS:
        if login.role != "provider":
            click.echo(f"  {login.email:<22} {login.role:<9} {login.what}")


@click.command("seed-demo")
@click.option(
    "--if-configured",
    is_flag=True,
    help="Only when SEED_DEMO_ON_START is set (the run command uses this).",
)
@with_appcontext  # also under app.cli / test_cli_runner(), not only the `flask` command
def seed_demo_command(if_configured: bool) -> None:
    """Seed the demo parks, teams and users (does nothing when they exist)."""
    if if_configured and not current_app.config["SEED_DEMO_ON_START"]:
        return
    click.echo("Seeded demo data." if seed_demo() else "Demo data present; nothing to do.")
    print_logins()


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
