"""Tranches against an approved application: each tied to one of its milestones, with a
date and a reference; paid at once, or proposed and approved by another person when the
park asks for four eyes; proposed and paid together never more than the approval (409
naming what remains, nothing written); the kept sums follow; fully paid, it is disbursed."""

from __future__ import annotations

import pytest

from opc.audit.models import AuditEntry
from opc.extensions import db
from opc.funds.application_models import Application, ApplicationChange, Disbursement
from opc.funds.application_models import ApplicationStatus as S
from opc.funds.models import Call
from opc.funds.operations import disbursements
from tests.core.helpers import table_counts
from tests.funds import helpers as h
from tests.funds.helpers import count, error_of, rows

MILESTONES = [
    {"title": "样片", "due": "2027-01-31", "amount_yuan": "4000.00"},
    {"title": "成片", "due": "2027-03-31", "amount_yuan": "6000.00"},
]


@pytest.fixture
def s(make, api):
    """An application approved for ¥10,000 with two milestones; two staff of the park."""
    park = make.park()
    team = make.team(park, status="resident")
    call = h.call(make, h.fund(make, park))
    application = h.approved(make, call, team, 1_000_000, milestones=MILESTONES)
    staff, second = make.user("staff", parks=[park]), make.user("staff", parks=[park])
    return {
        "park": park,
        "team": team,
        "call": call,
        "application": application,
        "staff_user": staff,
        "second_user": second,
        "staff": api(staff),
        "second": api(second),
        "admin": api(make.user("admin")),
        "member": api(make.user("member", team=team)),
    }


def _propose(s, amount, milestone="样片", who="staff", application=None, **body):
    values = {
        "application_id": (application or s["application"]).id,
        "milestone": milestone,
        "amount_yuan": amount,
        "paid_on": "2027-01-15",
        **body,
    }
    return s[who].post("/disbursements", json=values)


def _four_eyes(s):
    response = s["admin"].patch(
        f"/parks/{s['park'].id}/settings", json={"values": {"funds_tranche_four_eyes": True}}
    )
    assert response.status_code == 200, response.get_json()


def _sums(app, s):
    application = rows(app, Application, Application.id == s["application"].id)[0]
    call = rows(app, Call, Call.id == s["call"].id)[0]
    return application.status, application.disbursed_fen, call.disbursed_fen


def test_without_four_eyes_a_tranche_is_paid_when_proposed(app, s):
    response = _propose(s, "4000", reference="银行流水 2027-001")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "paid" and body["amount_yuan"] == "4000.00"
    assert body["milestone"] == "样片" and body["paid_on"] == "2027-01-15"
    assert body["reference"] == "银行流水 2027-001"
    assert body["approved_by_id"] == s["staff_user"].id
    assert body["application_remaining_yuan"] == "6000.00"
    assert _sums(app, s) == (S.APPROVED, 400_000, 400_000)
    assert count(app, AuditEntry, AuditEntry.entity == "disbursements") == 1


def test_the_tranche_that_reaches_the_approval_disburses_the_application(app, s):
    assert _propose(s, "4000").status_code == 201
    assert _propose(s, "6000", milestone="成片").status_code == 201
    assert _sums(app, s) == (S.DISBURSED, 1_000_000, 1_000_000)
    [change] = rows(app, ApplicationChange)
    assert (change.from_status, change.to_status) == (S.APPROVED, S.DISBURSED)
    more = _propose(s, "0.01")
    assert more.status_code == 409 and error_of(more)["code"] == "application_not_approved"


def test_more_than_the_approval_leaves_is_refused_naming_what_remains(app, s):
    assert _propose(s, "4000").status_code == 201
    before = table_counts(app)
    refused = _propose(s, "6000.01", milestone="成片")
    assert refused.status_code == 409
    error = error_of(refused)
    assert error["code"] == "disbursement_exceeds_approval"
    assert error["conflict"]["remaining_yuan"] == "6000.00"
    assert "6000.00" in error["message"]
    assert table_counts(app) == before
    assert _sums(app, s) == (S.APPROVED, 400_000, 400_000)


def test_four_eyes_a_tranche_waits_for_another_person(app, s):
    _four_eyes(s)
    proposed = _propose(s, "4000")
    assert proposed.status_code == 201
    body = proposed.get_json()
    assert body["status"] == "proposed" and body["approved_by_id"] is None
    assert _sums(app, s) == (S.APPROVED, 0, 0)
    same = s["staff"].post(f"/disbursements/{body['id']}/approve")
    assert same.status_code == 409 and error_of(same)["code"] == "same_person"
    assert rows(app, Disbursement)[0].status == "proposed"
    approved = s["second"].post(f"/disbursements/{body['id']}/approve")
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["status"] == "paid"
    assert approved.get_json()["approved_by_id"] == s["second_user"].id
    assert _sums(app, s) == (S.APPROVED, 400_000, 400_000)
    again = s["second"].post(f"/disbursements/{body['id']}/approve")
    assert again.status_code == 409 and error_of(again)["code"] == "tranche_paid"
    assert _sums(app, s) == (S.APPROVED, 400_000, 400_000)


def test_proposed_tranches_count_against_the_approval(app, s):
    _four_eyes(s)
    assert _propose(s, "6000").status_code == 201
    refused = _propose(s, "4000.01", milestone="成片")
    assert refused.status_code == 409
    assert error_of(refused)["conflict"]["remaining_yuan"] == "4000.00"
    assert _propose(s, "4000", milestone="成片").status_code == 201
    assert count(app, Disbursement) == 2


def test_a_proposed_tranche_can_be_cancelled_and_the_log_keeps_it(app, s):
    _four_eyes(s)
    tranche = _propose(s, "6000").get_json()
    response = s["second"].delete(f"/disbursements/{tranche['id']}")
    assert response.status_code == 204
    assert count(app, Disbursement) == 0
    [entry] = rows(app, AuditEntry, AuditEntry.action == "delete")
    assert (entry.entity, entry.entity_id) == ("disbursements", tranche["id"])
    assert _propose(s, "10000").status_code == 201  # the approval is whole again


def test_a_paid_tranche_cannot_be_cancelled(app, s):
    tranche = _propose(s, "4000").get_json()
    before = table_counts(app)
    refused = s["staff"].delete(f"/disbursements/{tranche['id']}")
    assert refused.status_code == 409 and error_of(refused)["code"] == "tranche_paid"
    assert table_counts(app) == before


def test_the_milestone_is_one_of_the_applications(app, make, s):
    before = table_counts(app)
    refused = _propose(s, "100", milestone="路演")
    assert refused.status_code == 422
    assert "样片" in error_of(refused)["fields"]["milestone"][0]
    assert table_counts(app) == before
    # Free text when the application lists none.
    free = h.approved(make, s["call"], make.team(s["park"]), 500_000)
    assert _propose(s, "100", milestone="首期款", application=free).status_code == 201


@pytest.mark.parametrize("status", [S.IN_REVIEW, S.REJECTED, S.WITHDRAWN])
def test_only_an_approved_application_is_paid(app, make, s, status):
    other = h.application(make, s["call"], make.team(s["park"]), status)
    before = table_counts(app)
    refused = _propose(s, "100", milestone="x", application=other)
    assert refused.status_code == 409
    assert error_of(refused)["code"] == "application_not_approved"
    assert table_counts(app) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount_yuan": "0"}, "amount_yuan"),
        ({"amount_yuan": "1.001"}, "amount_yuan"),
        ({"paid_on": "2027-02-30"}, "paid_on"),
        ({"milestone": ""}, "milestone"),
        ({"reference": "x" * 101}, "reference"),
        ({"application_id": 0}, "application_id"),
    ],
)
def test_bad_input_is_refused_with_nothing_written(app, s, body, field):
    values = {
        "application_id": s["application"].id,
        "milestone": "样片",
        "amount_yuan": "100",
        "paid_on": "2027-01-15",
        **body,
    }
    before = table_counts(app)
    refused = s["staff"].post("/disbursements", json=values)
    assert refused.status_code == 422, refused.get_json()
    assert field in error_of(refused)["fields"]
    assert table_counts(app) == before


def test_the_operation_checks_its_values(ctx, s):
    for values, field in (
        ({"amount_fen": 0}, "amount_yuan"),
        ({"milestone": "  "}, "milestone"),
        ({"paid_on": "2027-01-15"}, "paid_on"),
        ({"application_id": "x"}, "application_id"),
    ):
        kw = {
            "application_id": s["application"].id,
            "milestone": "样片",
            "amount_fen": 100,
            "paid_on": h.NOW.date(),
            **values,
        }
        with pytest.raises(disbursements.ValidationFailed) as refused:
            disbursements.propose_tranche(actor=None, **kw)
        assert field in refused.value.fields
    assert db.session.query(Disbursement).count() == 0


def test_who_may_pay_and_see(app, make, api, s):
    assert _propose(s, "100", who="member").status_code == 403
    outsider = api(make.user("staff", parks=[make.park()]))
    assert (
        outsider.post(
            "/disbursements",
            json={
                "application_id": s["application"].id,
                "milestone": "样片",
                "amount_yuan": "100",
                "paid_on": "2027-01-15",
            },
        ).status_code
        == 404
    )
    tranche = _propose(s, "100").get_json()
    assert outsider.post(f"/disbursements/{tranche['id']}/approve").status_code == 404
    assert outsider.get(f"/disbursements?application_id={s['application'].id}").status_code == 404
    assert outsider.get("/disbursements").get_json()["total"] == 0
    mine = s["member"].get(f"/disbursements?application_id={s['application'].id}")
    assert [t["id"] for t in mine.get_json()["items"]] == [tranche["id"]]
    reviewer = api(make.user("reviewer"))
    assert reviewer.get("/disbursements").status_code == 403


def test_the_list_shows_tranches_awaiting_approval_first(app, make, s):
    paid = _propose(s, "1000").get_json()
    _four_eyes(s)
    waiting = _propose(s, "1000", milestone="成片").get_json()
    later = _propose(s, "1000").get_json()
    other_call = h.call(make, h.fund(make, s["park"]))
    elsewhere = h.approved(make, other_call, make.team(s["park"]), 100_000)
    _propose(s, "10", milestone="x", application=elsewhere)
    listed = s["staff"].get(f"/disbursements?call_id={s['call'].id}&per_page=2").get_json()
    assert listed["total"] == 3 and listed["per_page"] == 2
    assert [t["id"] for t in listed["items"]] == [later["id"], waiting["id"]]
    rest = s["staff"].get(f"/disbursements?call_id={s['call'].id}&per_page=2&page=2").get_json()
    assert [t["id"] for t in rest["items"]] == [paid["id"]]
    assert {t["application_remaining_yuan"] for t in listed["items"]} == {"7000.00"}
