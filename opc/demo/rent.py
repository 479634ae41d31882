"""Demo rent: each park's free-rent policy granted to its eligible residents, a year of
issued statements and the payments against them (most on time, a few late or missing, so
the aging list has something to show)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from opc.parks.models import Park
from opc.rent.models import Statement, Waiver, WaiverStatus
from opc.rent.operations import create_policy
from opc.rent.operations.statements import issue_month
from opc.rent.payments_model import Payment
from opc.rent.schedule import add_months, month_of
from opc.teams.models import Team, TeamStatus
from opc.teams.rules import move_in_dates

MONTHS = 12
# The measure each demo park applies (by park code), its schedule and reach.
POLICIES = {
    "CD-OPC": {
        "code": "SF13-4",
        "name_zh": "科幻13条 第4条：免租入驻",
        "name_en": "Sci-Fi 13, measure 4: rent-free residency",
        "document": "成都市促进科幻产业高质量发展的若干政策措施（科幻13条）",
        "steps": [{"months": 12, "percent": "100"}, {"months": 12, "percent": "50"}],
        "area_cap_m2": Decimal("200"),
        "tracks": ["aigc_film", "digital_humans", "ai_agents"],
        "clawback_within_months": 24,
        "clawback_last_months": 6,
    },
    "SG-SCIFI": {
        "code": "SJS-RENT",
        "name_zh": "石景山科幻产业房租补贴",
        "name_en": "Shijingshan sci-fi industry rent subsidy",
        "document": "石景山区关于支持科幻产业发展的若干措施",
        "steps": [{"months": 24, "percent": "50"}],
        "area_cap_m2": Decimal("500"),
    },
}


def seed_rent(session: Session, park: Park, today: date, seed: int = 2026) -> None:
    """The park's policy, its grants, a year of issued statements and the payments."""
    values = POLICIES.get(park.code)
    if values is not None:
        policy = create_policy(actor=None, park_id=park.id, **values)
        residents = list(
            session.scalars(
                select(Team).where(Team.park_id == park.id, Team.status == TeamStatus.RESIDENT)
            )
        )
        moved_in = move_in_dates(session, [t.id for t in residents])
        for team in residents:
            eligible = not policy.tracks or team.track in policy.tracks
            if eligible and team.id in moved_in:
                session.add(
                    Waiver(
                        team_id=team.id,
                        policy_id=policy.id,
                        start=moved_in[team.id],
                        status=WaiverStatus.APPROVED,
                        reason="",
                    )
                )
        session.flush()
    first = add_months(today.replace(day=1), -MONTHS)
    for n in range(MONTHS):
        issue_month(park.id, month_of(add_months(first, n)), actor=None)
    _payments(session, park, today, random.Random(seed + park.id))


def _payments(session: Session, park: Park, today: date, rng: random.Random) -> None:
    """Most teams pay each statement a few days after it is issued; a few pay late, part,
    or (lately) not at all."""
    issued = session.scalars(
        select(Statement).where(Statement.park_id == park.id).order_by(Statement.month)
    )
    late = {
        t
        for t in session.scalars(select(Team.id).where(Team.park_id == park.id))
        if rng.random() < 0.12
    }
    for statement in issued:
        if statement.net_fen <= 0:
            continue
        paid_on = statement.due_on - timedelta(days=rng.randint(0, 10))
        if statement.team_id in late:
            if statement.due_on > today - timedelta(days=100):
                continue  # owed: 0 to 90+ days overdue
            paid_on = statement.due_on + timedelta(days=rng.randint(10, 40))
        if paid_on > today:
            continue
        session.add(
            Payment(
                park_id=park.id,
                team_id=statement.team_id,
                amount_fen=statement.net_fen,
                paid_on=paid_on,
                method=rng.choice(("bank_transfer", "bank_transfer", "wechat", "alipay")),
                reference=f"{statement.month}-{statement.team_id:04d}",
            )
        )
    session.flush()
