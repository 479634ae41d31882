"""Issue 13 through the pages in a real browser: a team's member sees on the team's page that
the quarter's KPI report is due, files it (one figure refused on its field, the typed values
kept, then corrected); staff see the team filed and the other not on /kpis, remind the one
that has not; then staff produce the month's subsidy report on /reports and download its
CSV (UTF-8 with the BOM) and XLSX (a zip) through the page's links. axe-core on every page.

The clock is 5 October 2026 in Shanghai (ticking): teams file 2026-Q3, due by the 15th, and
September 2026 is a month over."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from opc.kpis.models import KpiReport
from opc.notifications.models import Notification
from opc.reports.models import ReportRun
from tests.browser.test_pages import axe_violations, log_in
from tests.core.helpers import rows

pytestmark = [pytest.mark.slow, pytest.mark.browser]

OCTOBER = datetime(2026, 10, 5, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
FIGURES = {
    "#revenue_yuan": "1,280,000.50",
    "#financing_yuan": "3000000",
    "#rnd_yuan": "420000",
    "#taxes_yuan": "76800",
    "#headcount": "14",
    "#graduates_hired": "3",
    "#software_copyrights_applied": "2",
    "#works_released": "4",
}


def _accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, "\n".join(violations)


def _member_files(page: Any, email: str, team_id: int, shots: Path) -> None:
    log_in(page, email)
    page.goto(f"/teams/{team_id}")
    card = page.locator("section#kpis")
    assert "Q3 2026 KPI report due by" in card.inner_text()
    assert card.locator("[data-due]").get_attribute("data-due") == "2026-Q3"
    _accessible(page)
    card.locator("a.button.primary").click()
    page.wait_for_load_state("load")
    assert page.url.endswith(f"/teams/{team_id}/kpis/2026-Q3/file")
    _accessible(page)
    for selector, value in FIGURES.items():
        page.locator(selector).fill(value)
    page.locator("#patents_applied").fill("1.5")  # not a whole number
    page.locator("#note").fill("三季度上线两部AIGC短剧。")
    with page.expect_navigation():
        page.locator("form.kpi-form button.primary").click()
    assert page.log.expect_error_status(422, f"/teams/{team_id}/kpis/2026-Q3/file") == 1
    error = page.locator("#patents_applied-err")
    assert "Must be a whole number." in error.inner_text()
    assert page.locator("#patents_applied").get_attribute("aria-invalid") == "true"
    # Everything typed is still there.
    assert page.locator("#revenue_yuan").input_value() == "1,280,000.50"
    assert page.locator("#patents_applied").input_value() == "1.5"
    assert page.locator("#note").input_value() == "三季度上线两部AIGC短剧。"
    _accessible(page)
    page.screenshot(path=shots, full_page=True)
    page.locator("#patents_applied").fill("1")
    with page.expect_navigation():
        page.locator("form.kpi-form button.primary").click()
    assert page.url.endswith(f"/teams/{team_id}/kpis")
    assert "Q3 2026 KPI report filed." in page.locator(".flashes").inner_text()
    row = page.locator("tr[data-quarter='2026-Q3']")
    assert "¥1,280,000.50" in row.inner_text() and row.get_attribute("data-version") == "1"
    _accessible(page)
    page.log.assert_clean(page)


def _staff_see_and_remind(page: Any, email: str, park_id: int, filed: int, missing: int) -> None:
    log_in(page, email)
    page.goto("/kpis")
    page.locator("select[name=park_id]").select_option(str(park_id))
    with page.expect_navigation():
        page.locator("form.filters button[type=submit]").click()
    assert f"park_id={park_id}" in page.url and "quarter=2026-Q3" in page.url
    assert page.locator(f"tr[data-team='{filed}']").get_attribute("data-state") == "filed"
    assert "¥1,280,000.50" in page.locator(f"tr[data-team='{filed}']").inner_text()
    assert page.locator(f"tr[data-team='{missing}']").get_attribute("data-state") == "missing"
    assert "1 of 2 teams filed" in page.locator("[data-summary]").inner_text()
    _accessible(page)
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.locator("form[action$='/kpis/remind'] button").click()
    assert "1 team that has not filed was reminded." in page.locator(".flashes").inner_text()
    page.log.assert_clean(page)


def _download(page: Any, fmt: str, folder: Path) -> bytes:
    with page.expect_download() as info:
        page.locator(f"table.report-runs a[href$='/{fmt}']").first.click()
    target = folder / f"report.{fmt}"
    info.value.save_as(target)
    return target.read_bytes()


def _staff_produce_and_download(page: Any, park_id: int, folder: Path) -> None:
    page.goto("/reports")
    _accessible(page)
    page.locator("#park_id").select_option(str(park_id))
    page.locator("#period").fill("2026-09")
    with page.expect_navigation():
        page.locator("main form[action$='/reports'] button[type=submit]").click()
    assert "Report produced: version 1." in page.locator(".flashes").inner_text()
    row = page.locator("table.report-runs tbody tr").first
    assert "2026-09" in row.inner_text()
    csv_bytes = _download(page, "csv", folder)
    assert csv_bytes.startswith(b"\xef\xbb\xbf")
    header = next(csv.reader(io.StringIO(csv_bytes.decode("utf-8-sig"))))
    assert len(header) > 3 and all(header)
    xlsx_bytes = _download(page, "xlsx", folder)
    assert xlsx_bytes.startswith(b"PK") and zipfile.is_zipfile(io.BytesIO(xlsx_bytes))
    _accessible(page)
    page.log.assert_clean(page)


def test_a_team_files_its_kpis_and_staff_see_them_and_download_a_report(
    app, make, page, tmp_path, screenshot_dir, backend
):
    park = make.park(name_zh="成都OPC孵化园", name_en="Chengdu OPC Hub")
    team = make.team(park, name_zh="星云工作室", name_en="Nebula Studio", status="resident")
    late = make.team(park, name_zh="极光数字人", name_en="Aurora Humans", status="resident")
    member = make.user("member", team=team)
    late_member = make.user("member", team=late)
    staff = make.user("staff", parks=[park])

    with time_machine.travel(OCTOBER, tick=True):
        _member_files(page, member.email, team.id, screenshot_dir / f"kpis-file-{backend}.png")
        page.screenshot(path=screenshot_dir / f"kpis-team-{backend}.png", full_page=True)

        page.context.clear_cookies()
        _staff_see_and_remind(page, staff.email, park.id, team.id, late.id)
        page.screenshot(path=screenshot_dir / f"kpis-quarter-{backend}.png", full_page=True)

        _staff_produce_and_download(page, park.id, tmp_path)

    [report] = rows(app, KpiReport)
    assert (report.team_id, report.period, report.patents_applied) == (team.id, "2026-Q3", 1)
    assert (report.revenue_fen, report.filed_by_id) == (128_000_050, member.id)
    assert {n.user_id for n in rows(app, Notification, Notification.kind == "kpi.due")} == {
        late_member.id
    }
    assert [r.period for r in rows(app, ReportRun)] == ["2026-09"]
