"""The team's applications through the API: drafted by a member within the call's ceiling
and eligibility, one live per team and call, changed while a draft, submitted within the
window (to the second, in the park's time) with every required document, withdrawn before
a decision; each refusal writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from opc.funds.application_models import Application, ApplicationChange, ApplicationStatus
from opc.funds.application_models import Attachment as AttachmentRow
from tests.core.helpers import one, table_counts
from tests.funds import helpers as h

S = ApplicationStatus


@pytest.fixture
def setup(make):
    park = make.park()
    call = h.call(make, h.fund(make, park), closes_at=h.NOW + timedelta(days=10))
    team, member = h.member_of(make, park)
    return park, call, team, member


def body(call, team, **kw):
    values = {
        "call_id": call.id,
        "team_id": team.id,
        "title": "AIGC 短剧",
        "amount_yuan": "15000.00",
    }
    values.update(kw)
    return values


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(h.NOW, tick=False):
        yield


def test_a_member_drafts_an_application(app, api, setup):
    _park, call, team, member = setup
    milestones = [
        {"title": "剧本", "due": "2027-01-31", "amount_yuan": "5000.00"},
        {"title": "成片", "due": "2027-03-31", "amount_yuan": "10000.00"},
    ]
    response = api(member).post(
        "/applications",
        json=body(
            call, team, purpose="拍摄与后期", milestones=milestones, answers={"团队规模": "5 人"}
        ),
    )
    assert response.status_code == 201, response.get_json()
    got = response.get_json()
    assert got["status"] == "draft" and got["amount_yuan"] == "15000.00"
    assert got["milestones"] == milestones and got["answers"] == {"团队规模": "5 人"}
    assert got["history"] == [] and got["attachments"] == []
    stored = h.rows(app, Application)
    assert [(a.team_id, a.call_id, a.created_by_id) for a in stored] == [
        (team.id, call.id, member.id)
    ]


def test_over_the_ceiling_is_422_naming_it_and_writes_nothing(app, api, setup):
    _park, call, team, member = setup
    client = api(member)
    before = table_counts(app)
    response = client.post("/applications", json=body(call, team, amount_yuan="20000.01"))
    assert response.status_code == 422
    error = h.error_of(response)
    assert "20000.00" in error["fields"]["amount_yuan"][0]
    assert table_counts(app) == before
    ok = api(member).post("/applications", json=body(call, team, amount_yuan="20000.00"))
    assert ok.status_code == 201


def test_milestones_adding_up_to_more_than_the_request_are_422(app, api, setup):
    _park, call, team, member = setup
    rows = [{"title": "一", "due": "2027-01-01", "amount_yuan": "9000.00"}] * 2
    response = api(member).post(
        "/applications", json=body(call, team, amount_yuan="10000.00", milestones=rows)
    )
    assert response.status_code == 422
    assert "18000.00" in h.error_of(response)["fields"]["milestones"][0]
    assert h.count(app, Application) == 0


@pytest.mark.parametrize(
    ("terms", "team_kw", "named"),
    [
        ({"tracks": ["games"]}, {"track": "aigc_film"}, "AIGC film"),
        ({"team_statuses": ["resident"]}, {"status": "admitted"}, "Admitted"),
    ],
)
def test_a_team_the_call_is_not_for_is_409_naming_why(app, make, api, terms, team_kw, named):
    park = make.park()
    call = h.call(make, h.fund(make, park), **terms)
    team, member = h.member_of(make, park, **team_kw)
    response = api(member).post("/applications", json=body(call, team))
    assert response.status_code == 409
    error = h.error_of(response)
    assert error["code"] == "team_not_eligible" and named in error["message"]
    assert h.count(app, Application) == 0
    eligible_call = h.call(make, h.fund(make, park))  # no terms: every team
    assert api(member).post("/applications", json=body(eligible_call, team)).status_code == 201


def test_one_live_application_per_team_and_call(app, api, setup):
    _park, call, team, member = setup
    first = api(member).post("/applications", json=body(call, team)).get_json()
    again = api(member).post("/applications", json=body(call, team, title="另一个"))
    assert again.status_code == 409
    error = h.error_of(again)
    assert error["code"] == "application_exists"
    assert (
        error["conflict"]["application_id"] == first["id"] and str(first["id"]) in error["message"]
    )
    assert h.count(app, Application) == 1
    # Withdrawn, it is no longer live: the team may start again.
    assert api(member).post(f"/applications/{first['id']}/withdraw", json={}).status_code == 200
    assert api(member).post("/applications", json=body(call, team)).status_code == 201


def test_the_database_holds_one_live_application_when_the_check_is_bypassed(
    app, make, ctx, setup, monkeypatch
):
    from opc.core.errors import RuleViolation
    from opc.extensions import db
    from opc.funds.operations import applications as ops

    _park, call, team, member = setup
    h.application(make, call, team, status=S.SUBMITTED)
    # The check before the insert sees nothing (as a racing writer would): the index refuses.
    original = ops.live_application
    calls = iter([None])
    monkeypatch.setattr(ops, "live_application", lambda *a: next(calls, None) or original(*a))
    actor = db.session.get(type(member), member.id)
    with pytest.raises(RuleViolation) as refused:
        ops.create_application(
            actor=actor, call_id=call.id, team_id=team.id, title="x", amount_fen=100
        )
    assert refused.value.code == "application_exists"
    assert h.count(app, Application) == 1


def test_a_member_applies_for_their_own_team_only(app, make, api, setup):
    park, call, team, _member = setup
    _other, stranger = h.member_of(make, park)
    response = api(stranger).post("/applications", json=body(call, team))
    assert response.status_code == 404
    staff = make.user("staff", parks=[park])
    assert api(staff).post("/applications", json=body(call, team)).status_code == 403
    elsewhere = h.call(make, h.fund(make, make.park()))
    _team, member = setup[2], setup[3]
    assert api(member).post("/applications", json=body(elsewhere, team)).status_code == 404
    assert h.count(app, Application) == 0


def test_a_closed_call_takes_no_new_draft(app, make, api):
    park = make.park()
    call = h.call(make, h.fund(make, park), opens_at=h.NOW - timedelta(days=9), closes_at=h.NOW)
    team, member = h.member_of(make, park)
    response = api(member).post("/applications", json=body(call, team))
    assert response.status_code == 409 and h.error_of(response)["code"] == "deadline_passed"
    assert h.count(app, Application) == 0


def test_a_draft_changes_and_a_submitted_one_does_not(app, make, api, setup):
    _park, call, team, member = setup
    created = api(member).post("/applications", json=body(call, team)).get_json()
    url = f"/applications/{created['id']}"
    changed = api(member).patch(url, json={"title": "新标题", "purpose": "两行\n说明"})
    assert changed.status_code == 200
    assert (changed.get_json()["title"], changed.get_json()["purpose"]) == ("新标题", "两行\n说明")
    assert changed.get_json()["amount_yuan"] == "15000.00"  # not given: kept
    over = api(member).patch(url, json={"amount_yuan": "30000.00"})
    assert over.status_code == 422
    assert api(member).post(f"{url}/submit").status_code == 200
    frozen = api(member).patch(url, json={"title": "再改"})
    assert frozen.status_code == 409 and h.error_of(frozen)["code"] == "application_frozen"
    assert one(app, Application, created["id"]).title == "新标题"


def test_a_patch_refuses_null_and_unknown_fields(api, setup):
    _park, call, team, member = setup
    created = api(member).post("/applications", json=body(call, team)).get_json()
    url = f"/applications/{created['id']}"
    assert api(member).patch(url, json={"title": None}).status_code == 422
    assert api(member).patch(url, json={"status": "approved"}).status_code == 422
    assert api(member).get(url).get_json()["status"] == "draft"


# --- submitting ---------------------------------------------------------------------------


def _draft(make, call, team, member, api):
    return api(member).post("/applications", json=body(call, team)).get_json()["id"]


def test_submitting_one_second_before_the_close_is_in_time(app, make, api, setup):
    _park, call, team, member = setup
    ident = _draft(make, call, team, member, api)
    with time_machine.travel(call.closes_at - timedelta(seconds=1), tick=False):
        response = api(member).post(f"/applications/{ident}/submit")
    assert response.status_code == 200, response.get_json()
    got = response.get_json()
    assert got["status"] == "submitted"
    assert got["submitted_at"].startswith("2026-12-13T01:59:59")
    assert [(s["from_status"], s["to_status"], s["by"]) for s in got["history"]] == [
        ("draft", "submitted", member.name)
    ]


def test_submitting_at_the_close_is_too_late_naming_the_close_in_the_parks_time(
    app, make, api, setup
):
    _park, call, team, member = setup
    ident = _draft(make, call, team, member, api)
    client = api(member)
    before = table_counts(app)
    with time_machine.travel(call.closes_at, tick=False):
        response = client.post(f"/applications/{ident}/submit")
    assert response.status_code == 409
    error = h.error_of(response)
    assert error["code"] == "deadline_passed"
    assert "13 Dec 2026, 10:00:00 (Asia/Shanghai)" in error["message"]  # 02:00 UTC
    assert table_counts(app) == before
    assert one(app, Application, ident).status == "draft"


def test_the_close_is_shown_in_the_calls_park_zone(app, make, api):
    park = make.park(timezone="Asia/Urumqi")
    call = h.call(make, h.fund(make, park))
    team, member = h.member_of(make, park)
    ident = _draft(make, call, team, member, api)
    with time_machine.travel(call.closes_at + timedelta(hours=1), tick=False):
        response = api(member).post(f"/applications/{ident}/submit")
    assert "13 Dec 2026, 08:00:00 (Asia/Urumqi)" in h.error_of(response)["message"]


def test_submitting_before_the_call_opens_is_409(app, make, api):
    park = make.park()
    call = h.call(make, h.fund(make, park), opens_at=h.NOW + timedelta(hours=1))
    team, member = h.member_of(make, park)
    ident = _draft(make, call, team, member, api)
    response = api(member).post(f"/applications/{ident}/submit")
    assert response.status_code == 409
    error = h.error_of(response)
    assert error["code"] == "call_not_open" and "3 Dec 2026, 11:00:00" in error["message"]
    with time_machine.travel(call.opens_at, tick=False):
        assert api(member).post(f"/applications/{ident}/submit").status_code == 200


def test_submitting_needs_every_required_document(app, make, api):
    park = make.park()
    call = h.call(make, h.fund(make, park), required_documents=["商业计划书", "财务报表"])
    team, member = h.member_of(make, park)
    ident = _draft(make, call, team, member, api)
    client = api(member)
    h.upload(client, f"/applications/{ident}/attachments", h.PDF_BYTES, document="商业计划书")
    before = table_counts(app)
    response = client.post(f"/applications/{ident}/submit")
    assert response.status_code == 422
    error = h.error_of(response)
    assert "财务报表" in error["message"] and "商业计划书" not in error["message"]
    assert error["missing_documents"] == ["财务报表"]
    assert table_counts(app) == before
    h.upload(api(member), f"/applications/{ident}/attachments", h.PDF_BYTES, document="财务报表")
    assert api(member).post(f"/applications/{ident}/submit").status_code == 200
    assert h.count(app, AttachmentRow) == 2


def test_submitting_twice_is_an_invalid_transition(app, make, api, setup):
    _park, call, team, member = setup
    ident = _draft(make, call, team, member, api)
    assert api(member).post(f"/applications/{ident}/submit").status_code == 200
    again = api(member).post(f"/applications/{ident}/submit")
    assert again.status_code == 409 and h.error_of(again)["code"] == "invalid_transition"
    assert h.count(app, ApplicationChange) == 1


def test_a_team_no_longer_eligible_cannot_submit(app, make, api):
    park = make.park()
    call = h.call(make, h.fund(make, park), team_statuses=["resident"])
    team, member = h.member_of(make, park)
    ident = _draft(make, call, team, member, api)
    from opc.teams.models import Team

    with make.app.app_context():
        from opc.extensions import db

        db.session.get(Team, team.id).status = "suspended"
        db.session.commit()
    response = api(member).post(f"/applications/{ident}/submit")
    assert response.status_code == 409 and h.error_of(response)["code"] == "team_not_eligible"


# --- withdrawing --------------------------------------------------------------------------


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.SCREENING, S.IN_REVIEW])
def test_withdrawing_before_a_decision(app, make, api, setup, status):
    _park, call, team, member = setup
    record = h.application(make, call, team, status=status)
    response = api(member).post(f"/applications/{record.id}/withdraw", json={"note": "改投他处"})
    assert response.status_code == 200
    step = response.get_json()["history"][-1]
    assert (step["from_status"], step["to_status"], step["note"]) == (
        status,
        "withdrawn",
        "改投他处",
    )
    assert step["by"] == member.name and step["at"].startswith("2026-12-03T02:00:00")


@pytest.mark.parametrize("status", [S.APPROVED, S.REJECTED, S.DISBURSED, S.WITHDRAWN])
def test_withdrawing_after_a_decision_is_an_invalid_transition(app, make, api, setup, status):
    _park, call, team, member = setup
    extra = {"approved_fen": 1_000_000} if status in (S.APPROVED, S.DISBURSED) else {}
    record = h.application(make, call, team, status=status, **extra)
    response = api(member).post(f"/applications/{record.id}/withdraw", json={})
    assert response.status_code == 409 and h.error_of(response)["code"] == "invalid_transition"
    assert one(app, Application, record.id).status == status
    assert h.count(app, ApplicationChange) == 0


# --- who sees what --------------------------------------------------------------------------


def test_who_may_see_an_application(app, make, api, setup):
    park, call, team, member = setup
    record = h.application(make, call, team)
    url = f"/applications/{record.id}"
    _other, stranger = h.member_of(make, park)
    assigned, unassigned = make.user("reviewer"), make.user("reviewer")
    h.review(make, record, assigned)
    for user, status in (
        (member, 200),
        (make.user("staff", parks=[park]), 200),
        (assigned, 200),
        (stranger, 404),
        (make.user("staff", parks=[make.park()]), 404),
        (unassigned, 404),
    ):
        assert api(user).get(url).status_code == status, user.email
    assert api(stranger).post(f"{url}/withdraw", json={}).status_code == 404
    assert api(stranger).patch(url, json={"title": "x"}).status_code == 404
    assert one(app, Application, record.id).status == "draft"


def test_applicants_never_read_a_reviewers_name_in_the_history(app, make, api, setup):
    park, call, team, member = setup
    record = h.application(make, call, team, status=S.SUBMITTED)
    reviewer, staff = make.user("reviewer", name="评审专家甲"), make.user("staff", parks=[park])
    make._save(
        ApplicationChange(
            application_id=record.id,
            from_status="submitted",
            to_status="screening",
            by_id=reviewer.id,
            at=h.NOW,
        )
    )
    for user, shown in ((member, None), (staff, "评审专家甲")):
        got = api(user).get(f"/applications/{record.id}").get_json()
        assert got["history"][0]["by"] == shown
        assert ("评审专家甲" in str(got)) == (shown is not None)


def test_the_list_is_filtered_and_paged(app, make, api, setup):
    park, call, team, member = setup
    other_call = h.call(make, h.fund(make, park))
    mine = [
        h.application(make, call, team),
        h.application(make, other_call, team, status=S.SUBMITTED),
    ]
    other_team, _m = h.member_of(make, park)
    theirs = h.application(make, call, other_team)
    staff = api(make.user("staff", parks=[park]))
    assert {a["id"] for a in api(member).get("/applications").get_json()["items"]} == {
        a.id for a in mine
    }
    assert staff.get("/applications").get_json()["total"] == 3
    by_call = staff.get(f"/applications?call_id={call.id}").get_json()["items"]
    assert {a["id"] for a in by_call} == {mine[0].id, theirs.id}
    assert [
        a["id"] for a in staff.get(f"/applications?team_id={other_team.id}").get_json()["items"]
    ] == [theirs.id]
    assert [a["id"] for a in staff.get("/applications?status=submitted").get_json()["items"]] == [
        mine[1].id
    ]
    page = staff.get("/applications?per_page=2&page=2").get_json()
    assert (page["total"], len(page["items"]), page["page"]) == (3, 1, 2)
    assert staff.get("/applications?status=nope").status_code == 422
