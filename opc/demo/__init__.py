"""Demo data: the Chengdu OPC hub and the Shougang cluster, their space, teams and users,
and their rent (a policy each, a year of issued statements and payments), and Chengdu's
compute subsidies (opc.demo.compute) and funds (opc.demo.funds); a year of KPI reports
(opc.demo.kpis) and of monthly subsidy reports (opc.demo.reports).

`flask --app opc seed-demo` (and the run command on first start). Idempotent: a park that
exists already is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from opc.auth.models import User
from opc.auth.operations import create_user
from opc.core.dates import local_today
from opc.core.db import transaction
from opc.demo.compute import seed_compute
from opc.demo.directory import seed_directory
from opc.demo.events import seed_events
from opc.demo.funds import seed_funds
from opc.demo.kpis import seed_kpis
from opc.demo.parks import seed_park
from opc.demo.rent import seed_rent
from opc.demo.reports import seed_reports
from opc.demo.rooms import seed_rooms
from opc.demo.service import seed_service
from opc.demo.specs import CHENGDU, PARKS, TZ
from opc.extensions import db
from opc.parks.models import Park
from opc.space.models import Allocation, Unit
from opc.teams.models import Team

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
    DemoLogin(
        "provider@opc-demo.cn",
        "provider",
        "星河算力",
        "compute platform: API only, no password (make a token: see CLI)",
    ),
)
EMAILS = tuple(login.email for login in LOGINS)
CODES = tuple(spec.code for spec in PARKS)
MEMBER_TEAM = "星云工作室"  # the member login's team, in Chengdu


def _demo_names() -> set[str]:
    return {name for spec in PARKS for zh, en, *_rest in spec.named for name in (zh, en)}


def seed_demo() -> bool:
    """Create the demo parks, their space and teams, and the logins, unless they exist.

    A park that exists already is left as it is, and so is a login. True if it seeded.
    """
    with transaction() as session:
        present = set(session.scalars(select(Park.code).where(Park.code.in_(CODES))))
        users = {u.email: u for u in session.scalars(select(User).where(User.email.in_(EMAILS)))}
        missing = [spec for spec in PARKS if spec.code not in present]
        created = bool(missing)
        for login in LOGINS[:3]:  # admin, staff, reviewer: staff signs the teams' history
            if login.email not in users:
                users[login.email] = _create_login(login)
                created = True
        staff = users[LOGINS[1].email]
        today = local_today(TZ)
        for spec in missing:
            park = seed_park(session, spec, today, staff.id, _demo_names())
            staff.parks.append(park)
            seed_rent(session, park, today)
        member_team = session.scalar(
            select(Team.id)
            .join(Park, Park.id == Team.park_id)
            .where(Park.code == CHENGDU.code, Team.name_zh == MEMBER_TEAM)
        )
        for login in LOGINS[3:]:
            if login.email not in users and (login.role != "member" or member_team):
                users[login.email] = _create_login(login, team_id=member_team)
                created = True
        if CHENGDU in missing:  # compute needs the provider login, made just above
            park = session.scalar(select(Park).where(Park.code == CHENGDU.code))
            seed_compute(session, park, LOGINS[4].email, today)
            seed_funds(session, park, staff, users[LOGINS[2].email], member_team)
        for spec in missing:  # the directory and the service desk act as the logins above
            park = session.scalar(select(Park).where(Park.code == spec.code))
            seed_directory(session, park, staff, users.get(LOGINS[3].email))
            seed_service(session, park, staff, users.get(LOGINS[3].email))
            seed_rooms(session, park, staff, users.get(LOGINS[3].email))
            seed_events(session, park, staff, users.get(LOGINS[3].email))
            seed_kpis(session, park, staff, users.get(LOGINS[3].email))
        seeded = [
            (park.id, park.timezone)
            for park in session.scalars(
                select(Park).where(Park.code.in_([spec.code for spec in missing]))
            )
        ]
    for park_id, timezone in seeded:  # from the records committed above
        seed_reports(park_id, local_today(timezone))
    return created


def _create_login(login: DemoLogin, team_id: int | None = None) -> User:
    return create_user(
        login.email,
        role=login.role,
        password=None if login.role == "provider" else DEMO_PASSWORD,
        name=login.name,
        team_id=team_id if login.role == "member" else None,
    )


def park_summaries() -> list[str]:
    """One line per demo park: teams, residents against the cap, space and what is allocated."""
    lines = []
    for park in db.session.scalars(select(Park).where(Park.code.in_(CODES)).order_by(Park.id)):
        today = local_today(park.timezone)
        teams = dict(
            db.session.execute(
                select(Team.status, func.count())
                .where(Team.park_id == park.id)
                .group_by(Team.status)
            ).all()
        )
        units = db.session.scalar(
            select(func.coalesce(func.sum(Unit.area_m2), 0)).where(Unit.park_id == park.id)
        )
        held = db.session.scalar(
            select(func.coalesce(func.sum(Unit.area_m2), 0))
            .join(Allocation, Allocation.unit_id == Unit.id)
            .where(Unit.park_id == park.id, Allocation.holds_on(today))
        )
        lines.append(
            f"  {park.code:<9} {sum(teams.values())} teams, {teams.get('resident', 0)} resident"
            f" (cap {park.team_cap}); units {Decimal(str(units)):,.0f} m², allocated today"
            f" {Decimal(str(held)):,.0f} of {park.total_area_m2:,.0f} m²"
        )
    return lines


def print_logins() -> None:
    """Every demo login (the README's table lists the same): the run command's banner."""
    click.echo(f"Demo logins (password: {DEMO_PASSWORD}):")
    for login in LOGINS:
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
    for line in park_summaries():
        click.echo(line)
    print_logins()


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
