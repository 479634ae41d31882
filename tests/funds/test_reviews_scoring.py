"""Scoring: every criterion 0–10 with a comment, saved and submitted once (then frozen);
bad scores, unknown and missing criteria are 422 naming them; a review that is not the
reviewer's, or recused, is 404."""

from __future__ import annotations

import pytest

from opc.funds.review_models import Review, ReviewScore
from tests.core.helpers import one, text
from tests.funds import helpers as h


def _scores(s, values, comment="好"):
    return [
        {"criterion_id": c, "score": v, "comment": comment}
        for c, v in zip(s.criteria, values, strict=True)
    ]


@pytest.fixture
def s(make):
    s = h.review_setup(make)
    s.review = h.review(make, s.application, s.pool[0])
    return s


def test_a_reviewer_saves_then_submits_once(app, make, api, s):
    me = api(s.pool[0])

    saved = me.put(f"/reviews/{s.review.id}", json={"scores": _scores(s, [8, 6, 7])})
    changed = me.put(
        f"/reviews/{s.review.id}", json={"scores": _scores(s, [9, 6, 7]), "comment": "总评"}
    )
    submitted = me.post(f"/reviews/{s.review.id}/submit")

    assert saved.status_code == changed.status_code == submitted.status_code == 200
    body = submitted.get_json()
    assert body["status"] == "submitted" and body["submitted_at"]
    assert [(x["criterion_id"], x["score"]) for x in body["scores"]] == list(
        zip(s.criteria, [9, 6, 7], strict=True)
    )
    assert body["comment"] == "总评"
    again = me.post(f"/reviews/{s.review.id}/submit")
    late = me.put(f"/reviews/{s.review.id}", json={"scores": _scores(s, [1, 1, 1])})
    for refused in (again, late):
        assert refused.status_code == 409 and h.error_of(refused)["code"] == "review_submitted"
    stored = sorted((x.criterion_id, x.score) for x in h.rows(app, ReviewScore))
    assert stored == list(zip(s.criteria, [9, 6, 7], strict=True))


@pytest.mark.parametrize("score", [11, -1, 100])
def test_a_score_outside_0_to_10_is_422(app, api, s, score):
    response = api(s.pool[0]).put(
        f"/reviews/{s.review.id}", json={"scores": _scores(s, [score, 5, 5])}
    )

    assert response.status_code == 422
    assert h.count(app, ReviewScore) == 0


def test_the_operation_itself_refuses_a_score_outside_0_to_10(app, ctx, s):
    from opc.core.errors import ValidationFailed
    from opc.funds.operations.scoring import save_review

    reviewer = one(app, type(s.pool[0]), s.pool[0].id)
    with pytest.raises(ValidationFailed) as refused:
        save_review(s.review.id, actor=reviewer, scores=_scores(s, [5, "11", 5]))
    assert list(refused.value.fields) == [f"score_{s.criteria[1]}"]
    assert "团队" in refused.value.fields[f"score_{s.criteria[1]}"][0]
    assert h.count(app, ReviewScore) == 0


def test_an_unknown_criterion_is_422_naming_it(app, make, api, s):
    other_call = h.call(make, s.fund)
    foreign = other_call.criteria[0].id
    scores = [*_scores(s, [5, 5, 5]), {"criterion_id": foreign, "score": 5}]

    response = api(s.pool[0]).put(f"/reviews/{s.review.id}", json={"scores": scores})

    assert response.status_code == 422
    assert str(foreign) in h.error_of(response)["fields"]["scores"][0]
    assert h.count(app, ReviewScore) == 0


def test_submitting_with_a_criterion_missing_is_422_naming_it(app, api, s):
    me = api(s.pool[0])
    partial = _scores(s, [5, 5, 5])[:2]
    assert me.put(f"/reviews/{s.review.id}", json={"scores": partial}).status_code == 200

    response = me.post(f"/reviews/{s.review.id}/submit")

    assert response.status_code == 422
    error = h.error_of(response)
    assert "市场" in error["message"]  # the third criterion's name
    assert f"score_{s.criteria[2]}" in error["fields"]
    assert one(app, Review, s.review.id).status == "assigned"


def test_a_review_not_assigned_to_the_reviewer_is_404(app, make, api, s):
    other = s.pool[1]
    body = {"scores": _scores(s, [5, 5, 5])}

    assert api(other).put(f"/reviews/{s.review.id}", json=body).status_code == 404
    assert api(other).post(f"/reviews/{s.review.id}/submit").status_code == 404
    assert api(other).get(f"/reviews/{s.review.id}").status_code == 404
    assert (
        api(other).post(f"/reviews/{s.review.id}/conflict", json={"reason": "x"}).status_code == 404
    )
    assert api(s.staff).put(f"/reviews/{s.review.id}", json=body).status_code == 403
    assert h.count(app, ReviewScore) == 0


def test_a_recused_review_is_404_to_its_reviewer(app, make, api, s):
    me = api(s.pool[0])
    declared = me.post(f"/reviews/{s.review.id}/conflict", json={"reason": "曾任其顾问"})
    assert declared.status_code == 200

    assert me.get(f"/reviews/{s.review.id}").status_code == 404
    assert (
        me.put(f"/reviews/{s.review.id}", json={"scores": _scores(s, [5, 5, 5])}).status_code == 404
    )
    assert me.get("/reviews").get_json()["items"] == []
    stored = one(app, Review, s.review.id)
    assert (stored.status, stored.conflict) == ("recused", "曾任其顾问")


def test_a_conflict_needs_its_reason(app, api, s):
    response = api(s.pool[0]).post(f"/reviews/{s.review.id}/conflict", json={"reason": " "})

    assert response.status_code == 422
    assert one(app, Review, s.review.id).status == "assigned"


def test_the_score_form_keeps_input_on_error_and_submits(app, make, client, s):
    from tests.conftest import login

    login(client, s.pool[0].email)
    page = f"/reviews/{s.review.id}"
    c1, c2, c3 = s.criteria
    data = {f"score_{c1}": "8", f"score_{c2}": "12", f"score_{c3}": "", f"comment_{c1}": "创意足"}

    refused = h.post_form(client, page, {**data, "save": "1"})

    assert refused.status_code == 422
    html = text(refused)
    assert 'value="8"' in html and "创意足" in html and 'value="12"' in html
    assert h.count(app, ReviewScore) == 0
    missing = h.post_form(client, page, {**data, f"score_{c2}": "6", "submit": "1"})
    assert missing.status_code == 422
    assert "Score every criterion before submitting; missing: 市场." in text(missing)
    done = h.post_form(
        client, page, {**data, f"score_{c2}": "6", f"score_{c3}": "7", "submit": "1"}
    )
    assert done.status_code == 302
    assert one(app, Review, s.review.id).status == "submitted"
    frozen = text(client.get(page))
    assert (
        'id="submitted"' in frozen
        and '<form method="post" novalidate class="review-form">' not in frozen
    )


def test_declaring_a_conflict_from_the_page(app, make, client, s):
    from tests.conftest import login

    login(client, s.pool[0].email)
    page = f"/reviews/{s.review.id}/conflict"

    refused = h.post_form(client, page, {"reason": ""})
    declared = h.post_form(client, page, {"reason": "我持有该公司股份"})

    assert refused.status_code == 422
    assert declared.status_code == 302
    assert one(app, Review, s.review.id).conflict == "我持有该公司股份"
    assert client.get(f"/reviews/{s.review.id}").status_code == 404


def test_no_scoring_once_the_application_left_review(app, make, api, s):
    h.set_status(make, s.application, "withdrawn")

    response = api(s.pool[0]).put(f"/reviews/{s.review.id}", json={"scores": _scores(s, [5, 5, 5])})

    assert response.status_code == 409
    assert h.error_of(response)["code"] == "application_not_in_review"
    assert h.count(app, ReviewScore) == 0
