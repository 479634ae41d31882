"""Demo directory (opc.directory) of a park: most residents describe what they offer and
need, from the shared list of skills by their track, in Chinese, English or both; a couple
hide themselves (one of them offers motion capture, which 星云工作室 needs: staff see it in
its matches, its members do not). The park's staff introduced pairs whose offers meet the
other's needs, over the last half year; most have an outcome (met, collaborated, no fit),
the latest are pending, so the park's synergy figures have months to show.

Through the operations (profiles saved by the demo staff, as at the teams' onboarding, the
member login's team by the member login), then introductions dated back. Deterministic:
each park draws from its own seed, teams in id order.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opc.auth.models import User
from opc.core.db import utcnow
from opc.directory.models import LISTED, Introduction, Outcome, Skill
from opc.directory.operations import add_skill, introduce, record_outcome, save_profile
from opc.notifications.models import Notification
from opc.parks.models import Park
from opc.teams.models import Team

# Track: (what such teams offer, what they need), skill codes of the seeded list.
POOLS = {
    "aigc_film": (
        ("aigc_video", "scriptwriting", "post_production", "virtual_production"),
        ("motion_capture", "voice", "music", "compute", "distribution", "financing"),
    ),
    "digital_humans": (
        ("digital_humans", "motion_capture", "voice", "3d_assets"),
        ("compute", "model_training", "marketing", "legal", "financing"),
    ),
    "ai_agents": (
        ("software", "model_training", "data_annotation"),
        ("compute", "marketing", "legal", "overseas", "financing"),
    ),
    "games": (
        ("game_engine", "3d_assets", "music"),
        ("motion_capture", "voice", "distribution", "overseas", "financing"),
    ),
    "vfx": (
        ("vfx", "post_production", "virtual_production", "3d_assets"),
        ("compute", "motion_capture", "scriptwriting", "financing"),
    ),
    "immersive": (
        ("xr", "game_engine", "3d_assets"),
        ("scriptwriting", "ip_licensing", "music", "marketing"),
    ),
    "hard_tech": (
        ("motion_capture", "compute", "software"),
        ("financing", "marketing", "legal", "overseas"),
    ),
    "content": (
        ("scriptwriting", "ip_licensing", "marketing", "distribution"),
        ("aigc_video", "vfx", "legal", "financing"),
    ),
    "other": (("legal", "marketing", "overseas"), ("aigc_video", "software")),
}
# Track: (offers, needs) in Chinese and in English.
TEXTS = {
    "aigc_film": (
        (
            "AIGC短剧与动画短片全流程制作，擅长国风与科幻题材。",
            "End-to-end AIGC short dramas and animated shorts, sci-fi and guofeng styles.",
        ),
        (
            "寻找动作捕捉、配音和音乐合作伙伴，以及发行渠道。",
            "Looking for motion capture, voice and music partners, and for distribution.",
        ),
    ),
    "digital_humans": (
        (
            "高精度数字人建模、驱动与直播方案。",
            "High-fidelity digital humans: modelling, driving and live streaming.",
        ),
        ("需要训练算力和品牌客户。", "We need training compute and brand clients."),
    ),
    "ai_agents": (
        (
            "面向内容团队的智能体与自动化工具定制开发。",
            "Custom AI agents and automation tools for content teams.",
        ),
        (
            "需要算力、法律合规咨询和海外市场资源。",
            "We need compute, legal advice on compliance and overseas contacts.",
        ),
    ),
    "games": (
        (
            "独立游戏开发，Unity/UE5美术与程序外包。",
            "Indie game development; Unity/UE5 art and code for hire.",
        ),
        ("寻找动捕、配音和发行伙伴。", "Looking for mocap, voice and publishing partners."),
    ),
    "vfx": (
        ("影视特效、虚拟制片与后期合成。", "Film VFX, virtual production and compositing."),
        ("需要渲染算力和剧本合作。", "We need render compute and script collaborators."),
    ),
    "immersive": (
        ("XR沉浸式展览与互动装置设计。", "XR immersive exhibitions and interactive installations."),
        ("寻找科幻IP授权和内容策划。", "Looking for sci-fi IP licences and content planning."),
    ),
    "hard_tech": (
        ("动作捕捉设备与边缘算力硬件。", "Motion capture hardware and edge compute devices."),
        ("正在寻求融资和市场推广合作。", "Raising funds; looking for marketing partners."),
    ),
    "content": (
        (
            "科幻小说与剧本IP孵化、授权与推广。",
            "Sci-fi novel and script IP: incubation, licensing and promotion.",
        ),
        (
            "希望把IP做成AIGC视频和特效短片。",
            "We want our IP made into AIGC videos and VFX shorts.",
        ),
    ),
    "other": (
        ("法律、市场与出海服务。", "Legal, marketing and going-overseas services."),
        ("需要AIGC视频与软件开发。", "We need AIGC video and software development."),
    ),
}
# Named teams: (offers, needs); 星云工作室's needs are met by several of them.
NAMED = {
    "星云工作室": (
        ("aigc_video", "scriptwriting"),
        ("motion_capture", "voice", "music", "compute"),
    ),
    "赛博演员坊": (("motion_capture", "digital_humans", "voice"), ("compute", "marketing")),
    "灵犀虚拟人": (("voice", "digital_humans"), ("model_training", "financing")),
    "幻境影业": (("post_production", "music", "aigc_video"), ("motion_capture", "distribution")),
    "数字分身科技": (("digital_humans", "3d_assets", "motion_capture"), ("compute", "legal")),
    "钢铁特效": (("vfx", "virtual_production"), ("compute", "scriptwriting")),
    "沉浸空间": (("xr", "3d_assets"), ("scriptwriting", "vfx")),
    "科幻内容社": (("scriptwriting", "ip_licensing"), ("vfx", "aigc_video")),
    "硬核机甲": (("motion_capture", "compute"), ("financing", "marketing")),
}
# Introductions of named teams: (a, b, outcome or None, months ago, the staff's note).
NAMED_INTRODUCTIONS = (
    ("星云工作室", "赛博演员坊", Outcome.COLLABORATED, 5, "《星海拾遗》第二季需要动作捕捉。"),
    ("星云工作室", "灵犀虚拟人", Outcome.MET, 3, "配音与虚拟主播合作的可能。"),
    ("幻境影业", "数字分身科技", Outcome.NO_FIT, 4, ""),
    ("钢铁特效", "科幻内容社", Outcome.COLLABORATED, 4, "科幻IP的特效短片。"),
    ("沉浸空间", "科幻内容社", Outcome.MET, 2, ""),
)
# Outcomes of the introductions between other teams, oldest first (None: pending).
OTHERS = (
    Outcome.COLLABORATED,
    Outcome.NO_FIT,
    Outcome.COLLABORATED,
    Outcome.MET,
    Outcome.COLLABORATED,
    None,
    None,
)
HIDDEN = 2  # teams of a park that hide themselves
# The skills above, as the first list has them (migration 0018): added when missing (the
# tests empty the list), as an admin would.
SKILLS = {
    "aigc_video": ("AIGC视频", "AIGC video"),
    "motion_capture": ("动作捕捉", "motion capture"),
    "3d_assets": ("3D资产", "3D assets"),
    "voice": ("配音", "voice"),
    "game_engine": ("游戏引擎", "game engine"),
    "digital_humans": ("数字人", "digital humans"),
    "vfx": ("视觉特效", "visual effects"),
    "scriptwriting": ("剧本创作", "scriptwriting"),
    "music": ("音乐与音效", "music and sound"),
    "post_production": ("后期制作", "post-production"),
    "virtual_production": ("虚拟制片", "virtual production"),
    "xr": ("XR与沉浸式体验", "XR and immersive"),
    "model_training": ("模型训练", "model training"),
    "data_annotation": ("数据标注", "data annotation"),
    "software": ("软件开发", "software development"),
    "compute": ("算力", "compute"),
    "legal": ("法律服务", "legal"),
    "ip_licensing": ("版权与IP授权", "IP licensing"),
    "financing": ("融资", "financing"),
    "marketing": ("市场推广", "marketing"),
    "distribution": ("发行渠道", "distribution"),
    "overseas": ("出海", "going overseas"),
}


def seed_directory(session: Session, park: Park, staff: User, member: User | None) -> None:
    """Profiles of the park's residents and the introductions its staff made."""
    rng = random.Random(f"opc-demo/directory/{park.code}")
    known = set(session.scalars(select(Skill.code)))
    for code, (zh, en) in SKILLS.items():
        if code not in known:
            add_skill(code, zh, en, actor=None)
    teams = list(
        session.scalars(
            select(Team).where(Team.park_id == park.id, Team.status.in_(LISTED)).order_by(Team.id)
        )
    )
    tags: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    hidden = 0
    for n, team in enumerate(teams):
        if team.name_zh in NAMED:
            offers, needs = NAMED[team.name_zh]
        elif rng.random() < 0.12:
            continue  # no profile yet
        else:
            offered, needed = POOLS[team.track]
            offers = tuple(rng.sample(offered, rng.randint(1, min(3, len(offered)))))
            needs = tuple(s for s in rng.sample(needed, 2) if s not in offers)
        # One that offers motion capture hides, and one more further down the list.
        hide = team.name_zh not in NAMED and hidden < HIDDEN
        hide = hide and ("motion_capture" in offers if hidden == 0 else n >= 20)
        hidden += hide
        on_member = member is not None and member.team_id == team.id
        save_profile(
            team,
            offers=offers,
            needs=needs,
            **_texts(rng, team.track),
            hidden=hide,
            actor=member if on_member else staff,
        )
        if not hide:
            tags[team.id] = (offers, needs)
    _introduce(session, park, staff, member, teams, tags)


def _texts(rng: random.Random, track: str) -> dict[str, str]:
    """The free texts, in Chinese, English or both (one language a side, the same one)."""
    (offers_zh, offers_en), (needs_zh, needs_en) = TEXTS[track]
    language = rng.choice(("zh", "zh", "en", "both"))
    pick = {
        "zh": (offers_zh, needs_zh),
        "en": (offers_en, needs_en),
        "both": (f"{offers_zh}\n{offers_en}", f"{needs_zh}\n{needs_en}"),
    }[language]
    return {"offers_text": pick[0], "needs_text": pick[1]}


def _introduce(
    session: Session,
    park: Park,
    staff: User,
    member: User | None,
    teams: list[Team],
    tags: dict[int, tuple[tuple[str, ...], tuple[str, ...]]],
) -> None:
    by_name = {t.name_zh: t for t in teams}
    plan = [
        (by_name[a], by_name[b], outcome, months, note)
        for a, b, outcome, months, note in NAMED_INTRODUCTIONS
        if a in by_name and b in by_name
    ]
    others = [t for t in teams if t.id in tags and t.name_zh not in NAMED]
    used: set[int] = set()
    for n, outcome in enumerate(OTHERS):
        pair = _matching_pair(others, tags, used)
        if pair is None:
            break
        months = 6 - n if outcome is not None else 0
        plan.append((*pair, outcome, months, ""))
    now = utcnow()
    for n, (a, b, outcome, months, note) in enumerate(plan):
        told = session.scalar(select(func.max(Notification.id))) or 0
        intro = introduce(a.id, b.id, note, actor=staff)
        made = now - timedelta(days=30 * months + 3 + 5 * n)
        if outcome is not None:
            on_member = member is not None and intro.involves(member.team_id)
            record_outcome(intro, outcome, actor=member if on_member else staff)
        _date_back(session, intro, made, outcome is not None, n)
        for notification in session.scalars(select(Notification).where(Notification.id > told)):
            notification.created_at = made  # both teams were told then, and have read it
            notification.read_at = made + timedelta(hours=3) if outcome is not None else None


def _matching_pair(
    teams: list[Team], tags: dict[int, tuple[tuple[str, ...], tuple[str, ...]]], used: set[int]
) -> tuple[Team, Team] | None:
    """The first two unused teams, in id order, where the second offers what the first needs."""
    for a in teams:
        if a.id in used:
            continue
        for b in teams:
            if b.id not in used and b.id != a.id and set(tags[b.id][0]) & set(tags[a.id][1]):
                used.update((a.id, b.id))
                return a, b
    return None


def _date_back(session: Session, intro: Introduction, made: datetime, done: bool, n: int) -> None:
    session.flush()
    intro.created_at = made
    if done:
        intro.outcome_at = made + timedelta(days=14 + 3 * (n % 4))
