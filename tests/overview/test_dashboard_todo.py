"""The park dashboard is something to act on: applicants waiting (oldest first), allocations
ending in the next 30 days, resident teams without space, each count linking to the team
list filtered to exactly those teams; a share that would round to 0% shows a decimal."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from html import unescape

import pytest
import time_machine

from tests.core.helpers import text

EN = {"Accept-Language": "en"}
TODAY = date(2026, 6, 15)  # the park's day (Asia/Shanghai) the tests run on


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-06-15 04:00:00+00:00", tick=True):
        yield


def todo(html, kind):
    """The dashboard card of one kind of item: its heading link and its list entries."""
    card = re.search(rf'<section class="card" data-todo="{kind}">(.*?)</section>', html, re.S)
    assert card, f"no {kind} card"
    href, heading = re.search(r'<h3><a href="([^"]+)">(.*?)</a></h3>', card.group(1)).groups()
    items = re.findall(r"<li>(.*?)</li>", card.group(1), re.S)
    entries = [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]
    return unescape(href), heading, entries


def listed(client, href):
    """The team names the (filtered) team list shows."""
    html = text(client.get(href, headers=EN))
    return re.findall(r'<tr data-team="\d+">\s*<td><a href="[^"]+">([^<]+)</a>', html)


@pytest.fixture
def park(make):
    park = make.park(total_area_m2=Decimal("2500"))
    for name, since in [
        ("新申请", date(2026, 6, 1)),
        ("最早申请", date(2026, 3, 2)),
        ("中间申请", date(2026, 5, 1)),
    ]:
        make.team(park, name_zh=name, status="applicant", status_since=since)
    ends_soon = make.team(park, name_zh="快到期", status="resident", status_since=date(2025, 1, 1))
    ends_later = make.team(park, name_zh="晚到期", status="resident", status_since=date(2025, 1, 1))
    open_ended = make.team(park, name_zh="长期", status="resident", status_since=date(2025, 1, 1))
    make.team(park, name_zh="无空间", status="resident", status_since=date(2025, 1, 1))
    ended = make.team(park, name_zh="已到期", status="resident", status_since=date(2025, 1, 1))
    # Last days: 15 July (in 30 days: end 16 July), 16 July (31 days away), today (ended).
    make.allocation(
        ends_soon, make.unit(park, code="A-101"), date(2025, 2, 1), TODAY + timedelta(days=31)
    )
    make.allocation(
        ends_later, make.unit(park, code="A-102"), date(2025, 2, 1), TODAY + timedelta(days=32)
    )
    make.allocation(open_ended, make.unit(park, code="A-103"), date(2025, 2, 1))
    make.allocation(ended, make.unit(park, code="A-104"), date(2025, 2, 1), TODAY)
    return park


def test_applicants_waiting_oldest_first_link_to_the_applicants(client, park, as_user):
    as_user("staff", parks=[park])
    html = text(client.get(f"/parks/{park.id}", headers=EN))

    href, heading, entries = todo(html, "applicants")

    assert heading == "3 applicants waiting"
    assert [e.split(" ")[0] for e in entries] == ["最早申请", "中间申请", "新申请"]
    assert "applied 2 Mar 2026" in entries[0] and "105 days ago" in entries[0]
    assert sorted(listed(client, href)) == sorted(["最早申请", "中间申请", "新申请"])


def test_allocations_ending_in_30_days_link_to_their_teams(client, park, as_user):
    as_user("staff", parks=[park])
    html = text(client.get(f"/parks/{park.id}", headers=EN))

    href, heading, entries = todo(html, "ending")

    assert heading == "1 allocation ends in the next 30 days"
    assert entries == ["A-101 · 快到期 last day 15 Jul 2026"]
    assert listed(client, href) == ["快到期"]


def test_residents_without_space_link_to_them(client, park, as_user):
    as_user("staff", parks=[park])
    html = text(client.get(f"/parks/{park.id}", headers=EN))

    href, heading, _entries = todo(html, "without-space")

    assert heading == "2 resident teams without space"  # 无空间, and 已到期 since today
    assert sorted(listed(client, href)) == sorted(["无空间", "已到期"])


def test_the_dashboard_in_chinese(client, park, as_user):
    as_user("staff", parks=[park])
    html = text(client.get(f"/parks/{park.id}", headers={"Accept-Language": "zh-CN"}))

    assert todo(html, "applicants")[1] == "3 个申请待处理"
    assert todo(html, "ending")[1] == "30 天内到期的分配：1 项"
    assert "中国（上海）时间" in html and "Asia/Shanghai" not in html


def test_members_see_no_applicants_nor_leases(client, make, park, as_user):
    team = make.team(park, status="resident")
    as_user("member", team=team)

    response = client.get(f"/parks/{park.id}", headers=EN)

    assert response.status_code == 200 and 'data-todo="' not in text(response)


def test_a_share_that_rounds_to_zero_shows_a_decimal(client, make, as_user):
    park = make.park(total_area_m2=Decimal("10000"))
    team = make.team(park, status="resident", status_since=date(2025, 1, 1))
    make.allocation(team, make.unit(park, area_m2=Decimal("40")), date(2025, 2, 1))
    as_user("staff", parks=[park])

    html = text(client.get(f"/parks/{park.id}", headers=EN))

    kpi = re.search(r'<span class="value">([^<]+)</span><span class="label">Space in use', html)
    assert kpi.group(1) == "0.4%"
