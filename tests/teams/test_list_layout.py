"""Issue 14 on the team pages: the park's name is a column of the team list only when the list
holds several parks (it repeated the park on every row of a list filtered to it), and detail
pages carry breadcrumbs back to their list."""

from __future__ import annotations

import re

EN = {"Accept-Language": "en"}


def headers(html: str) -> list[str]:
    head = re.search(r"<thead>(.*?)</thead>", html, re.S)
    assert head, html
    return [
        re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", head[1], re.S)
    ]


def test_the_park_is_a_column_only_when_the_list_holds_several(client, make, as_user):
    chengdu = make.park(name_en="Chengdu OPC Hub")
    mianyang = make.park(name_en="Mianyang Hub")
    nebula = make.team(chengdu, name_en="Nebula Studio")
    as_user("staff", parks=[chengdu, mianyang])

    both = client.get("/teams/", headers=EN).get_data(as_text=True)
    assert headers(both)[:2] == ["Name", "Park"]
    row = re.search(rf'<tr data-team="{nebula.id}">(.*?)</tr>', both, re.S)
    assert row and "Chengdu OPC Hub" in row[1]

    one = client.get(f"/teams/?park_id={chengdu.id}", headers=EN).get_data(as_text=True)
    assert "Park" not in headers(one) and headers(one)[:2] == ["Name", "Track"]
    row = re.search(rf'<tr data-team="{nebula.id}">(.*?)</tr>', one, re.S)
    assert row and "Chengdu OPC Hub" not in row[1]

    empty = client.get(f"/teams/?park_id={mianyang.id}", headers=EN).get_data(as_text=True)
    # The empty row spans the columns there are (other domains contribute some).
    assert f'colspan="{len(headers(empty))}"' in empty


def test_staff_of_one_park_see_no_park_column(client, make, as_user):
    park = make.park(name_en="Chengdu OPC Hub")
    make.team(park)
    as_user("staff", parks=[park])
    html = client.get("/teams/", headers=EN).get_data(as_text=True)
    assert "Park" not in headers(html)


def trail(html: str) -> str:
    """The breadcrumbs' text, tags dropped ("" when the page has none)."""
    found = re.search(r'<nav class="breadcrumbs"[^>]*>(.*?)</nav>', html, re.S)
    return re.sub(r"<[^>]+>", "", found[1]).strip() if found else ""


def test_detail_pages_lead_back_to_their_list(client, make, as_user):
    park = make.park(name_en="Chengdu OPC Hub")
    team = make.team(park, status="resident", name_zh="星云工作室", name_en="Nebula Studio")
    unit = make.unit(park, code="A101")
    as_user("staff", parks=[park])

    html = client.get(f"/teams/{team.id}", headers=EN).get_data(as_text=True)
    assert trail(html) == "Teams › Nebula Studio"
    assert f'<a href="/teams/?park_id={park.id}">Teams</a>' in html
    assert '<span aria-current="page">Nebula Studio</span>' in html

    html = client.get(f"/units/{unit.id}", headers=EN).get_data(as_text=True)
    assert trail(html) == "Units › Unit A101"
    assert f'<a href="/parks/{park.id}/units">Units</a>' in html

    html = client.get(f"/teams/{team.id}/rent", headers=EN).get_data(as_text=True)
    assert trail(html) == "Nebula Studio › Rent"
    assert f'<a href="/teams/{team.id}">Nebula Studio</a>' in html


def test_a_member_is_home_on_the_team_page_and_led_back_to_it(client, make, as_user):
    park = make.park()
    team = make.team(park, status="resident", name_zh="星云工作室", name_en="Nebula Studio")
    as_user("member", team=team)
    assert trail(client.get(f"/teams/{team.id}", headers=EN).get_data(as_text=True)) == ""
    rent = client.get(f"/teams/{team.id}/rent", headers=EN).get_data(as_text=True)
    assert trail(rent) == "Nebula Studio › Rent"
