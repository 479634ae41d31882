"""/api/v1/outcomes: the dashboard's figures for BI tools, the same as the page's; money as
`_yuan` strings; staff of the park or a `reports:read` token; bad input 422 naming its
field, an unknown or another park's 404, a member 403."""

from __future__ import annotations

from datetime import date

import pytest

from opc.extensions import db
from opc.outcomes.dashboard import figures
from opc.parks.models import Park
from tests.core.helpers import error_of


@pytest.fixture
def park(make):
    park = make.park()
    games = make.team(park, status="resident", track="games")
    film = make.team(park, status="graduated", track="aigc_film")
    make.kpi_report(games, 2025, 1, revenue_fen=100_000, taxes_fen=1_000, headcount=4)
    make.kpi_report(games, 2025, 2, revenue_fen=999_999_00, headcount=9)  # Q2: not compared
    make.kpi_report(games, 2026, 1, revenue_fen=150_000, taxes_fen=2_050, headcount=5)
    make.kpi_report(film, 2026, 1, revenue_fen=1, patents_applied=2, trademarks_applied=1)
    make.allocation(games, make.unit(park, area_m2=250), date(2025, 1, 1))
    return park


def test_the_figures_with_a_reports_read_token(app, make, api, park):
    staff = make.user("staff", parks=[park])
    answer = api(staff, scope="reports:read").get(f"/outcomes?park_id={park.id}&year=2026")

    assert answer.status_code == 200
    body = answer.get_json()
    assert body["park_id"] == park.id and body["year"] == 2026
    assert body["quarters_compared"] == 1
    assert body["this_year"]["revenue_yuan"] == "1500.01"
    assert body["this_year"]["taxes_yuan"] == "20.50"
    assert body["this_year"]["ip_applied"] == 3 and body["this_year"]["headcount"] == 5
    assert body["last_year"]["revenue_yuan"] == "1000.00"  # Q1 only, like for like
    revenue = body["headline"]["revenue_yuan"]
    assert revenue == {"this_year": "1500.01", "last_year": "1000.00", "growth_pct": "50.0"}
    assert body["headline"]["headcount"]["growth_pct"] == "25.0"
    assert [t["track"] for t in body["tracks"]] == ["aigc_film", "games"]
    assert body["tracks"][1]["this_year"]["revenue_yuan"] == "1500.00"
    assert len(body["months"]) == len(body["last_year_months"]) == 12
    assert [q["quarter"] for q in body["quarters"]] == [1, 2, 3, 4]
    assert set(body["quarters"][0]) == {
        "quarter",
        "output",
        "rent_waived_yuan",
        "compute_subsidised_yuan",
        "funds_disbursed_yuan",
    }
    month = body["last_year_months"][0]
    assert month["day"] == "2025-01-31" and month["allocated_m2"] == "250.00"
    assert month["occupancy_pct"] == "10.0"


def test_the_api_answers_what_the_page_computes(app, make, api, park):
    staff = make.user("staff", parks=[park])
    body = api(staff).get(f"/outcomes?park_id={park.id}&year=2025").get_json()
    with app.app_context():
        from opc.core.dates import local_today

        record = db.session.get(Park, park.id)
        d = figures.dashboard(record, 2025, local_today(record.timezone))
        heads = {f.key: f for f in figures.headline(d)}
        db.session.remove()
    assert body["quarters_compared"] == 2
    assert body["headline"]["revenue_yuan"]["this_year"] == "1000999.00"
    assert body["headline"]["residents"]["this_year"] == str(heads["residents"].this)
    assert body["headline"]["graduations"]["growth_pct"] is None


def test_the_year_defaults_to_the_parks_current_year(make, api, park):
    staff = make.user("staff", parks=[park])
    body = api(staff).get(f"/outcomes?park_id={park.id}").get_json()
    assert body["year"] >= 2026


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("year=1999", "year"),
        ("year=2101", "year"),
        ("year=abc", "year"),
        ("year=20x6", "year"),
        ("per_page=5", "per_page"),
        ("colour=red", "colour"),
    ],
)
def test_bad_queries_are_422_naming_the_field(make, api, park, query, field):
    staff = make.user("staff", parks=[park])
    answer = api(staff).get(f"/outcomes?park_id={park.id}&{query}")
    assert answer.status_code == 422, query
    assert field in error_of(answer)["fields"]


@pytest.mark.parametrize("query", ["", "park_id=0", "park_id=abc", "park_id=2147483648"])
def test_a_missing_or_bad_park_is_422(make, api, park, query):
    staff = make.user("staff", parks=[park])
    answer = api(staff).get(f"/outcomes?{query}&year=2026")
    assert answer.status_code == 422 and "park_id" in error_of(answer)["fields"]


def test_a_year_given_twice_is_refused(make, api, park):
    staff = make.user("staff", parks=[park])
    answer = api(staff).get(f"/outcomes?park_id={park.id}&year=2026&year=2025")
    assert answer.status_code == 422 and "year" in error_of(answer)["fields"]


def test_unknown_and_other_parks_are_404_members_403(make, api, park):
    other_staff = make.user("staff", parks=[make.park()])
    assert api(other_staff).get(f"/outcomes?park_id={park.id}").status_code == 404
    assert error_of(api(other_staff).get("/outcomes?park_id=999999"))["code"] == "not_found"
    member = make.user("member", team=make.team(park, status="resident"))
    refused = api(member).get(f"/outcomes?park_id={park.id}")
    assert refused.status_code == 403 and error_of(refused)["code"] == "forbidden"


def test_a_token_without_read_scope_is_refused(make, api, park):
    staff = make.user("staff", parks=[park])
    answer = api(staff, scope="usage:write").get(f"/outcomes?park_id={park.id}")
    assert answer.status_code == 403 and error_of(answer)["code"] == "insufficient_scope"


def test_anonymous_callers_are_401(client, park):
    assert client.get(f"/api/v1/outcomes?park_id={park.id}").status_code == 401


def test_the_openapi_document_describes_the_route(client):
    document = client.get("/api/v1/openapi.json").get_json()
    [path] = [p for p in document["paths"] if p.endswith("/outcomes")]
    operation = document["paths"][path]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert params["park_id"]["required"] is True
    assert (params["year"]["schema"]["minimum"], params["year"]["schema"]["maximum"]) == (
        2000,
        2100,
    )
    assert operation["x-scope"] == "reports:read"
    assert {"200", "401", "403", "404", "422"} <= set(operation["responses"])
