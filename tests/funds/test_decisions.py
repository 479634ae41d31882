"""Decisions: staff approve an application in review for an amount within the request, the
call's ceiling and its remaining budget (each refusal a 409 naming what remains, nothing
written), or reject it with a reason; the team's members hear of it in the app and by mail."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from opc.audit.models import AuditEntry
from opc.extensions import db
from opc.funds.application_models import Application, ApplicationChange
from opc.funds.application_models import ApplicationStatus as S
from opc.funds.models import Call
from opc.funds.operations import decisions
from opc.notifications.delivery import deliver_pending
from opc.notifications.kinds import render
from opc.notifications.models import Notification
from tests.core.helpers import table_counts
from tests.funds import helpers as h
from tests.funds.helpers import error_of, rows


@pytest.fixture
def s(make, api):
    """A call of ¥100,000 (¥20,000 a team) and a team's application for ¥10,000 in review;
    two staff of the park, one of another park, the team's two members (one inactive)."""
    park, elsewhere = make.park(), make.park()
    team = make.team(park, status="resident", name_zh="星云工作室", name_en="Nebula Studio")
    call = h.call(make, h.fund(make, park))
    application = h.application(make, call, team, S.IN_REVIEW, title="AIGC 短剧制作")
    staff = make.user("staff", parks=[park])
    return {
        "park": park,
        "team": team,
        "call": call,
        "application": application,
        "member": make.user("member", team=team, locale="zh", email="li@example.cn"),
        "inactive": make.user("member", team=team, is_active=False),
        "other_member": make.user("member", team=make.team(park, status="resident")),
        "staff_user": staff,
        "staff": api(staff),
        "outsider": api(make.user("staff", parks=[elsewhere])),
    }


def _approve(s, amount, application=None, who="staff", **body):
    target = (application or s["application"]).id
    return s[who].post(f"/applications/{target}/approve", json={"amount_yuan": amount, **body})


def _call(app, s):
    return rows(app, Call, Call.id == s["call"].id)[0]


def _application(app, s, application=None):
    return rows(app, Application, Application.id == (application or s["application"]).id)[0]


def test_approving_commits_the_amount_from_the_calls_budget(app, s):
    response = _approve(s, "8000.00", reason="评审第一名")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "approved" and body["approved_yuan"] == "8000.00"
    assert body["amount_yuan"] == "10000.00" and body["reason"] == "评审第一名"
    assert body["call_remaining_yuan"] == "92000.00"
    assert body["decided_by_id"] == s["staff_user"].id
    assert datetime.fromisoformat(body["decided_at"]).utcoffset() == timedelta(0)
    stored = _application(app, s)
    assert (stored.status, stored.approved_fen, stored.disbursed_fen) == (S.APPROVED, 800_000, 0)
    assert _call(app, s).approved_fen == 800_000
    [change] = rows(app, ApplicationChange)
    assert (change.from_status, change.to_status, change.by_id) == (
        S.IN_REVIEW,
        S.APPROVED,
        s["staff_user"].id,
    )
    [entry] = rows(
        app, AuditEntry, AuditEntry.entity == "applications", AuditEntry.action == "update"
    )
    assert entry.entity_id == s["application"].id and entry.actor_id == s["staff_user"].id


def test_the_whole_request_up_to_the_ceiling_may_be_approved(app, s):
    assert _approve(s, "10000").status_code == 200
    assert _application(app, s).approved_fen == 1_000_000


@pytest.mark.parametrize(
    ("amount", "code", "conflict"),
    [
        ("10000.01", "approval_exceeds_request", {"requested_yuan": "10000.00"}),
        ("20000.01", "ceiling_exceeded", {"ceiling_yuan": "20000.00"}),
    ],
)
def test_over_the_request_or_the_ceiling_is_refused(app, make, s, amount, code, conflict):
    if code == "ceiling_exceeded":  # a request over the ceiling, approved over the ceiling
        s["application"] = h.application(
            make, s["call"], make.team(s["park"]), S.IN_REVIEW, amount_fen=3_000_000
        )
    before = table_counts(app)
    refused = _approve(s, amount)
    assert refused.status_code == 409
    error = error_of(refused)
    assert error["code"] == code
    assert conflict.items() <= error["conflict"].items()
    assert table_counts(app) == before
    assert _application(app, s).status == S.IN_REVIEW and _call(app, s).approved_fen == 0


def test_over_the_remaining_budget_is_refused_naming_what_remains(app, make, s):
    """¥100,000 of which ¥95,000 are approved already: ¥5,000.01 is too much, ¥5,000 fits."""
    for _ in range(5):
        other = h.application(
            make, s["call"], make.team(s["park"]), S.IN_REVIEW, amount_fen=2_000_000
        )
        assert _approve(s, "19000", application=other).status_code == 200
    before = table_counts(app)
    refused = _approve(s, "5000.01")
    assert refused.status_code == 409
    error = error_of(refused)
    assert error["code"] == "budget_exceeded"
    assert error["conflict"]["remaining_yuan"] == "5000.00"
    assert "5000.00" in error["message"]
    assert table_counts(app) == before
    assert _approve(s, "5000").status_code == 200
    assert _call(app, s).approved_fen == _call(app, s).budget_fen == 10_000_000


@pytest.mark.parametrize("status", [S.SUBMITTED, S.SCREENING, S.APPROVED, S.WITHDRAWN])
def test_only_an_application_in_review_is_decided(app, make, s, status):
    application = h.application(make, s["call"], make.team(s["park"]), status)
    before = table_counts(app)
    for response in (
        _approve(s, "100", application=application),
        s["staff"].post(f"/applications/{application.id}/reject", json={"reason": "x"}),
    ):
        assert response.status_code == 409
        assert error_of(response)["code"] == "invalid_transition"
    assert table_counts(app) == before


def test_approving_twice_is_refused_and_commits_once(app, s):
    assert _approve(s, "1000").status_code == 200
    again = _approve(s, "1000")
    assert again.status_code == 409 and error_of(again)["code"] == "invalid_transition"
    assert _call(app, s).approved_fen == 100_000


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount_yuan": "0"}, "amount_yuan"),
        ({"amount_yuan": "-5"}, "amount_yuan"),
        ({"amount_yuan": "1.234"}, "amount_yuan"),
        ({}, "amount_yuan"),
        ({"amount_yuan": "100", "reason": "x" * 2001}, "reason"),
    ],
)
def test_bad_input_is_refused_with_nothing_written(app, s, body, field):
    before = table_counts(app)
    refused = s["staff"].post(f"/applications/{s['application'].id}/approve", json=body)
    assert refused.status_code == 422
    assert field in error_of(refused)["fields"]
    assert table_counts(app) == before


def test_a_number_for_an_amount_is_a_wrong_type(app, s):
    before = table_counts(app)
    path = f"/applications/{s['application'].id}/approve"
    assert s["staff"].post(path, json={"amount_yuan": 100}).status_code == 400
    assert table_counts(app) == before


def test_the_operation_checks_the_amount_itself(ctx, s):
    application = db.session.get(Application, s["application"].id)
    for amount in (0, -1, "100", 1.5, True):
        with pytest.raises(decisions.ValidationFailed):
            decisions.approve_application(application, actor=None, amount_fen=amount)


def test_a_rejection_needs_a_reason(app, s):
    path = f"/applications/{s['application'].id}/reject"
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        refused = s["staff"].post(path, json=body)
        assert refused.status_code == 422 and "reason" in error_of(refused)["fields"]
    assert _application(app, s).status == S.IN_REVIEW
    response = s["staff"].post(path, json={"reason": "与本期方向不符"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "rejected" and body["approved_yuan"] is None
    stored = _application(app, s)
    assert (stored.status, stored.decision_reason) == (S.REJECTED, "与本期方向不符")
    assert _call(app, s).approved_fen == 0
    [change] = rows(app, ApplicationChange)
    assert change.to_status == S.REJECTED and change.note == "与本期方向不符"


def test_the_operation_refuses_a_rejection_without_reason(ctx, s):
    application = db.session.get(Application, s["application"].id)
    with pytest.raises(decisions.ValidationFailed) as refused:
        decisions.reject_application(application, actor=None, reason="  ")
    assert "reason" in refused.value.fields


def test_only_staff_of_the_park_decide(app, make, api, s):
    assert _approve(s, "100", who="outsider").status_code == 404
    member = api(s["member"])
    path = f"/applications/{s['application'].id}"
    assert member.post(f"{path}/approve", json={"amount_yuan": "100"}).status_code == 403
    assert member.post(f"{path}/reject", json={"reason": "x"}).status_code == 403
    reviewer = api(make.user("reviewer"))
    assert reviewer.post(f"{path}/approve", json={"amount_yuan": "100"}).status_code == 403
    assert _application(app, s).status == S.IN_REVIEW


def _notifications(app):
    return rows(app, Notification, order_by=Notification.id)


def test_the_teams_active_members_are_notified_of_an_approval(app, s):
    assert _approve(s, "8000", reason="评审第一名").status_code == 200
    [note] = _notifications(app)
    assert (note.user_id, note.kind) == (s["member"].id, "application.approved")
    assert note.link == f"/applications/{s['application'].id}"  # the application's page
    with app.test_request_context(headers={"Accept-Language": "en"}):
        shown = render(note.kind, note.params)
    assert shown.title == "Application approved: AIGC 短剧制作 (Creator support, Q4 2026)"
    assert "¥8,000.00 approved of the ¥10,000.00 requested." in shown.body
    assert "评审第一名" in shown.body


def test_the_team_is_notified_of_a_rejection_with_its_reason(app, s):
    path = f"/applications/{s['application'].id}/reject"
    assert s["staff"].post(path, json={"reason": "与本期方向不符"}).status_code == 200
    [note] = _notifications(app)
    assert (note.user_id, note.kind) == (s["member"].id, "application.rejected")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        shown = render(note.kind, note.params)
    assert "not approved" in shown.title and "与本期方向不符" in shown.body


def test_a_refused_decision_tells_nobody(app, s):
    assert _approve(s, "20000.01").status_code == 409
    assert _notifications(app) == []


def test_the_approval_is_mailed_when_mail_is_configured(app, s, smtp_server):
    assert _approve(s, "8000").status_code == 200
    with app.app_context():
        assert deliver_pending() == 1
    [(to, raw)] = smtp_server.messages
    subject, body = smtp_server.text(raw)
    assert to == ["li@example.cn"]  # a reader of Chinese
    assert subject == "[OPC Ops] 申请已获批准：AIGC 短剧制作（2026 年第四季度创作扶持）"
    assert "申请 ¥10,000.00，批准 ¥8,000.00。" in body
    assert f"http://localhost/applications/{s['application'].id}" in body
