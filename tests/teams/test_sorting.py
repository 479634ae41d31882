"""Issue 14: the team list sorts by its columns (?sort=&dir= in the URL, so a sorted list can
be shared and survives paging and filtering), and an empty list says what to do next."""

from __future__ import annotations

import re
from datetime import date

EN = {"Accept-Language": "en"}


def _names(html: str) -> list[str]:
    return re.findall(r'<tr data-team="\d+">\s*<td><a href="[^"]+">([^<]+)</a>', html)


def _teams(make):
    park = make.park()
    make.team(
        park, name_zh="乙", name_pinyin="yi", contact_name="Chen", status_since=date(2026, 3, 1)
    )
    make.team(
        park, name_zh="甲", name_pinyin="jia", contact_name="Zhao", status_since=date(2026, 9, 1)
    )
    make.team(
        park, name_zh="丙", name_pinyin="bing", contact_name=None, status_since=date(2025, 1, 1)
    )
    return park


def test_headings_sort_and_the_choice_stays_in_the_url(client, make, as_user):
    park = _teams(make)
    as_user("staff", parks=[park])
    assert _names(client.get("/teams/", headers=EN).get_data(as_text=True)) == ["丙", "甲", "乙"]

    html = client.get("/teams/?sort=name&dir=desc", headers=EN).get_data(as_text=True)
    assert _names(html) == ["乙", "甲", "丙"]
    # The heading says how the list is sorted, and its link turns the order round.
    name_th = re.search(r'<th aria-sort="descending">\s*<a class="sort desc" href="([^"]+)"', html)
    assert name_th and "sort=name" in name_th[1] and "dir=asc" in name_th[1]

    # Dates sort newest first on the first click; a team without a contact goes last.
    html = client.get("/teams/", headers=EN).get_data(as_text=True)
    since = re.search(r'<a class="sort" href="([^"]+sort=since[^"]*)"', html)
    assert since and "dir=desc" in since[1]
    newest = client.get(since[1].replace("&amp;", "&"), headers=EN).get_data(as_text=True)
    assert _names(newest) == ["甲", "乙", "丙"]
    for direction in ("asc", "desc"):
        html = client.get(f"/teams/?sort=contact&dir={direction}").get_data(as_text=True)
        assert _names(html)[-1] == "丙"


def test_sorting_keeps_the_filters_and_starts_at_the_first_page(client, make, as_user):
    park = _teams(make)
    as_user("staff", parks=[park])
    html = client.get(f"/teams/?park_id={park.id}&q=jia&page=3", headers=EN).get_data(as_text=True)
    link = re.search(r'<a class="sort" href="([^"]+sort=track[^"]*)"', html)
    assert link
    url = link[1].replace("&amp;", "&")
    assert f"park_id={park.id}" in url and "q=jia" in url and "page=" not in url


def test_an_unknown_order_is_the_default_and_no_error(client, make, as_user):
    park = _teams(make)
    as_user("staff", parks=[park])
    for query in ("sort=password&dir=asc", "sort=name&dir=sideways", "sort=%00&dir=%00"):
        response = client.get(f"/teams/?{query}", headers=EN)
        assert response.status_code == 200
        assert _names(response.get_data(as_text=True)) == ["丙", "甲", "乙"]


def test_an_empty_list_says_what_to_do_next(client, make, as_user):
    park = make.park()
    as_user("staff", parks=[park])
    html = client.get("/teams/", headers=EN).get_data(as_text=True)
    assert "No teams yet" in html and 'href="/teams/new"' in html
    make.team(park, name_zh="甲")
    html = client.get("/teams/?q=nothing-like-it", headers=EN).get_data(as_text=True)
    assert "No teams match these filters" in html and "Clear the filters" in html


def test_the_filter_form_keeps_the_order(client, make, as_user):
    park = _teams(make)
    as_user("staff", parks=[park])
    html = client.get("/teams/?sort=since&dir=asc", headers=EN).get_data(as_text=True)
    form = re.search(r'<form method="get" class="filters".*?</form>', html, re.S)
    assert form
    assert '<input type="hidden" name="sort" value="since">' in form[0]
    assert '<input type="hidden" name="dir" value="asc">' in form[0]
