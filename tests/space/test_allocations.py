"""Allocations [start, end): overlap refused in every shape, adjacency allowed, bad input
refused with a specific error and nothing written; ending, moving and history."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from opc.extensions import db
from opc.space.models import Allocation
from tests.space.helpers import D, count, error, stored


@pytest.fixture
def setup(make, api):
    park = make.park()
    staff = make.user("staff", parks=[park])
    holder = make.team(park, status="resident", name_zh="星云工作室")
    other = make.team(park, status="resident")
    unit = make.unit(park, code="2-O01")
    existing = make.allocation(holder, unit, D("2026-03-10"), D("2026-03-20"))
    return {
        "park": park,
        "staff": staff,
        "holder": holder,
        "team": other,
        "unit": unit,
        "existing": existing,
        "api": api(staff),
    }


def _post(s, start, end, team=None, unit=None):
    return s["api"].post(
        "/allocations",
        json={
            "team_id": (team or s["team"]).id,
            "unit_id": (unit or s["unit"]).id,
            "start": start,
            "end": end,
        },
    )


OVERLAPS = {
    "inside": ("2026-03-12", "2026-03-15"),
    "identical": ("2026-03-10", "2026-03-20"),
    "straddling the start": ("2026-03-05", "2026-03-11"),
    "straddling the end": ("2026-03-19", "2026-03-25"),
    "covering": ("2026-03-01", "2026-04-01"),
    "same start": ("2026-03-10", "2026-03-11"),
    "same end": ("2026-03-19", "2026-03-20"),
    "open end from inside": ("2026-03-15", None),
    "open end from before": ("2026-01-01", None),
}


@pytest.mark.parametrize("shape", OVERLAPS)
def test_overlap_is_refused_in_every_shape(app, setup, shape):
    start, end = OVERLAPS[shape]
    response = _post(setup, start, end)
    assert response.status_code == 409, response.get_json()
    err = error(response)
    assert err["code"] == "allocation_overlap"
    assert err["conflict"] == {
        "allocation_id": setup["existing"].id,
        "team_id": setup["holder"].id,
        "team": "星云工作室",
        "unit_id": setup["unit"].id,
        "start": "2026-03-10",
        "end": "2026-03-20",  # the API's end: exclusive
        # The unit is free again from the existing end, when it holds the unit on the start
        # asked for; when it begins later, the refusal says until when the unit is free.
        "free_from": "2026-03-20" if start >= "2026-03-10" else None,
    }
    if start >= "2026-03-10":
        assert err["message"] == (
            "Not allocated: 2-O01 is held by 星云工作室 until 19 Mar 2026; "
            "it is free from 20 Mar 2026."
        )
    else:
        assert err["message"] == (
            "Not allocated: 2-O01 is free only until 9 Mar 2026; 星云工作室 holds it from "
            "10 Mar 2026."
        )
    assert count(app, Allocation) == 1


def test_open_ended_allocation_blocks_everything_after_its_start(app, make, setup):
    unit = make.unit(setup["park"])
    make.allocation(setup["holder"], unit, D("2026-05-01"))
    for start, end in [
        ("2030-01-01", "2030-02-01"),
        ("2026-04-01", "2026-05-02"),
        ("2027-01-01", None),
    ]:
        response = _post(setup, start, end, unit=unit)
        assert response.status_code == 409, (start, end)
        assert error(response)["conflict"]["end"] is None
    assert count(app, Allocation, Allocation.unit_id == unit.id) == 1


@pytest.mark.parametrize(
    "start,end",
    [("2026-03-20", "2026-03-30"), ("2026-03-01", "2026-03-10"), ("2026-03-20", None)],
    ids=["right after", "right before", "open from the end"],
)
def test_adjacent_periods_are_allowed(app, setup, start, end):
    response = _post(setup, start, end)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body == {
        "id": body["id"],
        "team_id": setup["team"].id,
        "unit_id": setup["unit"].id,
        "start": start,
        "end": end,
    }
    assert count(app, Allocation) == 2


def test_a_chain_of_adjacent_periods(app, setup):
    for start, end in [("2026-03-20", "2026-04-01"), ("2026-04-01", "2026-05-01")]:
        assert _post(setup, start, end).status_code == 201
    assert count(app, Allocation) == 3


def test_end_before_or_on_start_is_refused(app, setup):
    for end in ("2026-06-01", "2026-06-02"):
        response = _post(setup, "2026-06-02", end)
        assert response.status_code == 422
        assert "end" in error(response)["fields"]
    assert count(app, Allocation) == 1


def test_unit_of_another_park_is_refused_naming_the_field(app, make, api, setup):
    """Staff of both parks see both, yet a team holds space only in its own park."""
    elsewhere = make.park()
    foreign_unit = make.unit(elsewhere)
    staff = make.user("staff", parks=[setup["park"], elsewhere])
    response = _post({**setup, "api": api(staff)}, "2026-06-01", None, unit=foreign_unit)
    assert response.status_code == 422
    assert list(error(response)["fields"]) == ["unit_id"]
    assert count(app, Allocation) == 1


def test_unit_of_a_park_the_staff_does_not_work_for_is_unknown(app, make, setup):
    foreign_unit = make.unit(make.park())
    response = _post(setup, "2026-06-01", None, unit=foreign_unit)
    assert response.status_code == 422
    assert list(error(response)["fields"]) == ["unit_id"]
    assert count(app, Allocation) == 1


def test_unknown_unit_and_team_are_refused(app, setup):
    s = setup
    response = s["api"].post(
        "/allocations", json={"team_id": s["team"].id, "unit_id": 999_999, "start": "2026-06-01"}
    )
    assert response.status_code == 422
    assert "unit_id" in error(response)["fields"]
    response = s["api"].post(
        "/allocations", json={"team_id": 999_999, "unit_id": s["unit"].id, "start": "2026-06-01"}
    )
    assert response.status_code == 422
    assert "team_id" in error(response)["fields"]
    assert count(app, Allocation) == 1


@pytest.mark.parametrize("status", ["applicant", "admitted", "suspended", "graduated", "exited"])
def test_a_team_that_is_not_resident_holds_no_space(app, make, setup, status):
    team = make.team(setup["park"], status=status)
    response = _post(setup, "2026-06-01", None, team=team)
    assert response.status_code == 409
    err = error(response)
    assert err["code"] == "team_not_resident"
    assert err["conflict"] == {"team_id": team.id, "status": status}
    assert count(app, Allocation) == 1


def test_wrong_types_and_unknown_fields(app, setup):
    s = setup
    bad = [
        {"team_id": "x", "unit_id": s["unit"].id, "start": "2026-06-01"},
        {"team_id": s["team"].id, "unit_id": s["unit"].id},
    ]
    assert s["api"].post("/allocations", json=bad[0]).status_code == 400
    assert s["api"].post("/allocations", json=bad[1]).status_code == 422
    response = s["api"].post(
        "/allocations",
        json={"team_id": s["team"].id, "unit_id": s["unit"].id, "start": "2026-13-01"},
    )
    assert response.status_code == 422
    assert count(app, Allocation) == 1


def test_raw_sql_insert_of_an_overlap_fails_in_the_database(app, setup, audit_guard):
    """The rule lives in the schema: a write that bypasses the application is refused."""
    with app.app_context(), audit_guard.paused():  # bypasses the audit log too, on purpose
        with pytest.raises(sa.exc.IntegrityError) as info, db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    'INSERT INTO allocations (team_id, unit_id, start, "end", created_at) '
                    "VALUES (:t, :u, :s, NULL, CURRENT_TIMESTAMP)"
                ),
                {"t": setup["team"].id, "u": setup["unit"].id, "s": D("2026-03-15")},
            )
        assert "ex_allocations_unit_period" in str(info.value)
        with db.engine.begin() as conn:  # an adjacent one is fine
            conn.execute(
                sa.text(
                    'INSERT INTO allocations (team_id, unit_id, start, "end", created_at) '
                    "VALUES (:t, :u, :s, NULL, CURRENT_TIMESTAMP)"
                ),
                {"t": setup["team"].id, "u": setup["unit"].id, "s": D("2026-03-20")},
            )
    assert count(app, Allocation) == 2


def test_raw_sql_update_into_an_overlap_fails_in_the_database(app, make, setup):
    later = make.allocation(setup["team"], setup["unit"], D("2026-04-01"), D("2026-05-01"))
    with app.app_context(), pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE allocations SET start = :s WHERE id = :id"),
            {"s": D("2026-03-19"), "id": later.id},
        )
    assert stored(app, Allocation, Allocation.id == later.id)[0].start == D("2026-04-01")


def test_the_database_rule_answers_409_when_the_check_is_bypassed(app, setup, monkeypatch):
    """If a write ever gets past the check, the constraint still answers allocation_overlap,
    naming the conflicting allocation."""
    from opc.space.operations import allocations

    monkeypatch.setattr(allocations, "_check_free", lambda *a, **k: None)
    response = _post(setup, "2026-03-15", "2026-03-16")
    assert response.status_code == 409
    err = error(response)
    assert err["code"] == "allocation_overlap"
    assert err["conflict"]["allocation_id"] == setup["existing"].id
    assert count(app, Allocation) == 1


# --- ending and moving -----------------------------------------------------------------


def test_end_an_allocation(app, make, setup):
    s = setup
    open_one = make.allocation(s["team"], make.unit(s["park"]), D("2026-01-01"))
    response = s["api"].post(f"/allocations/{open_one.id}/end", json={"end": "2026-06-01"})
    assert response.status_code == 200
    assert response.get_json()["end"] == "2026-06-01"
    assert stored(app, Allocation, Allocation.id == open_one.id)[0].end == D("2026-06-01")


def test_end_on_or_before_start_is_refused(app, setup):
    s = setup
    for end in ("2026-03-10", "2026-03-01"):
        response = s["api"].post(f"/allocations/{s['existing'].id}/end", json={"end": end})
        assert response.status_code == 422
        assert "end" in error(response)["fields"]
    assert stored(app, Allocation)[0].end == D("2026-03-20")


def test_extending_into_the_next_allocation_is_refused(app, make, setup):
    s = setup
    nxt = make.allocation(s["team"], s["unit"], D("2026-04-01"))
    response = s["api"].post(f"/allocations/{s['existing'].id}/end", json={"end": "2026-04-02"})
    assert response.status_code == 409
    assert error(response)["conflict"]["allocation_id"] == nxt.id
    ok = s["api"].post(f"/allocations/{s['existing'].id}/end", json={"end": "2026-04-01"})
    assert ok.status_code == 200


def test_move_ends_the_old_allocation_and_starts_the_new_one(app, make, setup):
    s = setup
    target = make.unit(s["park"], code="3-O01")
    current = make.allocation(s["team"], make.unit(s["park"]), D("2026-01-01"))
    response = s["api"].post(
        f"/allocations/{current.id}/move", json={"unit_id": target.id, "on": "2026-05-01"}
    )
    assert response.status_code == 201, response.get_json()
    moved = response.get_json()
    assert moved["unit_id"] == target.id
    assert (moved["start"], moved["end"]) == ("2026-05-01", None)
    assert stored(app, Allocation, Allocation.id == current.id)[0].end == D("2026-05-01")
    history = s["api"].get(f"/allocations?team_id={s['team'].id}").get_json()["items"]
    assert [(a["unit_id"], a["start"], a["end"]) for a in history] == [
        (target.id, "2026-05-01", None),
        (current.unit_id, "2026-01-01", "2026-05-01"),
    ]


def test_a_move_to_a_taken_unit_changes_nothing(app, make, setup):
    s = setup
    current = make.allocation(s["team"], make.unit(s["park"]), D("2026-01-01"))
    response = s["api"].post(
        f"/allocations/{current.id}/move", json={"unit_id": s["unit"].id, "on": "2026-03-15"}
    )
    assert response.status_code == 409
    assert error(response)["code"] == "allocation_overlap"
    assert stored(app, Allocation, Allocation.id == current.id)[0].end is None
    assert count(app, Allocation) == 2


def test_move_outside_the_allocation_or_to_another_park_is_refused(app, make, setup):
    s = setup
    current = make.allocation(s["team"], make.unit(s["park"]), D("2026-01-01"), D("2026-06-01"))
    target = make.unit(s["park"])
    for on in ("2026-01-01", "2025-12-01", "2026-06-01", "2026-07-01"):
        response = s["api"].post(
            f"/allocations/{current.id}/move", json={"unit_id": target.id, "on": on}
        )
        assert response.status_code == 422, on
        assert "on" in error(response)["fields"]
    same = s["api"].post(
        f"/allocations/{current.id}/move", json={"unit_id": current.unit_id, "on": "2026-03-01"}
    )
    assert same.status_code == 422
    assert count(app, Allocation) == 2


def test_history_per_unit_and_per_team(app, make, setup):
    s = setup
    later = make.allocation(s["team"], s["unit"], D("2026-04-01"))
    by_unit = s["api"].get(f"/allocations?unit_id={s['unit'].id}").get_json()
    assert [a["id"] for a in by_unit["items"]] == [later.id, s["existing"].id]
    assert by_unit["total"] == 2
    by_team = s["api"].get(f"/allocations?team_id={s['holder'].id}").get_json()
    assert [a["id"] for a in by_team["items"]] == [s["existing"].id]
    active = s["api"].get("/allocations?active_on=2026-03-19").get_json()
    assert [a["id"] for a in active["items"]] == [s["existing"].id]
    assert s["api"].get("/allocations?active_on=2026-03-20").get_json()["items"] == []
    one = s["api"].get(f"/allocations/{later.id}")
    assert one.get_json() == {
        "id": later.id,
        "team_id": s["team"].id,
        "unit_id": s["unit"].id,
        "start": "2026-04-01",
        "end": None,
    }
