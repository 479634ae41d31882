"""The outcome dashboard page: staff of the park see the headline figures, the charts (SVG
with a text alternative naming its table) and the tables in both languages, money as ¥
with fen; an empty year says what to do; team members, another park's staff and unknown
parks get 404; odd query strings never answer 500."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.conftest import login
from tests.core.helpers import text

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en"}


@pytest.fixture
def park_with_output(make):
    park = make.park()
    team = make.team(park, status="resident", track="games")
    other = make.team(park, status="resident", track="aigc_film")
    make.kpi_report(team, 2026, 1, revenue_fen=123_456, taxes_fen=7_800, headcount=3)
    make.kpi_report(team, 2025, 1, revenue_fen=100_000, headcount=2)
    make.kpi_report(other, 2026, 1, revenue_fen=50, headcount=1)
    make.allocation(team, make.unit(park), date(2025, 1, 1))
    return park


def test_staff_see_figures_charts_and_tables(client, as_user, park_with_output):
    park = park_with_output
    as_user("staff", parks=[park])
    page = client.get(f"/outcomes?park_id={park.id}&year=2026", headers=EN)
    html = text(page)

    assert page.status_code == 200
    assert "Outcomes of" in html and "2026" in html
    revenue = re.search(r'<tr data-figure="revenue_yuan">.*?</tr>', html, re.S).group(0)
    assert "¥1,235.06" in revenue and "▲ 23.5%" in revenue and "¥1,000.00" in revenue
    headcount = re.search(r'data-figure="headcount".*?</div>', html, re.S).group(0)
    assert ">4<" in headcount and "▲ 100.0%" in headcount
    # Occupancy moves in percentage points (30 m² of 2,500 held both years).
    occupancy = re.search(r'data-figure="occupancy_pct".*?</div>', html, re.S).group(0)
    assert "1.2%" in occupancy and "0.0 pp" in occupancy
    # Each chart is an image with a label and the table that holds its numbers.
    for table in ("tracks-table", "months-table", "subsidy-table"):
        assert f'aria-describedby="{table}"' in html and f'id="{table}"' in html
    assert html.count('role="img"') >= 3
    assert 'data-track="games"' in html and 'data-track="aigc_film"' in html
    assert '<td class="num">¥1,234.56</td>' in html  # games' revenue this year
    assert "No KPI reports filed" not in html
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_page_in_chinese(client, as_user, park_with_output):
    park = park_with_output
    as_user("staff", parks=[park])
    html = text(client.get(f"/outcomes?park_id={park.id}&year=2026", headers=ZH))

    assert "2026年成效" in html and "各赛道产出" in html and "每月在园团队与出租率" in html
    assert "补贴支出与营收、税收对比" in html and "0.0个百分点" in html
    assert "Output by track" not in html


def test_an_empty_year_says_to_remind_teams(client, as_user, make):
    park = make.park()
    as_user("staff", parks=[park])
    html = text(client.get(f"/outcomes?park_id={park.id}&year=2026", headers=EN))

    assert "No KPI reports filed for 2026 yet — remind teams on the KPI page." in html
    assert "No team graduated in 2026." in html
    zh = text(client.get(f"/outcomes?park_id={park.id}&year=2026", headers=ZH))
    assert "2026年尚无团队提交KPI报告" in zh


def test_without_a_park_the_staffs_first_park_is_shown(client, as_user, make):
    park = make.park()
    as_user("staff", parks=[park])
    page = client.get("/outcomes")
    assert page.status_code == 200 and f'value="{park.id}" selected' in text(page)


def test_a_year_outside_the_calendar_is_a_clear_422(client, as_user, make):
    park = make.park()
    as_user("staff", parks=[park])
    assert client.get(f"/outcomes?park_id={park.id}&year=1999").status_code == 422
    assert client.get(f"/outcomes?park_id={park.id}&year=99999999999").status_code == 422
    for odd in ("year=abc", "park_id=x", "park_id=&year=", "year=2026.5", "park_id=%00"):
        assert client.get(f"/outcomes?{odd}").status_code in (200, 404, 422), odd


def test_members_and_other_parks_staff_get_404(client, as_user, make, park_with_output):
    park = park_with_output
    member_team = make.team(park, status="resident")
    as_user("member", team=member_team)
    assert client.get(f"/outcomes?park_id={park.id}").status_code == 404
    assert client.get("/outcomes").status_code == 404


def test_another_parks_staff_and_unknown_parks_get_404(client, as_user, make, park_with_output):
    as_user("staff", parks=[make.park()])
    assert client.get(f"/outcomes?park_id={park_with_output.id}").status_code == 404
    assert client.get("/outcomes?park_id=999999").status_code == 404


def test_admins_see_any_park(client, as_user, park_with_output):
    as_user("admin")
    assert client.get(f"/outcomes?park_id={park_with_output.id}").status_code == 200


def test_the_nav_shows_outcomes_to_staff_only(app, client, as_user, make):
    park = make.park()
    as_user("staff", parks=[park])
    assert 'href="/outcomes"' in text(client.get("/outcomes"))
    member = make.user("member", team=make.team(park, status="resident"))
    other = app.test_client()
    login(other, member.email)
    assert 'href="/outcomes"' not in text(other.get("/account"))
