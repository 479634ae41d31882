"""The team list on a small screen: the park's name is a column only when the list holds
several parks (issue 14: it repeated the park on every row of a list filtered to it)."""

from __future__ import annotations

import re

EN = {"Accept-Language": "en"}


def headers(html: str) -> list[str]:
    head = re.search(r"<thead>(.*?)</thead>", html, re.S)
    assert head, html
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th>(.*?)</th>", head[1])]


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
