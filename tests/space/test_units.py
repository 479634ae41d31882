"""Units of a park: the park's area caps the sum of unit areas (create and edit), codes are
unique per park, a unit that was ever allocated is kept; API shapes and codes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from opc.space.models import Allocation, Unit
from tests.space.helpers import D, count, error, stored


@pytest.fixture
def park(make):
    return make.park(name_zh="成都科幻OPC", total_area_m2=Decimal("2500"))


@pytest.fixture
def staff_api(make, api, park):
    return api(make.user("staff", parks=[park]))


def _unit(code="2-O01", area="30.00", **kw):
    return {
        "code": code,
        "kind": "office",
        "floor": 2,
        "area_m2": area,
        "seats": 4,
        "rent_per_m2_yuan": "80.00",
        **kw,
    }


def test_create_unit_answers_its_shape(app, park, staff_api):
    response = staff_api.post(f"/parks/{park.id}/units", json=_unit())
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body == {
        "id": body["id"],
        "park_id": park.id,
        "code": "2-O01",
        "kind": "office",
        "floor": 2,
        "area_m2": "30.00",
        "seats": 4,
        "rent_per_m2_yuan": "80.00",
    }
    unit = stored(app, Unit)[0]
    assert (unit.area_m2, unit.rent_fen_per_m2) == (Decimal("30.00"), 8000)
    assert staff_api.get(f"/parks/{park.id}/units/{body['id']}").get_json() == body
    listing = staff_api.get(f"/parks/{park.id}/units").get_json()
    assert listing == {"items": [body], "total": 1, "page": 1, "per_page": 25}


def test_units_may_fill_the_park_exactly_but_not_beyond(app, make, park, staff_api):
    make.unit(park, area_m2=Decimal("2400.00"))
    assert staff_api.post(f"/parks/{park.id}/units", json=_unit("A", "100.00")).status_code == 201
    response = staff_api.post(f"/parks/{park.id}/units", json=_unit("B", "0.01"))
    assert response.status_code == 409
    err = error(response)
    assert err["code"] == "park_area_exceeded"
    assert err["conflict"] == {
        "park_id": park.id,
        "park": "成都科幻OPC",
        "total_area_m2": "2500.00",
        "in_use_m2": "2500.00",
        "requested_m2": "0.01",
    }
    assert "成都科幻OPC" in err["message"] and "2500.00" in err["message"]
    assert count(app, Unit) == 2


def test_editing_a_unit_larger_than_the_park_allows_is_refused(app, make, park, staff_api):
    make.unit(park, area_m2=Decimal("2000"))
    unit = make.unit(park, area_m2=Decimal("400"))
    url = f"/parks/{park.id}/units/{unit.id}"
    response = staff_api.patch(url, json={"area_m2": "500.01"})
    assert response.status_code == 409
    assert error(response)["conflict"]["in_use_m2"] == "2000.00"
    assert stored(app, Unit, Unit.id == unit.id)[0].area_m2 == Decimal("400.00")
    ok = staff_api.patch(url, json={"area_m2": "500.00", "seats": 9})
    assert ok.status_code == 200
    assert (ok.get_json()["area_m2"], ok.get_json()["seats"]) == ("500.00", 9)


@pytest.mark.parametrize(
    "field,value,status",
    [
        ("area_m2", "0", 422),
        ("area_m2", "-5", 422),
        ("area_m2", "30.001", 422),
        ("kind", "castle", 422),
        ("seats", -1, 422),
        ("rent_per_m2_yuan", "-1", 422),
        ("rent_per_m2_yuan", "1.234", 422),
        ("code", "", 422),
        ("floor", "two", 400),
    ],
)
def test_bad_unit_values_are_refused(app, park, staff_api, field, value, status):
    response = staff_api.post(f"/parks/{park.id}/units", json=_unit(**{field: value}))
    assert response.status_code == status, response.get_json()
    assert field in error(response)["fields"]
    assert count(app, Unit) == 0


def test_codes_are_unique_per_park(app, make, park, staff_api):
    make.unit(park, code="2-O01")
    response = staff_api.post(f"/parks/{park.id}/units", json=_unit("2-O01"))
    assert response.status_code == 409
    assert error(response)["code"] == "unit_code_taken"
    assert "code" in error(response)["fields"]
    make.unit(make.park(), code="2-O02")  # another park may use a code
    assert staff_api.post(f"/parks/{park.id}/units", json=_unit("2-O02")).status_code == 201
    assert count(app, Unit) == 3


def test_delete_only_a_unit_never_allocated(app, make, park, staff_api):
    free = make.unit(park)
    used = make.unit(park)
    make.allocation(make.team(park, status="resident"), used, D("2025-01-01"), D("2025-02-01"))
    response = staff_api.delete(f"/parks/{park.id}/units/{used.id}")
    assert response.status_code == 409
    assert error(response)["code"] == "unit_in_use"
    assert count(app, Unit) == 2 and count(app, Allocation) == 1
    assert staff_api.delete(f"/parks/{park.id}/units/{free.id}").status_code == 204
    assert [u.id for u in stored(app, Unit)] == [used.id]


def test_unit_under_another_park_id_is_404(app, make, park, staff_api):
    other_park = make.park()
    unit = make.unit(park)
    assert staff_api.get(f"/parks/{other_park.id}/units/{unit.id}").status_code == 404
    assert staff_api.get(f"/parks/{park.id}/units/999999").status_code == 404


def test_the_openapi_document_covers_the_space_routes(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/parks/{park_id}/units",
        "/api/v1/parks/{park_id}/units/{unit_id}",
        "/api/v1/parks/{park_id}/units/import",
        "/api/v1/allocations",
        "/api/v1/allocations/{allocation_id}",
        "/api/v1/allocations/{allocation_id}/end",
        "/api/v1/allocations/{allocation_id}/move",
        "/api/v1/parks/{park_id}/occupancy",
    ):
        assert path in paths, path
    assert "409" in paths["/api/v1/allocations"]["post"]["responses"]
