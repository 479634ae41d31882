"""Assigning reviewers: from the call's pool only, never with a conflict of interest
(automatic: a member of the team or of a team of the same legal entity; declared), up to
the call's number of reviewers, taken back before submission."""

from __future__ import annotations

import pytest

from opc.funds.review_models import Review
from tests.funds import helpers as h


def _assign(api, s, reviewer, application=None):
    application = application or s.application
    return api(s.staff).post(
        f"/applications/{application.id}/reviews", json={"reviewer_id": reviewer.id}
    )


def test_staff_assign_a_reviewer_of_the_pool(app, make, api):
    s = h.review_setup(make)

    response = _assign(api, s, s.pool[0])

    assert response.status_code == 201
    body = response.get_json()
    assert (body["reviewer_id"], body["reviewer_name"], body["status"]) == (
        s.pool[0].id,
        "专家0",
        "assigned",
    )
    (review,) = h.rows(app, Review)
    assert (review.application_id, review.assigned_by_id) == (s.application.id, s.staff.id)


def test_someone_outside_the_pool_is_refused(app, make, api):
    s = h.review_setup(make)
    outsider = make.user("reviewer")

    for user in (outsider, s.staff, s.member):
        response = _assign(api, s, user)
        assert response.status_code == 422
        assert "reviewer_id" in h.error_of(response)["fields"]
    assert h.count(app, Review) == 0


def test_a_member_of_the_applying_team_has_a_conflict(app, make, api):
    s = h.review_setup(make)
    insider = make.user("reviewer", team=s.team, name="内部专家")
    h.add_to_pool(make, s.call, insider)

    response = _assign(api, s, insider)

    assert response.status_code == 409
    error = h.error_of(response)
    assert error["code"] == "conflict_of_interest"
    assert error["conflict"]["reason"] == "team_member"
    assert "内部专家" in error["message"] and s.team.name_zh in error["message"]
    assert h.count(app, Review) == 0


@pytest.mark.parametrize(
    ("applying", "other"),
    [
        ("星云（成都）科技有限公司", "星云(成都)科技有限公司 "),  # full- and half-width brackets
        ("Nebula Tech Ltd", "nebula  tech LTD"),
    ],
)
def test_a_member_of_a_team_of_the_same_legal_entity_has_a_conflict(
    app, make, api, applying, other
):
    s = h.review_setup(make)
    h.set_legal_name(make, s.team, applying)
    sister = make.team(s.park, legal_name=other, status="resident")
    insider = make.user("reviewer", team=sister)
    h.add_to_pool(make, s.call, insider)

    response = _assign(api, s, insider)

    assert response.status_code == 409
    error = h.error_of(response)
    assert (error["code"], error["conflict"]["reason"]) == (
        "conflict_of_interest",
        "same_legal_entity",
    )
    assert error["conflict"]["team_id"] == sister.id
    assert h.count(app, Review) == 0


def test_the_same_credit_code_written_differently_is_one_legal_entity(app, make, api):
    s = h.review_setup(make)
    h.set_legal_name(make, s.team, "星云科技", uscc="91510100MA6CA1B2C3")
    sister = make.team(s.park, legal_name="星云文化", uscc="91510100ma6ca1b2c3", status="resident")
    insider = make.user("reviewer", team=sister)
    h.add_to_pool(make, s.call, insider)

    response = _assign(api, s, insider)

    assert response.status_code == 409
    assert h.error_of(response)["conflict"]["reason"] == "same_legal_entity"


def test_a_team_of_another_legal_entity_is_no_conflict(app, make, api):
    s = h.review_setup(make)
    h.set_legal_name(make, s.team, "星云科技有限公司")
    other = make.team(s.park, legal_name="星河科技有限公司", status="resident")
    reviewer = make.user("reviewer", team=other)
    h.add_to_pool(make, s.call, reviewer)

    assert _assign(api, s, reviewer).status_code == 201


def test_at_most_the_calls_number_of_live_reviewers(app, make, api):
    s = h.review_setup(make, reviewers=3, per_application=2)
    assert _assign(api, s, s.pool[0]).status_code == 201
    assert _assign(api, s, s.pool[1]).status_code == 201

    third = _assign(api, s, s.pool[2])
    again = _assign(api, s, s.pool[0])

    assert third.status_code == 409 and h.error_of(third)["code"] == "reviewers_complete"
    assert again.status_code == 409 and h.error_of(again)["code"] == "reviewer_assigned"
    assert h.count(app, Review) == 2


def test_a_recused_reviewer_is_replaced_never_reassigned(app, make, api):
    s = h.review_setup(make, reviewers=3, per_application=2)
    first = _assign(api, s, s.pool[0]).get_json()
    _assign(api, s, s.pool[1])
    declared = api(s.pool[0]).post(
        f"/reviews/{first['id']}/conflict", json={"reason": "我是该团队的顾问"}
    )
    assert declared.status_code == 200 and declared.get_json()["status"] == "recused"

    back = _assign(api, s, s.pool[0])
    replacement = _assign(api, s, s.pool[2])

    assert back.status_code == 409
    assert h.error_of(back)["conflict"]["reason"] == "declared"
    assert replacement.status_code == 201
    listed = api(s.staff).get(f"/applications/{s.application.id}/reviews").get_json()["items"]
    assert [(r["reviewer_id"], r["status"]) for r in listed] == [
        (s.pool[0].id, "recused"),
        (s.pool[1].id, "assigned"),
        (s.pool[2].id, "assigned"),
    ]
    assert listed[0]["conflict"] == "我是该团队的顾问"


@pytest.mark.parametrize("status", ["submitted", "draft", "approved", "withdrawn"])
def test_only_applications_in_screening_or_review_take_reviewers(app, make, api, status):
    s = h.review_setup(make, status=status)

    response = _assign(api, s, s.pool[0])

    assert response.status_code == 409
    assert h.error_of(response)["code"] == "application_not_in_review"


def test_an_assignment_is_taken_back_before_submission_only(app, make, api):
    s = h.review_setup(make)
    open_ = h.review(make, s.application, s.pool[0])
    done = h.review(make, s.application, s.pool[1], scores=dict.fromkeys(s.criteria, 5))

    assert api(s.staff).delete(f"/reviews/{open_.id}").status_code == 204
    refused = api(s.staff).delete(f"/reviews/{done.id}")

    assert refused.status_code == 409 and h.error_of(refused)["code"] == "review_not_assigned"
    assert [r.id for r in h.rows(app, Review)] == [done.id]


def test_only_the_parks_staff_assign(app, make, api):
    s = h.review_setup(make)
    elsewhere = make.user("staff", parks=[make.park()])
    path = f"/applications/{s.application.id}/reviews"

    assert api(elsewhere).post(path, json={"reviewer_id": s.pool[0].id}).status_code == 404
    assert api(s.member).post(path, json={"reviewer_id": s.pool[0].id}).status_code == 403
    assert api(s.pool[0]).post(path, json={"reviewer_id": s.pool[0].id}).status_code == 403
    assert api(s.member).get(path).status_code == 403
    assert api(elsewhere).get(path).status_code == 404
    assert h.count(app, Review) == 0


def test_the_panel_flags_a_needed_replacement_and_names_conflicts(app, make, client, as_user):
    s = h.review_setup(make, reviewers=2, per_application=2)
    insider = make.user("reviewer", team=s.team, name="内部专家")
    h.add_to_pool(make, s.call, insider)
    h.review(make, s.application, s.pool[0])
    h.recused(make, s.application, s.pool[1], "亲属在该团队")
    as_user("staff", parks=[s.park])

    html = client.get(f"/applications/{s.application.id}/reviews").get_data(as_text=True)

    assert "data-replacement" in html and 'data-needs="1"' in html
    assert "亲属在该团队" in html
    assert "内部专家" in html and "the applying team" in html  # offered, disabled, with why
    refused = h.post_form(
        client,
        f"/applications/{s.application.id}/reviews",
        {"reviewer_id": str(insider.id)},
        page=f"/applications/{s.application.id}/reviews",
    )
    assert refused.status_code == 422
    assert "the applying team" in refused.get_data(as_text=True)
    assigned = h.post_form(
        client,
        f"/applications/{s.application.id}/reviews",
        {"reviewer_id": str(s.pool[0].id)},
        page=f"/applications/{s.application.id}/reviews",
    )
    assert assigned.status_code == 422  # assigned already: refused, nothing written
    assert h.count(app, Review) == 2
