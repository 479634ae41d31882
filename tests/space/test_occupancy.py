"""Occupancy of a park on a day, by floor and by track, on a known fixture; its pages."""

from __future__ import annotations

import html
import json
import re
from decimal import Decimal

import pytest

from tests.conftest import login
from tests.space.helpers import D


@pytest.fixture
def park(make):
    """1,000 m², cap 10; five units on two floors; allocations around 2026-03-15."""
    park = make.park(total_area_m2=Decimal("1000"), team_cap=10)
    u = {
        code: make.unit(park, code=code, floor=floor, area_m2=Decimal(area))
        for code, floor, area in [
            ("A", 1, "100"),
            ("B", 1, "50"),
            ("C", 1, "50"),
            ("D", 2, "200"),
            ("E", 2, "100"),
        ]
    }
    t1 = make.team(park, status="resident", track="aigc_film", name_zh="一号", name_en="Nebula")
    t2 = make.team(park, status="resident", track="aigc_film")
    t3 = make.team(park, status="resident", track="ai_agents")
    make.team(park, status="applicant", track="games")
    t5 = make.team(park, status="exited", track="vfx")
    make.allocation(t1, u["A"], D("2026-01-01"))
    make.allocation(t1, u["D"], D("2026-03-01"), D("2026-04-01"))
    make.allocation(t2, u["B"], D("2026-01-01"), D("2026-03-15"))
    make.allocation(t3, u["E"], D("2026-03-15"))
    make.allocation(t3, u["C"], D("2026-03-16"))
    make.allocation(t5, u["C"], D("2025-01-01"), D("2025-12-01"))
    # Another park's space never counts.
    other = make.park()
    make.allocation(make.team(other, status="resident"), make.unit(other), D("2026-01-01"))
    return park


@pytest.fixture
def staff_api(make, api, park):
    return api(make.user("staff", parks=[park]))


def test_occupancy_on_a_day(park, staff_api):
    body = staff_api.get(f"/parks/{park.id}/occupancy?on=2026-03-15").get_json()
    assert body == {
        "park_id": park.id,
        "on": "2026-03-15",
        "total_area_m2": "1000.00",
        "unit_area_m2": "500.00",
        "allocated_m2": "400.00",
        "free_m2": "100.00",
        "units": 5,
        "units_taken": 3,
        "units_free": 2,
        "residents": 3,
        "team_cap": 10,
        "floors": [
            {
                "floor": 1,
                "units": 3,
                "units_taken": 1,
                "area_m2": "200.00",
                "allocated_m2": "100.00",
            },
            {
                "floor": 2,
                "units": 2,
                "units_taken": 2,
                "area_m2": "300.00",
                "allocated_m2": "300.00",
            },
        ],
        "tracks": [
            {
                "track": "aigc_film",
                "residents": 2,
                "teams_with_space": 1,
                "units": 2,
                "allocated_m2": "300.00",
            },
            {
                "track": "ai_agents",
                "residents": 1,
                "teams_with_space": 1,
                "units": 1,
                "allocated_m2": "100.00",
            },
        ],
    }


def test_occupancy_the_day_before(park, staff_api):
    body = staff_api.get(f"/parks/{park.id}/occupancy?on=2026-03-14").get_json()
    assert (body["allocated_m2"], body["units_taken"]) == ("350.00", 3)
    assert [(f["floor"], f["units_taken"], f["allocated_m2"]) for f in body["floors"]] == [
        (1, 2, "150.00"),
        (2, 1, "200.00"),
    ]
    assert [(t["track"], t["teams_with_space"], t["allocated_m2"]) for t in body["tracks"]] == [
        ("aigc_film", 2, "350.00"),
        ("ai_agents", 0, "0.00"),
    ]


def test_occupancy_rejects_a_bad_day_and_strangers(make, api, park, staff_api):
    assert staff_api.get(f"/parks/{park.id}/occupancy?on=yesterday").status_code == 422
    outsider = make.user("staff", parks=[make.park()])
    assert api(outsider).get(f"/parks/{park.id}/occupancy").status_code == 404


def _series(page: str, kind: str) -> list[dict]:
    found = re.findall(rf"data-chart=\"{kind}\" data-series=\"([^\"]+)\"", page)
    return [json.loads(html.unescape(s)) for s in found]


def test_occupancy_page_charts_and_tables(client, make, park):
    login(client, make.user("staff", parks=[park]).email)
    response = client.get(f"/parks/{park.id}/occupancy?on=2026-03-15")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _series(page, "doughnut") == [
        {"labels": ["Allocated", "Free in units", "Not in units"], "values": [400.0, 100.0, 500.0]}
    ]
    floors, tracks = _series(page, "bar")
    assert floors["labels"] == ["Floor 1", "Floor 2"]
    assert [d["data"] for d in floors["datasets"]] == [[100.0, 300.0], [100.0, 0.0]]
    assert tracks["labels"] == ["AIGC film", "AI agents"]
    assert [d["data"] for d in tracks["datasets"]] == [[2, 1], [1, 1]]
    assert 'data-floor="2" class="occ-4"' in page and 'data-floor="1" class="occ-2"' in page
    assert "<script>" not in page and "style=" not in page
    assert 'value="2026-03-15"' in page  # the date picker shows the day


def test_floor_view_colours_units_by_state(client, make, park):
    login(client, make.user("staff", parks=[park]).email)
    page = client.get(f"/parks/{park.id}/floors?on=2026-03-15").get_data(as_text=True)
    states = dict(re.findall(r'data-unit="(\w)" data-state="(\w+)"', page))
    assert states == {"A": "taken", "B": "free", "C": "free", "D": "ending", "E": "taken"}
    assert "Nebula" in page  # the holder's name on its box
    assert "style=" not in page
