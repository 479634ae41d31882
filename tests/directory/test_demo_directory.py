"""The demo's directory: most residents of both parks describe what they offer and need (in
Chinese, English or both), a couple hide; 星云工作室 has matches its member reads explained,
a hidden one only staff see; staff introduced teams with every outcome and some pending, so
the park's synergy figures have something to show."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from opc.auth.models import User
from opc.demo import DEMO_PASSWORD, MEMBER_TEAM
from opc.directory.models import LISTED, Introduction, Outcome, Profile
from opc.directory.queries import figures, matches
from opc.extensions import db
from opc.parks.models import Park
from opc.teams.models import Team
from tests.conftest import login
from tests.core.helpers import text

EN = {"Accept-Language": "en"}


@pytest.fixture
def demo(demo_data):
    demo_data()


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def test_most_residents_of_both_parks_have_profiles_and_a_couple_hide(app, demo):
    with app.app_context():
        for park in db.session.scalars(select(Park)):
            listed = list(
                db.session.scalars(
                    select(Team).where(Team.park_id == park.id, Team.status.in_(LISTED))
                )
            )
            profiles = list(
                db.session.scalars(select(Profile).join(Team).where(Team.park_id == park.id))
            )
            assert len(profiles) >= 0.75 * len(listed), park.code
            assert all(p.offers for p in profiles), park.code
            assert sum(bool(p.needs) for p in profiles) >= 0.9 * len(profiles)
            assert 1 <= sum(p.hidden for p in profiles) <= 3, park.code
            texts = [p.offers_text for p in profiles]
            assert any(any("\u4e00" <= c <= "\u9fff" for c in t) for t in texts)
            assert any(t.isascii() and t for t in texts)
            # Offers follow the team's track: a digital-human team offers digital humans or
            # what such a team does, a VFX studio effects or production.
            for p in profiles:
                if p.team.track == "vfx":
                    assert {s.code for s in p.offers} <= {
                        "vfx",
                        "post_production",
                        "virtual_production",
                        "3d_assets",
                    }, p.team.name_zh


def test_the_member_s_team_has_explained_matches_and_a_hidden_one_only_staff_see(app, client, demo):
    with app.app_context():
        team = db.session.scalar(select(Team).where(Team.name_zh == MEMBER_TEAM))
        member, staff = _user("member@opc-demo.cn"), _user("staff@opc-demo.cn")
        found = matches(team, member)
        assert len(found) >= 3
        assert found[0].team.name_zh == "赛博演员坊"  # motion capture and voice: two shared
        assert {s.code for s in found[0].shared} == {"motion_capture", "voice"}
        by_staff = matches(team, staff)
        hidden = [m for m in by_staff if m.profile.hidden]
        assert hidden and not any(m.profile.hidden for m in found)
        assert len(by_staff) == len(found) + len(hidden)
        hidden_name = hidden[0].team.name_en
    assert login(client, "member@opc-demo.cn", DEMO_PASSWORD).status_code == 302
    page = text(client.get(f"/directory/teams/{team.id}/matches", headers=EN))
    assert "Cyber Actors Lab" in page
    assert "Offers motion capture and voice, which you need." in page
    assert hidden_name not in page


def test_introductions_with_every_outcome_and_the_synergy_figures(app, demo):
    with app.app_context():
        intros = list(db.session.scalars(select(Introduction)))
        outcomes = Counter(i.outcome for i in intros)
        assert set(outcomes) == {*Outcome, None}, outcomes
        assert outcomes[Outcome.COLLABORATED] >= 3 and outcomes[None] >= 2
        for i in intros:
            assert i.team_a.park_id == i.team_b.park_id == i.park_id
            assert (i.outcome is None) == (i.outcome_at is None)
            if i.outcome_at is not None:
                assert i.outcome_at > i.created_at
        member_team = db.session.scalar(select(Team).where(Team.name_zh == MEMBER_TEAM))
        assert any(i.involves(member_team.id) for i in intros)
        chengdu = db.session.scalar(select(Park).where(Park.code == "CD-OPC"))
        shougang = db.session.scalar(select(Park).where(Park.code == "SG-SCIFI"))
        synergy = figures(chengdu)
        assert synergy.made >= 8 and synergy.collaborated >= 2 and synergy.pending >= 1
        assert len(synergy.months) >= 4  # made over half a year
        assert figures(shougang).made >= 2


def test_the_park_s_introductions_page_shows_the_synergy(app, client, demo):
    with app.app_context():
        chengdu = db.session.scalar(select(Park).where(Park.code == "CD-OPC"))
        synergy = figures(chengdu)
    assert login(client, "staff@opc-demo.cn", DEMO_PASSWORD).status_code == 302
    response = client.get(f"/parks/{chengdu.id}/introductions", headers=EN)
    assert response.status_code == 200
    page = text(response)
    assert "Nebula Studio" in page
    assert f'<dd data-figure="collaborated">{synergy.collaborated}</dd>' in page
    assert f'<dd data-figure="pending">{synergy.pending}</dd>' in page
    made = f"{synergy.collaborated} of {synergy.made} introductions led to a collaboration."
    assert made in page
