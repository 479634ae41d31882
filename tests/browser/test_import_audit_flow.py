"""Issue 15 through the pages in Chinese, in a real browser: staff import a CSV written with
Chinese headers and the labels the pages show ("AIGC 影视", "个人", "申请人"), find a team
by the initials of its pinyin ("xygzs"), export the filtered list; an admin renames a team
and reads the audit entry as "名称: 旧 → 新", without \\u escapes, with a link to the team.
Every page is checked with axe-core, for console errors and CSP violations."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from opc.teams.models import Team
from tests.browser.test_pages import axe_violations, log_in, switch_language
from tests.core.helpers import rows

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CSV_ZH = (
    "中文名称,英文名称,赛道,类型,状态,联系人\n"
    "星云工作室,Nebula Studio,AIGC 影视,个人,申请人,张星\n"
    "幻境影业,Mirage Pictures,虚拟数字人,企业,已录取,李幻\n"
)


def assert_clean(page: Any, where: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"{where}:\n" + "\n".join(violations)
    page.log.assert_clean(page)


def test_import_in_chinese_search_by_initials_export_and_read_the_audit(page, make, app, tmp_path):
    park = make.park(name_zh="成都OPC孵化园", name_en="Chengdu OPC Hub", team_cap=5)
    staff = make.user("staff", parks=[park])
    log_in(page, staff.email)
    switch_language(page, "zh")

    page.goto("/teams/import")
    assert page.locator("tr[data-column=track]").inner_text().count("AIGC 影视") == 1
    assert_clean(page, "import page")
    data = tmp_path / "团队.csv"
    data.write_bytes(CSV_ZH.encode("gb18030"))  # as Excel on Chinese Windows saves it
    page.locator("input[type=file]").set_input_files(str(data))
    with page.expect_navigation():
        page.locator("form button[type=submit].primary").click()
    assert page.url.endswith(f"/teams/?park_id={park.id}")
    teams = {t.name_zh: t for t in rows(app, Team)}
    assert (teams["星云工作室"].track, teams["星云工作室"].kind) == ("aigc_film", "solo")
    assert teams["幻境影业"].status == "admitted"

    page.locator("input[name=q]").fill("xygzs")
    with page.expect_navigation():
        page.locator("form.filters button[type=submit]").click()
    listed = page.locator("tr[data-team]")
    assert listed.count() == 1 and "星云工作室" in listed.inner_text()
    assert "张星" in listed.inner_text()  # the contact person column
    with page.expect_download() as download:
        page.locator("a[data-export=csv]").click()
    exported = download.value.path().read_bytes()
    assert exported.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(exported.decode("utf-8-sig"))))
    assert table[0][0] == "中文名称" and [r[0] for r in table[1:]] == ["星云工作室"]
    assert_clean(page, "team list")

    admin = make.user("admin", name="管理员")
    page.context.clear_cookies()
    log_in(page, admin.email)
    switch_language(page, "zh")
    page.goto(f"/teams/{teams['星云工作室'].id}/edit")
    page.locator("#name_zh").fill("星云影业")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    page.goto("/audit/?entity=teams")
    entry = page.locator("tr[data-entry]").first
    text = " ".join(entry.inner_text().split())
    assert "名称: 星云工作室 → 星云影业" in text.replace(" :", ":")
    assert "\\u" not in page.content()
    assert entry.locator(f"a[href='/teams/{teams['星云工作室'].id}']").inner_text() == "星云影业"
    assert_clean(page, "audit log")
