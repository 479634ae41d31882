"""Screening: staff start it, then send the application to review or reject it with a
reason; every step is in the history and only allowed steps are taken."""

from __future__ import annotations

import re

import pytest

from opc.funds.application_models import Application, ApplicationChange
from opc.funds.application_models import ApplicationStatus as S
from tests.core.helpers import one, text
from tests.funds import helpers as h


def _screen(api, user, application, **body):
    return api(user).post(f"/applications/{application.id}/screening", json=body)


def test_staff_start_screening_then_mark_eligible(app, make, api):
    s = h.review_setup(make, status=S.SUBMITTED)

    started = _screen(api, s.staff, s.application, action="start")
    eligible = _screen(api, s.staff, s.application, action="eligible", reason="材料齐全")

    assert started.status_code == 200 and started.get_json()["status"] == "screening"
    assert eligible.status_code == 200
    assert eligible.get_json() == {
        "id": s.application.id,
        "status": "in_review",
        "eligible": True,
        "screening_reason": "材料齐全",
    }
    history = h.rows(app, ApplicationChange, order_by=ApplicationChange.id)
    assert [(c.from_status, c.to_status, c.by_id) for c in history] == [
        ("submitted", "screening", s.staff.id),
        ("screening", "in_review", s.staff.id),
    ]


def test_not_eligible_needs_a_reason_and_rejects_with_it(app, make, api):
    s = h.review_setup(make, status=S.SCREENING)

    for body in ({"action": "ineligible"}, {"action": "ineligible", "reason": "  "}):
        refused = _screen(api, s.staff, s.application, **body)
        assert refused.status_code == 422
        assert "reason" in h.error_of(refused)["fields"]
    unchanged = one(app, Application, s.application.id)
    assert (unchanged.status, unchanged.eligible) == ("screening", None)
    assert h.count(app, ApplicationChange) == 0

    rejected = _screen(api, s.staff, s.application, action="ineligible", reason="赛道不符")

    assert rejected.status_code == 200
    stored = one(app, Application, s.application.id)
    assert (stored.status, stored.eligible, stored.screening_reason) == (
        "rejected",
        False,
        "赛道不符",
    )
    (change,) = h.rows(app, ApplicationChange)
    assert (change.to_status, change.note) == ("rejected", "赛道不符")


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (S.SUBMITTED, "eligible"),  # screening comes first
        (S.SUBMITTED, "ineligible"),
        (S.DRAFT, "start"),
        (S.IN_REVIEW, "start"),
        (S.IN_REVIEW, "eligible"),
        (S.WITHDRAWN, "eligible"),
    ],
)
def test_a_step_from_the_wrong_state_is_409(app, make, api, status, action):
    s = h.review_setup(make, status=status)

    refused = _screen(api, s.staff, s.application, action=action, reason="x")

    assert refused.status_code == 409
    assert h.error_of(refused)["code"] == "invalid_transition"
    assert one(app, Application, s.application.id).status == status


def test_only_the_parks_staff_screen(app, make, api):
    s = h.review_setup(make, status=S.SUBMITTED)
    elsewhere = make.user("staff", parks=[make.park()])

    assert _screen(api, elsewhere, s.application, action="start").status_code == 404
    assert _screen(api, s.member, s.application, action="start").status_code == 403
    assert _screen(api, s.pool[0], s.application, action="start").status_code == 403
    assert _screen(api, s.staff, s.application, action="later").status_code == 422
    assert one(app, Application, s.application.id).status == "submitted"


def test_the_operation_checks_its_actor(app, make, ctx):
    from opc.core.errors import Forbidden
    from opc.funds.operations.screening import screen

    s = h.review_setup(make, status=S.SUBMITTED)
    with pytest.raises(Forbidden):
        screen(s.application.id, "start", actor=make.user("staff", parks=[make.park()]))
    assert h.count(app, Application, Application.status == "screening") == 0


def test_screening_from_the_review_panel(app, make, client, as_user):
    s = h.review_setup(make, status=S.SUBMITTED)
    as_user("staff", parks=[s.park])
    page = f"/applications/{s.application.id}/reviews"
    html = text(client.get(page))
    # The pressed button sends the step: no input of that name may come before it.
    assert 'name="action" value="start"' in html and not re.search(
        r'<input[^>]*name="action"', html
    )

    started = h.post_form(
        client, f"/applications/{s.application.id}/screening", {"action": "start"}, page=page
    )
    refused = h.post_form(
        client, f"/applications/{s.application.id}/screening", {"action": "ineligible"}, page=page
    )

    assert started.status_code == 302
    assert refused.status_code == 422
    assert "the team reads it" in text(refused)
    assert one(app, Application, s.application.id).status == "screening"
    done = h.post_form(
        client,
        f"/applications/{s.application.id}/screening",
        {"action": "eligible", "reason": "ok"},
        page=page,
    )
    assert done.status_code == 302
    assert one(app, Application, s.application.id).status == "in_review"
