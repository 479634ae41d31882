"""The number of SQL statements of a page does not grow with the number of rows."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.conftest import login
from tests.space.helpers import D


def _grow(make, park, n):
    for i in range(n):
        team = make.team(park, status="resident", track=("aigc_film", "vfx", "games")[i % 3])
        unit = make.unit(park, code=f"G{n}-{i:03d}", floor=1 + i % 4, area_m2=Decimal("10"))
        make.allocation(team, unit, D("2025-01-01"), D("2025-06-01"))
        make.allocation(team, unit, D("2025-06-01"))
        make.unit(park, code=f"F{n}-{i:03d}", floor=1, area_m2=Decimal("10"))  # free ones


def _statements(count_queries, fetch, path):
    fetch(path)  # warm up: the first request may set things up once
    with count_queries() as statements:
        response = fetch(path)
    assert response.status_code == 200, path
    return len(statements)


@pytest.fixture
def park(make):
    return make.park(total_area_m2=Decimal("5000"))


PAGES = [
    "/parks/{park}/units",
    "/parks/{park}/occupancy?on=2025-07-01",
    "/parks/{park}/floors?on=2025-07-01",
    # Filtered, with a team in hand; a team's search for free units.
    "/parks/{park}/floors?on=2025-07-01&floor=1&min_area=5&free_from=2030-01-01&team_id={team}",
    "/space/teams/{team}/allocate?free_from=2030-01-01&last_day=2030-12-31&kind=office",
]
API = [
    "/allocations",
    "/allocations?park_id={park}&active_on=2025-07-01",
    "/parks/{park}/units",
    "/parks/{park}/occupancy",
]


def test_pages_and_api_issue_the_same_statements_at_two_sizes(
    count_queries, client, make, api, park
):
    staff = make.user("staff", parks=[park])
    login(client, staff.email)
    staff_api = api(staff)
    team = make.team(park, status="resident")
    pages = [p.format(park=park.id, team=team.id) for p in PAGES]
    calls = [p.format(park=park.id) for p in API]

    _grow(make, park, 3)
    small = [_statements(count_queries, client.get, p) for p in pages]
    small += [_statements(count_queries, staff_api.get, p) for p in calls]

    _grow(make, park, 40)
    large = [_statements(count_queries, client.get, p) for p in pages]
    large += [_statements(count_queries, staff_api.get, p) for p in calls]

    assert staff_api.get("/allocations").get_json()["total"] == 86  # the data did grow
    assert large == small, dict(zip(pages + calls, zip(small, large, strict=True), strict=True))


def test_unit_page_with_a_long_history(count_queries, client, make, park):
    staff = make.user("staff", parks=[park])
    login(client, staff.email)
    unit = make.unit(park)
    team = make.team(park, status="resident")
    make.allocation(team, unit, D("2020-01-01"), D("2020-02-01"))
    few = _statements(count_queries, client.get, f"/units/{unit.id}")
    for month in range(2, 12):
        make.allocation(
            make.team(park, status="resident"),
            unit,
            D(f"2020-{month:02d}-01"),
            D(f"2020-{month + 1:02d}-01"),
        )
    assert _statements(count_queries, client.get, f"/units/{unit.id}") == few
