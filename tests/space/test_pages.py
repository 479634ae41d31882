"""The space pages for park staff: units, a unit's timeline, allocating, ending, moving."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from opc.space.models import Allocation, Unit
from tests.conftest import login
from tests.space.helpers import D, count, post_form, stored


@pytest.fixture
def park(make):
    return make.park(total_area_m2=Decimal("100"))


@pytest.fixture
def staff(client, make, park):
    user = make.user("staff", parks=[park])
    login(client, user.email)
    return user


def _unit_form(**kw):
    return {
        "code": "1-S01",
        "kind": "studio",
        "floor": "1",
        "area_m2": "60.00",
        "seats": "4",
        "rent_fen_per_m2": "75.50",
        **kw,
    }


def test_create_unit_through_the_form(app, client, park, staff):
    page = f"/parks/{park.id}/units/new"
    response = post_form(client, page, _unit_form(), page)
    assert response.status_code == 302
    unit = stored(app, Unit)[0]
    assert (unit.code, unit.area_m2, unit.rent_fen_per_m2) == ("1-S01", Decimal("60.00"), 7550)
    assert response.headers["Location"].endswith(f"/units/{unit.id}")


def test_the_form_refuses_more_than_the_park_area(app, client, make, park, staff):
    make.unit(park, area_m2=Decimal("60"))
    page = f"/parks/{park.id}/units/new"
    response = post_form(client, page, _unit_form(code="X", area_m2="40.01"), page)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "60.00 m²" in text and "100.00 m²" in text
    assert count(app, Unit) == 1
    bad = post_form(client, page, _unit_form(code="Y", area_m2="0"), page)
    assert bad.status_code == 422 and count(app, Unit) == 1


def test_edit_and_delete_a_unit(app, client, make, park, staff):
    unit = make.unit(park, code="OLD", area_m2=Decimal("30"))
    page = f"/units/{unit.id}/edit"
    response = post_form(client, page, _unit_form(code="NEW", area_m2="35"), page)
    assert response.status_code == 302
    assert stored(app, Unit)[0].code == "NEW"
    response = post_form(client, f"/units/{unit.id}/delete", {}, f"/units/{unit.id}")
    assert response.status_code == 302
    assert count(app, Unit) == 0


def test_allocate_end_and_move_through_the_unit_page(app, client, make, park, staff):
    team = make.team(park, status="resident", name_en="Nebula")
    make.team(park, status="applicant", name_zh="申请中")
    unit = make.unit(park, code="A")
    target = make.unit(park, code="B")
    page = f"/units/{unit.id}"
    html = client.get(page).get_data(as_text=True)
    assert "申请中" not in html  # only residents are offered
    response = post_form(
        client,
        f"{page}/allocate",
        {"team_id": str(team.id), "start": "2026-01-01", "last_day": ""},
        page,
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    allocation = stored(app, Allocation)[0]
    assert (allocation.start, allocation.end) == (D("2026-01-01"), None)

    again = post_form(
        client,
        f"{page}/allocate",
        {"team_id": str(team.id), "start": "2026-02-01", "last_day": "2026-02-28"},
        page,
    )
    assert again.status_code == 422
    refusal = f"Not allocated: A is held by {team.name_zh} with no end date."
    assert refusal in again.get_data(as_text=True)
    assert count(app, Allocation) == 1

    backwards = post_form(
        client,
        f"{page}/allocate",
        {"team_id": str(team.id), "start": "2027-02-01", "last_day": "2027-01-01"},
        page,
    )
    assert backwards.status_code == 422 and count(app, Allocation) == 1

    moved = post_form(
        client,
        f"/allocations/{allocation.id}/move",
        {"unit_id": str(target.id), "on": "2026-06-01"},
        page,
    )
    assert moved.status_code == 302
    rows = stored(app, Allocation)
    assert [(a.unit_id, a.start, a.end) for a in rows] == [
        (unit.id, D("2026-01-01"), D("2026-06-01")),
        (target.id, D("2026-06-01"), None),
    ]
    end_page = f"/allocations/{rows[1].id}/end"
    ended = post_form(client, end_page, {"last_day": "2026-08-31"})
    assert ended.status_code == 302
    assert stored(app, Allocation)[1].end == D("2026-09-01")  # stored exclusive


def test_unit_page_shows_the_timeline(client, make, park, staff):
    unit = make.unit(park, code="T")
    make.allocation(
        make.team(park, status="exited", name_en="Past"), unit, D("2025-01-01"), D("2025-07-01")
    )
    make.allocation(make.team(park, status="resident", name_en="Now"), unit, D("2025-07-01"))
    html = client.get(f"/units/{unit.id}").get_data(as_text=True)
    assert '<svg class="timeline"' in html
    bars = re.findall(r'<rect x="([\d.]+)%" y="\d+" width="([\d.]+)%"', html)
    assert len(bars) == 2
    (x1, w1), (x2, _w2) = [(float(x), float(w)) for x, w in bars]
    assert x1 == 0 and abs(x1 + w1 - x2) < 0.01  # adjacent bars meet
    assert "Past" in html and "Now" in html
    assert "style=" not in html and "<script>" not in html


def test_unit_list_pages_and_filters(client, make, park, staff):
    for i in range(30):
        make.unit(park, code=f"U{i:02d}", floor=1 + i % 2, area_m2=Decimal("1"))
    first = client.get(f"/parks/{park.id}/units").get_data(as_text=True)
    assert first.count('data-unit="') == 25 and 'rel="next"' in first
    second = client.get(f"/parks/{park.id}/units?page=2").get_data(as_text=True)
    assert second.count('data-unit="') == 5
    floor2 = client.get(f"/parks/{park.id}/units?floor=2").get_data(as_text=True)
    assert floor2.count('data-unit="') == 15


def test_space_index_leads_to_the_park(client, park, staff):
    response = client.get("/space/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/parks/{park.id}/occupancy")


def test_staff_of_several_parks_pick_a_park_for_space_and_rent(client, make, as_user):
    first, second = make.park(), make.park()
    as_user("staff", parks=[first, second])
    for path in ("/space/", "/rent/"):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert f"/parks/{first.id}/" in html and f"/parks/{second.id}/" in html, path
