"""Vouchers: staff grant a team an amount under a programme; the pool and the team's yearly
cap are never exceeded (also by two staff at once, on two real connections), the voucher
stays within the programme's terms, and who may grant and see them."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

import pytest

from opc.auth.models import User
from opc.compute.models import Voucher
from opc.compute.operations import vouchers as vouchers_ops
from opc.compute.operations.vouchers import grant_voucher
from opc.compute.queries import Forecast, burn_since, burned, forecast
from opc.core.errors import Forbidden
from opc.extensions import db
from tests.compute.helpers import (
    D,
    alert,
    count,
    draw,
    error_of,
    programme,
    provider,
    rows,
    voucher,
)
from tests.core.helpers import race_as, slowed


@pytest.fixture
def park(make):
    return make.park()


@pytest.fixture
def gpu(make):
    return provider(make)


@pytest.fixture
def prog(app, park, gpu):
    """¥100,000 at 50%, at most ¥30,000 a team and year, valid through 2026 and 2027."""
    return programme(
        app,
        park,
        code="CD-2026",
        budget_fen=10_000_000,
        team_cap_fen=3_000_000,
        valid_to=D("2027-12-31"),
        provider_ids=[gpu.id],
    )


@pytest.fixture
def staff(make, park):
    return make.user("staff", parks=[park])


def _body(prog, team, amount="10000.00", **kw):
    return {
        "programme_id": prog.id,
        "team_id": team.id,
        "amount_yuan": amount,
        "valid_from": "2026-03-01",
        "valid_to": "2026-08-31",
        **kw,
    }


def test_staff_grant_a_voucher(app, make, api, park, prog, staff, gpu):
    team = make.team(park, status="resident")
    body = _body(prog, team, gpu_hours="500.5", provider_ids=[gpu.id])
    response = api(staff).post("/vouchers", json=body)
    assert response.status_code == 201, response.get_json()
    out = response.get_json()
    assert (out["amount_yuan"], out["used_yuan"], out["remaining_yuan"]) == (
        "10000.00",
        "0.00",
        "10000.00",
    )
    assert out["gpu_hours"] == "500.50" and out["used_gpu_hours"] == "0.00"
    assert out["provider_ids"] == [gpu.id] == out["redeemable_provider_ids"]
    assert out["alerts"] == [] and out["forecast"]["runs_out_on"] is None
    (stored,) = rows(app, Voucher)
    assert stored.amount_fen == 1_000_000 and stored.granted_by_id == staff.id
    assert stored.gpu_hours_hundredths == 50050
    assert (stored.valid_from, stored.valid_to) == (D("2026-03-01"), D("2026-08-31"))


def test_an_admitted_team_may_hold_one_and_without_providers_it_is_redeemable_at_all(
    app, make, api, park, prog, staff, gpu
):
    team = make.team(park, status="admitted")
    out = api(staff).post("/vouchers", json=_body(prog, team)).get_json()
    assert out["provider_ids"] == [] and out["redeemable_provider_ids"] == [gpu.id]


def test_the_pool_is_never_exceeded(app, make, api, park, gpu, staff):
    small = programme(app, park, budget_fen=5_000_000, provider_ids=[gpu.id])
    teams = [make.team(park, status="resident") for _ in range(3)]
    assert api(staff).post("/vouchers", json=_body(small, teams[0], "30000.00")).status_code == 201
    assert api(staff).post("/vouchers", json=_body(small, teams[1], "15000.00")).status_code == 201
    refused = api(staff).post("/vouchers", json=_body(small, teams[2], "5000.01"))
    assert refused.status_code == 409
    error = error_of(refused)
    assert error["code"] == "pool_exceeded"
    assert error["conflict"]["remaining_yuan"] == "5000.00"
    assert "5000.00" in error["message"]  # what remains, named
    assert count(app, Voucher) == 2
    exact = api(staff).post("/vouchers", json=_body(small, teams[2], "5000.00"))
    assert exact.status_code == 201  # the pool exactly used up


def test_the_team_cap_holds_per_calendar_year(app, make, api, park, prog, staff):
    team = make.team(park, status="resident")
    other = make.team(park, status="resident")
    first = _body(prog, team, "20000.00", valid_from="2026-01-01", valid_to="2026-06-30")
    assert api(staff).post("/vouchers", json=first).status_code == 201
    # ¥10,000 more in 2026 reaches the ¥30,000 cap exactly; a fen more is refused.
    over = _body(prog, team, "10000.01", valid_from="2026-07-01", valid_to="2026-12-31")
    refused = api(staff).post("/vouchers", json=over)
    assert refused.status_code == 409
    error = error_of(refused)
    assert error["code"] == "team_cap_exceeded"
    assert error["conflict"]["remaining_yuan"] == "10000.00" and error["conflict"]["year"] == 2026
    assert "10000.00" in error["message"]
    assert api(staff).post("/vouchers", json={**over, "amount_yuan": "10000.00"}).status_code == 201
    # A voucher that starts in 2027 counts towards 2027 (even one running into it from 2026
    # counted for 2026); another team has its own cap.
    next_year = _body(prog, team, "30000.00", valid_from="2027-01-01", valid_to="2027-03-31")
    assert api(staff).post("/vouchers", json=next_year).status_code == 201
    assert api(staff).post("/vouchers", json=_body(prog, other, "30000.00")).status_code == 201
    assert count(app, Voucher, Voucher.team_id == team.id) == 3


def test_without_a_cap_only_the_pool_bounds_a_team(app, make, api, park, gpu, staff):
    open_prog = programme(app, park, budget_fen=10_000_000)
    team = make.team(park, status="resident")
    assert api(staff).post("/vouchers", json=_body(open_prog, team, "100000.00")).status_code == 201


@pytest.mark.parametrize(
    ("dates", "field"),
    [
        ({"valid_from": "2025-12-31"}, "valid_from"),  # before the programme
        ({"valid_to": "2028-01-01"}, "valid_to"),  # after it
        ({"valid_from": "2026-09-01", "valid_to": "2026-08-31"}, "valid_to"),
    ],
)
def test_validity_outside_the_programme_is_refused(app, make, api, park, prog, staff, dates, field):
    team = make.team(park, status="resident")
    response = api(staff).post("/vouchers", json=_body(prog, team, **dates))
    assert response.status_code == 422
    assert field in error_of(response)["fields"]
    assert count(app, Voucher) == 0


def test_providers_not_designated_are_refused(app, make, api, park, prog, staff):
    team = make.team(park, status="resident")
    stranger = provider(make, "别家算力")
    response = api(staff).post("/vouchers", json=_body(prog, team, provider_ids=[stranger.id]))
    assert response.status_code == 422
    assert str(stranger.id) in error_of(response)["fields"]["provider_ids"][0]
    assert count(app, Voucher) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount_yuan": "0.00"}, "amount_yuan"),
        ({"amount_yuan": "1.001"}, "amount_yuan"),
        ({"gpu_hours": "0"}, "gpu_hours"),
        ({"valid_to": "2026-02-30"}, "valid_to"),
        ({"team_id": 2**31 - 1}, "team_id"),
    ],
)
def test_bad_values_are_refused(app, make, api, park, prog, staff, change, field):
    team = make.team(park, status="resident")
    response = api(staff).post("/vouchers", json={**_body(prog, team), **change})
    assert response.status_code == 422, response.get_json()
    assert field in error_of(response)["fields"]
    assert count(app, Voucher) == 0


def test_a_team_of_another_park_is_refused(app, make, api, prog, staff):
    stranger = make.team(make.park(), status="resident")
    response = api(staff).post("/vouchers", json=_body(prog, stranger))
    assert response.status_code == 422 and "team_id" in error_of(response)["fields"]


@pytest.mark.parametrize("status", ["applicant", "suspended", "graduated", "exited"])
def test_only_admitted_and_resident_teams_hold_vouchers(app, make, api, park, prog, staff, status):
    team = make.team(park, status=status)
    response = api(staff).post("/vouchers", json=_body(prog, team))
    assert response.status_code == 409
    assert error_of(response)["code"] == "team_not_admitted"
    assert count(app, Voucher) == 0


def test_a_team_of_a_track_the_programme_is_not_for_is_refused(app, make, api, park, gpu, staff):
    films = programme(app, park, tracks=["aigc_film"], provider_ids=[gpu.id])
    team = make.team(park, status="resident", track="games")
    response = api(staff).post("/vouchers", json=_body(films, team))
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "programme_not_eligible" and error["conflict"]["tracks"] == [
        "aigc_film"
    ]
    fit = make.team(park, status="resident", track="aigc_film")
    assert api(staff).post("/vouchers", json=_body(films, fit)).status_code == 201


# --- who may grant and see ---------------------------------------------------------------


def test_staff_of_another_park_cannot_grant(app, make, api, park, prog):
    team = make.team(park, status="resident")
    other = make.user("staff", parks=[make.park()])
    response = api(other).post("/vouchers", json=_body(prog, team))
    assert response.status_code == 404  # the programme is not theirs to see
    assert count(app, Voucher) == 0


@pytest.mark.parametrize("role", ["member", "provider", "reviewer"])
def test_other_roles_cannot_grant(app, make, api, park, prog, role):
    team = make.team(park, status="resident")
    user = make.user(role, team=team if role == "member" else None)
    response = api(user).post("/vouchers", json=_body(prog, team))
    assert response.status_code == 403
    assert count(app, Voucher) == 0


@pytest.mark.parametrize("who", ["member", "other_staff", "provider"])
def test_the_operation_itself_refuses(ctx, make, park, prog, gpu, who):
    team = make.team(park, status="resident")
    users = {
        "member": lambda: make.user("member", team=team),
        "other_staff": lambda: make.user("staff", parks=[make.park()]),
        "provider": lambda: gpu.user,
    }
    actor = db.session.get(User, users[who]().id)
    with pytest.raises(Forbidden):
        grant_voucher(
            actor=actor,
            programme_id=prog.id,
            team_id=team.id,
            amount_fen=100,
            valid_from=D("2026-03-01"),
            valid_to=D("2026-03-31"),
        )
    db.session.rollback()
    assert db.session.query(Voucher).count() == 0


def test_who_sees_vouchers(app, make, api, park, prog, gpu, staff):
    team, other = make.team(park, status="resident"), make.team(park, status="resident")
    mine, theirs = voucher(app, prog, team, 100_000), voucher(app, prog, other, 200_000)
    member = make.user("member", team=team)
    elsewhere = make.user("staff", parks=[make.park()])
    assert [v["id"] for v in api(staff).get("/vouchers").get_json()["items"]] == [
        theirs.id,
        mine.id,
    ]
    assert [v["id"] for v in api(member).get("/vouchers").get_json()["items"]] == [mine.id]
    assert api(member).get(f"/vouchers/{mine.id}").status_code == 200
    assert api(member).get(f"/vouchers/{theirs.id}").status_code == 404
    assert api(elsewhere).get(f"/vouchers/{mine.id}").status_code == 404
    assert api(elsewhere).get("/vouchers").get_json()["total"] == 0
    assert api(gpu.user).get("/vouchers").get_json()["total"] == 0
    by_team = api(staff).get(f"/vouchers?team_id={other.id}").get_json()
    assert [v["id"] for v in by_team["items"]] == [theirs.id]
    by_programme = api(staff).get(f"/vouchers?programme_id={prog.id}&per_page=1").get_json()
    assert by_programme["total"] == 2 and len(by_programme["items"]) == 1


def test_a_voucher_reports_its_balance_alerts_and_forecast(app, make, api, park, prog, gpu, staff):
    team = make.team(park, status="resident")
    v = voucher(app, prog, team, 1_000_000, valid_from=D("2026-01-01"), valid_to=D("2026-12-31"))
    draw(app, v, gpu, 300_000, datetime(2026, 5, 20, 2, 0, tzinfo=UTC))  # within the 30 days
    draw(app, v, gpu, 500_000, datetime(2026, 3, 1, 2, 0, tzinfo=UTC))  # long before
    alert(app, v, "used_80")
    now = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)  # 2026-06-01 in Shanghai
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("opc.core.dates.utcnow", lambda: now)
        out = api(staff).get(f"/vouchers/{v.id}").get_json()
    assert (out["used_yuan"], out["remaining_yuan"]) == ("8000.00", "2000.00")
    assert [a["kind"] for a in out["alerts"]] == ["used_80"]
    # ¥3,000 in 30 days is ¥100 a day: the ¥2,000 left lasts 20 days.
    assert out["forecast"] == {
        "per_day_yuan": "100.00",
        "runs_out_on": "2026-06-21",
        "before_expiry": True,
        "left_at_expiry_yuan": None,
    }


# --- two staff at once -------------------------------------------------------------------


def _grant(prog, team, amount_fen, *, actor):
    return grant_voucher(
        actor=actor,
        programme_id=prog.id,
        team_id=team.id,
        amount_fen=amount_fen,
        valid_from=D("2026-03-01"),
        valid_to=D("2026-06-30"),
    )


@pytest.mark.slow
def test_two_staff_granting_at_once_cannot_exceed_the_pool(app, make, monkeypatch, park, gpu):
    """Each grant fits the pool alone; together they do not. Only one passes."""
    staff = make.user("staff", parks=[park])
    slowed(monkeypatch, vouchers_ops, "granted_fen")
    for round_ in range(3):
        prog = programme(app, park, code=f"RACE-{round_}", budget_fen=1_000_000)
        teams = [make.team(park, status="resident") for _ in range(2)]
        writes = [partial(_grant, prog, team, 600_000) for team in teams]
        outcomes = race_as(app, staff.id, writes)
        assert outcomes == ["ok", "pool_exceeded"], (round_, outcomes)
        assert count(app, Voucher, Voucher.programme_id == prog.id) == 1


@pytest.mark.slow
def test_two_staff_granting_one_team_at_once_cannot_exceed_its_cap(
    app, make, monkeypatch, park, gpu
):
    staff = make.user("staff", parks=[park])
    slowed(monkeypatch, vouchers_ops, "granted_fen")
    prog = programme(app, park, budget_fen=10_000_000, team_cap_fen=1_000_000)
    team = make.team(park, status="resident")
    writes = [partial(_grant, prog, team, 600_000) for _ in range(2)]
    outcomes = race_as(app, staff.id, writes)
    assert outcomes == ["ok", "team_cap_exceeded"], outcomes
    assert count(app, Voucher) == 1


# --- the forecast, worked by hand --------------------------------------------------------

TODAY = D("2026-06-01")


@pytest.mark.parametrize(
    ("remaining", "burned", "valid_to", "expected"),
    [
        # ¥3,000 in 30 days = ¥100 a day; ¥2,000 left lasts 20 days: out on 06-21.
        (200_000, 300_000, "2026-12-31", Forecast(10_000, D("2026-06-21"), True, None)),
        # ¥10 a day (¥300 in 30 days): ¥1,000 lasts 100 days, to 09-09, after
        # the voucher's end on 07-31; 60 days × ¥10 = ¥600 used by then, ¥400 left.
        (100_000, 30_000, "2026-07-31", Forecast(1_000, D("2026-09-09"), False, 40_000)),
        # Running out on the last valid day is still before it expires.
        (3_000, 3_000, "2026-07-01", Forecast(100, D("2026-07-01"), True, None)),
        # A part of a day counts as a day: 1,000 fen at 7 fen per 30 days takes 4,286 days.
        (1_000, 7, "2040-01-01", Forecast(0, D("2038-02-24"), True, None)),
        # Beyond the calendar: no date, and what would be left at expiry.
        (10**17 - 1, 30, "2026-07-01", Forecast(1, None, False, 10**17 - 1 - 30)),
        # No burn, nothing left, or expired: no forecast.
        (200_000, 0, "2026-12-31", Forecast()),
        (0, 300_000, "2026-12-31", Forecast()),
        (200_000, 300_000, "2026-05-31", Forecast()),
    ],
)
def test_the_forecast(remaining, burned, valid_to, expected):
    assert forecast(remaining, burned, TODAY, D(valid_to)) == expected


def test_the_burn_counts_the_30_park_local_days_ending_today(app, make, park, prog, gpu):
    """Records started from 2026-05-03 00:00 in Shanghai (2026-05-02 16:00 UTC) count."""
    team = make.team(park, status="resident")
    v = voucher(app, prog, team, 1_000_000)
    draw(app, v, gpu, 111, datetime(2026, 5, 2, 15, 59, tzinfo=UTC))  # 05-02 23:59 local
    draw(app, v, gpu, 222, datetime(2026, 5, 2, 16, 0, tzinfo=UTC))  # 05-03 00:00 local
    draw(app, v, gpu, 333, datetime(2026, 6, 1, 15, 0, tzinfo=UTC))  # today, 23:00 local
    with app.app_context():
        since = burn_since(TODAY, "Asia/Shanghai")
        assert since == datetime(2026, 5, 2, 16, 0, tzinfo=UTC)
        assert burned(team.id, since, "Asia/Shanghai") == {v.id: 555}
        db.session.remove()
