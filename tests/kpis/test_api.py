"""/api/v1/kpi-reports: filing (201, a correction 201 with the next version), money in yuan
with at most two decimals, counts whole, strict bodies; lists of current versions or all,
filtered and paged; a `reports:read` token reads; others find nothing (404). Every refused
request writes nothing."""

from __future__ import annotations

import pytest

from opc.kpis.models import KpiReport
from tests.core.helpers import error_of, rows, table_counts
from tests.kpis.helpers import resident_team

BODY = {
    "quarter": "2026-Q3",
    "revenue_yuan": "12345.67",
    "financing_yuan": "500000",
    "rnd_yuan": "3000.5",
    "taxes_yuan": "0.01",
    "headcount": 8,
    "graduates_hired": 3,
    "patents_applied": 2,
    "works_released": 5,
    "note": "第一季度\n备注",
}


def _setup(make):
    park = make.park()
    team = resident_team(make, park)
    member = make.user("member", team=team)
    staff = make.user("staff", parks=[park])
    return park, team, member, staff


def test_a_member_files_and_corrects(app, make, api):
    _park, team, member, _staff = _setup(make)
    client = api(member)
    created = client.post("/kpi-reports", json={**BODY, "team_id": team.id})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["version"], body["current"], body["quarter"]) == (1, True, "2026-Q3")
    assert (body["revenue_yuan"], body["financing_yuan"], body["rnd_yuan"]) == (
        "12345.67",
        "500000.00",
        "3000.50",
    )
    assert (body["taxes_yuan"], body["headcount"], body["patents_granted"]) == ("0.01", 8, 0)
    assert body["filed_by_id"] == member.id and body["park_id"] == team.park_id
    [stored] = rows(app, KpiReport)
    assert (stored.revenue_fen, stored.rnd_fen, stored.taxes_fen) == (1_234_567, 300_050, 1)
    corrected = client.post("/kpi-reports", json={**BODY, "team_id": team.id, "headcount": 9})
    assert corrected.status_code == 201 and corrected.get_json()["version"] == 2
    first = client.get(f"/kpi-reports/{body['id']}").get_json()
    assert first["current"] is False and first["superseded_at"] is not None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"revenue_yuan": "-1"}, "revenue_yuan"),
        ({"revenue_yuan": "1.001"}, "revenue_yuan"),
        ({"revenue_yuan": "1e30"}, "revenue_yuan"),
        ({"revenue_yuan": "1000000000000"}, "revenue_yuan"),
        ({"revenue_yuan": "abc"}, "revenue_yuan"),
        ({"revenue_yuan": "1\x00"}, "revenue_yuan"),
        ({"headcount": -1}, "headcount"),
        ({"headcount": 10**30}, "headcount"),
        ({"headcount": 2, "graduates_hired": 3}, "graduates_hired"),
        ({"quarter": "2026-Q5"}, "quarter"),
        ({"quarter": "2026Q3"}, "quarter"),
        ({"quarter": "1999-Q4"}, "quarter"),
        ({"quarter": "2099-Q1"}, "quarter"),  # not begun
        ({"note": "a\x00b"}, "note"),
        ({"note": "x" * 2001}, "note"),
        ({"employees": 3}, "employees"),
    ],
)
def test_bad_values_are_refused_on_their_field_and_write_nothing(app, make, api, change, field):
    _park, team, member, _staff = _setup(make)
    client = api(member)
    before = table_counts(app)
    response = client.post("/kpi-reports", json={**BODY, "team_id": team.id, **change})
    assert response.status_code == 422, response.get_json()
    assert field in error_of(response)["fields"]
    assert table_counts(app) == before


@pytest.mark.parametrize(
    "change",
    [
        {"revenue_yuan": 100},
        {"revenue_yuan": 1.5},
        {"headcount": "8"},
        {"headcount": True},
        {"headcount": 2.5},
        {"team_id": "1"},
    ],
)
def test_wrong_json_types_are_400(app, make, api, change):
    _park, team, member, _staff = _setup(make)
    response = api(member).post("/kpi-reports", json={**BODY, "team_id": team.id, **change})
    assert response.status_code == 400, response.get_json()
    assert rows(app, KpiReport) == []


def test_another_teams_id_is_404_and_a_team_not_resident_409(app, make, api):
    park, team, member, staff = _setup(make)
    other = resident_team(make, park)
    response = api(member).post("/kpi-reports", json={**BODY, "team_id": other.id})
    assert response.status_code == 404
    outsider = api(make.user("staff", parks=[make.park()]))
    assert outsider.post("/kpi-reports", json={**BODY, "team_id": team.id}).status_code == 404
    applicant = make.team(park)
    refused = api(staff).post("/kpi-reports", json={**BODY, "team_id": applicant.id})
    assert refused.status_code == 409 and error_of(refused)["code"] == "team_not_resident"
    assert rows(app, KpiReport) == []


def test_lists_filter_and_page_and_show_all_versions_on_request(app, make, api):
    park, team, _member, staff = _setup(make)
    other = resident_team(make, park)
    client = api(staff)
    for headcount in (5, 6):
        client.post("/kpi-reports", json={**BODY, "team_id": team.id, "headcount": headcount})
    client.post("/kpi-reports", json={**BODY, "team_id": team.id, "quarter": "2026-Q2"})
    client.post("/kpi-reports", json={**BODY, "team_id": other.id})
    current = client.get(f"/kpi-reports?park_id={park.id}").get_json()
    assert current["total"] == 3
    assert [(i["quarter"], i["team_id"]) for i in current["items"]] == [
        ("2026-Q3", team.id),
        ("2026-Q3", other.id),
        ("2026-Q2", team.id),
    ]
    everything = client.get(f"/kpi-reports?team_id={team.id}&versions=all").get_json()
    assert [(i["quarter"], i["version"]) for i in everything["items"]] == [
        ("2026-Q3", 2),
        ("2026-Q3", 1),
        ("2026-Q2", 1),
    ]
    q3 = client.get(f"/kpi-reports?quarter=2026-Q3&team_id={team.id}").get_json()
    assert [i["headcount"] for i in q3["items"]] == [6]
    paged = client.get("/kpi-reports?per_page=2&page=2").get_json()
    assert (paged["total"], paged["page"], paged["per_page"], len(paged["items"])) == (3, 2, 2, 1)


def test_a_reports_read_token_reads_and_may_not_file(app, make, api):
    park, team, _member, staff = _setup(make)
    api(staff).post("/kpi-reports", json={**BODY, "team_id": team.id})
    bi = api(staff, scope="reports:read")
    assert bi.get(f"/kpi-reports?park_id={park.id}").get_json()["total"] == 1
    refused = bi.post("/kpi-reports", json={**BODY, "team_id": team.id})
    assert refused.status_code == 403 and error_of(refused)["code"] == "insufficient_scope"
    assert len(rows(app, KpiReport)) == 1


def test_others_see_nothing(app, make, api):
    park, team, member, _staff = _setup(make)
    report_id = api(member).post("/kpi-reports", json={**BODY, "team_id": team.id}).get_json()["id"]
    other_member = api(make.user("member", team=resident_team(make, park)))
    outsider = api(make.user("staff", parks=[make.park()]))
    for client in (other_member, outsider):
        assert client.get(f"/kpi-reports/{report_id}").status_code == 404
        assert client.get(f"/kpi-reports?team_id={team.id}").status_code == 404
        assert client.get("/kpi-reports").get_json()["total"] == 0
    assert outsider.get(f"/kpi-reports?park_id={park.id}").status_code == 404
    assert api(make.user("provider")).get("/kpi-reports").status_code == 403


@pytest.mark.parametrize(
    "query",
    ["quarter=2026-Q9", "quarter=%00", "team_id=abc", "park_id=99999999999", "versions=some",
     "page=0", "per_page=500", "unknown=1", "team_id=1&team_id=2"],
)  # fmt: skip
def test_odd_queries_are_422(app, make, api, query):
    _park, _team, _member, staff = _setup(make)
    response = api(staff).get(f"/kpi-reports?{query}")
    assert response.status_code == 422, (query, response.get_json())
    assert error_of(response)["code"] == "invalid_fields"


def test_missing_reports_are_404(app, make, api):
    _park, _team, _member, staff = _setup(make)
    assert api(staff).get("/kpi-reports/12345").status_code == 404
    assert api(staff).get("/kpi-reports/99999999999").status_code == 404
