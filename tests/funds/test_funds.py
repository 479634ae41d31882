"""Funds: admins set them up in the contract's short form; the budget never drops below what
the fund's calls commit; staff see their parks' funds with the figures, nobody else does."""

from __future__ import annotations

import pytest

from opc.core.errors import Forbidden, ValidationFailed
from opc.extensions import db
from opc.funds.models import Fund
from opc.funds.operations.funds import create_fund, update_fund
from tests.funds.helpers import call, count, error_of, fund, rows


def test_an_admin_adds_a_fund_in_the_contracts_short_form(app, make, api):
    park = make.park()
    admin = make.user("admin")
    body = {"park_id": park.id, "name": "未来产业基金", "budget_yuan": "3000000000.00"}
    response = api(admin).post("/funds", json=body)
    assert response.status_code == 201, response.get_json()
    out = response.get_json()
    assert out["name"] == out["name_zh"] == "未来产业基金"
    assert out["budget_yuan"] == "3000000000.00"
    assert (out["committed_yuan"], out["remaining_yuan"]) == ("0.00", "3000000000.00")
    assert (out["approved_yuan"], out["disbursed_yuan"], out["calls"]) == ("0.00", "0.00", 0)
    (stored,) = rows(app, Fund)
    assert stored.budget_fen == 300_000_000_000 and stored.park_id == park.id


def test_a_fund_with_its_english_name_and_description(make, api):
    park = make.park()
    body = {
        "park_id": park.id,
        "name_zh": "科幻产业基金",
        "name_en": "Sci-fi industry fund",
        "description": "第一行\n第二行",
        "budget_yuan": "1000.50",
    }
    out = api(make.user("admin")).post("/funds", json=body).get_json()
    assert out["name_en"] == "Sci-fi industry fund" and out["description"] == "第一行\n第二行"
    assert out["budget_yuan"] == "1000.50"


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        ({"budget_yuan": "0"}, "budget_yuan", 422),
        ({"budget_yuan": "1.005"}, "budget_yuan", 422),
        ({"budget_yuan": 100}, "budget_yuan", 400),
        ({"name": ""}, "name", 422),
        ({"name": "甲", "name_zh": "乙"}, "name", 422),
        ({"name": None}, "name_zh", 422),
        ({"name": "a\x00b"}, "name", 422),
    ],
)
def test_bad_fund_input_is_refused_and_writes_nothing(app, make, api, body, field, status):
    park = make.park()
    full = {"park_id": park.id, "name": "基金", "budget_yuan": "100.00", **body}
    response = api(make.user("admin")).post("/funds", json=full)
    assert response.status_code == status, response.get_json()
    if status == 422:
        assert field in error_of(response)["fields"]
    assert count(app, Fund) == 0


def test_only_admins_create_and_change_funds(app, make, api, ctx):
    park = make.park()
    staff = make.user("staff", parks=[park])
    body = {"park_id": park.id, "name": "基金", "budget_yuan": "100.00"}
    assert api(staff).post("/funds", json=body).status_code == 403
    with pytest.raises(Forbidden):
        create_fund(actor=staff, park_id=park.id, name_zh="基金", budget_fen=100)
    existing = fund(make, park)
    response = api(staff).patch(f"/funds/{existing.id}", json={"budget_yuan": "5.00"})
    assert response.status_code == 403
    with pytest.raises(Forbidden):
        update_fund(db.session.get(Fund, existing.id), actor=staff, budget_fen=500)
    assert count(app, Fund) == 1
    assert rows(app, Fund)[0].budget_fen == existing.budget_fen


def test_an_unknown_park_is_404_through_the_api_and_422_in_the_operation(app, make, api, ctx):
    admin = make.user("admin")
    body = {"park_id": 999_999, "name": "基金", "budget_yuan": "100.00"}
    assert api(admin).post("/funds", json=body).status_code == 404
    with pytest.raises(ValidationFailed) as err:
        create_fund(actor=admin, park_id=999_999, name_zh="基金", budget_fen=100)
    assert "park_id" in err.value.fields
    assert count(app, Fund) == 0


def test_the_budget_may_not_drop_below_what_the_calls_commit(app, make, api):
    park = make.park()
    admin = make.user("admin")
    existing = fund(make, park, budget_fen=100_000_000, calls_fen=30_000_050)
    response = api(admin).patch(f"/funds/{existing.id}", json={"budget_yuan": "300000.00"})
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "fund_budget_below_calls"
    assert "300000.50" in error["message"]
    assert error["conflict"]["committed_yuan"] == "300000.50"
    assert rows(app, Fund)[0].budget_fen == 100_000_000
    exactly = api(admin).patch(f"/funds/{existing.id}", json={"budget_yuan": "300000.50"})
    assert exactly.status_code == 200, exactly.get_json()
    assert exactly.get_json()["remaining_yuan"] == "0.00"


def test_names_change_and_the_rest_stays(make, api):
    park = make.park()
    admin = api(make.user("admin"))
    existing = fund(make, park)
    response = admin.patch(f"/funds/{existing.id}", json={"name_en": "Future fund"})
    assert response.status_code == 200
    out = response.get_json()
    assert (out["name_en"], out["name_zh"], out["budget_yuan"]) == (
        "Future fund",
        "未来产业基金",
        "1000000.00",
    )
    assert admin.patch(f"/funds/{existing.id}", json={"name_zh": None}).status_code == 422


def test_staff_see_their_parks_funds_with_figures_and_others_see_none(app, make, api):
    park, other = make.park(), make.park()
    mine = fund(make, park, calls_fen=10_000_000)
    theirs = fund(make, other)
    c = call(make, mine, budget_fen=10_000_000)
    with app.app_context():
        stored = db.session.get(type(c), c.id)
        stored.approved_fen, stored.disbursed_fen = 3_000_000, 1_000_000
        db.session.commit()
    staff = api(make.user("staff", parks=[park]))
    page = staff.get("/funds").get_json()
    assert [f["id"] for f in page["items"]] == [mine.id] and page["total"] == 1
    (out,) = page["items"]
    assert out["committed_yuan"] == "100000.00" and out["remaining_yuan"] == "900000.00"
    assert (out["approved_yuan"], out["disbursed_yuan"], out["calls"]) == (
        "30000.00",
        "10000.00",
        1,
    )
    assert staff.get(f"/funds/{theirs.id}").status_code == 404
    assert staff.get(f"/funds?park_id={other.id}").status_code == 404
    assert staff.get(f"/funds?park_id={park.id}").get_json()["total"] == 1
    team = make.team(park, status="resident")
    for user in (make.user("member", team=team), make.user("reviewer")):
        assert api(user).get("/funds").status_code == 403
        assert api(user).get(f"/funds/{mine.id}").status_code in (403, 404)
    assert api(make.user("admin")).get("/funds").get_json()["total"] == 2
