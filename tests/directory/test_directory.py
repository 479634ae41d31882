"""The directory lists a park's residents to its residents and staff: hidden teams only to
staff, other parks' teams never; filters and search (pinyin initials) as the team list."""

from __future__ import annotations

import pytest

from tests.core.helpers import error_of, text
from tests.directory.helpers import World, world


@pytest.fixture
def w(app, make) -> World:
    return world(app, make)


def _names(response) -> set[str]:
    return {item["name_zh"] for item in response.get_json()["items"]}


def test_members_see_their_park_s_residents_without_hidden_or_applicants(api, w):
    response = api(w.member).get("/directory")
    assert response.status_code == 200
    assert _names(response) == {"星云工作室", "阿尔法动画", "贝塔游戏", "丙声工坊", "律师团"}


def test_staff_see_hidden_teams_marked_hidden(api, w):
    items = api(w.staff).get("/directory").get_json()["items"]
    hidden = [i for i in items if i["name_zh"] == "隐士"]
    assert hidden and hidden[0]["hidden"] is True
    assert "外园团队" not in {i["name_zh"] for i in items}


def test_the_page_leaves_out_hidden_teams_for_members(client, as_user, w):
    as_user("member", team=w.a)
    page = text(client.get("/directory/"))
    assert "阿尔法动画" in page and "隐士" not in page and "外园团队" not in page
    assert "申请者" not in page


def test_the_page_shows_staff_hidden_teams(client, as_user, w):
    as_user("staff", parks=[w.park])
    page = text(client.get("/directory/"))
    assert "隐士" in page and "data-hidden" in page


def test_another_park_s_directory_is_not_found(api, client, as_user, w, make):
    response = api(w.member).get(f"/directory?park_id={w.other_park.id}")
    assert response.status_code == 404
    assert api(w.staff).get(f"/directory?park_id={w.other_park.id}").status_code == 404
    as_user("member", team=w.b)
    assert client.get(f"/directory/?park_id={w.other_park.id}").status_code == 404


def test_the_other_park_s_members_see_only_their_own_park(api, make, w):
    outsider = make.user("member", team=w.elsewhere)
    assert _names(api(outsider).get("/directory")) == {"外园团队"}


def test_applicants_have_no_directory(api, client, as_user, w, make):
    applicant = make.user("member", team=w.applicant)
    assert api(applicant).get("/directory").status_code == 403
    as_user("member", team=w.applicant)
    assert client.get("/directory/").status_code == 404


def test_search_by_pinyin_initials_and_english(api, client, as_user, w):
    assert _names(api(w.member).get("/directory?q=xygzs")) == {"星云工作室"}
    assert _names(api(w.member).get("/directory?q=nebula")) == {"星云工作室"}
    assert _names(api(w.member).get("/directory?q=xingyun")) == {"星云工作室"}
    as_user("member", team=w.c)
    page = text(client.get("/directory/?q=xygzs"))
    assert "星云工作室" in page and "阿尔法动画" not in page


def test_filters_by_offers_needs_and_track(api, client, as_user, w):
    caller = api(w.member)
    assert _names(caller.get("/directory?offers=motion_capture")) == {"阿尔法动画", "贝塔游戏"}
    assert _names(caller.get("/directory?needs=financing")) == {"律师团"}
    assert _names(caller.get("/directory?offers=voice&track=aigc_film")) == {
        "阿尔法动画",
        "丙声工坊",
    }
    as_user("member", team=w.c)
    page = text(client.get("/directory/?offers=motion_capture&track=games"))
    assert "贝塔游戏" in page and "阿尔法动画" not in page
    assert 'value="motion_capture" selected' in page  # the filter stays in the URL's form


def test_an_unknown_skill_is_a_422(api, w):
    response = api(w.member).get("/directory?offers=juggling")
    assert response.status_code == 422
    assert "offers" in error_of(response)["fields"]


def test_the_directory_is_paged(api, w):
    body = api(w.staff).get("/directory?per_page=2&page=2").get_json()
    assert body["total"] == 6 and body["page"] == 2 and len(body["items"]) == 2
