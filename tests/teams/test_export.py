"""Lists export what they show: the team list, the unit list and the audit log as CSV (UTF-8
with BOM) and XLSX, with the filters of the page applied and headers in its language; the
team list shows the contact person and the current lease's last day."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest

from opc.core.dates import format_day, local_today
from opc.core.export import Money, csv_bytes, xlsx_bytes
from tests.conftest import login

ZH = {"Accept-Language": "zh"}
EN = {"Accept-Language": "en"}


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for Chinese
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def read_xlsx(response) -> list[list[object]]:
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


@pytest.fixture
def park(make):
    park = make.park(name_zh="成都园区")
    today = local_today(park.timezone)
    nebula = make.team(
        park, name_zh="星云工作室", status="resident", track="aigc_film", contact_name="张星"
    )
    make.team(park, name_zh="幻境影业", status="resident", track="games", contact_name="李幻")
    make.team(park, name_zh="天枢智能", status="applicant", track="aigc_film")
    unit = make.unit(park, code="2-O01", area_m2=Decimal("1234.5"), rent_fen_per_m2=123456)
    make.allocation(nebula, unit, today - timedelta(days=30), today + timedelta(days=61))
    make.unit(park, code="3-S01", kind="studio", floor=3)
    return park


def test_the_team_list_shows_contact_and_lease_end(client, as_user, park):
    as_user("staff", parks=[park])
    html = client.get("/teams/", headers=ZH).get_data(as_text=True)
    last = format_day(local_today(park.timezone) + timedelta(days=60), "zh")
    assert ">联系人</a></th>" in html and "张星" in html
    assert "租约截止" in html and last in html
    assert 'data-export="csv"' in html and 'data-export="xlsx"' in html


def test_the_team_list_exports_its_filtered_rows_as_csv_and_xlsx(client, as_user, park):
    as_user("staff", parks=[park])
    query = "?track=aigc_film&status=resident&q=xygzs&page=2"  # the export takes every page
    page = client.get(f"/teams/{query}", headers=ZH).get_data(as_text=True)
    assert "/teams/export.csv?" in page and "track=aigc_film" in page
    rows = read_csv(client.get(f"/teams/export.csv{query}", headers=ZH))
    header, *data = rows
    assert header[:4] == ["中文名称", "英文名称", "园区", "赛道"] and "联系人" in header
    assert [r[0] for r in data] == ["星云工作室"]
    row = dict(zip(header, data[0], strict=True))
    assert row["赛道"] == "AIGC 影视" and row["状态"] == "已入驻" and row["联系人"] == "张星"
    assert row["今日空间"] == "2-O01"
    assert row["租约截止"] == (local_today(park.timezone) + timedelta(days=60)).isoformat()
    sheet = read_xlsx(client.get("/teams/export.xlsx?track=aigc_film", headers=EN))
    assert sheet[0][:3] == ["Name (Chinese)", "Name (English)", "Park"]
    assert sorted(r[0] for r in sheet[1:]) == ["天枢智能", "星云工作室"]
    response = client.get("/teams/export.csv", headers=ZH)
    assert "filename*=UTF-8''%E5%9B%A2%E9%98%9F.csv" in response.headers["Content-Disposition"]


def test_exports_are_for_those_who_see_the_list(client, as_user, make, park):
    as_user("member", team=make.team(park))
    assert client.get("/teams/export.csv").status_code == 403
    assert client.get("/teams/export.pdf").status_code == 404


def test_the_unit_list_exports_numbers_as_numbers(client, as_user, park):
    as_user("staff", parks=[park])
    rows = read_csv(client.get(f"/parks/{park.id}/units/export.csv?floor=1", headers=ZH))
    assert rows[0][:4] == ["编号", "类型", "楼层", "面积（m²）"]
    assert rows[1][:6] == ["2-O01", "办公室", "1", "1234.50", "4", "1234.56"]
    assert rows[1][6] == "星云工作室" and len(rows) == 2
    sheet = read_xlsx(client.get(f"/parks/{park.id}/units/export.xlsx", headers=ZH))
    assert [r[0] for r in sheet[1:]] == ["2-O01", "3-S01"]
    assert sheet[1][3] == 1234.5 and sheet[1][5] == 1234.56  # numbers, not text
    assert sheet[1][7].date() == local_today(park.timezone) + timedelta(days=60)  # a date cell


def test_the_audit_log_exports_its_readable_changes(client, make, park):
    admin = make.user("admin")
    login(client, admin.email)
    rows = read_csv(client.get("/audit/export.csv?entity=teams", headers=ZH))
    assert rows[0] == ["时间", "操作人", "操作", "记录类型", "记录", "变更内容"]
    assert {r[4] for r in rows[1:]} == {"星云工作室", "幻境影业", "天枢智能"}
    assert all(r[3] == "团队" for r in rows[1:])
    assert any("状态: 已入驻" in r[5] for r in rows[1:])
    assert "\\u" not in "".join(r[5] for r in rows)


def test_cells_that_would_run_as_formulas_stay_text():
    rows = [['=HYPERLINK("x")', "+1", "plain", Money(123450), date(2026, 1, 2), None, True]]
    text = csv_bytes(["a", "b", "c", "d", "e", "f", "g"], rows).decode("utf-8-sig")
    written = list(csv.reader(io.StringIO(text)))[1]
    assert written == ['\'=HYPERLINK("x")', "'+1", "plain", "1234.50", "2026-01-02", "", "Yes"]
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(["a"] * 7, rows, "t/[x]")))
    sheet = book.active
    assert sheet.title == "t  x"
    assert sheet["A2"].data_type == "s" and sheet["A2"].value == '=HYPERLINK("x")'
    assert sheet["D2"].value == 1234.5 and sheet["E2"].value.date() == date(2026, 1, 2)
    assert sheet["D2"].number_format == '"¥"#,##0.00'


def test_export_links_keep_the_filters_and_the_page_own_arguments(client, as_user, park):
    as_user("staff", parks=[park])
    # A query parameter named like the page's own (park_id) does not clash with it.
    html = client.get(f"/parks/{park.id}/units?floor=1&park_id=999&page=2").get_data(as_text=True)
    link = f"/parks/{park.id}/units/export.csv?floor=1"
    assert link in html and "page=2" not in html.split(link, 1)[1].split('"', 1)[0]
