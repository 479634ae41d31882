"""The demo data (`flask --app opc seed-demo`): both parks at their real scale.

The Chengdu hub with about 80 teams over two years of history filling most of its 2,500 m²,
the Shougang cluster with its 125 enterprises across 100,000 m²; every record keeps the rules
the app enforces, and seeding again changes nothing.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

import pytest
from stdnum.cn import uscc

from opc.auth.models import User
from opc.core.dates import local_today
from opc.demo import seed_demo
from opc.demo.parks import plan_park
from opc.demo.specs import CHENGDU, PARKS, SHOUGANG
from opc.extensions import db
from opc.parks.models import Park
from opc.space.models import Allocation, Unit
from opc.teams.models import TRANSITIONS, Team, TeamStatusChange
from tests.core.helpers import count, rows, table_counts


@pytest.fixture
def demo(app: Any, demo_data: Any) -> dict[str, Park]:
    demo_data()
    return {park.code: park for park in rows(app, Park)}


def _today() -> date:
    return local_today("Asia/Shanghai")


def _holds_today(allocation: Allocation) -> bool:
    today = _today()
    return allocation.start <= today and (allocation.end is None or today < allocation.end)


def test_both_parks_have_their_real_scale(app, demo):
    chengdu, shougang = demo["CD-OPC"], demo["SG-SCIFI"]
    assert (chengdu.total_area_m2, chengdu.team_cap) == (Decimal("2500.00"), 100)
    assert shougang.total_area_m2 == Decimal("100000.00")
    teams = rows(app, Team)
    units = {u.id: u for u in rows(app, Unit)}
    held = [a for a in rows(app, Allocation) if _holds_today(a)]
    for park in (chengdu, shougang):
        mine = [t for t in teams if t.park_id == park.id]
        residents = [t for t in mine if t.status == "resident"]
        area = sum(u.area_m2 for u in units.values() if u.park_id == park.id)
        allocated = sum(
            units[a.unit_id].area_m2 for a in held if units[a.unit_id].park_id == park.id
        )
        assert area <= park.total_area_m2, park.code
        assert 0 < len(residents) <= park.team_cap, park.code
        # Most of the park's area is allocated today, most of its teams are resident.
        assert allocated >= Decimal("0.75") * park.total_area_m2, (park.code, allocated)
        assert len(residents) >= 0.7 * len(mine), park.code
    in_chengdu = [t for t in teams if t.park_id == chengdu.id]
    assert 75 <= len(in_chengdu) <= 85
    assert count(app, Team, Team.park_id == shougang.id) == 125
    assert sum(u.area_m2 for u in units.values() if u.park_id == shougang.id) >= 95_000
    kinds = {u.kind for u in units.values() if u.park_id == chengdu.id}
    assert kinds == {"studio", "office", "desk_area", "lab", "shared_room"}
    # Mostly AIGC film, digital humans and AI agents; many AI super-individuals.
    tracks = Counter(t.track for t in in_chengdu)
    assert tracks["aigc_film"] + tracks["digital_humans"] + tracks["ai_agents"] >= 0.6 * len(
        in_chengdu
    )
    assert len(tracks) >= 6
    kinds_of_team = Counter(t.kind for t in in_chengdu)
    assert kinds_of_team["solo"] >= 20 and kinds_of_team["company"] >= 20
    shougang_tracks = Counter(t.track for t in teams if t.park_id == shougang.id)
    assert {"content", "vfx", "hard_tech", "immersive"} <= set(shougang_tracks)


def test_companies_carry_valid_credit_codes_and_every_name_is_distinct(app, demo):
    teams = rows(app, Team)
    companies = [t for t in teams if t.kind == "company"]
    assert companies and all(uscc.is_valid(t.uscc) for t in companies), [
        t.uscc for t in companies if not uscc.is_valid(t.uscc)
    ]
    assert all(t.legal_name and t.legal_name.endswith("有限公司") for t in companies)
    assert len({t.uscc for t in companies}) == len(companies)
    assert all(t.uscc is None and t.legal_name is None for t in teams if t.kind == "solo")
    assert len(teams) >= 200
    assert len({t.name_zh for t in teams}) == len(teams)
    assert len({t.name_en for t in teams}) == len(teams)
    assert all(t.description and "\n" in t.description for t in teams)  # Chinese, then English
    assert all(t.contact_name and "@" in t.contact_email for t in teams)


def _histories(app: Any) -> dict[int, list[TeamStatusChange]]:
    histories: dict[int, list[TeamStatusChange]] = defaultdict(list)
    for change in rows(app, TeamStatusChange, order_by=TeamStatusChange.id):
        histories[change.team_id].append(change)
    return histories


def test_every_team_has_a_dated_lifecycle_over_two_years(app, demo):
    teams = {t.id: t for t in rows(app, Team)}
    histories = _histories(app)
    staff = next(u for u in rows(app, User) if u.role == "staff")
    today = _today()
    assert set(histories) == set(teams)
    for team_id, steps in histories.items():
        team = teams[team_id]
        assert (steps[0].from_status, steps[0].to_status) == (None, "applicant")
        for before, after in pairwise(steps):
            assert after.from_status == before.to_status, team.name_zh
            assert after.to_status in TRANSITIONS[before.to_status], team.name_zh
            assert before.on <= after.on, team.name_zh
            assert after.actor_id == staff.id
        assert (team.status, team.status_since) == (steps[-1].to_status, steps[-1].on)
    days = [step.on for steps in histories.values() for step in steps]
    assert today - timedelta(days=730) <= min(days) and max(days) < today
    assert max(days) - min(days) >= timedelta(days=600)
    for park in demo.values():
        statuses = Counter(t.status for t in teams.values() if t.park_id == park.id)
        assert set(statuses) == set(TRANSITIONS), (park.code, statuses)
    chengdu = Counter(t.status for t in teams.values() if t.park_id == demo["CD-OPC"].id)
    assert chengdu["graduated"] >= 3 and chengdu["exited"] >= 3
    assert 1 <= chengdu["suspended"] <= 2 and chengdu["applicant"] >= 3
    # A suspension that ended: a team resident again.
    assert any(
        [s.to_status for s in steps][-2:] == ["suspended", "resident"]
        for steps in histories.values()
    )


def _residencies(steps: list[TeamStatusChange]) -> list[tuple[date, date | None]]:
    """The periods [start, end) a team was resident, read from its history."""
    periods: list[tuple[date, date | None]] = []
    for step in steps:
        if step.to_status == "resident":
            periods.append((step.on, None))
        elif step.from_status == "resident":
            periods[-1] = (periods[-1][0], step.on)
    return periods


def test_allocations_keep_the_rules_of_space(app, demo):
    """No unit held twice on a day, space only while resident, shared rooms never allocated."""
    units = {u.id: u for u in rows(app, Unit)}
    teams = {t.id: t for t in rows(app, Team)}
    allocations = rows(app, Allocation, order_by=Allocation.start)
    histories = _histories(app)
    by_unit: dict[int, list[Allocation]] = defaultdict(list)
    for allocation in allocations:
        by_unit[allocation.unit_id].append(allocation)
        unit, team = units[allocation.unit_id], teams[allocation.team_id]
        assert unit.park_id == team.park_id and unit.kind != "shared_room"
        assert any(
            start <= allocation.start
            and (end is None or (allocation.end is not None and allocation.end <= end))
            for start, end in _residencies(histories[team.id])
        ), (team.name_zh, allocation)
    for held in by_unit.values():
        for before, after in pairwise(held):
            assert before.end is not None and before.end <= after.start, (before, after)
    holding = {a.team_id for a in allocations if _holds_today(a)}
    assert all(teams[t].status == "resident" for t in holding)
    today = _today()
    ended = [a for a in allocations if a.end is not None and a.end <= today]
    open_ended = [a for a in allocations if a.end is None]
    ending_later = [a for a in allocations if a.end is not None and a.end > today]
    assert len(ended) >= 10 and len(open_ended) >= 50 and len(ending_later) >= 10
    # Some teams moved from one unit to another while resident.
    assert any(n > 1 for n in Counter(a.team_id for a in allocations).values())


def test_seeding_again_changes_nothing_and_the_plan_is_the_same_every_run(app, demo):
    seeded = table_counts(app)
    with app.app_context():
        assert seed_demo() is False
        db.session.remove()
    assert table_counts(app) == seeded
    names = {spec.code: [] for spec in PARKS}
    for team in rows(app, Team, order_by=Team.id):
        park = next(p for p in demo.values() if p.id == team.park_id)
        names[park.code].append(team.name_zh)
    taken = {name for spec in PARKS for zh, en, *_rest in spec.named for name in (zh, en)}
    for spec in (CHENGDU, SHOUGANG):
        plan = plan_park(spec, _today(), taken)
        assert plan == plan_park(spec, _today(), taken)
        assert [t.profile.name_zh for t in plan.teams] == names[spec.code]


def test_a_park_that_exists_is_left_as_it_is(app, make):
    make.park(code="CD-OPC", name_zh="成都已有园区", name_en="Chengdu, set up by hand")
    with app.app_context():
        assert seed_demo() is True
        db.session.remove()
    parks = {p.code: p for p in rows(app, Park)}
    assert parks["CD-OPC"].name_zh == "成都已有园区"
    assert count(app, Team, Team.park_id == parks["CD-OPC"].id) == 0
    assert count(app, Team, Team.park_id == parks["SG-SCIFI"].id) == 125
    users = {u.email: u for u in rows(app, User)}
    # 星云工作室 is not in the Chengdu park set up by hand (Shougang's teams have members).
    assert "member@opc-demo.cn" not in users
    assert {"admin", "staff", "reviewer", "provider"} <= {u.role for u in users.values()}
