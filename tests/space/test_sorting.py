"""Issue 14: the unit list and the occupancy's floors sort by their columns (?sort=&dir= in
the URL, kept by the filters and the pages), and an empty list says what to do next."""

from __future__ import annotations

import re
from decimal import Decimal

EN = {"Accept-Language": "en"}


def _codes(html: str) -> list[str]:
    return re.findall(r'<tr data-unit="([^"]+)">', html)


def _floors(html: str) -> list[str]:
    return re.findall(r'<tr data-floor="(\d+)"', html)


def _park(make):
    park = make.park(total_area_m2=Decimal("1000"))
    make.unit(park, code="B-1", floor=2, area_m2=Decimal("50"), rent_fen_per_m2=9000)
    make.unit(park, code="A-1", floor=1, area_m2=Decimal("20"), rent_fen_per_m2=5000)
    make.unit(park, code="C-1", floor=1, area_m2=Decimal("80"), rent_fen_per_m2=7000)
    return park


def test_units_sort_by_their_headings(client, make, as_user):
    park = _park(make)
    as_user("staff", parks=[park])
    base = f"/parks/{park.id}/units"
    assert _codes(client.get(base).get_data(as_text=True)) == ["A-1", "C-1", "B-1"]
    assert _codes(client.get(f"{base}?sort=code&dir=desc").get_data(as_text=True)) == [
        "C-1",
        "B-1",
        "A-1",
    ]
    html = client.get(base, headers=EN).get_data(as_text=True)
    # Areas and rents sort largest first on the first click; money is ¥ with two decimals.
    area = re.search(r'<a class="sort" href="([^"]+sort=area[^"]*)"', html)
    assert area and "dir=desc" in area[1]
    largest = client.get(area[1].replace("&amp;", "&")).get_data(as_text=True)
    assert _codes(largest) == ["C-1", "B-1", "A-1"]
    cheapest = client.get(f"{base}?sort=rent&dir=asc").get_data(as_text=True)
    assert _codes(cheapest) == ["A-1", "C-1", "B-1"]
    assert '<td class="num">¥50.00</td>' in cheapest


def test_unknown_orders_are_the_default(client, make, as_user):
    park = _park(make)
    as_user("staff", parks=[park])
    for query in ("sort=id;drop&dir=asc", "sort=&dir=", "sort=%00&dir=%00"):
        response = client.get(f"/parks/{park.id}/units?{query}")
        assert response.status_code == 200
        assert _codes(response.get_data(as_text=True)) == ["A-1", "C-1", "B-1"]
        response = client.get(f"/parks/{park.id}/occupancy?{query}")
        assert response.status_code == 200
        assert _floors(response.get_data(as_text=True)) == ["1", "2"]
    # A known column with an unknown direction: that column, its first way.
    response = client.get(f"/parks/{park.id}/units?sort=code&dir=up")
    assert response.status_code == 200
    assert _codes(response.get_data(as_text=True)) == ["A-1", "B-1", "C-1"]


def test_sorting_keeps_the_filters_and_the_filters_keep_the_order(client, make, as_user):
    park = _park(make)
    as_user("staff", parks=[park])
    html = client.get(f"/parks/{park.id}/units?floor=1&kind=office&page=2").get_data(as_text=True)
    link = re.search(r'<a class="sort" href="([^"]+sort=seats[^"]*)"', html)
    assert link
    url = link[1].replace("&amp;", "&")
    assert "floor=1" in url and "kind=office" in url and "page=" not in url
    html = client.get(f"/parks/{park.id}/units?floor=1&sort=code&dir=desc").get_data(as_text=True)
    assert '<input type="hidden" name="sort" value="code">' in html
    assert '<input type="hidden" name="dir" value="desc">' in html
    assert _codes(html) == ["C-1", "A-1"]
    # The pager keeps both the filter and the order.
    for i in range(30):
        make.unit(park, code=f"Z{i:02d}", floor=3, area_m2=Decimal("1"))
    html = client.get(f"/parks/{park.id}/units?floor=3&sort=code&dir=desc").get_data(as_text=True)
    following = re.search(r'<a href="([^"]+)" rel="next">', html)
    assert following
    url = following[1].replace("&amp;", "&")
    assert "floor=3" in url and "sort=code" in url and "dir=desc" in url
    assert _codes(client.get(url).get_data(as_text=True))[0] == "Z04"


def test_the_export_follows_the_order_on_screen(client, make, as_user):
    park = _park(make)
    as_user("staff", parks=[park])
    body = client.get(f"/parks/{park.id}/units/export.csv?sort=code&dir=desc").get_data(
        as_text=True
    )
    assert [line.split(",")[0] for line in body.splitlines()[1:]] == ["C-1", "B-1", "A-1"]


def test_the_floors_of_the_occupancy_sort(client, make, as_user):
    park = _park(make)
    as_user("staff", parks=[park])
    base = f"/parks/{park.id}/occupancy"
    assert _floors(client.get(f"{base}?sort=floor&dir=desc").get_data(as_text=True)) == ["2", "1"]
    # Floor 1 has 100 m², floor 2 has 50 m².
    assert _floors(client.get(f"{base}?sort=area&dir=asc").get_data(as_text=True)) == ["2", "1"]
    html = client.get(f"{base}?on=2026-01-05&sort=area&dir=asc").get_data(as_text=True)
    link = re.search(r'<a class="sort" href="([^"]+sort=units[^"]*)"', html)
    assert link and "on=2026-01-05" in link[1]
    assert '<input type="hidden" name="sort" value="area">' in html


def test_empty_lists_say_what_to_do_next(client, make, as_user):
    park = make.park()
    as_user("staff", parks=[park])
    html = client.get(f"/parks/{park.id}/units", headers=EN).get_data(as_text=True)
    assert "The park has no units yet" in html
    make.unit(park, floor=1)
    html = client.get(f"/parks/{park.id}/units?floor=9", headers=EN).get_data(as_text=True)
    assert "No units match these filters" in html and "Clear the filters" in html
    html = client.get(f"/parks/{park.id}/occupancy", headers=EN).get_data(as_text=True)
    assert "No resident teams on this day" in html


def test_managers_are_offered_the_first_unit(client, make, as_user):
    park = make.park()
    as_user("admin")
    html = client.get(f"/parks/{park.id}/units", headers=EN).get_data(as_text=True)
    assert "Add the first unit" in html and f'href="/parks/{park.id}/units/new"' in html
    html = client.get(f"/parks/{park.id}/occupancy", headers=EN).get_data(as_text=True)
    assert "Add its units" in html
