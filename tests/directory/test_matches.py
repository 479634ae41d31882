"""Matches: the residents whose offers meet a team's needs, ranked by shared skills then the
same track, explained in the page's language; hidden and other parks' teams never matched
except to staff (hidden) — worked by hand in tests/directory/helpers.py."""

from __future__ import annotations

import pytest

from tests.core.helpers import text
from tests.directory.helpers import World, world


@pytest.fixture
def w(app, make) -> World:
    return world(app, make)


def test_members_see_their_matches_ranked_and_explained(api, w):
    items = api(w.member).get(f"/directory/{w.needy.id}/matches").get_json()["items"]
    assert [i["name_zh"] for i in items] == ["阿尔法动画", "贝塔游戏", "丙声工坊"]
    a, b, c = items
    assert a["shared"] == ["motion_capture", "voice"] and not a["same_track"]
    assert b["shared"] == ["motion_capture"] and b["same_track"]
    assert c["shared"] == ["voice"] and not c["same_track"]
    assert a["explanation"] == "Offers motion capture and voice, which you need."
    assert b["explanation"] == "Offers motion capture, which you need. In your track, too."
    assert c["explanation"] == "Offers voice, which you need."


def test_the_explanation_in_chinese(api, w):
    caller = api(w.member)
    caller.headers["Accept-Language"] = "zh"
    items = caller.get(f"/directory/{w.needy.id}/matches").get_json()["items"]
    assert items[0]["explanation"] == "提供动作捕捉和配音，正是你们需要的。"
    assert items[1]["explanation"] == "提供动作捕捉，正是你们需要的。也与你们同属一个赛道。"


def test_staff_see_the_hidden_team_first_and_read_of_the_team(api, w):
    items = api(w.staff).get(f"/directory/{w.needy.id}/matches").get_json()["items"]
    assert [i["name_zh"] for i in items] == ["隐士", "阿尔法动画", "贝塔游戏", "丙声工坊"]
    assert items[0]["explanation"] == (
        "Offers motion capture, voice, and 3D assets, which Nebula Studio needs. "
        "In the same track, too."
    )


def test_a_hidden_team_is_nobody_s_match_but_sees_its_own(api, make, w):
    hidden_member = make.user("member", team=w.hidden)
    response = api(w.member).get(f"/directory/{w.needy.id}/matches")
    names = [i["name_zh"] for i in response.get_json()["items"]]
    assert "隐士" not in names
    # Its own members still use the directory for themselves.
    assert api(hidden_member).get(f"/directory/{w.hidden.id}/matches").status_code == 200


def test_another_team_s_matches_are_not_found(api, make, w):
    other_member = make.user("member", team=w.a)
    assert api(other_member).get(f"/directory/{w.needy.id}/matches").status_code == 404
    other_staff = make.user("staff", parks=[w.other_park])
    assert api(other_staff).get(f"/directory/{w.needy.id}/matches").status_code == 404


def test_the_matches_page_explains_in_the_page_s_language(client, as_user, w):
    as_user("member", team=w.needy, locale="zh")
    page = text(client.get(f"/directory/teams/{w.needy.id}/matches"))
    assert "提供动作捕捉和配音，正是你们需要的。" in page
    assert page.index("阿尔法动画") < page.index("贝塔游戏") < page.index("丙声工坊")
    assert "隐士" not in page and "外园团队" not in page and "申请者" not in page


def test_no_needs_no_matches(api, w):
    items = api(w.staff).get(f"/directory/{w.c.id}/matches").get_json()["items"]
    assert items == []
