"""The decision panel on an application's page and the park's tranches page, for staff:
approve within what remains (shown), reject with a reason, propose / approve / cancel
tranches; refused forms come back with their input (422) and write nothing; nobody else
sees the panel."""

from __future__ import annotations

import pytest

from opc.funds.application_models import Application, Disbursement
from opc.funds.application_models import ApplicationStatus as S
from opc.funds.models import Call
from opc.parks.settings import ParkSetting
from tests.conftest import login
from tests.core.helpers import table_counts, text
from tests.funds import helpers as h
from tests.funds.helpers import count, post_form, rows


@pytest.fixture
def s(make):
    park = make.park()
    team = make.team(park, status="resident", name_zh="星云工作室")
    call = h.call(make, h.fund(make, park), budget_fen=5_000_000, ceiling_fen=2_000_000)
    application = h.application(make, call, team, S.IN_REVIEW, title="AIGC 短剧制作")
    return {
        "park": park,
        "team": team,
        "call": call,
        "application": application,
        "staff": make.user("staff", parks=[park]),
        "second": make.user("staff", parks=[park]),
        "member": make.user("member", team=team),
    }


def _page(s):
    return f"/applications/{s['application'].id}"


def _status(app, s):
    return rows(app, Application, Application.id == s["application"].id)[0]


def test_staff_see_the_panel_with_the_remaining_budget_and_the_ceiling(client, make, s):
    login(client, s["staff"].email)
    h.approved(make, s["call"], make.team(s["park"]), 1_200_000, amount_fen=2_000_000)
    html = text(client.get(_page(s)))
    assert 'id="decision-panel"' in html
    assert "¥20,000.00" in html  # the ceiling per team
    assert "¥38,000.00" in html  # the call's remaining budget
    assert "¥10,000.00" in html  # at most: the request is the least
    assert f'action="/applications/{s["application"].id}/approve"' in html


def test_the_team_does_not_see_the_panel(client, s):
    login(client, s["member"].email)
    html = text(client.get(_page(s)))
    assert "decision-panel" not in html
    assert client.get(f"{_page(s)}/decision").status_code == 403


def test_staff_approve_through_the_form(app, client, s):
    login(client, s["staff"].email)
    response = post_form(
        client, f"{_page(s)}/approve", {"amount": "8,000", "note": "第一名"}, page=_page(s)
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{_page(s)}#decision-panel")
    stored = _status(app, s)
    assert (stored.status, stored.approved_fen, stored.decision_reason) == (
        S.APPROVED,
        800_000,
        "第一名",
    )
    assert rows(app, Call)[0].approved_fen == 800_000
    html = text(client.get(_page(s)))
    assert s["staff"].name in html.split('id="decision-panel"')[1]  # who decided


def test_a_refused_approval_keeps_the_input_and_writes_nothing(app, client, s):
    login(client, s["staff"].email)
    before = table_counts(app)
    response = post_form(client, f"{_page(s)}/approve", {"amount": "10000.01"}, page=_page(s))
    assert response.status_code == 422
    html = text(response)
    assert 'value="10000.01"' in html
    assert "10000.00" in html  # the refusal names the request
    assert 'id="amount-err"' in html  # beside the amount
    assert table_counts(app) == before
    empty = post_form(client, f"{_page(s)}/approve", {"amount": ""}, page=_page(s))
    assert empty.status_code == 422
    assert table_counts(app) == before


def test_a_rejection_needs_a_reason_on_the_page_too(app, client, s):
    login(client, s["staff"].email)
    refused = post_form(client, f"{_page(s)}/reject", {"reason": "  "}, page=_page(s))
    assert refused.status_code == 422
    assert _status(app, s).status == S.IN_REVIEW
    done = post_form(client, f"{_page(s)}/reject", {"reason": "方向不符"}, page=_page(s))
    assert done.status_code == 302
    assert _status(app, s).status == S.REJECTED


def _approved(make, s, four_eyes=False):
    if four_eyes:
        make._save(ParkSetting(park_id=s["park"].id, key="funds_tranche_four_eyes", value="true"))
    milestones = [{"title": "样片", "due": "2027-01-31", "amount_yuan": "5000.00"}]
    return h.approved(
        make, s["call"], make.team(s["park"]), 1_000_000, milestones=milestones, title="成片项目"
    )


def _tranche(client, application, **values):
    data = {"milestone": "样片", "amount": "4000", "paid_on": "2027-01-15", **values}
    page = f"/applications/{application.id}"
    return post_form(client, f"{page}/tranches", data, page=page)


def test_a_tranche_is_paid_from_the_panel(app, client, make, s):
    application = _approved(make, s)
    login(client, s["staff"].email)
    html = text(client.get(f"/applications/{application.id}"))
    assert f'<datalist id="milestones-{application.id}"><option value="样片">' in html
    assert _tranche(client, application, reference="流水001").status_code == 302
    [tranche] = rows(app, Disbursement)
    assert (tranche.status, tranche.amount_fen, tranche.reference) == ("paid", 400_000, "流水001")
    stored = rows(app, Application, Application.id == application.id)[0]
    assert stored.disbursed_fen == 400_000


def test_a_refused_tranche_keeps_the_input(app, client, make, s):
    application = _approved(make, s)
    login(client, s["staff"].email)
    before = table_counts(app)
    over = _tranche(client, application, amount="10000.01")
    assert over.status_code == 422 and 'value="10000.01"' in text(over)
    assert 'id="amount-err"' in text(over)
    unknown = _tranche(client, application, milestone="路演")
    assert unknown.status_code == 422 and "样片" in text(unknown)
    assert 'id="milestone-err"' in text(unknown)
    no_date = _tranche(client, application, paid_on="")
    assert no_date.status_code == 422
    assert table_counts(app) == before


def test_four_eyes_from_the_park_page(app, client, make, s):
    application = _approved(make, s, four_eyes=True)
    login(client, s["staff"].email)
    assert _tranche(client, application).status_code == 302
    [tranche] = rows(app, Disbursement)
    assert tranche.status == "proposed"
    park_page = f"/parks/{s['park'].id}/disbursements"
    assert 'data-status="proposed"' in text(client.get(park_page))
    same = post_form(client, f"/disbursements/{tranche.id}/approve", {}, page=park_page)
    assert same.status_code == 422
    assert rows(app, Disbursement)[0].status == "proposed"
    other = app.test_client()
    login(other, s["second"].email)
    paid = post_form(other, f"/disbursements/{tranche.id}/approve", {}, page=park_page)
    assert paid.status_code == 302
    assert rows(app, Disbursement)[0].status == "paid"


def test_a_proposed_tranche_is_cancelled_from_the_panel(app, client, make, s):
    application = _approved(make, s, four_eyes=True)
    login(client, s["staff"].email)
    _tranche(client, application)
    [tranche] = rows(app, Disbursement)
    page = f"/applications/{application.id}"
    done = post_form(client, f"/disbursements/{tranche.id}/cancel", {}, page=page)
    assert done.status_code == 302
    assert count(app, Disbursement) == 0


def test_the_park_page_lists_tranches_awaiting_approval_first(app, client, make, s):
    application = _approved(make, s)
    login(client, s["staff"].email)
    _tranche(client, application, amount="1000", reference="先付")
    make._save(ParkSetting(park_id=s["park"].id, key="funds_tranche_four_eyes", value="true"))
    _tranche(client, application, amount="1000", reference="待批")
    assert (
        client.get("/disbursements/")
        .headers["Location"]
        .endswith(f"/parks/{s['park'].id}/disbursements")
    )
    html = text(client.get(f"/parks/{s['park'].id}/disbursements"))
    assert html.index("待批") < html.index("先付")
    assert "成片项目" in html


def test_members_and_other_staff_do_not_see_the_park_page(app, client, make, s):
    login(client, s["member"].email)
    assert client.get(f"/parks/{s['park'].id}/disbursements").status_code == 404
    assert client.get("/disbursements/").status_code == 404
    other = app.test_client()
    login(other, make.user("staff", parks=[make.park()]).email)
    assert other.get(f"/parks/{s['park'].id}/disbursements").status_code == 404
