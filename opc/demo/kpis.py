"""Demo KPI reports (opc.kpis): a year of quarterly reports of Chengdu's teams, filed through
the operation and then dated back to when they would have been filed.

The four quarters up to the one teams file now: every team that owed a quarter filed it
(a team's member files when it has a login, else the park's staff, who type in a paper
form), except that of the latest quarter only about two in three have filed yet — the
member login's team among those that have not — so the staff page shows whom to remind
and the member's home shows the report due. Two teams corrected a quarter: a version 2
beside the version 1 kept.

The figures are plausible by track and kind (a solo creator is one person with a small
revenue; a hard-tech company spends on R&D and applies for patents, a film studio
releases works), drawn from a generator seeded by the team and quarter, and grow a little
from quarter to quarter, so seeding gives the same park every time.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from opc.auth.models import User
from opc.core.dates import local_today
from opc.core.db import utcnow
from opc.demo.specs import CHENGDU
from opc.kpis.models import FIGURES, KpiReport
from opc.kpis.operations import file_report
from opc.kpis.quarters import Quarter, to_file
from opc.kpis.queries import park_quarter
from opc.parks.models import Park
from opc.teams.models import Team

# The hub, whose subsidies (compute, funds) the outcome dashboard sets against the output;
# each filing is a whole operation, and the Shougang cluster's 125 would double the seeding.
KPI_PARKS = (CHENGDU.code,)
QUARTERS = 4  # a year of reports
FILED_SHARE_LATEST = 0.65  # of the latest quarter, the share of owing teams that filed yet
CORRECTIONS = 2  # teams whose second-latest quarter has a version 2
YUAN = 100  # fen

# Per track: quarterly revenue of a company in yuan (low, high), R&D as a share of revenue
# (low, high), and the IP and works a quarter brings (each at most this many).
PROFILES: dict[str, dict[str, Any]] = {
    "aigc_film": {"revenue": (300_000, 2_000_000), "rnd": (0.15, 0.35), "works": 4,
                  "patents": 0, "software": 1, "trademarks": 2},
    "digital_humans": {"revenue": (200_000, 1_500_000), "rnd": (0.25, 0.5), "works": 2,
                       "patents": 1, "software": 3, "trademarks": 1},
    "ai_agents": {"revenue": (150_000, 1_200_000), "rnd": (0.3, 0.6), "works": 1,
                  "patents": 2, "software": 4, "trademarks": 1},
    "games": {"revenue": (500_000, 3_000_000), "rnd": (0.2, 0.4), "works": 2,
              "patents": 0, "software": 3, "trademarks": 2},
    "vfx": {"revenue": (400_000, 2_500_000), "rnd": (0.1, 0.25), "works": 6,
            "patents": 0, "software": 1, "trademarks": 0},
    "immersive": {"revenue": (250_000, 1_800_000), "rnd": (0.2, 0.45), "works": 2,
                  "patents": 1, "software": 2, "trademarks": 1},
    "hard_tech": {"revenue": (100_000, 2_000_000), "rnd": (0.4, 0.9), "works": 0,
                  "patents": 4, "software": 2, "trademarks": 1},
    "content": {"revenue": (50_000, 600_000), "rnd": (0.05, 0.15), "works": 20,
                "patents": 0, "software": 0, "trademarks": 1},
    "other": {"revenue": (100_000, 800_000), "rnd": (0.1, 0.3), "works": 1,
              "patents": 0, "software": 1, "trademarks": 1},
}  # fmt: skip
CORRECTION_NOTE = "更正：补录季度末到账的一笔项目款，营业收入和纳税额相应调整。"


def seed_kpis(session: Session, park: Park, staff: User, member: User | None) -> None:
    """A year of the park's KPI reports (see the module's doc); only in the parks of
    KPI_PARKS."""
    if park.code not in KPI_PARKS:
        return
    tz = ZoneInfo(park.timezone)
    now = utcnow()
    latest = to_file(local_today(park.timezone))
    quarters = [latest]
    while len(quarters) < QUARTERS:
        quarters.insert(0, quarters[0].previous())
    members = _members(session, park)
    corrected = 0
    for quarter in quarters:
        owing = [team for team, report in park_quarter([park.id], quarter) if report is None]
        for team in owing:
            rng = random.Random(f"{team.id}-{quarter}")
            if quarter == latest and not _filed_yet(team, member, rng):
                continue
            actor = members.get(team.id, staff)
            report = file_report(team.id, quarter, figures(team, quarter, quarters[0]), actor=actor)
            _date_back(report, _filed_at(quarter, tz, rng, now))
            if quarter == quarters[-2] and corrected < CORRECTIONS and team.id in members:
                corrected += 1
                _correct(report, actor, quarter, tz, rng, now)


def _members(session: Session, park: Park) -> dict[int, User]:
    """The first member login of each of the park's teams that has one."""
    stmt = (
        select(User)
        .join(Team, Team.id == User.team_id)
        .where(Team.park_id == park.id, User.role == "member")
        .order_by(User.id)
    )
    found: dict[int, User] = {}
    for user in session.scalars(stmt):
        found.setdefault(user.team_id, user)  # type: ignore[arg-type]
    return found


def _filed_yet(team: Team, member: User | None, rng: random.Random) -> bool:
    """Whether the team filed the latest quarter already: never the member login's team."""
    if member is not None and member.team_id == team.id:
        return False
    return rng.random() < FILED_SHARE_LATEST


def figures(team: Team, quarter: Quarter, first: Quarter) -> dict[str, int]:
    """The team's figures for the quarter: its track's profile, its size, a little growth
    each quarter since `first`."""
    base = random.Random(f"{team.id}-base")  # the same team is the same size every quarter
    rng = random.Random(f"{team.id}-{quarter}")
    profile = PROFILES.get(team.track, PROFILES["other"])
    solo = team.kind == "solo"
    grown = (quarter.year - first.year) * 4 + quarter.quarter - first.quarter
    growth = (1 + base.uniform(0.02, 0.12)) ** grown
    low, high = profile["revenue"]
    revenue = base.uniform(low, high) * growth * rng.uniform(0.85, 1.15)
    if solo:
        revenue *= 0.15
    headcount = 1 if solo else base.randint(3, 25) + grown * base.randint(0, 2)
    rnd = revenue * rng.uniform(*profile["rnd"])
    raised = 0.0
    if not solo and rng.random() < 0.1:  # a round closes now and then
        raised = rng.choice((1, 2, 3, 5, 8, 10)) * 1_000_000
    patents_applied = rng.randint(0, profile["patents"])
    software_applied = rng.randint(0, profile["software"])
    trademarks_applied = rng.randint(0, profile["trademarks"])
    return {
        "revenue_fen": round(revenue) * YUAN + rng.randint(0, 99),
        "financing_fen": int(raised) * YUAN,
        "rnd_fen": round(rnd) * YUAN,
        "taxes_fen": round(revenue * rng.uniform(0.03, 0.08)) * YUAN,
        "headcount": headcount,
        "graduates_hired": 0 if solo else min(headcount, rng.randint(0, 3)),
        "patents_applied": patents_applied,
        "patents_granted": rng.randint(0, patents_applied),
        "software_copyrights_applied": software_applied,
        "software_copyrights_granted": rng.randint(0, software_applied),
        "trademarks_applied": trademarks_applied,
        "trademarks_granted": rng.randint(0, trademarks_applied),
        "works_released": rng.randint(0, max(1, profile["works"] // (3 if solo else 1))),
    }


def _filed_at(quarter: Quarter, tz: ZoneInfo, rng: random.Random, now: datetime) -> datetime:
    """A working hour between the quarter's end and its due day (never after now)."""
    last = min(quarter.due_on, now.astimezone(tz).date())
    day = quarter.end + timedelta(days=rng.randint(0, max(0, (last - quarter.end).days)))
    local = datetime.combine(day, time(rng.randint(9, 17), rng.randint(0, 59)), tz)
    return min(local.astimezone(now.tzinfo), now - timedelta(minutes=5))


def _date_back(report: KpiReport, when: datetime) -> None:
    report.created_at = when


def _correct(
    first: KpiReport,
    actor: User,
    quarter: Quarter,
    tz: ZoneInfo,
    rng: random.Random,
    now: datetime,
) -> None:
    """File a version 2 a few weeks after version 1: revenue and taxes a little higher."""
    values = {f: getattr(first, f) for f in FIGURES}
    values["revenue_fen"] += rng.randint(50_000, 300_000) * YUAN
    values["taxes_fen"] += values["revenue_fen"] // 20 - first.revenue_fen // 20
    second = file_report(first.team_id, quarter, values, CORRECTION_NOTE, actor=actor)
    when = min(first.created_at + timedelta(days=rng.randint(14, 30)), now - timedelta(minutes=1))
    _date_back(second, when)
    first.superseded_at = when
