"""The directory's test world: skills, profiles made through the operations (so the audit
sees them), and a park whose residents make a hand-worked example of matching."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from opc.core.db import transaction
from opc.core.pinyin import pinyin_of
from opc.directory import operations as ops
from opc.directory import queries
from opc.extensions import db
from opc.teams.models import Team

SKILLS = [
    ("motion_capture", "动作捕捉", "motion capture"),
    ("voice", "配音", "voice"),
    ("3d_assets", "3D资产", "3D assets"),
    ("legal", "法律服务", "legal"),
    ("financing", "融资", "financing"),
]


def add_skills(app: Any) -> None:
    """The skills the tests use, in this order (the migration's seed is there until the
    first test empties the tables: it goes first, so every test starts alike)."""
    with app.app_context():
        with transaction() as session:
            for skill in queries.skills():
                session.delete(skill)
        for code, zh, en in SKILLS:
            ops.add_skill(code, zh, en, actor=None)


def set_profile(app: Any, team: Any, offers=(), needs=(), hidden=False, **texts: str) -> None:
    with app.app_context():
        ops.save_profile(
            db.session.get(Team, team.id),
            offers=list(offers),
            needs=list(needs),
            hidden=hidden,
            actor=None,
            **texts,
        )


@dataclass
class World:
    park: Any
    other_park: Any
    needy: Any  # needs motion capture, voice and 3D assets; track games
    a: Any  # offers motion capture and voice (2 shared), another track
    b: Any  # offers motion capture (1 shared), the same track
    c: Any  # offers voice (1 shared), another track
    hidden: Any  # offers all three (3 shared) but hides itself
    lawyer: Any  # offers legal only: no match
    applicant: Any  # offers motion capture, not admitted yet
    elsewhere: Any  # offers all three, in another park
    staff: Any
    member: Any  # of `needy`


def world(app: Any, make: Any) -> World:
    """The hand-worked example: for `needy`, A (2 shared) ranks before B (1 shared, same
    track) before C (1 shared, other track); the hidden team ranks first for staff only."""
    add_skills(app)
    park, other = make.park(), make.park()
    resident = {"status": "resident"}
    # The factory numbers the pinyin; the search needs the real one.
    needy = make.team(
        park,
        name_zh="星云工作室",
        name_en="Nebula Studio",
        name_pinyin=pinyin_of("星云工作室"),
        track="games",
        **resident,
    )
    a = make.team(park, name_zh="阿尔法动画", track="aigc_film", **resident)
    b = make.team(park, name_zh="贝塔游戏", track="games", status="admitted")
    c = make.team(park, name_zh="丙声工坊", track="aigc_film", **resident)
    hidden = make.team(park, name_zh="隐士", track="games", **resident)
    lawyer = make.team(park, name_zh="律师团", track="other", **resident)
    applicant = make.team(park, name_zh="申请者", track="games", status="applicant")
    elsewhere = make.team(other, name_zh="外园团队", track="games", **resident)
    all_three = ["motion_capture", "voice", "3d_assets"]
    set_profile(app, needy, offers=["legal"], needs=all_three, needs_text="需要动捕")
    set_profile(app, a, offers=["motion_capture", "voice"])
    set_profile(app, b, offers=["motion_capture"])
    set_profile(app, c, offers=["voice"], offers_text="Mandarin and Cantonese voices")
    set_profile(app, hidden, offers=all_three, hidden=True)
    set_profile(app, lawyer, offers=["legal"], needs=["financing"])
    set_profile(app, applicant, offers=["motion_capture"])
    set_profile(app, elsewhere, offers=all_three)
    staff = make.user("staff", parks=[park])
    member = make.user("member", team=needy)
    return World(park, other, needy, a, b, c, hidden, lawyer, applicant, elsewhere, staff, member)
