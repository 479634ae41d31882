"""Staff allocate from a team's page: the park's free units that fit (floor, kind, area,
seats, free for the period), the team preselected, one click; the floor view filters the
same way and keeps the team in hand. A refusal names who holds the unit, until when, and
from when it is free."""

from __future__ import annotations

import re

import pytest

from opc.space.models import Allocation
from tests.conftest import csrf_token
from tests.core.helpers import text
from tests.space.helpers import D, count, post_form, stored

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh"}


@pytest.fixture
def s(make, as_user):
    park = make.park()
    nebula = make.team(park, status="resident", name_zh="星云工作室", name_en="Nebula Studio")
    holder = make.team(park, status="resident", name_zh="未来剧场", name_en="Future Theatre")
    units = {
        "A101": make.unit(park, code="A101", floor=1, kind="office", area_m2=40, seats=4),
        "A102": make.unit(park, code="A102", floor=1, kind="studio", area_m2=60, seats=8),
        "B201": make.unit(park, code="B201", floor=2, kind="office", area_m2=120, seats=20),
        "B202": make.unit(park, code="B202", floor=2, kind="lab", area_m2=30, seats=2),
    }
    # B201 is held through 22 May 2027 (stored end: 23 May).
    make.allocation(holder, units["B201"], D("2027-01-01"), D("2027-05-23"))
    staff = as_user("staff", parks=[park])
    return {"park": park, "team": nebula, "holder": holder, "units": units, "staff": staff}


def listed(html):
    """The unit codes a page lists (the free-units table or the floor view's boxes)."""
    return re.findall(r'data-unit="([^"]+)"', html)


def page_of(s, **args):
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return f"/space/teams/{s['team'].id}/allocate" + (f"?{query}" if query else "")


def test_the_team_page_leads_to_allocating(client, s):
    html = text(client.get(f"/teams/{s['team'].id}", headers=EN))
    assert f'href="/space/teams/{s["team"].id}/allocate"' in html
    assert f"/parks/{s['park'].id}/floors?team_id={s['team'].id}" in html


@pytest.mark.parametrize(
    ("args", "codes"),
    [
        ({"free_from": "2027-03-01"}, ["A101", "A102", "B202"]),
        ({"free_from": "2026-06-01", "last_day": "2026-12-31"}, ["A101", "A102", "B201", "B202"]),
        ({"free_from": "2026-06-01", "last_day": "2027-01-01"}, ["A101", "A102", "B202"]),
        ({"free_from": "2027-05-23"}, ["A101", "A102", "B201", "B202"]),
        ({"free_from": "2027-05-22"}, ["A101", "A102", "B202"]),
        ({"free_from": "2027-06-01", "floor": "2"}, ["B201", "B202"]),
        ({"free_from": "2027-06-01", "kind": "office"}, ["A101", "B201"]),
        ({"free_from": "2027-06-01", "min_area": "50"}, ["A102", "B201"]),
        ({"free_from": "2027-06-01", "seats": "5", "floor": "1"}, ["A102"]),
        ({"free_from": "2027-06-01", "last_day": "2027-05-01"}, []),  # ends before it starts
    ],
)
def test_the_free_units_that_fit(client, s, args, codes):
    response = client.get(page_of(s, **args), headers=EN)
    assert response.status_code == 200
    assert listed(text(response)) == codes


def test_one_click_allocates_with_the_last_day_of_the_search(app, client, s):
    page = page_of(s, free_from="2027-03-01", last_day="2027-05-22", floor="2")
    html = text(client.get(page, headers=EN))
    assert listed(html) == ["B202"]
    assert 'aria-label="Allocate B202 to Nebula Studio"' in html
    unit = s["units"]["B202"]
    data = {"unit_id": str(unit.id), "start": "2027-03-01", "last_day": "2027-05-22"}
    response = post_form(client, page, data, headers=EN)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/teams/{s['team'].id}")
    [allocation] = stored(app, Allocation, Allocation.unit_id == unit.id)
    assert (allocation.team_id, allocation.start, allocation.end) == (
        s["team"].id,
        D("2027-03-01"),
        D("2027-05-23"),
    )
    team_page = text(client.get(response.headers["Location"], headers=EN))
    assert "B202 allocated to 星云工作室 from 1 Mar 2027 through 22 May 2027." in team_page


@pytest.mark.parametrize(
    ("headers", "refusal"),
    [
        (
            EN,
            "Not allocated: B201 is held by 未来剧场 until 22 May 2027; "
            "it is free from 23 May 2027.",
        ),
        (ZH, "未分配：B201 由未来剧场占用至 2027年5月22日；自 2027年5月23日 起空闲。"),
    ],
)
def test_a_refusal_says_who_holds_the_unit_and_from_when_it_is_free(
    app, client, s, headers, refusal
):
    page = page_of(s, free_from="2027-03-01")
    unit = s["units"]["B201"]  # posted as if the list had offered it
    data = {"unit_id": str(unit.id), "start": "2027-03-01", "last_day": ""}
    response = post_form(client, page, data, headers=headers)
    assert response.status_code == 422
    html = text(response)
    assert refusal in html
    assert listed(html) == ["A101", "A102", "B202"]  # the same list, to choose again
    assert count(app, Allocation) == 1


def test_a_unit_free_only_for_part_of_the_period(app, client, s):
    page = page_of(s, free_from="2026-12-01")
    unit = s["units"]["B201"]
    data = {"unit_id": str(unit.id), "start": "2026-12-01", "last_day": "2027-01-31"}
    response = post_form(client, page, data, headers=EN)
    assert response.status_code == 422
    assert (
        "Not allocated: B201 is free only until 31 Dec 2026; 未来剧场 holds it from 1 Jan 2027."
        in text(response)
    )
    assert count(app, Allocation) == 1


def test_a_unit_of_another_park_is_unknown(app, client, make, s):
    elsewhere = make.unit(make.park(), code="X1")
    page = page_of(s)
    data = {"unit_id": str(elsewhere.id), "start": "2027-03-01", "last_day": ""}
    response = post_form(client, page, data, headers=EN)
    assert response.status_code == 422 and "No such unit in the park." in text(response)
    for bad in ("", "abc", "99999999999999999999"):
        data["unit_id"] = bad
        assert post_form(client, page, data, headers=EN).status_code == 422
    assert count(app, Allocation) == 1


def test_a_team_that_is_not_resident_is_offered_nothing(app, client, make, s):
    admitted = make.team(s["park"], status="admitted", name_zh="晚到团队")
    page = f"/space/teams/{admitted.id}/allocate"
    html = text(client.get(page, headers=EN))
    assert "only resident teams hold space" in html and "unit_id" not in html
    data = {"unit_id": str(s["units"]["A101"].id), "start": "2027-03-01", "last_day": ""}
    refused = post_form(client, page, data, headers=EN)
    assert refused.status_code == 422 and "only resident teams hold space" in text(refused)
    assert count(app, Allocation) == 1


def log_out(client):
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})


def test_only_the_parks_staff_allocate(client, make, s, as_user):
    team_id = s["team"].id
    log_out(client)
    as_user("member", team=s["team"])
    assert client.get(f"/space/teams/{team_id}/allocate").status_code == 403
    log_out(client)
    as_user("staff", parks=[make.park()])
    assert client.get(f"/space/teams/{team_id}/allocate").status_code == 404


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("team_id=1&on=x&floor=abc&kind=<b>&free_from=no", 200),  # no filter, not an error
        ("min_area=-1", 422),
        ("seats=100001", 422),
        ("free_from=9999-01-01", 422),
        ("floor=99999999999999999999999", 422),
    ],
)
def test_filters_out_of_range_are_refused_and_others_ignored(client, s, query, status):
    assert client.get(f"/space/teams/{s['team'].id}/allocate?{query}").status_code == status
    assert client.get(f"/parks/{s['park'].id}/floors?{query}").status_code == status


# --- the floor view ------------------------------------------------------------------


def test_the_floor_view_filters_the_same_way(client, s):
    floors = f"/parks/{s['park'].id}/floors"
    assert listed(text(client.get(floors))) == ["A101", "A102", "B201", "B202"]
    assert listed(text(client.get(f"{floors}?free_from=2027-03-01"))) == ["A101", "A102", "B202"]
    assert listed(text(client.get(f"{floors}?floor=1&kind=studio"))) == ["A102"]
    assert listed(text(client.get(f"{floors}?min_area=35&seats=10"))) == ["B201"]
    assert listed(text(client.get(f"{floors}?last_day=2027-02-01&on=2027-01-15"))) == [
        "A101",
        "A102",
        "B202",
    ]
    assert "No unit meets these filters." in text(client.get(f"{floors}?seats=999", headers=EN))


def test_the_floor_view_keeps_a_team_in_hand_and_preselects_it(client, make, s):
    team_id = s["team"].id
    floors = f"/parks/{s['park'].id}/floors?team_id={team_id}&free_from=2027-03-01"
    html = text(client.get(f"{floors}&last_day=2027-05-22", headers=EN))
    assert "Finding space for Nebula Studio" in html
    assert f'name="team_id" value="{team_id}"' in html  # kept when the filters change
    a101 = s["units"]["A101"]
    href = f"/units/{a101.id}?team_id={team_id}&amp;start=2027-03-01&amp;last_day=2027-05-22"
    assert href in html

    unit_page = text(
        client.get(f"/units/{a101.id}?team_id={team_id}&start=2027-03-01&last_day=2027-05-22")
    )
    assert re.search(rf'<option selected value="{team_id}">', unit_page), unit_page
    assert re.search(r'<input[^>]*id="start"[^>]*value="2027-03-01"', unit_page)
    assert re.search(r'<input[^>]*id="last_day"[^>]*value="2027-05-22"', unit_page)

    # A team of another park is not in hand; with no team, no team is preselected.
    other = make.team(make.park(), status="resident")
    html = text(client.get(f"/parks/{s['park'].id}/floors?team_id={other.id}"))
    assert "data-team-in-hand" not in html and "team_id=" not in html.split("unit-grid", 1)[1]
    plain = text(client.get(f"/units/{a101.id}"))
    assert not re.search(r'<option selected value="\d+">', plain)
