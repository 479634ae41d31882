"""The Torch survey's mapping (config/torch.toml): read and checked when the app starts; a
mapping the export could not follow stops the start with a message naming the year, the
column and the fault; another mapping file changes the columns of the download."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from opc.config import ConfigError
from opc.outcomes.torch import mapping
from opc.teams.models import TeamStatusChange
from tests.conftest import make_app


def test_the_shipped_mapping_has_two_years_that_differ():
    forms = mapping.load()
    assert sorted(forms) == [2025, 2026]
    titles = {year: [c.title for c in form.columns] for year, form in forms.items()}
    assert "营业收入（千元）" in titles[2026] and "总收入（千元）" in titles[2025]
    revenue = next(c for c in forms[2026].columns if c.key == "revenue")
    assert (revenue.unit, revenue.decimals, revenue.fen_per_unit) == ("千元", 3, 100_000)


# What the survey asks of every resident enterprise (issue 13), whatever the year's form.
ASKED = {
    "name",
    "uscc",
    "founded_on",
    "moved_in_on",
    "track",
    "area_m2",
    "employees",
    "revenue",
    "rnd",
    "taxes",
    "financing",
    "patents_applied",
    "patents_granted",
    "graduated",
}


def test_every_shipped_year_asks_what_the_survey_asks_with_money_in_thousand_yuan():
    for year, form in mapping.load().items():
        keys = {c.key for c in form.columns}
        assert keys >= ASKED, (year, ASKED - keys)
        money = [c for c in form.columns if mapping.FIELDS[c.key] == "money"]
        assert money and all(c.unit == "千元" and "（千元）" in c.title for c in money), year


@pytest.mark.parametrize(
    ("toml", "says"),
    [
        ("", "names no survey year"),
        (
            '[1999]\ncolumns = [{ key = "name", header = "企业名称" }]',
            "'1999' is not a survey year",
        ),
        ('[next]\ncolumns = [{ key = "name", header = "x" }]', "'next' is not a survey year"),
        ("[2026]\ntitle = 'x'", "year 2026: `columns` must list"),
        ('[2026]\ncolumns = [{ key = "profit", header = "利润" }]', "key 'profit' is not one"),
        ('[2026]\ncolumns = [{ key = "name" }]', "column 1 (name): header must be"),
        (
            '[2026]\ncolumns = [{ key = "name", header = "名称" },'
            ' { key = "revenue", header = "收入", unit = "元元" }]',
            "year 2026, column 2 (revenue): unit '元元' is not one of 万元, 元, 千元",
        ),
        ('[2026]\ncolumns = [{ key = "revenue", header = "收入" }]', "unit '' is not one of"),
        (
            '[2026]\ncolumns = [{ key = "name", header = "名称", unit = "人" }]',
            "is not one of none",
        ),
        (
            '[2026]\ncolumns = [{ key = "revenue", header = "收入", unit = "千元", decimals = 9 }]',
            "decimals must be a whole number from 0 to 6",
        ),
        (
            '[2026]\ncolumns = [{ key = "employees", header = "人", unit = "人", decimals = 1 }]',
            "only money columns take decimals",
        ),
        (
            '[2026]\ncolumns = [{ key = "name", header = "a" }, { key = "name", header = "b" }]',
            "'name' is in more than one column",
        ),
        (
            '[2026]\ncolums = []\ncolumns = [{ key = "name", header = "a" }]',
            "unknown setting 'colums'",
        ),
        (
            '[2026]\ncolumns = [{ key = "name", header = "a", width = 3 }]',
            "unknown setting 'width'",
        ),
        ("[2026\n", "is not valid TOML"),
    ],
)
def test_a_bad_mapping_stops_the_start_naming_the_fault(database_url, tmp_path, toml, says):
    path = tmp_path / "torch.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        make_app(database_url, TORCH_MAPPING_FILE=str(path))
    assert says in str(refused.value)
    assert str(path) in str(refused.value)


def test_a_missing_mapping_file_stops_the_start(database_url, tmp_path):
    with pytest.raises(ConfigError, match="Torch mapping not found"):
        make_app(database_url, TORCH_MAPPING_FILE=str(tmp_path / "none.toml"))


MAPPING = """
[2026]
title = "在孵企业"
columns = [
  { key = "team_name", header = "团队" },
  { key = "revenue", header = "收入", unit = "万元", decimals = 2 },
  { key = "left_on", header = "离园日期" },
]
"""


def test_another_mapping_changes_the_columns_and_units(app, database_url, make, tmp_path):
    path = tmp_path / "torch.toml"
    path.write_text(MAPPING, encoding="utf-8")
    park = make.park()
    team = make.team(park, status="exited", name_zh="星云")
    for to, on in (("resident", date(2025, 2, 1)), ("exited", date(2026, 3, 1))):
        make._save(TeamStatusChange(team_id=team.id, to_status=to, on=on))
    from opc.kpis.models import KpiReport

    make._save(KpiReport(team_id=team.id, year=2026, quarter=1, revenue_fen=123_456_789))
    staff = make.user("staff", parks=[park])
    other = make_app(database_url, TORCH_MAPPING_FILE=str(path))
    try:
        with other.app_context():
            from opc.auth.operations import issue_token

            token = issue_token(staff, scope="reports:read", name="bi")
        response = other.test_client().get(
            f"/api/v1/torch?park_id={park.id}&year=2026",
            headers={"Authorization": f"Bearer {token}"},
        )
        unknown = other.test_client().get(
            f"/api/v1/torch?park_id={park.id}&year=2025",
            headers={"Authorization": f"Bearer {token}"},
        )
    finally:
        with other.app_context():
            from opc.extensions import db

            db.engine.dispose()
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[1] == ("团队", "收入（万元）", "离园日期")
    assert rows[2][0] == "星云" and str(rows[2][1]) == "123.46"  # 1,234,567.89 yuan in 万元
    assert rows[2][2].date() == date(2026, 3, 1)
    assert unknown.status_code == 404  # that file has no 2025
