"""Issue 14: the compute lists (vouchers, programmes, the providers to settle with, the usage
explorer's records) sort by their columns (?sort=&dir= in the URL, kept by the filters and
the pages), money is ¥ with two decimals in right-aligned cells, and an empty list says what
to do next."""

from __future__ import annotations

import re

import pytest
import time_machine

from tests.compute.helpers import D, programme, provider, record, voucher

NOW = "2026-11-15 04:00:00+00:00"
EN = {"Accept-Language": "en"}


def _ids(html: str, attr: str) -> list[str]:
    return re.findall(rf'<tr {attr}="([^"]+)"', html)


def _link(html: str, key: str) -> str:
    found = re.search(rf'<a class="sort[^"]*" href="([^"]+sort={key}[^"]*)"', html)
    assert found, html
    return found[1].replace("&amp;", "&")


@pytest.fixture
def s(app, make):
    """Two programmes; three vouchers: 甲 (jia) 1,000 valid to June, 乙 (yi) 5,000 valid to
    December, 甲 again 3,000 of the second programme valid to September."""
    park = make.park()
    first = programme(app, park, code="A-26", budget_fen=50_000_000)
    second = programme(app, park, code="B-26", budget_fen=10_000_000)
    jia = make.team(park, status="resident", name_zh="甲", name_pinyin="jia")
    yi = make.team(park, status="resident", name_zh="乙", name_pinyin="yi")
    small = voucher(app, first, jia, 100_000, valid_to=D("2026-06-30"))
    large = voucher(app, first, yi, 500_000, valid_to=D("2026-12-31"))
    middle = voucher(app, second, jia, 300_000, valid_to=D("2026-09-30"))
    ids = {k: str(v.id) for k, v in (("small", small), ("large", large), ("middle", middle))}
    return {"park": park, "jia": jia, "yi": yi, "first": first, "second": second, **ids}


@time_machine.travel(NOW, tick=False)
def test_vouchers_sort_and_keep_their_filters(client, as_user, s):
    as_user("staff", parks=[s["park"]])
    base = f"/parks/{s['park'].id}/compute/vouchers"
    html = client.get(base, headers=EN).get_data(as_text=True)
    # The latest validity first, unless the reader chooses.
    assert _ids(html, "data-voucher") == [s["large"], s["middle"], s["small"]]
    assert '<td class="num">¥1,000.00</td>' in html
    html = client.get(f"{base}?sort=amount&dir=asc").get_data(as_text=True)
    assert _ids(html, "data-voucher") == [s["small"], s["middle"], s["large"]]
    html = client.get(f"{base}?sort=team&dir=desc").get_data(as_text=True)
    assert _ids(html, "data-voucher")[0] == s["large"]
    # Filtered by team: the headings keep the filter, the filter form keeps the order.
    html = client.get(f"{base}?team_id={s['jia'].id}&sort=amount&dir=desc&page=2").get_data(
        as_text=True
    )
    assert _ids(html, "data-voucher") == [s["middle"], s["small"]]
    link = _link(html, "programme")
    assert f"team_id={s['jia'].id}" in link and "page=" not in link
    assert '<input type="hidden" name="sort" value="amount">' in html
    assert '<input type="hidden" name="dir" value="desc">' in html


def test_programmes_sort(client, as_user, s):
    as_user("staff", parks=[s["park"]])
    base = f"/parks/{s['park'].id}/compute/programmes"
    html = client.get(base).get_data(as_text=True)
    assert _ids(html, "data-programme") == ["A-26", "B-26"]
    budget = _link(html, "budget")
    assert "dir=desc" in budget  # the largest first
    html = client.get(f"{base}?sort=budget&dir=asc").get_data(as_text=True)
    assert _ids(html, "data-programme") == ["B-26", "A-26"]
    assert '<td class="num">¥100,000.00</td>' in html


@time_machine.travel(NOW, tick=False)
def test_unknown_orders_are_the_default(client, as_user, s):
    as_user("staff", parks=[s["park"]])
    park = s["park"].id
    for query in ("sort=1%3D1&dir=desc", "sort=&dir=", "sort=%00&dir=%FF"):
        html = client.get(f"/parks/{park}/compute/vouchers?{query}")
        assert html.status_code == 200
        order = _ids(html.get_data(as_text=True), "data-voucher")
        assert order == [s["large"], s["middle"], s["small"]]
        html = client.get(f"/parks/{park}/compute/programmes?{query}")
        assert _ids(html.get_data(as_text=True), "data-programme") == ["A-26", "B-26"]
        for path in ("compute/settlements", "compute/usage?month=2026-10"):
            joined = "&" if "?" in path else "?"
            assert client.get(f"/parks/{park}/{path}{joined}{query}").status_code == 200


@time_machine.travel(NOW, tick=False)
def test_the_explorer_sorts_a_months_records_and_keeps_the_filters(app, client, make, as_user, s):
    star, other = provider(make, "星河算力"), provider(make, "天府智算")
    cheap = record(app, s["jia"], star, "2026-10-03T10:00:00+08:00", cost_fen=700)
    dear = record(app, s["yi"], star, "2026-10-01T10:00:00+08:00", cost_fen=90_000)
    middle = record(app, s["jia"], other, "2026-10-02T10:00:00+08:00", cost_fen=5_000)
    as_user("staff", parks=[s["park"]])
    base = f"/parks/{s['park'].id}/compute/usage?month=2026-10"
    html = client.get(base).get_data(as_text=True)
    # Newest arrivals first, and no heading claims to be the order.
    assert _ids(html, "data-record") == [str(middle), str(dear), str(cheap)]
    assert 'aria-sort="descending"' not in html and 'aria-sort="ascending"' not in html
    html = client.get(_link(html, "cost")).get_data(as_text=True)
    assert _ids(html, "data-record") == [str(dear), str(middle), str(cheap)]
    html = client.get(f"{base}&sort=started&dir=asc").get_data(as_text=True)
    assert _ids(html, "data-record") == [str(dear), str(middle), str(cheap)]
    # A filter and the order together: the links keep both, the month links too.
    html = client.get(f"{base}&provider_id={star.id}&sort=cost&dir=asc").get_data(as_text=True)
    assert _ids(html, "data-record") == [str(cheap), str(dear)]
    link = _link(html, "hours")
    assert f"provider_id={star.id}" in link and "month=2026-10" in link
    assert '<input type="hidden" name="sort" value="cost">' in html
    following = re.search(r'<a href="([^"]+)" rel="next">2026-11', html)
    assert following and "sort=cost" in following[1]


@time_machine.travel(NOW, tick=False)
def test_the_providers_to_settle_sort(app, client, make, as_user, s):
    star, other = provider(make, "Alpha"), provider(make, "Beta")
    record(app, s["jia"], star, "2026-10-03T10:00:00+08:00", cost_fen=700, subsidy_fen=100)
    record(app, s["jia"], other, "2026-10-03T11:00:00+08:00", cost_fen=9_000, subsidy_fen=900)
    as_user("staff", parks=[s["park"]])
    base = f"/parks/{s['park'].id}/compute/settlements"
    html = client.get(base).get_data(as_text=True)
    assert _ids(html, "data-provider") == [str(star.id), str(other.id)]
    html = client.get(_link(html, "subsidy")).get_data(as_text=True)
    assert _ids(html, "data-provider") == [str(other.id), str(star.id)]
    assert '<td class="num">¥9.00</td>' in html


@time_machine.travel(NOW, tick=False)
def test_empty_lists_say_what_to_do_next(client, make, as_user):
    park = make.park()
    as_user("admin")
    html = client.get(f"/parks/{park.id}/compute/programmes", headers=EN).get_data(as_text=True)
    assert "no compute programme yet" in html
    assert f'href="/parks/{park.id}/compute/programmes/new"' in html
    html = client.get(f"/parks/{park.id}/compute/vouchers", headers=EN).get_data(as_text=True)
    assert "No voucher has been granted yet" in html and "needs a compute programme" in html
    html = client.get(f"/parks/{park.id}/compute/vouchers?valid=yes", headers=EN)
    assert "No vouchers match these filters" in html.get_data(as_text=True)
    html = client.get(f"/parks/{park.id}/compute/settlements", headers=EN).get_data(as_text=True)
    assert "No provider has reported usage for the park yet" in html
    path = f"/parks/{park.id}/compute/usage?month=2026-10"
    html = client.get(path, headers=EN).get_data(as_text=True)
    assert "No usage in 2026-10" in html and "Show 2026-09" in html
    html = client.get(f"{path}&gpu_type=H100", headers=EN).get_data(as_text=True)
    assert "matches these filters" in html and "Clear the filters" in html
