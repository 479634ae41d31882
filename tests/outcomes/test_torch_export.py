"""The Torch survey's table: one row per enterprise resident on any day of the year (those
that left during it too), headers with units as the year's form prints them, the year's
current KPI versions summed, money in 千元 to the yuan, rounded half up."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook

from opc.kpis.models import KpiReport
from opc.teams.models import TeamStatusChange


def resident(make: Any, park: Any, moved_in: date, left: date | None = None, **kw: Any) -> Any:
    """A team that moved in on `moved_in` and, with `left`, graduated (or `left_as`) then."""
    left_as = kw.pop("left_as", "graduated")
    team = make.team(park, status=left_as if left else "resident", **kw)
    make._save(
        TeamStatusChange(team_id=team.id, from_status="admitted", to_status="resident", on=moved_in)
    )
    if left:
        make._save(
            TeamStatusChange(team_id=team.id, from_status="resident", to_status=left_as, on=left)
        )
    return team


def kpi(make: Any, team: Any, year: int, quarter: int, **figures: Any) -> Any:
    values = {"team_id": team.id, "year": year, "quarter": quarter, "version": 1, **figures}
    return make._save(KpiReport(**values))


def sheet_of(response: Any) -> Any:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return load_workbook(io.BytesIO(response.data)).active


def table(sheet: Any) -> tuple[list[str], list[dict[str, Any]]]:
    """The header row (the second; the first names park and year) and the rows by header."""
    values = list(sheet.iter_rows(values_only=True))
    headers = list(values[1])
    return headers, [dict(zip(headers, row, strict=True)) for row in values[2:]]


def download(client: Any, park: Any, year: int) -> Any:
    return client.get(f"/outcomes/torch.xlsx?park_id={park.id}&year={year}")


def test_one_row_per_enterprise_resident_during_the_year(make, client, as_user):
    park, other = make.park(name_zh="星河园区"), make.park()
    resident(make, park, date(2025, 3, 1), name_zh="甲", legal_name="成都甲有限公司")
    resident(make, park, date(2026, 5, 1), date(2026, 10, 1), name_zh="乙")
    resident(make, park, date(2024, 1, 1), date(2026, 2, 1), name_zh="丙", left_as="exited")
    resident(make, park, date(2024, 1, 1), date(2026, 1, 1), name_zh="去年离开")  # left on New Year
    resident(make, park, date(2027, 1, 1), name_zh="明年入驻")
    resident(make, park, date(2026, 12, 1), date(2027, 1, 1), name_zh="丁")  # graduates next year
    resident(make, other, date(2025, 1, 1), name_zh="别的园区")
    make.team(park, status="applicant", name_zh="申请人")
    as_user("staff", parks=[park])

    sheet = sheet_of(download(client, park, 2026))

    assert sheet.freeze_panes == "A3"  # the title and header rows stay in view
    title = sheet["A1"].value
    assert "星河园区" in title and "2026" in title
    headers, rows = table(sheet)
    assert headers[:3] == ["企业名称", "统一社会信用代码", "注册时间"]
    assert "营业收入（千元）" in headers and "从业人员（人）" in headers
    assert "占用孵化场地面积（平方米）" in headers and "是否当年毕业（是/否）" in headers
    assert [r["企业名称"] for r in rows] == ["丙", "成都甲有限公司", "乙", "丁"]  # by move-in
    assert [r["是否当年毕业（是/否）"] for r in rows] == ["否", "否", "是", "否"]


def test_figures_are_the_years_current_versions_in_thousand_yuan(app, make, client, as_user):
    park = make.park()
    team = resident(make, park, date(2025, 3, 1), founded_on=date(2024, 11, 8), track="vfx")
    left = resident(make, park, date(2025, 1, 1), date(2026, 7, 1))
    early = make.unit(park, area_m2=Decimal("35.50"))
    late = make.unit(park, area_m2=Decimal("20.25"))
    gone = make.unit(park, area_m2=Decimal("12.00"))
    make.allocation(team, early, date(2025, 3, 1))  # held all year
    make.allocation(team, late, date(2025, 3, 1), date(2026, 6, 1))  # given back in June
    make.allocation(left, gone, date(2025, 1, 1), date(2026, 7, 1))  # held to its last day
    kpi(make, team, 2026, 1, revenue_fen=123_456_789, headcount=5, graduates_hired=1, rnd_fen=50)
    superseded = datetime(2026, 7, 3, tzinfo=UTC)
    kpi(make, team, 2026, 2, revenue_fen=999_999_999, headcount=40, superseded_at=superseded)
    kpi(make, team, 2026, 2, version=2, revenue_fen=1, headcount=7, patents_granted=2)
    kpi(make, team, 2026, 3, taxes_fen=149, financing_fen=10_000_000_000, headcount=6)
    kpi(make, team, 2025, 4, revenue_fen=77_777_700, headcount=99)  # another year
    as_user("staff", parks=[park])

    _headers, rows = table(sheet_of(download(client, park, 2026)))

    [row] = [r for r in rows if r["企业名称"] == team.name_zh]
    # 1,234,567.89 + 0.01 yuan (the correction, not the superseded 9,999,999.99) = 1234.568 千元.
    assert Decimal(str(row["营业收入（千元）"])) == Decimal("1234.568")
    # 0.50 yuan is 0.0005 千元: half up.
    assert Decimal(str(row["研究与试验发展经费支出（千元）"])) == Decimal("0.001")
    assert Decimal(str(row["上缴税费（千元）"])) == Decimal("0.001")  # 1.49 yuan
    assert Decimal(str(row["当年获得投融资额（千元）"])) == Decimal("100000")
    assert row["从业人员（人）"] == 6  # the last filed quarter's, not a sum
    assert row["其中：应届大学毕业生（人）"] == 0
    assert row["当年知识产权授权数：专利（件）"] == 2
    assert row["注册时间"].date() == date(2024, 11, 8)
    assert row["入孵时间"].date() == date(2025, 3, 1)
    assert row["技术领域"] == "影视特效"  # the form is in Chinese, whatever the page's language
    assert Decimal(str(row["占用孵化场地面积（平方米）"])) == Decimal("35.50")
    [gone_row] = [r for r in rows if r["企业名称"] == left.name_zh]
    assert Decimal(str(gone_row["占用孵化场地面积（平方米）"])) == Decimal("12.00")
    assert gone_row["营业收入（千元）"] == 0 and gone_row["是否当年毕业（是/否）"] == "是"


def test_the_years_form_decides_the_columns(make, client, as_user):
    park = make.park()
    team = resident(make, park, date(2024, 6, 1))
    kpi(make, team, 2025, 4, revenue_fen=123_456_789, trademarks_granted=4)
    as_user("staff", parks=[park])

    headers_2025, rows_2025 = table(sheet_of(download(client, park, 2025)))
    headers_2026, _rows = table(sheet_of(download(client, park, 2026)))

    assert "总收入（千元）" in headers_2025 and "营业收入（千元）" not in headers_2025
    assert "营业收入（千元）" in headers_2026 and "当年知识产权授权数：商标（件）" in headers_2026
    assert "当年知识产权授权数：商标（件）" not in headers_2025
    assert headers_2025.index("研究与试验发展经费支出（千元）") < headers_2025.index(
        "上缴税费（千元）"
    )
    assert headers_2026.index("研究与试验发展经费支出（千元）") > headers_2026.index(
        "上缴税费（千元）"
    )
    assert Decimal(str(rows_2025[0]["总收入（千元）"])) == Decimal("1234.568")


def test_few_statements_whatever_the_number_of_teams(app, make, client, as_user, count_queries):
    park = make.park()
    for n in range(6):
        team = resident(make, park, date(2025, 1, 1 + n))
        kpi(make, team, 2026, 1, revenue_fen=n)
        make.allocation(team, make.unit(park), date(2025, 1, 1 + n))
    as_user("staff", parks=[park])
    with count_queries() as counted:
        assert len(table(sheet_of(download(client, park, 2026)))[1]) == 6
    # One statement each for the residency, the KPI reports and the space, not one per team.
    for table_name in ("team_status_changes", "kpi_reports", "allocations"):
        assert sum(table_name in s for s in counted) == 1, table_name
    assert len(counted) <= 10
