"""A park that adopts OPC Ops with residents in place: teams arrive with their history
(API and CSV), and their space is held within residency (409 team_not_resident)."""

from __future__ import annotations

import io

import pytest
import time_machine

from opc.space.models import Allocation
from opc.teams.models import Team, TeamStatusChange
from tests.conftest import csrf_token
from tests.rent.helpers import D, count, error_of, post_form, resident, rows

NOW = "2026-06-15 04:00:00+00:00"  # 12:00 in Asia/Shanghai


def _team(s, **body):
    return s["api"].post(
        "/teams", json={"park_id": s["park"].id, "name_zh": "星云工作室", "track": "vfx", **body}
    )


@pytest.fixture
def s(make, api):
    park = make.park(team_cap=2)
    staff = make.user("staff", parks=[park])
    return {"park": park, "staff": staff, "api": api(staff), "unit": make.unit(park)}


@time_machine.travel(NOW, tick=False)
def test_a_team_arrives_as_a_resident_with_its_history(app, s):
    response = _team(s, status="resident", since="2025-03-01")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "resident" and body["status_since"] == "2025-03-01"
    steps = rows(app, TeamStatusChange, order_by=TeamStatusChange.id)
    assert [(x.from_status, x.to_status, x.on) for x in steps] == [
        (None, "applicant", D("2025-03-01")),
        ("applicant", "admitted", D("2025-03-01")),
        ("admitted", "resident", D("2025-03-01")),
    ]
    assert {x.actor_id for x in steps} == {s["staff"].id}


@time_machine.travel(NOW, tick=False)
def test_without_status_and_since_a_team_starts_as_an_applicant_today(app, s):
    body = _team(s).get_json()
    assert body["status"] == "applicant" and body["status_since"] == "2026-06-15"
    assert [x.to_status for x in rows(app, TeamStatusChange)] == ["applicant"]


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"status": "resident", "since": "2026-06-16"}, 422, "since"),
        ({"status": "graduated", "since": "2025-01-01"}, 422, "status"),
        ({"status": "resident", "since": "2025-02-30"}, 422, "since"),
        ({"status": "resident", "since": "0001-01-01"}, 422, "since"),
    ],
)
def test_bad_arrivals_are_refused_and_nothing_is_written(app, s, body, status, field):
    response = _team(s, **body)
    assert response.status_code == status, response.get_json()
    assert field in error_of(response)["fields"]
    assert count(app, Team) == 0


@time_machine.travel(NOW, tick=False)
def test_arriving_residents_count_against_the_cap(app, s):
    for name in ("甲", "乙"):
        assert _team(s, name_zh=name, status="resident", since="2025-01-01").status_code == 201
    refused = _team(s, name_zh="丙", status="resident", since="2025-01-01")
    assert refused.status_code == 409 and error_of(refused)["code"] == "team_cap_reached"
    assert _team(s, name_zh="丙", status="admitted", since="2025-01-01").status_code == 201


@time_machine.travel(NOW, tick=False)
def test_the_csv_import_takes_status_and_since(app, client, make, as_user, s):
    as_user("staff", parks=[s["park"]])
    data = (
        "name_zh,track,kind,status,since\n"
        "星云工作室,vfx,solo,resident,2024-09-01\n"
        "幻境影业,vfx,company,admitted,2025-05-01\n"
        "天枢智能,ai_agents,company,,\n"
    ).encode()
    token = csrf_token(client, "/teams/import")
    response = client.post(
        "/teams/import",
        data={"csrf_token": token, "park_id": s["park"].id, "file": (io.BytesIO(data), "t.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    teams = {t.name_zh: t for t in rows(app, Team)}
    assert teams["星云工作室"].status_since == D("2024-09-01")
    assert teams["天枢智能"].status_since == D("2026-06-15")
    steps = rows(app, TeamStatusChange, TeamStatusChange.team_id == teams["星云工作室"].id)
    assert [(x.to_status, x.on) for x in steps] == [
        ("applicant", D("2024-09-01")),
        ("admitted", D("2024-09-01")),
        ("resident", D("2024-09-01")),
    ]


@time_machine.travel(NOW, tick=False)
def test_a_bad_since_in_the_csv_imports_nothing(app, client, make, as_user, s):
    as_user("staff", parks=[s["park"]])
    data = (
        "name_zh,track,kind,status,since\n"
        "星云工作室,vfx,solo,resident,2024-13-01\n"
        "幻境影业,vfx,company,admitted,2027-01-01\n"
    ).encode()
    token = csrf_token(client, "/teams/import")
    response = client.post(
        "/teams/import",
        data={"csrf_token": token, "park_id": s["park"].id, "file": (io.BytesIO(data), "t.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Not a date (YYYY-MM-DD)." in text and "may not be in the future" in text
    assert count(app, Team) == 0


def test_an_allocation_may_not_start_before_move_in(app, make, s):
    team = resident(make, s["park"], "2025-03-01", name_zh="星云工作室")
    body = {"team_id": team.id, "unit_id": s["unit"].id, "start": "2025-02-15"}
    refused = s["api"].post("/allocations", json=body)
    assert refused.status_code == 409
    error = error_of(refused)
    assert error["code"] == "team_not_resident"
    assert "1 Mar 2025" in error["message"] and error["conflict"]["move_in"] == "2025-03-01"
    assert count(app, Allocation) == 0
    ok = s["api"].post("/allocations", json={**body, "start": "2025-03-01"})
    assert ok.status_code == 201, ok.get_json()


@time_machine.travel(NOW, tick=False)
def test_an_allocation_may_not_run_past_exit(app, make, s):
    team = resident(make, s["park"], "2025-03-01")
    allocation = make.allocation(team, s["unit"], D("2025-03-01"))
    left = s["api"].post(f"/teams/{team.id}/transitions", json={"to": "exited", "on": "2026-05-01"})
    assert left.status_code in (200, 201), left.get_json()
    (ended,) = rows(app, Allocation)
    assert ended.end == D("2026-05-01")  # released on the day it left
    extended = s["api"].post(f"/allocations/{allocation.id}/end", json={"end": "2026-06-01"})
    assert extended.status_code == 409, extended.get_json()
    error = error_of(extended)
    assert error["code"] == "team_not_resident" and "1 May 2026" in error["message"]
    assert rows(app, Allocation)[0].end == D("2026-05-01")


@time_machine.travel(NOW, tick=False)
def test_the_new_team_page_takes_status_and_since(app, client, make, as_user, s):
    as_user("staff", parks=[s["park"]])
    form = {"park_id": s["park"].id, "name_zh": "星云工作室", "track": "vfx", "kind": "solo"}
    response = post_form(
        client, "/teams/new", {**form, "arrives_as": "resident", "since": "2025-03-01"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    (team,) = rows(app, Team)
    assert team.status == "resident" and team.status_since == D("2025-03-01")
    refused = post_form(
        client,
        "/teams/new",
        {**form, "name_zh": "幻境", "arrives_as": "resident", "since": "2026-07-01"},
    )
    assert refused.status_code == 422
    assert "may not be in the future" in refused.get_data(as_text=True)
