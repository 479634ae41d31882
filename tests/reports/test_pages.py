"""The reports page: staff see their parks' runs and produce a past month or a new version;
others are refused; downloads follow the same rules."""

from __future__ import annotations

from opc.reports.models import ReportRun
from tests.core.helpers import post_form, rows


def test_staff_produce_a_month_and_a_new_version_and_download(app, make, client, as_user):
    park = make.park()
    as_user("staff", parks=[park])
    produced = post_form(
        client, "/reports", {"park_id": park.id, "period": "2026-02"}, follow_redirects=True
    )
    assert produced.status_code == 200
    html = produced.get_data(as_text=True)
    assert "2026-02" in html and "Done" in html
    [run] = rows(app, ReportRun)
    assert (run.version, run.source) == (1, "manual")
    again = post_form(client, "/reports", {"park_id": park.id, "period": "2026-02"})
    assert again.status_code == 302 and len(rows(app, ReportRun)) == 1
    newer = post_form(
        client, "/reports", {"park_id": park.id, "period": "2026-02", "new_version": "y"}
    )
    assert newer.status_code == 302
    assert [r.version for r in rows(app, ReportRun, order_by=ReportRun.version)] == [1, 2]
    csv_file = client.get(f"/reports/{run.id}/csv")
    assert csv_file.status_code == 200 and csv_file.data.startswith(b"\xef\xbb\xbf")
    assert client.get(f"/reports/{run.id}/xlsx").status_code == 200


def test_a_month_not_over_is_refused_on_its_field(app, make, client, as_user):
    park = make.park()
    as_user("staff", parks=[park])
    refused = post_form(client, "/reports", {"park_id": park.id, "period": "2999-01"})
    assert refused.status_code == 422
    assert "The month is not over yet." in refused.get_data(as_text=True)
    assert rows(app, ReportRun) == []


def test_others_are_refused(app, make, client, as_user):
    park = make.park()
    staff = make.user("staff", parks=[park])
    with app.app_context():
        from opc.reports.operations import produce_report

        run_id = produce_report(park_id=park.id, period="2026-02", actor=staff)[0].id
    as_user("staff", parks=[make.park()])
    assert client.get(f"/reports/{run_id}/csv").status_code == 404
    assert "2026-02" not in client.get("/reports").get_data(as_text=True)
    refused = post_form(client, "/reports", {"park_id": park.id, "period": "2026-01"})
    assert refused.status_code == 404


def test_members_have_no_reports_page(client, as_user):
    as_user("member")
    assert client.get("/reports").status_code == 403
