"""Waivers: proposed then approved, four eyes when the park asks, never more than the rent
(stacking checked where the waiver is written), bad input refused with nothing written."""

from __future__ import annotations

from decimal import Decimal

import pytest

from opc.audit.models import AuditEntry
from opc.parks.settings import ParkSetting
from opc.rent.models import Waiver
from tests.rent.helpers import D, count, error_of, post_form, resident, rows
from tests.rent.test_policies import SCI_FI_13


@pytest.fixture
def s(make, api):
    """A park with two staff, a team that moved in on 2025-03-10 holding 30 m² at 80 yuan
    per m² (2,400.00 yuan a month), and the Sci-Fi 13 policy (100% for 12 months, then
    50% for 12)."""
    park = make.park()
    staff, second = make.user("staff", parks=[park]), make.user("staff", parks=[park])
    admin = make.user("admin")
    team = resident(make, park, "2025-03-10", name_zh="星云工作室")
    unit = make.unit(park, area_m2=Decimal("30"), rent_fen_per_m2=8000)
    make.allocation(team, unit, D("2025-03-10"))
    policy = api(admin).post("/policies", json={"park_id": park.id, **SCI_FI_13}).get_json()
    return {
        "park": park,
        "team": team,
        "policy": policy,
        "staff": api(staff),
        "second": api(second),
        "admin": api(admin),
    }


def _propose(s, **body):
    return s["staff"].post("/waivers", json={"team_id": s["team"].id, **body})


def _approved(s, by="second", **body):
    proposed = _propose(s, **body)
    assert proposed.status_code == 201, proposed.get_json()
    approved = s[by].post(f"/waivers/{proposed.get_json()['id']}/approve")
    assert approved.status_code == 200, approved.get_json()
    return approved.get_json()


def test_a_percentage_is_proposed_then_approved(app, s):
    proposed = _propose(s, percent="50", start="2026-01-01", end="2026-07-01", reason="贫困补助")
    assert proposed.status_code == 201, proposed.get_json()
    body = proposed.get_json()
    assert body["status"] == "proposed" and body["percent"] == "50" and body["kind"] == "percent"
    approved = s["staff"].post(f"/waivers/{body['id']}/approve")  # four eyes are off
    assert approved.status_code == 200
    assert approved.get_json()["status"] == "approved"
    assert count(app, AuditEntry, AuditEntry.entity == "rent_waivers") == 2
    again = s["second"].post(f"/waivers/{body['id']}/approve")
    assert again.status_code == 409 and error_of(again)["code"] == "invalid_transition"


def test_a_policy_granted_starts_at_move_in_by_default(s):
    body = _approved(s, policy_id=s["policy"]["id"])
    assert body["kind"] == "policy" and body["start"] == "2025-03-10" and body["end"] is None
    assert body["percent"] is None and body["amount_yuan"] is None


def test_four_eyes_when_the_park_asks(app, s):
    s["admin"].patch(f"/parks/{s['park'].id}/settings", json={"values": {"rent_four_eyes": True}})
    assert count(app, ParkSetting) == 1
    proposed = _propose(s, percent="20", start="2026-01-01", reason="活动补贴").get_json()
    same = s["staff"].post(f"/waivers/{proposed['id']}/approve")
    assert same.status_code == 409
    assert error_of(same)["code"] == "same_person"
    assert rows(app, Waiver)[0].status == "proposed"
    assert s["second"].post(f"/waivers/{proposed['id']}/approve").status_code == 200


def test_100_percent_plus_10_percent_is_refused(app, s):
    _approved(s, policy_id=s["policy"]["id"])  # 100% in months 1-12 (to 2026-03-09)
    # 2026-01-01 is in month 10 of residency: 100% + 10% = 110% > 100%.
    refused = _propose(s, percent="10", start="2026-01-01", end="2026-02-01", reason="x")
    assert refused.status_code == 409
    error = error_of(refused)
    assert error["code"] == "waiver_stacking" and "110%" in error["message"]
    assert count(app, Waiver) == 1


def test_the_step_from_100_to_50_percent_leaves_room_for_50(s):
    _approved(s, policy_id=s["policy"]["id"])
    # Month 13 begins 2026-03-10 (move-in 2025-03-10 + 12 months): 50% + 50% = 100%.
    assert _propose(s, percent="50", start="2026-03-10", reason="x").status_code == 201
    # From 2026-03-09, the last day of month 12: 100% + 50%.
    refused = _propose(s, percent="50", start="2026-03-09", reason="x")
    assert refused.status_code == 409 and error_of(refused)["code"] == "waiver_stacking"
    assert "9 Mar 2026" in error_of(refused)["message"]


def test_two_proposals_that_together_exceed_100_percent_fail_at_the_second_approval(s):
    first = _propose(s, percent="60", start="2027-01-01", reason="a").get_json()
    second = _propose(s, percent="50", start="2027-06-01", reason="b").get_json()
    assert s["second"].post(f"/waivers/{first['id']}/approve").status_code == 200
    refused = s["second"].post(f"/waivers/{second['id']}/approve")
    assert refused.status_code == 409
    assert error_of(refused)["code"] == "waiver_stacking"
    assert error_of(refused)["conflict"]["waiver_ids"] == [first["id"]]


def test_a_fixed_amount_larger_than_the_rent_is_refused(s):
    # 30 m² × 80.00 yuan = 2,400.00 yuan a month; 2,400.01 would take the month below zero.
    refused = _propose(s, amount_yuan="2400.01", start="2027-04-01", reason="x")
    assert refused.status_code == 409 and error_of(refused)["code"] == "waiver_stacking"
    assert "2400.00" in error_of(refused)["message"]
    assert _propose(s, amount_yuan="2400.00", start="2027-04-01", reason="x").status_code == 201


def test_a_fixed_amount_counts_what_percentages_leave(s):
    _approved(s, percent="75", start="2027-01-01", reason="a")
    # 25% of 2,400.00 = 600.00 left to waive.
    assert _propose(s, amount_yuan="600.01", start="2027-02-01", reason="b").status_code == 409
    assert _propose(s, amount_yuan="600.00", start="2027-02-01", reason="b").status_code == 201


def test_a_policy_for_other_tracks_is_refused(s, make, api):
    park = s["park"]
    games = resident(make, park, "2025-06-01", track="games")
    refused = s["staff"].post(
        "/waivers", json={"team_id": games.id, "policy_id": s["policy"]["id"]}
    )
    assert refused.status_code == 409
    assert error_of(refused)["code"] == "policy_not_eligible"


def test_a_policy_for_a_team_that_has_not_moved_in_is_refused(s, make):
    applicant = make.team(s["park"])
    refused = s["staff"].post(
        "/waivers", json={"team_id": applicant.id, "policy_id": s["policy"]["id"]}
    )
    assert refused.status_code == 409 and error_of(refused)["code"] == "team_not_resident"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"percent": "101", "start": "2026-01-01", "reason": "x"}, "percent"),
        ({"percent": "0", "start": "2026-01-01", "reason": "x"}, "percent"),
        ({"percent": "12.345", "start": "2026-01-01", "reason": "x"}, "percent"),
        ({"amount_yuan": "-5", "start": "2026-01-01", "reason": "x"}, "amount_yuan"),
        ({"amount_yuan": "1.234", "start": "2026-01-01", "reason": "x"}, "amount_yuan"),
        ({"percent": "10", "start": "2026-03-01", "end": "2026-02-01", "reason": "x"}, "end"),
        ({"percent": "10", "start": "2026-03-01", "end": "2026-03-01", "reason": "x"}, "end"),
        ({"percent": "10", "amount_yuan": "5", "start": "2026-01-01", "reason": "x"}, "percent"),
        ({"start": "2026-01-01", "reason": "x"}, "percent"),
        ({"percent": "10", "start": "2026-01-01"}, "reason"),
        ({"percent": "10", "reason": "x"}, "start"),
        ({"percent": "10", "start": "2026-01-01", "reason": "x\u0000"}, "reason"),
        ({"percent": "10", "start": "9999-01-01", "reason": "x"}, "start"),
    ],
)
def test_bad_waivers_are_refused_and_nothing_is_written(app, s, body, field):
    response = _propose(s, **body)
    assert response.status_code == 422, response.get_json()
    assert field in error_of(response)["fields"], error_of(response)
    assert count(app, Waiver) == 0


def test_a_policy_of_another_park_is_a_field_error(app, s, make):
    other = make.park()
    policy = s["admin"].post("/policies", json={"park_id": other.id, **SCI_FI_13}).get_json()
    response = _propose(s, policy_id=policy["id"])
    assert response.status_code == 422 and "policy_id" in error_of(response)["fields"]


def test_a_team_of_another_park_is_not_found(app, s, make):
    stranger = resident(make, make.park(), "2025-01-01")
    response = s["staff"].post(
        "/waivers",
        json={"team_id": stranger.id, "percent": "10", "start": "2026-01-01", "reason": "x"},
    )
    assert response.status_code == 404
    assert count(app, Waiver) == 0


def test_members_see_their_own_waivers_and_may_not_grant(app, s, make, api):
    body = _approved(s, percent="20", start="2026-01-01", reason="x")
    member = api(make.user("member", team=s["team"]))
    listed = member.get("/waivers").get_json()
    assert [w["id"] for w in listed["items"]] == [body["id"]]
    refused = member.post(
        "/waivers",
        json={"team_id": s["team"].id, "percent": "10", "start": "2026-01-01", "reason": "x"},
    )
    assert refused.status_code == 403
    other_member = api(make.user("member", team=make.team(s["park"])))
    assert other_member.get(f"/waivers/{body['id']}").status_code == 404


def test_the_approval_queue_page(app, client, make, as_user, s):
    proposed = _propose(s, percent="20", start="2026-06-01", reason="活动补贴").get_json()
    as_user("staff", parks=[s["park"]])
    path = f"/parks/{s['park'].id}/rent/waivers"
    page = client.get(path).get_data(as_text=True)
    assert f'data-waiver="{proposed["id"]}"' in page and "活动补贴" in page
    response = post_form(client, f"/rent/waivers/{proposed['id']}/approve", {}, page=path)
    assert response.status_code == 302
    assert rows(app, Waiver)[0].status == "approved"


def _queue_form(s, **values):
    """The waiver queue's form: 30 % from 2027-01-01, open-ended unless told."""
    form = {"team_id": s["team"].id, "kind": "percent", "percent": "30", "start": "2027-01-01"}
    return {**form, "reason": "设备补贴", **values}


def test_the_queue_proposes_and_refuses_with_422(app, client, make, as_user, s):
    as_user("staff", parks=[s["park"]])
    path = f"/parks/{s['park'].id}/rent/waivers"
    form = _queue_form(s)
    assert post_form(client, path, form).status_code == 302
    assert rows(app, Waiver)[0].status == "proposed"
    refused = post_form(client, path, {**form, "percent": "130"})
    assert refused.status_code == 422
    assert count(app, Waiver) == 1


def test_the_waiver_form_takes_and_shows_the_last_day(app, client, as_user, s):
    """Like allocations: typed as the last day waived, kept exclusive, shown as typed; the
    API keeps its exclusive end."""
    as_user("staff", parks=[s["park"]])
    path = f"/parks/{s['park'].id}/rent/waivers"
    form = _queue_form(s, end="2027-06-30")
    html = client.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Last day" in html and "exclusive" not in html
    assert post_form(client, path, form).status_code == 302
    [waiver] = rows(app, Waiver)
    assert (waiver.start, waiver.end) == (D("2027-01-01"), D("2027-07-01"))
    html = client.get(path).get_data(as_text=True)
    assert "1 Jan 2027 – 30 Jun 2027" in html and "1 Jul 2027" not in html
    assert s["staff"].get(f"/waivers/{waiver.id}").get_json()["end"] == "2027-07-01"
