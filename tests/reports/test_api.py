"""/api/v1/reports: produce (201 new, 200 existing), list by park and period, download the
files with a `reports:read` token; staff of the park only."""

from __future__ import annotations

from opc.reports.models import ReportRun
from tests.core.helpers import error_of, rows
from tests.reports.helpers import csv_rows, workbook


def test_produce_then_the_existing_run_then_a_new_version(make, api):
    park = make.park()
    staff = make.user("staff", parks=[park])
    client = api(staff)
    created = client.post(
        "/reports", json={"park_id": park.id, "kind": "monthly_subsidy", "period": "2026-02"}
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["status"], body["version"], body["source"]) == ("done", 1, "manual")
    assert body["created_by_id"] == staff.id
    assert sorted(f["format"] for f in body["files"]) == ["csv", "xlsx"]
    again = client.post(
        "/reports", json={"park_id": park.id, "kind": "monthly_subsidy", "period": "2026-02"}
    )
    assert again.status_code == 200 and again.get_json()["id"] == body["id"]
    newer = client.post(
        "/reports",
        json={
            "park_id": park.id,
            "kind": "monthly_subsidy",
            "period": "2026-02",
            "new_version": True,
        },
    )
    assert newer.status_code == 201 and newer.get_json()["version"] == 2


def test_the_list_and_downloads_with_a_reports_read_token(app, make, api):
    park, other = make.park(), make.park()
    staff = make.user("staff", parks=[park])
    api(staff).post(
        "/reports", json={"park_id": park.id, "kind": "monthly_subsidy", "period": "2026-02"}
    )
    api(make.user("admin")).post("/reports", json={"park_id": other.id, "period": "2026-02"})
    bi = api(staff, scope="reports:read")
    listed = bi.get(f"/reports?park_id={park.id}&period=2026-02")
    assert listed.status_code == 200
    [item] = listed.get_json()["items"]
    assert item["status"] == "done" and listed.get_json()["total"] == 1
    urls = {f["format"]: f["url"] for f in item["files"]}
    csv_file = bi.get(urls["csv"].removeprefix("/api/v1"))
    assert csv_file.status_code == 200 and csv_file.mimetype == "text/csv"
    assert csv_rows(csv_file.data)[0][:2] == ["Section", "Team"]
    xlsx_file = bi.get(urls["xlsx"].removeprefix("/api/v1"))
    assert xlsx_file.status_code == 200
    assert workbook(xlsx_file.data).active.freeze_panes == "A2"
    assert "attachment" in xlsx_file.headers["Content-Disposition"]
    # The staff member sees only the park's runs; the token may not produce.
    assert bi.get("/reports").get_json()["total"] == 1
    refused = bi.post("/reports", json={"park_id": park.id, "period": "2026-01"})
    assert refused.status_code == 403
    assert error_of(refused)["code"] == "insufficient_scope"


def test_others_see_nothing(app, make, api):
    park = make.park()
    staff = make.user("staff", parks=[park])
    run_id = (
        api(staff).post("/reports", json={"park_id": park.id, "period": "2026-02"}).get_json()["id"]
    )
    outsider = api(make.user("staff", parks=[make.park()]))
    assert outsider.get(f"/reports/{run_id}").status_code == 404
    assert outsider.get(f"/reports/{run_id}/files/csv").status_code == 404
    assert (
        outsider.post("/reports", json={"park_id": park.id, "period": "2026-01"}).status_code == 404
    )
    member = api(make.user("member"))
    assert member.get("/reports").status_code == 403
    assert (
        member.post("/reports", json={"park_id": park.id, "period": "2026-01"}).status_code == 403
    )
    assert len(rows(app, ReportRun)) == 1


def test_bad_requests_are_refused_with_their_field(make, api):
    park = make.park()
    client = api(make.user("staff", parks=[park]))
    for period, field in (("2026-13", "period"), ("2999-01", "period")):
        refused = client.post("/reports", json={"park_id": park.id, "period": period})
        assert refused.status_code == 422 and field in error_of(refused)["fields"]
    unknown = client.post(
        "/reports", json={"park_id": park.id, "period": "2026-01", "kind": "torch"}
    )
    assert unknown.status_code == 422
    assert client.get("/reports?period=March").status_code == 422
    assert client.get("/reports/999999/files/csv").status_code == 404
