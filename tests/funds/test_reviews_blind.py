"""Blind review: a reviewer never sees another reviewer's name or scores (before or after
submitting their own), and applicants never see their reviewers' names; staff see all."""

from __future__ import annotations

import pytest

from tests.conftest import login
from tests.core.helpers import text
from tests.funds import helpers as h

SECRET = "甲专家的保密评语"


@pytest.fixture
def s(make):
    s = h.review_setup(make, reviewers=2)
    c1, c2, c3 = s.criteria
    s.a = h.review(make, s.application, s.pool[0], scores={c1: 9, c2: 3, c3: 7})
    s.b = h.review(make, s.application, s.pool[1])
    h.comment_scores(make, s.a, SECRET)
    return s


def _leaks(body: str, s) -> list[str]:
    return [x for x in ("专家0", SECRET, s.pool[0].email) if x in body]


@pytest.mark.parametrize("b_submitted", [False, True])
def test_reviewer_b_never_sees_reviewer_a(app, make, api, client, s, b_submitted):
    b = api(s.pool[1])
    if b_submitted:
        scores = [{"criterion_id": c, "score": 5} for c in s.criteria]
        assert b.put(f"/reviews/{s.b.id}", json={"scores": scores}).status_code == 200
        assert b.post(f"/reviews/{s.b.id}/submit").status_code == 200

    listed = b.get("/reviews")
    assert [r["id"] for r in listed.get_json()["items"]] == [s.b.id]
    assert b.get(f"/reviews/{s.a.id}").status_code == 404
    assert b.get(f"/applications/{s.application.id}/reviews").status_code == 403
    responses = [listed, b.get(f"/reviews/{s.b.id}"), b.get(f"/applications/{s.application.id}")]
    login(client, s.pool[1].email)
    for path in ("/", "/reviews/", f"/reviews/{s.b.id}", f"/applications/{s.application.id}"):
        page = client.get(path)
        assert page.status_code == 200, path
        responses.append(page)
    assert client.get(f"/reviews/{s.a.id}").status_code == 404
    for response in responses:
        assert _leaks(text(response), s) == [], response.request.path


def test_applicants_never_see_reviewer_names(app, make, api, client, s):
    member = api(s.member)

    assert member.get(f"/applications/{s.application.id}/reviews").status_code == 403
    assert member.get(f"/reviews/{s.a.id}").status_code == 404
    assert member.get("/reviews").get_json()["items"] == []
    detail = member.get(f"/applications/{s.application.id}")
    assert detail.status_code == 200
    login(client, s.member.email)
    page = client.get(f"/applications/{s.application.id}")
    assert page.status_code == 200
    for response in (detail, page):
        body = text(response)
        assert "专家0" not in body and "专家1" not in body and SECRET not in body
    assert client.get(f"/applications/{s.application.id}/reviews").status_code == 403


def test_staff_see_every_reviewer_with_scores(app, make, api, client, s):
    listed = api(s.staff).get(f"/applications/{s.application.id}/reviews").get_json()["items"]

    assert [(r["reviewer_name"], r["status"]) for r in listed] == [
        ("专家0", "submitted"),
        ("专家1", "assigned"),
    ]
    assert [x["score"] for x in listed[0]["scores"]] == [9, 3, 7]
    login(client, s.staff.email)
    html = text(client.get(f"/applications/{s.application.id}"))
    assert "专家0" in html and "专家1" in html
    assert "6.60" in html  # A's weighted score: 9×0.4 + 3×0.3 + 7×0.3


def test_a_reviewer_sees_only_the_applications_assigned_to_them(app, make, api, client, s):
    elsewhere = h.application(make, s.call, make.team(s.park), status="in_review")
    recused = h.application(make, s.call, make.team(s.park), status="in_review")
    h.recused(make, recused, s.pool[1], "亲属任职")
    b = api(s.pool[1])
    login(client, s.pool[1].email)

    for application in (elsewhere, recused):
        assert b.get(f"/applications/{application.id}").status_code == 404
        assert client.get(f"/applications/{application.id}").status_code == 404
    assert b.get(f"/applications/{s.application.id}").status_code == 200
