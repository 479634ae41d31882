"""Policies: admins add a park's measures with their schedule; who sees them; bad input."""

from __future__ import annotations

import pytest

from opc.rent.models import Policy, PolicyStep
from tests.rent.helpers import count, error_of, post_form, rows

SCI_FI_13 = {
    "code": "SF13-4",
    "name_zh": "科幻13条 第4条",
    "name_en": "Sci-Fi 13, measure 4",
    "document": "成都市促进科幻产业发展的若干政策措施",
    "steps": [{"months": 12, "percent": "100"}, {"months": 12, "percent": "50"}],
    "area_cap_m2": "200.00",
    "tracks": ["aigc_film", "digital_humans"],
    "kinds": [],
    "clawback_within_months": 24,
    "clawback_last_months": 6,
}


def test_an_admin_adds_a_policy_with_its_schedule(app, make, api):
    park = make.park()
    admin = make.user("admin")
    response = api(admin).post("/policies", json={"park_id": park.id, **SCI_FI_13})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["steps"] == [{"months": 12, "percent": "100"}, {"months": 12, "percent": "50"}]
    assert body["area_cap_m2"] == "200.00" and body["teams_covered"] == 0
    assert body["tracks"] == ["aigc_film", "digital_humans"]
    (policy,) = rows(app, Policy)
    assert policy.code == "SF13-4"
    assert count(app, PolicyStep, PolicyStep.policy_id == policy.id) == 2


def test_the_schedule_gives_the_percentage_of_each_month_of_residency(ctx, make, api):
    park = make.park()
    admin = make.user("admin")
    api(admin).post("/policies", json={"park_id": park.id, **SCI_FI_13})
    from opc.extensions import db

    policy = db.session.query(Policy).one()
    assert [str(policy.percent_in_month(n)) for n in (1, 12, 13, 24, 25)] == [
        "100.00",
        "100.00",
        "50.00",
        "50.00",
        "0",
    ]


def test_a_duplicate_code_is_refused(app, make, api):
    park = make.park()
    admin = make.user("admin")
    assert api(admin).post("/policies", json={"park_id": park.id, **SCI_FI_13}).status_code == 201
    again = api(admin).post("/policies", json={"park_id": park.id, **SCI_FI_13})
    assert again.status_code == 409
    assert error_of(again)["code"] == "policy_code_taken"
    other = make.park()  # another park may use the code
    assert api(admin).post("/policies", json={"park_id": other.id, **SCI_FI_13}).status_code == 201


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"steps": [{"months": 12, "percent": "101"}]}, "steps.0.percent"),
        ({"steps": [{"months": 12, "percent": "12.345"}]}, "steps.0.percent"),
        ({"steps": [{"months": 0, "percent": "50"}]}, "steps.0.months"),
        ({"steps": []}, "steps"),
        ({"area_cap_m2": "0"}, "area_cap_m2"),
        ({"clawback_last_months": None}, "clawback_last_months"),
        ({"tracks": ["poetry"]}, "tracks.0"),
        ({"steps": [{"percent": "100"}, {"months": 12, "percent": "50"}]}, "steps.0"),
    ],
)
def test_bad_policies_are_refused_and_nothing_is_written(app, make, api, change, field):
    park = make.park()
    admin = make.user("admin")
    response = api(admin).post("/policies", json={"park_id": park.id, **SCI_FI_13, **change})
    assert response.status_code == 422, response.get_json()
    assert field in error_of(response)["fields"], error_of(response)
    assert count(app, Policy) == 0


def test_staff_may_not_add_policies_and_see_only_their_parks(app, make, api):
    park, other = make.park(), make.park()
    admin, staff = make.user("admin"), make.user("staff", parks=[park])
    for p in (park, other):
        api(admin).post("/policies", json={"park_id": p.id, **SCI_FI_13})
    refused = api(staff).post("/policies", json={"park_id": park.id, **SCI_FI_13, "code": "X"})
    assert refused.status_code == 403
    listed = api(staff).get("/policies").get_json()
    assert [p["park_id"] for p in listed["items"]] == [park.id]
    assert api(staff).get(f"/policies?park_id={other.id}").status_code == 404
    member = make.user("member", team=make.team(park))
    assert api(member).get("/policies").get_json()["total"] == 1


def test_the_policy_form_reads_the_schedule(app, client, make, as_user):
    park = make.park()
    as_user("admin")
    path = f"/parks/{park.id}/rent/policies/new"
    response = post_form(
        client,
        path,
        {"code": "SF13-4", "name_zh": "科幻13条 第4条", "steps": "12:100, 12:50, :20"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    (policy,) = rows(app, Policy)
    steps = rows(app, PolicyStep, order_by=PolicyStep.position)
    assert [(s.months, str(s.percent)) for s in steps] == [
        (12, "100.00"),
        (12, "50.00"),
        (None, "20.00"),
    ]
    assert policy.area_cap_m2 is None
    page = client.get(f"/parks/{park.id}/rent/policies").get_data(as_text=True)
    assert "科幻13条 第4条" in page
    refused = post_form(client, path, {"code": "B", "name_zh": "b", "steps": "12:150"})
    assert refused.status_code == 422
