"""Introductions: staff of the park introduce two residents (a record, a notification and a
mail to both teams' members); the outcome is recorded later by staff or either team; the
park's synergy figures count them. Refusals write nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from opc.directory.models import Introduction
from opc.extensions import db
from opc.notifications.delivery import deliver_pending
from opc.notifications.models import Notification
from tests.core.helpers import error_of, post_form, rows, text
from tests.directory.helpers import World, world


@pytest.fixture
def w(app, make) -> World:
    return world(app, make)


def _introduce(api, user, a, b, note="动捕合作"):
    return api(user).post(
        "/introductions", json={"team_a_id": a.id, "team_b_id": b.id, "note": note}
    )


def test_staff_introduce_two_teams_and_both_are_told_and_mailed(app, api, make, w, smtp_server):
    other_member = make.user("member", team=w.a, email="a@example.cn")
    response = _introduce(api, w.staff, w.needy, w.a)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["team_a_id"] == w.needy.id and body["outcome"] is None
    assert body["made_by_id"] == w.staff.id
    told = {n.user_id: n for n in rows(app, Notification)}
    assert set(told) == {w.member.id, other_member.id}
    assert told[w.member.id].params["other"]["zh"] == "阿尔法动画"
    with app.app_context():
        assert deliver_pending() == 2
    mailed = {to[0]: smtp_server.text(raw) for to, raw in smtp_server.messages}
    assert set(mailed) == {w.member.email, "a@example.cn"}
    subject, text_ = mailed["a@example.cn"]
    assert "Nebula Studio" in subject and "动捕合作" in text_


@pytest.mark.parametrize(
    ("pair", "status", "code"),
    [
        (("needy", "needy"), 422, "invalid_fields"),
        (("needy", "applicant"), 409, "not_resident"),
    ],
)
def test_refusals_write_nothing(app, api, w, pair, status, code):
    a, b = (getattr(w, name) for name in pair)
    response = _introduce(api, w.staff, a, b)
    assert response.status_code == status
    assert error_of(response)["code"] == code
    assert rows(app, Introduction) == [] and rows(app, Notification) == []


def test_teams_of_different_parks_are_not_introduced(app, api, make, w):
    admin = make.user("admin")
    response = _introduce(api, admin, w.needy, w.elsewhere)
    assert response.status_code == 409 and error_of(response)["code"] == "different_parks"
    # Staff of one park do not even see the other park's team.
    assert _introduce(api, w.staff, w.needy, w.elsewhere).status_code == 404
    assert rows(app, Introduction) == []


def test_the_same_two_wait_for_an_outcome_before_another_introduction(app, api, w):
    first = _introduce(api, w.staff, w.needy, w.a).get_json()
    again = _introduce(api, w.staff, w.a, w.needy)
    assert again.status_code == 409 and error_of(again)["code"] == "already_introduced"
    api(w.staff).post(f"/introductions/{first['id']}/outcome", json={"outcome": "met"})
    assert _introduce(api, w.staff, w.a, w.needy).status_code == 201


def test_members_may_not_introduce(app, api, w):
    response = _introduce(api, w.member, w.needy, w.a)
    assert response.status_code == 403
    assert rows(app, Introduction) == [] and rows(app, Notification) == []


def test_either_team_records_the_outcome_others_cannot(app, api, make, w):
    intro = _introduce(api, w.staff, w.needy, w.a).get_json()
    path = f"/introductions/{intro['id']}/outcome"
    outsider = make.user("member", team=w.c)
    assert api(outsider).post(path, json={"outcome": "met"}).status_code == 404
    bad = api(w.member).post(path, json={"outcome": "married"})
    assert bad.status_code == 422
    assert rows(app, Introduction)[0].outcome is None
    done = api(w.member).post(path, json={"outcome": "collaborated"})
    assert done.status_code == 200
    assert done.get_json()["outcome"] == "collaborated"
    assert done.get_json()["outcome_by_id"] == w.member.id


def test_members_list_only_their_team_s_introductions(api, make, w):
    _introduce(api, w.staff, w.needy, w.a)
    _introduce(api, w.staff, w.b, w.c)
    mine = api(w.member).get("/introductions").get_json()
    assert mine["total"] == 1 and mine["items"][0]["team_b_id"] == w.a.id
    assert api(w.staff).get("/introductions").get_json()["total"] == 2


def test_the_staff_page_shows_the_synergy_figures(app, api, client, as_user, w):
    ids = [_introduce(api, w.staff, w.needy, x).get_json()["id"] for x in (w.a, w.b, w.c, w.lawyer)]
    for ident, outcome in zip(ids, ("collaborated", "collaborated", "no_fit"), strict=False):
        api(w.staff).post(f"/introductions/{ident}/outcome", json={"outcome": outcome})
    with app.app_context():  # one made in an earlier month
        db.session.get(Introduction, ids[3]).created_at = datetime(2026, 10, 5, 4, tzinfo=UTC)
        db.session.commit()
    as_user("staff", parks=[w.park])
    page = text(client.get(f"/parks/{w.park.id}/introductions"))
    assert 'data-figure="made">4<' in page
    assert 'data-figure="collaborated">2<' in page
    assert 'data-figure="no_fit">1<' in page and 'data-figure="pending">1<' in page
    assert "2 of 4 introductions led to a collaboration." in page
    assert "2026-10" in page and 'data-chart="bar"' in page


def test_the_staff_page_introduces_and_records_outcomes(app, client, as_user, w):
    as_user("staff", parks=[w.park])
    path = f"/parks/{w.park.id}/introductions"
    form = text(client.get(f"{path}?team_a={w.needy.id}&team_b={w.b.id}"))
    assert f'<option selected value="{w.b.id}">' in form
    refused = post_form(client, path, {"team_a_id": w.needy.id, "team_b_id": w.needy.id})
    assert refused.status_code == 422 and rows(app, Introduction) == []
    made = post_form(client, path, {"team_a_id": w.needy.id, "team_b_id": w.b.id, "note": "hi"})
    assert made.status_code == 302
    [intro] = rows(app, Introduction)
    recorded = post_form(
        client, f"/directory/introductions/{intro.id}/outcome", {"outcome": "met"}, page=path
    )
    assert recorded.status_code == 302
    assert rows(app, Introduction)[0].outcome == "met"


def test_members_have_no_introductions_page_and_write_nothing(app, client, as_user, w):
    as_user("member", team=w.needy)
    path = f"/parks/{w.park.id}/introductions"
    assert client.get(path).status_code in (403, 404)
    assert client.get("/directory/introductions").status_code == 404
    data = {"team_a_id": w.needy.id, "team_b_id": w.a.id}
    assert post_form(client, path, data, page="/directory/").status_code in (403, 404)
    assert rows(app, Introduction) == [] and rows(app, Notification) == []


def test_staff_of_another_park_see_neither_its_introductions_nor_its_matches(client, as_user, w):
    as_user("staff", parks=[w.other_park])
    assert client.get(f"/parks/{w.park.id}/introductions").status_code == 404
    assert client.get(f"/directory/teams/{w.needy.id}/matches").status_code == 404
    assert "星云工作室" not in text(client.get("/directory/"))
