"""Issue 12's directory rules the other tests leave implicit: the same track breaks a tie of
shared skills whatever the names, and the search finds a team by its Chinese name."""

from __future__ import annotations

import pytest

from tests.directory.helpers import World, set_profile, world


@pytest.fixture
def w(app, make) -> World:
    return world(app, make)


def test_the_same_track_ranks_first_among_equal_shared_skills_whatever_the_name(app, make, api, w):
    # 阿二 (a'er) sorts before 贝塔 (beita) by name; both share one skill with `needy`, only
    # 贝塔 is in its track: 贝塔 first. Without the track in the ranking, 阿二 would lead.
    aer = make.team(w.park, name_zh="阿二", track="other", status="resident")
    set_profile(app, aer, offers=["motion_capture"])
    items = api(w.member).get(f"/directory/{w.needy.id}/matches").get_json()["items"]
    names = [i["name_zh"] for i in items]
    assert names == ["阿尔法动画", "贝塔游戏", "阿二", "丙声工坊"]


def test_search_finds_a_team_by_its_chinese_name(api, client, w):
    found = api(w.member).get("/directory?q=星云").get_json()["items"]
    assert [i["name_zh"] for i in found] == ["星云工作室"]
    assert api(w.member).get("/directory?q=工作").get_json()["total"] == 1
