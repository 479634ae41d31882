"""Who sees which space: park staff their parks', members their own team's allocations only,
everyone else 404 (ids do not leak)."""

from __future__ import annotations

import pytest

from opc.space.models import Allocation
from tests.conftest import login
from tests.space.helpers import D, count


@pytest.fixture
def world(make):
    park = make.park()
    mine = make.team(park, status="resident", name_en="Mine")
    theirs = make.team(park, status="resident", name_en="Theirs")
    my_unit = make.unit(park, code="MY-01")
    their_unit = make.unit(park, code="THEIR-01")
    return {
        "park": park,
        "mine": mine,
        "theirs": theirs,
        "my_unit": my_unit,
        "their_unit": their_unit,
        "my_alloc": make.allocation(mine, my_unit, D("2026-01-01")),
        "their_alloc": make.allocation(theirs, their_unit, D("2026-01-01")),
    }


def test_member_sees_only_their_own_allocations(make, api, world):
    member = api(make.user("member", team=world["mine"]))
    items = member.get("/allocations").get_json()["items"]
    assert [a["id"] for a in items] == [world["my_alloc"].id]
    assert member.get(f"/allocations?park_id={world['park'].id}").get_json()["total"] == 1
    assert member.get(f"/allocations/{world['my_alloc'].id}").status_code == 200
    assert member.get(f"/allocations/{world['their_alloc'].id}").status_code == 404


def test_member_sees_nothing_else_of_the_park_space(app, make, api, world):
    member = api(make.user("member", team=world["mine"]))
    park_id = world["park"].id
    assert member.get(f"/parks/{park_id}/units").status_code == 404
    assert member.get(f"/parks/{park_id}/units/{world['my_unit'].id}").status_code == 404
    assert member.get(f"/parks/{park_id}/occupancy").status_code == 404
    response = member.post(
        "/allocations",
        json={
            "team_id": world["mine"].id,
            "unit_id": world["their_unit"].id,
            "start": "2027-01-01",
        },
    )
    assert response.status_code == 403
    end = member.post(f"/allocations/{world['my_alloc'].id}/end", json={"end": "2026-02-01"})
    assert end.status_code == 403
    assert count(app, Allocation, Allocation.end.is_not(None)) == 0


def test_member_pages(client, make, world):
    login(client, make.user("member", team=world["mine"]).email)
    park_id = world["park"].id
    own = client.get(f"/space/teams/{world['mine'].id}")
    assert own.status_code == 200
    text = own.get_data(as_text=True)
    assert "MY-01" in text and "THEIR-01" not in text
    assert (
        client.get("/space/mine").headers["Location"].endswith(f"/space/teams/{world['mine'].id}")
    )
    for path in (
        f"/space/teams/{world['theirs'].id}",
        f"/units/{world['my_unit'].id}",
        f"/units/{world['their_unit'].id}",
        f"/parks/{park_id}/units",
        f"/parks/{park_id}/occupancy",
        f"/parks/{park_id}/floors",
    ):
        assert client.get(path).status_code == 404, path
    nav = client.get(f"/space/teams/{world['mine'].id}").get_data(as_text=True)
    assert 'href="/space/mine"' in nav and 'href="/space/"' not in nav


def test_staff_of_another_park_gets_404(app, client, make, api, world):
    outsider = make.user("staff", parks=[make.park()])
    other = api(outsider)
    park_id = world["park"].id
    assert other.get(f"/parks/{park_id}/units").status_code == 404
    assert other.get(f"/allocations/{world['my_alloc'].id}").status_code == 404
    assert other.get("/allocations").get_json()["total"] == 0
    assert (
        other.post(
            f"/allocations/{world['my_alloc'].id}/end", json={"end": "2026-02-01"}
        ).status_code
        == 404
    )
    response = other.post(
        "/allocations",
        json={"team_id": world["mine"].id, "unit_id": world["my_unit"].id, "start": "2027-01-01"},
    )
    assert response.status_code == 422
    login(client, outsider.email)
    for path in (
        f"/parks/{park_id}/units",
        f"/parks/{park_id}/occupancy",
        f"/parks/{park_id}/floors",
        f"/units/{world['my_unit'].id}",
        f"/space/teams/{world['mine'].id}",
    ):
        assert client.get(path).status_code == 404, path
    assert count(app, Allocation) == 2
    assert count(app, Allocation, Allocation.end.is_not(None)) == 0


def test_park_staff_and_admins_see_the_space(client, make, api, world):
    staff = make.user("staff", parks=[world["park"]])
    assert api(staff).get("/allocations").get_json()["total"] == 2
    admin = make.user("admin")
    assert api(admin).get(f"/parks/{world['park'].id}/units").get_json()["total"] == 2
    login(client, staff.email)
    page = client.get(f"/units/{world['my_unit'].id}").get_data(as_text=True)
    assert 'href="/space/"' in page  # the nav entry
    assert "Mine" in page


def test_scope_read_token_cannot_write(make, api, world):
    staff = make.user("staff", parks=[world["park"]])
    reader = api(staff, scope="read")
    assert reader.get("/allocations").status_code == 200
    response = reader.post(
        "/allocations",
        json={"team_id": world["mine"].id, "unit_id": world["my_unit"].id, "start": "2027-01-01"},
    )
    assert response.status_code == 403
