"""Demo funds in Chengdu: the future-industry fund's OPC window with a call that closed two
months ago (screened, reviewed blind by a pool of four experts, one of whom declared a
conflict and was replaced, decided, paid in tranches) and a call open now (submitted
applications, one in screening, and the member's team's draft).

Everything goes through the operations, as people would do it; the closed call's steps
happened today and are then dated back to when they would have happened (the history, the
submissions, the reviews and the decisions). Deterministic: the same data every run."""

from __future__ import annotations

import io
import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from opc.auth.models import User
from opc.auth.operations import create_user
from opc.core.db import utcnow
from opc.extensions import db
from opc.funds.application_models import Application, ApplicationStatus
from opc.funds.models import Call
from opc.funds.operations.applications import create_application, submit_application
from opc.funds.operations.attachments import add_attachment
from opc.funds.operations.calls import create_call, update_call
from opc.funds.operations.decisions import approve_application, reject_application
from opc.funds.operations.disbursements import propose_tranche
from opc.funds.operations.funds import create_fund
from opc.funds.operations.reviews import accept_proposal, propose
from opc.funds.operations.scoring import declare_conflict, save_review
from opc.funds.operations.screening import screen
from opc.funds.rankings import call_ranking
from opc.funds.review_models import Review, ReviewStatus
from opc.parks.models import Park
from opc.teams.models import Team, TeamStatus

# The experts besides the demo reviewer login (no password: they would be invited).
EXPERTS = (
    ("liu.yan@opc-demo.cn", "刘燕研究员"),
    ("zhou.ming@opc-demo.cn", "周明律师"),
    ("wu.tao@opc-demo.cn", "吴涛（投资人）"),
)
CRITERIA = [
    {"name_zh": "创新性", "name_en": "Innovation", "weight": 40},
    {"name_zh": "团队能力", "name_en": "Team", "weight": 30},
    {"name_zh": "市场前景", "name_en": "Market", "weight": 30},
]
PLAN = "商业计划书"
# A one-page PDF: what a team's business plan would be, small enough for the demo.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
TITLES = (
    "AIGC 短剧《山海异闻录》制作",
    "虚拟主播动作捕捉管线",
    "川剧变脸数字人",
    "游戏美术 3D 资产生成工具",
    "AI 配音与多语种本地化",
    "城市文旅 AIGC 宣传片",
    "独立游戏《蜀道》发行",
    "AI 漫剧连载平台",
    "短视频智能剪辑助手",
    "数字藏品互动展",
)
# Each expert's habit: how much they add to a fair score (a strict and a lenient one), so
# that the ranking's normalised score has something to even out.
HABITS = (0, -2, 1, 2)


def seed_funds(
    session: Session, park: Park, staff: User, reviewer: User, member_team_id: int | None
) -> None:
    """The fund, its closed and open calls, and their applications, for the park."""
    rng = random.Random(2026 + park.id)
    zone = ZoneInfo(park.timezone)
    now = utcnow()
    today = now.astimezone(zone).date()
    experts = [reviewer, *(_expert(session, email, name) for email, name in EXPERTS)]
    teams = _teams(session, park, member_team_id)
    fund = create_fund(
        actor=None,
        park_id=park.id,
        name_zh="成都市未来产业基金 · OPC 专项",
        name_en="Chengdu Future Industry Fund · OPC window",
        description="支持一人公司（OPC）与 AI 超级个体的创作与产品化。",
        budget_fen=3_000_000_000,
    )
    closed = create_call(
        actor=staff,
        fund_id=fund.id,
        title_zh="2026 年第三季度 AIGC 创作扶持",
        title_en="AIGC creation support, Q3 2026",
        description_zh="面向园区在孵团队的 AIGC 影视、动漫与游戏项目，单个团队最高 30 万元。",
        description_en="For resident teams' AIGC film, animation and game projects; "
        "up to ¥300,000 a team.",
        opens_at=_at(today - timedelta(days=120), zone),
        closes_at=now + timedelta(hours=1),  # dated back below, once its steps are done
        budget_fen=200_000_000,
        ceiling_fen=30_000_000,
        criteria=CRITERIA,
        required_documents=[PLAN],
        team_statuses=[TeamStatus.RESIDENT],
        reviewer_ids=[e.id for e in experts],
    )
    applications = [
        _apply(rng, closed, team, TITLES[i], submit=True) for i, team in enumerate(teams[:8])
    ]
    _review(rng, staff, closed, applications, experts)
    _decide(rng, staff, closed, applications, today)
    update_call(closed, actor=staff, closes_at=_at(today - timedelta(days=60), zone, 17))
    _date_back(session, closed, applications)

    current = create_call(
        actor=staff,
        fund_id=fund.id,
        title_zh="2026 年第四季度 OPC 超级个体扶持",
        title_en="OPC super-individual support, Q4 2026",
        description_zh="面向一人公司与个人创作者，支持算力、设备与首个作品发行，"
        "单个团队最高 10 万元。",
        description_en="For one-person companies and solo creators: compute, equipment and "
        "a first release; up to ¥100,000 a team.",
        opens_at=_at(today - timedelta(days=10), zone),
        closes_at=_at(today + timedelta(days=20), zone, 17),
        budget_fen=100_000_000,
        ceiling_fen=10_000_000,
        criteria=CRITERIA,
        required_documents=[PLAN],
        reviewer_ids=[e.id for e in experts],
    )
    member_team = next((t for t in teams if t.id == member_team_id), None)
    others = [t for t in teams[8:] if t is not member_team][:5]
    for i, team in enumerate(others):
        found = _apply(rng, current, team, TITLES[(i + 3) % len(TITLES)], submit=True)
        if i == 0:
            screen(found.id, "start", actor=staff)
    if member_team is not None:
        _apply(rng, current, member_team, "星云工作室 AI 漫剧第二季", submit=False)


def _expert(session: Session, email: str, name: str) -> User:
    found = session.scalar(select(User).where(User.email == email))
    return found or create_user(email, role="reviewer", password=None, name=name)


def _teams(session: Session, park: Park, member_team_id: int | None) -> list[Team]:
    """Fourteen resident teams in a fixed order, the member's team among the first eight
    (it applied to the closed call and was funded)."""
    residents = list(
        session.scalars(
            select(Team)
            .where(Team.park_id == park.id, Team.status == TeamStatus.RESIDENT)
            .order_by(Team.id)
        )
    )
    member = [t for t in residents if t.id == member_team_id]
    rest = [t for t in residents if t.id != member_team_id]
    return (member + rest)[:14]


def _at(day: date, zone: ZoneInfo, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), zone).astimezone(UTC)


def _apply(rng: random.Random, call: Call, team: Team, title: str, *, submit: bool) -> Any:
    ceiling_yuan = call.ceiling_fen // 100
    amount = rng.randrange(ceiling_yuan // 3, ceiling_yuan + 1, 1000) * 100
    half = amount // 2
    application = create_application(
        actor=None,
        call_id=call.id,
        team_id=team.id,
        title=title,
        amount_fen=amount,
        purpose="用于算力采购、设备租赁与首期内容制作；详见商业计划书。",
        milestones=[
            {
                "title": "样片完成",
                "due": call.closes_at.date() + timedelta(days=60),
                "amount_fen": half,
            },
            {
                "title": "正式发布",
                "due": call.closes_at.date() + timedelta(days=150),
                "amount_fen": amount - half,
            },
        ],
    )
    add_attachment(
        application.id, io.BytesIO(PDF), f"{team.name_zh}-{PLAN}.pdf", actor=None, document=PLAN
    )
    if submit:
        submit_application(application.id, actor=None)
    return application


def _review(
    rng: random.Random, staff: User, call: Call, applications: list[Any], experts: list[User]
) -> None:
    """Screen (one not eligible), assign by the fair proposal, one declared conflict and its
    replacement, then every expert scores by their habit and submits."""
    for i, application in enumerate(applications):
        screen(application.id, "start", actor=staff)
        if i == len(applications) - 1:
            screen(
                application.id,
                "ineligible",
                actor=staff,
                reason="团队入驻未满三个月，不符合本批次申报条件。",
            )
        else:
            screen(application.id, "eligible", actor=staff)
    _assign(staff, call)
    first = _reviews(applications[1].id)[0]
    declare_conflict(first.id, actor=first.reviewer, reason="曾担任该团队的创业导师，申请回避。")
    _assign(staff, call)
    for application in applications[:-1]:
        base = rng.randint(5, 8)
        for review in _reviews(application.id):
            habit = HABITS[[e.id for e in experts].index(review.reviewer_id)]
            scores = [
                {"criterion_id": c.id, "score": max(0, min(10, base + habit + rng.randint(-1, 1)))}
                for c in call.criteria
            ]
            save_review(
                review.id,
                actor=review.reviewer,
                scores=scores,
                comment="材料完整，方向清晰。",
                submit=True,
            )


def _assign(staff: User, call: Call) -> None:
    view = propose(call.id, actor=staff)
    accept_proposal(call.id, [list(pair) for pair in view.proposal.added], actor=staff)


def _reviews(application_id: int) -> list[Review]:
    return list(
        db.session.scalars(
            select(Review)
            .where(Review.application_id == application_id, Review.status != ReviewStatus.RECUSED)
            .order_by(Review.id)
        )
    )


def _decide(
    rng: random.Random, staff: User, call: Call, applications: list[Any], today: date
) -> None:
    """The five best ranked approved (the member's team first among them), the others
    rejected; the member's team paid its first tranche, the best one paid in full."""
    ranked = [r.application.id for r in call_ranking(call) if r.figures.reviewed]
    member_first = [applications[0].id] + [a for a in ranked if a != applications[0].id]
    approved = member_first[:5]
    by_id = {a.id: a for a in applications}
    for application_id in member_first:
        application = by_id[application_id]
        if application_id in approved:
            amount = min(application.amount_fen, call.ceiling_fen) // 10_000 * 9_000
            approve_application(
                application,
                actor=staff,
                amount_fen=amount,
                reason="评审得分靠前，按申请金额的九成支持。",
            )
        else:
            reject_application(
                application, actor=staff, reason="本批次预算有限，评审排名未进入支持范围。"
            )
    for application_id, tranches in ((approved[0], 1), (approved[1], 2)):
        application = by_id[application_id]
        left = application.approved_fen
        for n, milestone in enumerate(application.milestones[:tranches], start=1):
            amount = left if n == tranches == 2 else left // 2
            propose_tranche(
                actor=staff,
                application_id=application_id,
                milestone=milestone["title"],
                amount_fen=amount,
                paid_on=today - timedelta(days=30 - 10 * n),
                reference=f"CZ-2026-{application_id:04d}-{n}",
            )
            left -= amount


def _date_back(session: Session, call: Call, applications: list[Any]) -> None:
    """Date the closed call's steps back to when they would have happened: submissions in
    its last weeks, screening and review after the close, decisions a month after it."""
    close = call.closes_at
    offsets = {
        ApplicationStatus.SUBMITTED: None,  # per application, before the close
        ApplicationStatus.SCREENING: timedelta(days=2),
        ApplicationStatus.IN_REVIEW: timedelta(days=5),
        ApplicationStatus.APPROVED: timedelta(days=30),
        ApplicationStatus.REJECTED: timedelta(days=30),
        ApplicationStatus.DISBURSED: timedelta(days=50),
    }
    for n, application in enumerate(applications):
        record = session.get(Application, application.id)
        submitted = close - timedelta(days=20 - 2 * n, hours=n)
        record.submitted_at = submitted
        if record.decided_at is not None:
            record.decided_at = close + timedelta(days=30)
        for change in record.changes:
            offset = offsets.get(change.to_status)
            change.at = submitted if offset is None else close + offset
        for review in _reviews(record.id):
            if review.submitted_at is not None:
                review.submitted_at = close + timedelta(days=12 + n % 3)
