"""Issue 14: the rent lists (a month's statements, balances, policies, decided waivers) sort
by their columns (?sort=&dir= in the URL, kept by the month filter and the pages), money is
¥ with two decimals in right-aligned cells, and an empty list says what to do next."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import time_machine

from tests.rent.helpers import D, approved, policy, resident

TODAY = "2026-11-15 04:00:00+00:00"
EN = {"Accept-Language": "en"}


def _teams(html: str, table: str) -> list[str]:
    body = re.search(rf'<table class="{table}"[^>]*>(.*?)</table>', html, re.S)
    assert body, html
    return re.findall(r'<tr data-team="(\d+)"', body[1])


def _link(html: str, key: str) -> str:
    found = re.search(rf'<a class="sort[^"]*" href="([^"]+sort={key}[^"]*)"', html)
    assert found, html
    return found[1].replace("&amp;", "&")


@pytest.fixture
def s(make, api):
    """Two residents: 甲 (jia) with 30 m², 乙 (yi) with 60 m²; October 2026 issued."""
    park = make.park()
    staff = make.user("staff", parks=[park])
    small = resident(make, park, "2026-07-01", name_zh="甲", name_pinyin="jia")
    large = resident(make, park, "2026-07-01", name_zh="乙", name_pinyin="yi")
    make.allocation(small, make.unit(park, area_m2=Decimal("30")), D("2026-07-01"))
    make.allocation(large, make.unit(park, area_m2=Decimal("60")), D("2026-07-01"))
    with time_machine.travel(TODAY, tick=False):
        issued = api(staff).post("/statements/issue", json={"park_id": park.id, "month": "2026-10"})
        assert issued.get_json() == {"issued": 2}
    return {"park": park, "small": str(small.id), "large": str(large.id), "staff": staff}


@time_machine.travel(TODAY, tick=False)
def test_a_months_statements_sort_and_keep_the_month(client, as_user, s):
    as_user("staff", parks=[s["park"]])
    base = f"/parks/{s['park'].id}/rent/statements?month=2026-10"
    html = client.get(base, headers=EN).get_data(as_text=True)
    assert _teams(html, "statements") == [s["small"], s["large"]]  # by name: jia, yi
    assert '<td class="num">¥2,400.00</td>' in html
    # Amounts sort largest first on the first click, and the link keeps the month.
    net = _link(html, "net")
    assert "month=2026-10" in net and "dir=desc" in net
    html = client.get(net).get_data(as_text=True)
    assert _teams(html, "statements") == [s["large"], s["small"]]
    assert '<input type="hidden" name="sort" value="net">' in html
    html = client.get(f"{base}&sort=team&dir=desc").get_data(as_text=True)
    assert _teams(html, "statements") == [s["large"], s["small"]]


@time_machine.travel(TODAY, tick=False)
def test_balances_sort_by_what_is_owed(client, as_user, s):
    as_user("staff", parks=[s["park"]])
    base = f"/parks/{s['park'].id}/rent/balances"
    html = client.get(base).get_data(as_text=True)
    assert _teams(html, "aging") == [s["small"], s["large"]]
    html = client.get(_link(html, "balance")).get_data(as_text=True)
    assert _teams(html, "aging") == [s["large"], s["small"]]
    html = client.get(f"{base}?sort=balance&dir=asc").get_data(as_text=True)
    assert _teams(html, "aging") == [s["small"], s["large"]]


@time_machine.travel(TODAY, tick=False)
def test_unknown_orders_are_the_default(client, as_user, s):
    as_user("staff", parks=[s["park"]])
    park = s["park"].id
    for query in ("sort=net_fen;--&dir=desc", "sort=&dir=", "sort=%00&dir=%FF"):
        for path, table in (
            (f"/parks/{park}/rent/statements?month=2026-10&{query}", "statements"),
            (f"/parks/{park}/rent/balances?{query}", "aging"),
        ):
            response = client.get(path)
            assert response.status_code == 200
            assert _teams(response.get_data(as_text=True), table) == [s["small"], s["large"]]
        assert client.get(f"/parks/{park}/rent/policies?{query}").status_code == 200
        assert client.get(f"/parks/{park}/rent/waivers?{query}").status_code == 200


def test_policies_and_decided_waivers_sort(app, client, make, as_user):
    park = make.park()
    first = policy(app, park, [(None, "50")], code="A-1", name_zh="甲政策")
    policy(app, park, [(None, "50")], code="B-2", name_zh="乙政策")
    as_user("admin")
    base = f"/parks/{park.id}/rent/policies"
    codes = re.compile(r'<tr data-policy="([^"]+)"')
    assert codes.findall(client.get(base).get_data(as_text=True)) == ["A-1", "B-2"]
    html = client.get(f"{base}?sort=code&dir=desc").get_data(as_text=True)
    assert codes.findall(html) == ["B-2", "A-1"]

    jia = resident(make, park, "2026-01-01", name_zh="甲", name_pinyin="jia")
    yi = resident(make, park, "2026-01-01", name_zh="乙", name_pinyin="yi")
    later = approved(app, jia, policy_id=first.id, start=D("2026-06-01"))
    earlier = approved(app, yi, percent="20", start=D("2026-02-01"), reason="x")
    rows = re.compile(r'<tr data-waiver="(\d+)">')
    path = f"/parks/{park.id}/rent/waivers"
    html = client.get(path).get_data(as_text=True)
    assert rows.findall(html) == [str(later.id), str(earlier.id)]  # the latest start first
    html = client.get(f"{path}?sort=team&dir=desc").get_data(as_text=True)
    assert rows.findall(html) == [str(earlier.id), str(later.id)]
    html = client.get(f"{path}?sort=start&dir=asc&page=2").get_data(as_text=True)
    assert rows.findall(html) == [str(earlier.id), str(later.id)]
    assert "page=" not in _link(html, "team")


def test_empty_lists_say_what_to_do_next(client, make, as_user):
    park = make.park()
    as_user("admin")
    html = client.get(f"/parks/{park.id}/rent/policies", headers=EN).get_data(as_text=True)
    assert "The park has no rent policy yet" in html
    assert f'href="/parks/{park.id}/rent/policies/new"' in html
    html = client.get(f"/parks/{park.id}/rent/balances", headers=EN).get_data(as_text=True)
    assert "No statement has been issued yet" in html
    assert f'href="/parks/{park.id}/rent/statements"' in html
    path = f"/parks/{park.id}/rent/statements?month=2026-01"
    html = client.get(path, headers=EN).get_data(as_text=True)
    assert "No team held space in 2026-01" in html and "Choose another month" in html
    html = client.get(f"/parks/{park.id}/rent/waivers", headers=EN).get_data(as_text=True)
    assert "No waivers wait for approval" in html and "No waiver has been decided yet" in html
