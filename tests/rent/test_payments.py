"""Payments and balances: issued less paid, oldest statements settled first, aging by days
past the due date; a payment beyond the balance is refused; the team sees its own."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine

from opc.audit.models import AuditEntry
from opc.rent.payments_model import Payment
from tests.conftest import login
from tests.rent.helpers import D, count, error_of, post_form, resident

TODAY = "2026-11-15 04:00:00+00:00"


@pytest.fixture
def s(make, api):
    """A team at 2,400.00 a month, July to October 2026 issued (due the 15th after)."""
    park = make.park()
    staff = make.user("staff", parks=[park])
    team = resident(make, park, "2026-07-01", name_zh="星云工作室")
    make.allocation(team, make.unit(park, area_m2=Decimal("30")), D("2026-07-01"))
    client = api(staff)
    with time_machine.travel(TODAY, tick=False):
        for month in ("2026-07", "2026-08", "2026-09", "2026-10"):
            issued = client.post("/statements/issue", json={"park_id": park.id, "month": month})
            assert issued.get_json() == {"issued": 1}
    return {"park": park, "team": team, "api": client}


def pay(s, amount, on="2026-11-01", **kw):
    body = {"team_id": s["team"].id, "amount_yuan": amount, "paid_on": on, **kw}
    return s["api"].post("/payments", json=body)


def balance(s):
    items = s["api"].get(f"/balances?park_id={s['park'].id}").get_json()["items"]
    assert len(items) == 1
    return items[0]


@time_machine.travel(TODAY, tick=False)
def test_balance_and_aging(app, s):
    # Issued 4 × 2,400.00 = 9,600.00. Due: Aug 15, Sep 15, Oct 15, Nov 15; today Nov 15.
    first = balance(s)
    assert first["balance_yuan"] == "9600.00"
    # July is 92 days overdue, August 61, September 31, October due today (current).
    assert (first["over90_yuan"], first["d90_yuan"], first["d60_yuan"]) == (
        "2400.00",
        "2400.00",
        "2400.00",
    )
    assert first["d30_yuan"] == "0.00" and first["current_yuan"] == "2400.00"
    response = pay(s, "3000.00", reference="银行流水 0042", fapiao="26512000000000123456")
    assert response.status_code == 201, response.get_json()
    assert count(app, AuditEntry, AuditEntry.entity == "payments") == 1
    # 3,000.00 settles July (2,400.00) and 600.00 of August: 1,800.00 left 61 days overdue.
    after = balance(s)
    assert after["paid_yuan"] == "3000.00" and after["balance_yuan"] == "6600.00"
    assert (after["over90_yuan"], after["d90_yuan"]) == ("0.00", "1800.00")


@time_machine.travel(TODAY, tick=False)
def test_a_payment_beyond_the_balance_is_refused(app, s):
    refused = pay(s, "9600.01")
    assert refused.status_code == 409
    error = error_of(refused)
    assert error["code"] == "payment_exceeds_balance" and "9600.00" in error["message"]
    assert pay(s, "9600.00").status_code == 201
    assert balance(s)["balance_yuan"] == "0.00"
    assert pay(s, "0.01").status_code == 409
    assert count(app, Payment) == 1


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount_yuan": "-5"}, "amount_yuan"),
        ({"amount_yuan": "1.234"}, "amount_yuan"),
        ({"amount_yuan": "0"}, "amount_yuan"),
        ({"paid_on": "2026-11-16"}, "paid_on"),
        ({"method": "cheque"}, "method"),
        ({"fapiao": "no spaces"}, "fapiao"),
        ({"reference": "x\u0000"}, "reference"),
    ],
)
def test_bad_payments_are_refused_and_nothing_is_written(app, s, body, field):
    good = {"team_id": s["team"].id, "amount_yuan": "100.00", "paid_on": "2026-11-01"}
    response = s["api"].post("/payments", json={**good, **body})
    assert response.status_code == 422, response.get_json()
    assert field in error_of(response)["fields"], error_of(response)
    assert count(app, Payment) == 0


@time_machine.travel(TODAY, tick=False)
def test_a_team_of_another_park_is_not_found(app, make, s):
    stranger = resident(make, make.park(), "2026-01-01")
    body = {"team_id": stranger.id, "amount_yuan": "1.00", "paid_on": "2026-11-01"}
    assert s["api"].post("/payments", json=body).status_code == 404


@time_machine.travel(TODAY, tick=False)
def test_pages_the_park_aging_the_team_and_its_card(app, client, make, as_user, s):
    as_user("staff", parks=[s["park"]])
    path = f"/parks/{s['park'].id}/rent/balances"
    page = client.get(path).get_data(as_text=True)
    assert s["team"].name_en in page and "¥9,600.00" in page  # names in the page's language
    form = {
        "team_id": s["team"].id,
        "amount": "2,400.00",
        "paid_on": "2026-11-02",
        "method": "wechat",
    }
    assert post_form(client, path, form).status_code == 302
    refused = post_form(client, path, {**form, "amount": "99999.00"})
    assert refused.status_code == 422
    member = make.user("member", team=s["team"])
    other = app.test_client()
    assert login(other, member.email).status_code == 302
    mine = other.get("/rent/mine", follow_redirects=True).get_data(as_text=True)
    assert "¥7,200.00" in mine and "Statement 2026-10" in mine
    assert 'id="waivers"' in mine
    card = other.get(f"/teams/{s['team'].id}").get_data(as_text=True)
    assert 'id="rent"' in card and "¥7,200.00" in card
