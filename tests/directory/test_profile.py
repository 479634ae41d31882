"""A team's profile: its members and its park's staff set what it offers and needs; an
unknown skill is refused (422) and writes nothing; the page keeps the input on error."""

from __future__ import annotations

import re

import pytest

from opc.directory.models import Profile
from tests.core.helpers import error_of, post_form, rows, text
from tests.directory.helpers import add_skills


@pytest.fixture
def park(make):
    return make.park()


@pytest.fixture
def team(app, make, park):
    add_skills(app)
    return make.team(park, status="resident")


def _body(**kw):
    return {"offers": ["voice"], "needs": ["legal"], "offers_text": "普通话配音", **kw}


def test_a_member_sets_the_profile(api, make, team):
    member = make.user("member", team=team)
    response = api(member).put(f"/directory/{team.id}/profile", json=_body(hidden=True))
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {
        "team_id": team.id,
        "offers": ["voice"],
        "needs": ["legal"],
        "offers_text": "普通话配音",
        "needs_text": "",
        "hidden": True,
    }
    assert api(member).get(f"/directory/{team.id}/profile").get_json()["hidden"] is True


def test_staff_of_the_park_set_it_too(api, make, park, team):
    staff = make.user("staff", parks=[park])
    assert api(staff).put(f"/directory/{team.id}/profile", json=_body()).status_code == 200


def test_others_find_no_profile_and_write_nothing(app, api, make, park, team):
    outsider = make.user("member", team=make.team(park, status="resident"))
    assert api(outsider).put(f"/directory/{team.id}/profile", json=_body()).status_code == 404
    other_staff = make.user("staff", parks=[make.park()])
    assert api(other_staff).put(f"/directory/{team.id}/profile", json=_body()).status_code == 404
    assert rows(app, Profile) == []


def test_an_unknown_skill_is_a_422_and_writes_nothing(app, api, make, team):
    member = make.user("member", team=team)
    response = api(member).put(
        f"/directory/{team.id}/profile", json=_body(offers=["voice", "juggling"])
    )
    assert response.status_code == 422
    assert "juggling" in error_of(response)["fields"]["offers"][0]
    assert rows(app, Profile) == []


def test_the_page_saves_and_keeps_input_on_error(app, client, as_user, team):
    as_user("member", team=team)
    path = f"/directory/teams/{team.id}/profile"
    refused = post_form(
        client,
        path,
        {"offers": ["voice"], "needs": ["juggling"], "needs_text": "需要法律顾问"},
    )
    assert refused.status_code == 422
    page = text(refused)
    assert "需要法律顾问" in page
    assert re.search(r'<input checked[^>]*value="voice"', page)  # the ticked skill stays
    assert rows(app, Profile) == []
    saved = post_form(client, path, {"offers": ["voice"], "needs": ["legal"], "hidden": "y"})
    assert saved.status_code == 302
    [profile] = rows(app, Profile)
    assert profile.hidden is True


def test_the_team_page_has_a_directory_card(client, as_user, app, team):
    as_user("member", team=team)
    page = text(client.get(f"/teams/{team.id}"))
    assert f"/directory/teams/{team.id}/profile" in page
