"""Who may download the Torch survey's table, and the errors of a bad park or year: staff of
the park (or a BI tool with their `reports:read` token); others find nothing (404); a token
of another scope is refused (403); a year the mapping lacks is 404 naming the years it has."""

from __future__ import annotations

import pytest

from tests.core.helpers import error_of, text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_staff_see_the_years_and_download(make, client, as_user):
    park = make.park()
    as_user("staff", parks=[park])
    page = client.get("/outcomes/torch")
    assert page.status_code == 200
    html = text(page)
    assert f'<option value="{park.id}">' in html
    assert 'data-year="2025"' in html and 'data-year="2026"' in html
    assert "营业收入（千元）" in html
    response = client.get(f"/outcomes/torch.xlsx?park_id={park.id}&year=2026")
    assert response.status_code == 200 and response.mimetype == XLSX
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "/outcomes/torch" in text(client.get("/reports"))  # reached from the reports page


def test_a_bi_tool_downloads_with_a_reports_read_token(make, api):
    park = make.park()
    staff = make.user("staff", parks=[park])
    response = api(staff, scope="reports:read").get(f"/torch?park_id={park.id}&year=2026")
    assert response.status_code == 200 and response.mimetype == XLSX
    refused = api(staff, scope="usage:write").get(f"/torch?park_id={park.id}&year=2026")
    assert refused.status_code == 403
    assert error_of(refused)["code"] == "insufficient_scope"


def test_the_api_document_describes_the_download(client):
    operation = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/torch"]["get"]
    assert operation["x-scope"] == "reports:read"
    assert operation["responses"]["200"]["content"][XLSX]["schema"]["format"] == "binary"
    params = {p["name"]: p for p in operation["parameters"]}
    assert params["year"]["required"] and params["park_id"]["required"]
    assert (params["year"]["schema"]["minimum"], params["year"]["schema"]["maximum"]) == (
        2000,
        2100,
    )
    assert "404" in operation["responses"]


def test_the_page_in_chinese(make, client, as_user):
    park = make.park()
    as_user("staff", parks=[park])
    html = text(client.get("/outcomes/torch", headers={"Accept-Language": "zh"}))
    assert "火炬统计" in html and "统计年度" in html and "下载 XLSX" in html


def test_members_and_other_parks_staff_find_nothing(make, client, as_user, api):
    park = make.park()
    member = make.user("member", team=make.team(park))
    outsider = make.user("staff", parks=[make.park()])
    for user in (member, outsider):
        response = api(user).get(f"/torch?park_id={park.id}&year=2026")
        assert response.status_code == 404, user.role
        assert error_of(response)["code"] == "not_found"
    as_user("member", team=make.team(park))
    assert client.get("/outcomes/torch").status_code == 404
    assert client.get(f"/outcomes/torch.xlsx?park_id={park.id}&year=2026").status_code == 404


def test_a_year_without_a_form_is_404_naming_the_known_years(make, client, as_user, api):
    park = make.park()
    staff = make.user("staff", parks=[park])
    response = api(staff).get(f"/torch?park_id={park.id}&year=2024")
    assert response.status_code == 404
    error = error_of(response)
    assert error["code"] == "torch_year_unknown" and "2025, 2026" in error["message"]
    as_user("staff", parks=[park])
    page = client.get(f"/outcomes/torch.xlsx?park_id={park.id}&year=2030")
    assert page.status_code == 404 and "2025, 2026" in text(page)


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("year=2026", 422, "park_id"),
        ("park_id={park}", 422, "year"),
        ("park_id={park}&year=1999", 422, "year"),
        ("park_id={park}&year=twenty", 422, "year"),
        ("park_id=0&year=2026", 422, "park_id"),
        ("park_id=999999&year=2026", 404, None),
        ("park_id={park}&year=2026&format=csv", 422, "format"),
    ],
)
def test_bad_parameters_are_refused_on_the_api(make, api, query, status, field):
    park = make.park()
    staff = make.user("staff", parks=[park])
    response = api(staff).get(f"/torch?{query.format(park=park.id)}")
    assert response.status_code == status, response.get_json()
    if field:
        assert field in error_of(response)["fields"]


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("year=2026", 422),
        ("park_id={park}", 422),
        ("park_id={park}&year=1999", 422),
        ("park_id=999999&year=2026", 404),
        ("park_id={park}&year=x", 422),
    ],
)
def test_bad_parameters_are_refused_on_the_page(make, client, as_user, query, status):
    park = make.park()
    as_user("staff", parks=[park])
    response = client.get(f"/outcomes/torch.xlsx?{query.format(park=park.id)}")
    assert response.status_code == status
