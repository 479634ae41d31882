"""/api/v1/calls: the contract's short form, the richer terms, instants with their offset in
the park's timezone, the lists (filters, open now, who sees what), the figures, PATCH, and
refusals with the right status and code, writing nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from opc.extensions import db
from opc.funds.models import Call, Criterion, Fund
from tests.funds.helpers import NOW, call, count, error_of, fund, rows

SHORT = {
    "title": "2027 年 AIGC 创作扶持",
    "opens_at": "2026-12-01T09:00:00+08:00",
    "closes_at": "2026-12-31T23:59:59+08:00",
    "budget_yuan": "300000.00",
    "ceiling_yuan": "50000.00",
    "criteria": [{"name": "创新性", "weight": 40}, {"name": "团队", "weight": 60}],
}


@pytest.fixture
def setting(make, api):
    park = make.park()
    f = fund(make, park, budget_fen=100_000_000)
    staff = make.user("staff", parks=[park])
    return park, f, staff, api(staff)


def body(f: Any, **kw: Any) -> dict[str, Any]:
    return {"fund_id": f.id, **SHORT, **kw}


def test_staff_open_a_call_in_the_contracts_short_form(app, setting):
    _park, f, _staff, staff_api = setting
    response = staff_api.post("/calls", json=body(f))
    assert response.status_code == 201, response.get_json()
    out = response.get_json()
    assert out["title"] == out["title_zh"] == "2027 年 AIGC 创作扶持"
    assert out["opens_at"] == "2026-12-01T09:00:00+08:00"
    assert out["closes_at"] == "2026-12-31T23:59:59+08:00"
    assert (out["budget_yuan"], out["ceiling_yuan"]) == ("300000.00", "50000.00")
    assert (out["approved_yuan"], out["disbursed_yuan"], out["remaining_yuan"]) == (
        "0.00",
        "0.00",
        "300000.00",
    )
    assert [(c["name"], c["weight"]) for c in out["criteria"]] == [("创新性", 40), ("团队", 60)]
    assert out["reviewers_per_application"] == 2 and out["disagreement_threshold"] == "3.00"
    assert out["reviewer_ids"] == [] and out["tracks"] == [] and out["team_statuses"] == []
    (stored,) = rows(app, Call)
    assert stored.opens_at == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    (fund_row,) = rows(app, Fund)
    assert fund_row.calls_fen == 30_000_000


def test_every_term_of_a_call(make, setting):
    _park, f, _staff, staff_api = setting
    experts = [make.user("reviewer"), make.user("reviewer")]
    full = body(
        f,
        title_en="AIGC creators 2027",
        description_zh="面向园区入驻团队。\n第二段",
        description_en="For resident teams.",
        opens_at="2026-12-01T01:00Z",
        required_documents=["商业计划书", "财务报表"],
        tracks=["games", "aigc_film"],
        team_statuses=["resident", "admitted"],
        reviewers_per_application=3,
        disagreement_threshold="2.5",
        reviewer_ids=[e.id for e in experts],
        criteria=[
            {"name_zh": "创新性", "name_en": "Innovation", "weight": 50},
            {"name": "市场", "name_en": "Market", "weight": 50},
        ],
    )
    response = staff_api.post("/calls", json=full)
    assert response.status_code == 201, response.get_json()
    out = response.get_json()
    assert out["opens_at"] == "2026-12-01T09:00:00+08:00"  # the park's zone
    assert out["description_zh"] == "面向园区入驻团队。\n第二段"
    assert out["required_documents"] == ["商业计划书", "财务报表"]
    assert out["tracks"] == ["aigc_film", "games"]  # in the domain's order
    assert out["team_statuses"] == ["admitted", "resident"]
    assert out["reviewers_per_application"] == 3 and out["disagreement_threshold"] == "2.50"
    assert sorted(out["reviewer_ids"]) == sorted(e.id for e in experts)
    assert [c["name_en"] for c in out["criteria"]] == ["Innovation", "Market"]


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        (
            {"criteria": [{"name": "创新性", "weight": 40}, {"name": "团队", "weight": 50}]},
            422,
            "criteria",
        ),
        ({"ceiling_yuan": "300000.01"}, 422, "ceiling_yuan"),
        ({"closes_at": "2026-12-01T08:59:59+08:00"}, 422, "closes_at"),
        ({"closes_at": "2026-12-01T09:00:00+08:00"}, 422, "closes_at"),
        ({"opens_at": "2026-12-01T09:00:00"}, 422, "opens_at"),  # no offset
        ({"opens_at": "2026-02-30T09:00:00+08:00"}, 422, "opens_at"),
        ({"opens_at": "0000-01-01T00:00:00Z"}, 422, "opens_at"),
        ({"opens_at": 1764550800}, 400, "opens_at"),
        ({"criteria": []}, 422, "criteria"),
        ({"criteria": [{"name": "全部", "weight": 0}]}, 422, "criteria"),
        ({"criteria": [{"weight": 100}]}, 422, "criteria"),
        ({"title": ""}, 422, "title"),
        ({"tracks": ["poetry"]}, 422, "tracks"),
        ({"reviewers_per_application": 10}, 422, "reviewers_per_application"),
        ({"disagreement_threshold": "10.00"}, 422, "disagreement_threshold"),
        ({"budget_yuan": "0.00"}, 422, "budget_yuan"),
        ({"surprise": 1}, 422, "surprise"),
    ],
)
def test_bad_terms_are_refused_and_write_nothing(app, setting, change, status, field):
    _park, f, _staff, staff_api = setting
    response = staff_api.post("/calls", json=body(f, **change))
    assert response.status_code == status, response.get_json()
    error = error_of(response)
    if status == 422:
        assert any(k == field or k.startswith(field) for k in error["fields"]), error
    assert count(app, Call) == 0 and count(app, Criterion) == 0
    assert rows(app, Fund)[0].calls_fen == 0


def test_weights_not_summing_to_100_name_the_sum(setting):
    _park, f, _staff, staff_api = setting
    criteria = [{"name": "创新性", "weight": 45}, {"name": "团队", "weight": 50}]
    error = error_of(staff_api.post("/calls", json=body(f, criteria=criteria)))
    assert "95" in error["fields"]["criteria"][0]


def test_a_call_over_what_the_fund_has_left_is_409_naming_it(app, make, setting):
    _park, f, _staff, staff_api = setting
    assert staff_api.post("/calls", json=body(f, budget_yuan="800000.00")).status_code == 201
    response = staff_api.post("/calls", json=body(f, budget_yuan="200000.01"))
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "fund_budget_exceeded"
    assert "200000.00" in error["message"]
    assert error["conflict"] == {"fund_id": f.id, "remaining_yuan": "200000.00"}
    assert count(app, Call) == 1


def test_the_pool_takes_reviewers_only(app, make, setting):
    park, f, staff, staff_api = setting
    member = make.user("member", team=make.team(park))
    for ids in ([staff.id], [member.id], [make.user("reviewer").id, 2_000_000]):
        response = staff_api.post("/calls", json=body(f, reviewer_ids=ids))
        assert response.status_code == 422
        assert "reviewer_ids" in error_of(response)["fields"]
    assert count(app, Call) == 0


@pytest.mark.parametrize("who", ["member", "reviewer"])
def test_members_and_reviewers_may_not_open_or_change_calls(app, make, api, setting, who):
    park, f, _staff, _api = setting
    existing = call(make, f, budget_fen=1_000_000, ceiling_fen=1_000)
    kw = {"team": make.team(park, status="resident")} if who == "member" else {}
    user = make.user(who, **kw)
    assert api(user).post("/calls", json=body(f)).status_code == 403
    assert api(user).patch(f"/calls/{existing.id}", json={"title_zh": "改"}).status_code == 403
    assert count(app, Call) == 1 and rows(app, Call)[0].title_zh != "改"


def test_staff_of_another_park_do_not_see_the_fund_or_call(app, make, api, setting):
    _park, f, _staff, _api = setting
    existing = call(make, f, budget_fen=1_000_000, ceiling_fen=1_000)
    elsewhere = api(make.user("staff", parks=[make.park()]))
    assert elsewhere.post("/calls", json=body(f)).status_code == 404
    assert elsewhere.patch(f"/calls/{existing.id}", json={"title_zh": "改"}).status_code == 404
    assert elsewhere.get(f"/calls/{existing.id}").status_code == 404
    assert elsewhere.get("/calls").get_json()["total"] == 0
    assert count(app, Call) == 1


def test_lists_filter_by_park_fund_and_open_now(make, api, setting, monkeypatch):
    park, f, _staff, staff_api = setting
    monkeypatch.setattr("opc.funds.api_calls.utcnow", lambda: NOW)
    monkeypatch.setattr("opc.funds.call_queries.utcnow", lambda: NOW)
    other_fund = fund(make, park, name_zh="另一基金")
    open_ = call(make, f, budget_fen=1_000_000, ceiling_fen=1_000)
    closed = call(make, other_fund, budget_fen=1_000_000, ceiling_fen=1_000, closes_at=NOW)
    elsewhere = call(make, fund(make, make.park()), budget_fen=1_000_000, ceiling_fen=1_000)
    assert {c["id"] for c in staff_api.get("/calls").get_json()["items"]} == {open_.id, closed.id}
    assert [c["id"] for c in staff_api.get(f"/calls?fund_id={f.id}").get_json()["items"]] == [
        open_.id
    ]
    now_open = staff_api.get("/calls?open=true").get_json()
    assert [c["id"] for c in now_open["items"]] == [open_.id] and now_open["items"][0]["open"]
    assert staff_api.get(f"/calls?park_id={park.id}").get_json()["total"] == 2
    admin = api(make.user("admin"))
    assert admin.get("/calls").get_json()["total"] == 3
    page = admin.get("/calls?per_page=1&page=2").get_json()
    assert (page["total"], page["page"], page["per_page"], len(page["items"])) == (3, 2, 1, 1)
    assert elsewhere.id not in {c["id"] for c in staff_api.get("/calls").get_json()["items"]}


def test_members_see_their_parks_calls_and_reviewers_their_pools_without_the_pool(
    make, api, setting
):
    park, f, _staff, _api = setting
    expert, outsider = make.user("reviewer"), make.user("reviewer")
    pooled = call(make, f, budget_fen=1_000_000, ceiling_fen=1_000, reviewers=[expert])
    call(make, fund(make, make.park()), budget_fen=1_000_000, ceiling_fen=1_000)
    member = api(make.user("member", team=make.team(park, status="resident")))
    (seen,) = member.get("/calls").get_json()["items"]
    assert seen["id"] == pooled.id and seen["reviewer_ids"] is None
    assert member.get(f"/calls/{pooled.id}").get_json()["reviewer_ids"] is None
    assert [c["id"] for c in api(expert).get("/calls").get_json()["items"]] == [pooled.id]
    assert api(outsider).get("/calls").get_json()["total"] == 0
    assert api(outsider).get(f"/calls/{pooled.id}").status_code == 404
    staff_view = api(make.user("staff", parks=[park])).get(f"/calls/{pooled.id}").get_json()
    assert staff_view["reviewer_ids"] == [expert.id]


def test_the_detail_has_the_figures(app, make, setting):
    _park, f, _staff, staff_api = setting
    existing = call(make, f, budget_fen=10_000_000, ceiling_fen=1_000)
    with app.app_context():
        stored = db.session.get(Call, existing.id)
        stored.approved_fen, stored.disbursed_fen = 4_000_000, 1_500_000
        db.session.commit()
    out = staff_api.get(f"/calls/{existing.id}").get_json()
    assert (out["approved_yuan"], out["disbursed_yuan"], out["remaining_yuan"]) == (
        "40000.00",
        "15000.00",
        "60000.00",
    )
    response = staff_api.patch(f"/calls/{existing.id}", json={"budget_yuan": "39999.99"})
    assert response.status_code == 409
    assert error_of(response)["code"] == "budget_below_approved"
    assert "40000.00" in error_of(response)["message"]


def test_patch_changes_what_it_gives(app, make, setting):
    _park, f, _staff, staff_api = setting
    created = staff_api.post("/calls", json=body(f)).get_json()
    expert = make.user("reviewer")
    change = {
        "title_en": "Creators",
        "closes_at": "2027-01-15T18:00:00+08:00",
        "budget_yuan": "400000.00",
        "reviewer_ids": [expert.id],
        "criteria": [{"name": "综合", "weight": 100}],
    }
    response = staff_api.patch(f"/calls/{created['id']}", json=change)
    assert response.status_code == 200, response.get_json()
    out = response.get_json()
    assert out["title_en"] == "Creators" and out["title_zh"] == SHORT["title"]
    assert out["closes_at"] == "2027-01-15T18:00:00+08:00" and out["budget_yuan"] == "400000.00"
    assert out["reviewer_ids"] == [expert.id] and len(out["criteria"]) == 1
    assert rows(app, Fund)[0].calls_fen == 40_000_000
    for field in ("title_zh", "budget_yuan", "criteria", "opens_at"):
        refused = staff_api.patch(f"/calls/{created['id']}", json={field: None})
        assert refused.status_code == 422, field
    over = staff_api.patch(f"/calls/{created['id']}", json={"budget_yuan": "1000000.01"})
    assert over.status_code == 409 and error_of(over)["code"] == "fund_budget_exceeded"


def test_a_page_of_calls_reads_as_much_for_many_as_for_few(make, setting, count_queries):
    park, _f, _staff, staff_api = setting
    experts = [make.user("reviewer") for _ in range(2)]

    def statements_for(n: int) -> int:
        for _ in range(n):
            of = fund(make, park)  # each its own fund: nothing comes from the identity map
            call(make, of, budget_fen=1_000, ceiling_fen=1_000, reviewers=experts)
        with count_queries() as statements:
            assert staff_api.get("/calls").status_code == 200
        return len(statements)

    statements_for(0)  # the token's first use writes, once
    assert statements_for(1) == statements_for(5)
