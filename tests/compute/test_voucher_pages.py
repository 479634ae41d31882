"""The programme and voucher pages: each role sees what it may (and 404 elsewhere), forms
keep their input when refused (422) and redirect on success, the programme's chart and a
team's vouchers with their balance, alerts and forecast, and the card on the team page."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine

from opc.compute.models import Programme, Voucher
from tests.compute.helpers import (
    D,
    alert,
    count,
    draw,
    post_form,
    programme,
    provider,
    rows,
    voucher,
)
from tests.conftest import login

NOW = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)  # 2026-06-01, noon in Shanghai


@pytest.fixture
def s(app, make):
    """A park with a designated provider, a programme, a resident team with a voucher that
    usage drew on, and another team of the park."""
    park = make.park(name_zh="成都科幻园")
    gpu = provider(make, "星河算力")
    prog = programme(
        app, park, code="CD-2026", budget_fen=10_000_000, team_cap_fen=5_000_000,
        provider_ids=[gpu.id],
    )  # fmt: skip
    team = make.team(park, status="resident", name_zh="星云工作室", name_en="Nebula Studio")
    other = make.team(park, status="resident", name_zh="光年影业", name_en="Lightyear Films")
    v = voucher(app, prog, team, 1_000_000, valid_from=D("2026-01-01"), valid_to=D("2026-12-31"))
    draw(app, v, gpu, 300_000, datetime(2026, 5, 20, 2, 0, tzinfo=UTC))
    draw(app, v, gpu, 500_000, datetime(2026, 3, 1, 2, 0, tzinfo=UTC))
    alert(app, v, "used_80")
    return {"park": park, "gpu": gpu, "prog": prog, "team": team, "other": other, "voucher": v}


def _text(response):
    return response.get_data(as_text=True)


# --- a team's vouchers -------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_a_member_sees_the_teams_vouchers_with_balance_alerts_and_forecast(
    app, client, make, as_user, s
):
    as_user("member", team=s["team"])
    response = client.get("/compute/mine", follow_redirects=True)
    assert response.status_code == 200
    page = _text(response)
    assert "¥2,000.00 left" in page and "¥8,000.00 used of ¥10,000.00" in page
    assert 'max="1000000" value="800000"' in page  # the progress bar
    assert 'data-alert="used_80"' in page and "Used: 80%" in page
    assert "星河算力" in page  # redeemable at the programme's providers
    # ¥3,000 over the last 30 days: ¥100 a day, the ¥2,000 left lasts 20 days.
    assert "At ¥100.00 a day (the last 30 days), it runs out on 21 Jun 2026" in page
    assert _text(client.get(f"/teams/{s['other'].id}/vouchers")) and (
        client.get(f"/teams/{s['other'].id}/vouchers").status_code == 404
    )


@time_machine.travel(NOW, tick=False)
def test_a_voucher_that_outlasts_its_expiry_says_what_would_be_left(app, client, make, as_user, s):
    v = voucher(
        app, s["prog"], s["other"], 5_000_000, valid_from=D("2026-05-01"), valid_to=D("2026-06-30")
    )
    draw(app, v, s["gpu"], 60_000, datetime(2026, 5, 25, 2, 0, tzinfo=UTC))
    as_user("member", team=s["other"])
    page = _text(client.get(f"/teams/{s['other'].id}/vouchers"))
    # ¥600 in 30 days is ¥20 a day: 29 days to the end of June use ¥580 of ¥49,400.
    assert "it lasts past its expiry on 30 Jun 2026: ¥48,820.00 would be left unused" in page


@time_machine.travel(NOW, tick=False)
def test_staff_see_a_teams_vouchers_and_the_card_on_the_team_page(app, client, make, as_user, s):
    as_user("staff", parks=[s["park"]])
    page = _text(client.get(f"/teams/{s['team'].id}/vouchers"))
    assert "¥2,000.00 left" in page and "Grant a voucher" in page
    card = _text(client.get(f"/teams/{s['team'].id}"))
    assert 'id="compute"' in card
    assert "¥2,000.00 left on 1 valid voucher" in card and "21 Jun 2026" in card


@time_machine.travel(NOW, tick=False)
def test_the_card_shows_to_members_and_not_to_other_parks(app, client, make, as_user, s):
    member = make.user("member", team=s["team"])
    assert login(client, member.email).status_code == 302
    assert 'id="compute"' in _text(client.get(f"/teams/{s['team'].id}"))
    stranger = make.user("staff", parks=[make.park()])
    other = app.test_client()
    assert login(other, stranger.email).status_code == 302
    assert other.get(f"/teams/{s['team'].id}/vouchers").status_code == 404


def test_a_member_without_vouchers_sees_no_card(app, client, make, as_user):
    team = make.team(make.park(), status="resident")
    as_user("member", team=team)
    assert 'id="compute"' not in _text(client.get(f"/teams/{team.id}"))
    assert "No compute vouchers yet." in _text(client.get(f"/teams/{team.id}/vouchers"))


# --- the park's vouchers and the grant form ---------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_staff_grant_from_the_park_page_and_are_redirected(app, client, as_user, s):
    as_user("staff", parks=[s["park"]])
    path = f"/parks/{s['park'].id}/compute/vouchers"
    page = _text(client.get(path))
    assert f'data-voucher="{s["voucher"].id}"' in page and "星云工作室" in page
    form = {
        "programme_id": s["prog"].id,
        "team_id": s["other"].id,
        "amount_yuan": "12,000.00",
        "valid_from": "2026-06-01",
        "valid_to": "2026-09-30",
        "provider_ids": [str(s["gpu"].id)],
    }
    response = post_form(client, path, form)
    assert response.status_code == 302 and response.headers["Location"].endswith(path)
    (granted,) = rows(app, Voucher, Voucher.team_id == s["other"].id)
    assert granted.amount_fen == 1_200_000
    listed = _text(client.get(f"{path}?team_id={s['other'].id}"))
    assert f'data-voucher="{granted.id}"' in listed
    assert f'data-voucher="{s["voucher"].id}"' not in listed


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"amount_yuan": "95,000.00"}, "has ¥"),  # pool: ¥90,000 left
        ({"valid_to": "2027-01-31"}, "The programme runs from 2026-01-01 to 2026-12-31."),
        ({"amount_yuan": "12.345"}, "Must be an amount in yuan"),
        ({"amount_yuan": ""}, "Must be an amount in yuan"),
    ],
)
def test_a_refused_grant_keeps_the_input(app, client, as_user, s, change, says):
    as_user("staff", parks=[s["park"]])
    path = f"/parks/{s['park'].id}/compute/vouchers"
    form = {
        "programme_id": s["prog"].id,
        "team_id": s["other"].id,
        "amount_yuan": "12,000.00",
        "gpu_hours": "300",
        "valid_from": "2026-06-01",
        "valid_to": "2026-09-30",
        **change,
    }
    response = post_form(client, path, form)
    assert response.status_code == 422
    page = _text(response)
    assert says.replace("¥", "") in page.replace("¥", "").replace("&#165;", "") or says in page
    assert f'value="{form["amount_yuan"]}"' in page and 'value="300"' in page
    assert re.search(
        rf'<option selected value="{s["other"].id}"|value="{s["other"].id}" selected', page
    )
    assert count(app, Voucher) == 1


def test_only_staff_of_the_park_reach_its_voucher_pages(app, client, make, as_user, s):
    as_user("staff", parks=[make.park()])
    assert client.get(f"/parks/{s['park'].id}/compute/vouchers").status_code == 404
    assert client.get(f"/parks/{s['park'].id}/compute/programmes").status_code == 404
    assert client.get(f"/compute/programmes/{s['prog'].id}").status_code == 404


def test_members_do_not_reach_the_park_pages(app, client, make, as_user, s):
    as_user("member", team=s["team"])
    assert client.get(f"/parks/{s['park'].id}/compute/vouchers").status_code == 404
    assert client.get(f"/compute/programmes/{s['prog'].id}").status_code == 403
    response = post_form(
        client,
        f"/parks/{s['park'].id}/compute/vouchers",
        {"programme_id": s["prog"].id, "team_id": s["team"].id, "amount_yuan": "1.00"},
        page="/compute/mine",
    )
    assert response.status_code == 404 and count(app, Voucher) == 1


def test_the_start_page_leads_each_role_to_its_page(app, client, make, as_user, s):
    as_user("staff", parks=[s["park"]])
    shougang = make.park()  # not theirs
    response = client.get("/compute/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/parks/{s['park'].id}/compute/vouchers")
    admin = app.test_client()
    assert login(admin, make.user("admin").email).status_code == 302
    cards = _text(admin.get("/compute/"))  # a card per park
    for park in (s["park"], shougang):
        assert f'href="/parks/{park.id}/compute/vouchers"' in cards
    reviewer = app.test_client()
    assert login(reviewer, make.user("reviewer").email).status_code == 302
    assert reviewer.get("/compute/").status_code == 404


# --- programmes --------------------------------------------------------------------------


def test_the_programme_page_shows_the_pool_teams_and_the_chart(app, client, as_user, s):
    as_user("staff", parks=[s["park"]])
    page = _text(client.get(f"/compute/programmes/{s['prog'].id}"))
    assert "¥100,000.00" in page and "¥10,000.00" in page and "¥8,000.00" in page
    assert '<svg class="bar-chart"' in page
    assert 'data-month="2026-03"' in page and 'data-month="2026-05"' in page
    # The table beside the chart: the months, the running total and its share of the budget.
    assert "¥5,000.00" in page and "¥3,000.00" in page and "8.0%" in page
    assert f'data-team="{s["team"].id}"' in page and "Change" not in page  # admins change
    listed = _text(client.get(f"/parks/{s['park'].id}/compute/programmes"))
    assert 'data-programme="CD-2026"' in listed and "50%" in listed


def test_a_programme_without_usage_says_so(app, client, make, as_user):
    park = make.park()
    prog = programme(app, park)
    as_user("staff", parks=[park])
    page = _text(client.get(f"/compute/programmes/{prog.id}"))
    assert "No usage has drawn on this programme yet." in page and "<svg" not in page


def test_admins_add_a_programme_and_a_refused_form_keeps_its_input(app, client, make, as_user):
    park = make.park()
    gpu = provider(make)
    as_user("admin")
    path = f"/parks/{park.id}/compute/programmes/new"
    form = {
        "code": "SH-2026",
        "name_zh": "首钢算力券",
        "budget_yuan": "500,000.00",
        "rate_percent": "150",
        "team_cap_yuan": "",
        "valid_from": "2026-01-01",
        "valid_to": "2026-12-31",
        "provider_ids": [str(gpu.id)],
        "tracks": ["vfx"],
    }
    refused = post_form(client, path, form)
    assert refused.status_code == 422
    page = _text(refused)
    assert 'value="首钢算力券"' in page and 'value="150"' in page and "At most 100" in page
    assert count(app, Programme) == 0
    response = post_form(client, path, {**form, "rate_percent": "30"})
    assert response.status_code == 302
    (created,) = rows(app, Programme)
    assert response.headers["Location"].endswith(f"/compute/programmes/{created.id}")
    assert created.budget_fen == 50_000_000 and created.tracks == ["vfx"]


def test_admins_change_a_programme(app, client, make, as_user, s):
    as_user("admin")
    path = f"/compute/programmes/{s['prog'].id}/edit"
    page = _text(client.get(path))
    assert 'value="CD-2026"' in page and 'value="100000.00"' in page
    form = {
        "code": "CD-2026",
        "name_zh": "成都算力券",
        "budget_yuan": "9,999.99",  # less than the ¥10,000 granted
        "team_cap_yuan": "",
        "rate_percent": "50",
        "valid_from": "2026-01-01",
        "valid_to": "2026-12-31",
        "provider_ids": [str(s["gpu"].id)],
    }
    refused = post_form(client, path, form)
    assert refused.status_code == 422 and "Less than granted." in _text(refused)
    assert post_form(client, path, {**form, "budget_yuan": "200,000.00"}).status_code == 302
    (changed,) = rows(app, Programme)
    assert changed.budget_fen == 20_000_000


def test_staff_may_not_add_or_change_programmes(app, client, make, as_user, s):
    as_user("staff", parks=[s["park"]])
    assert client.get(f"/parks/{s['park'].id}/compute/programmes/new").status_code == 403
    assert client.get(f"/compute/programmes/{s['prog'].id}/edit").status_code == 403
    form = {"name_zh": "x", "budget_yuan": "1.00", "rate_percent": "50"}
    path = f"/parks/{s['park'].id}/compute/programmes/new"
    assert (
        post_form(client, path, form, page=f"/parks/{s['park'].id}/compute/vouchers").status_code
        == 403
    )
    assert count(app, Programme) == 1


def test_the_navigation_offers_compute_to_staff_and_members(app, client, make, as_user, s):
    as_user("staff", parks=[s["park"]])
    assert 'href="/compute/"' in _text(client.get(f"/parks/{s['park'].id}/compute/vouchers"))
    member = app.test_client()
    assert login(member, make.user("member", team=s["team"]).email).status_code == 302
    assert 'href="/compute/mine"' in _text(member.get("/compute/mine", follow_redirects=True))


# --- reads that do not grow with the data ------------------------------------------------


def _statements(count_queries, fetch, path):
    fetch(path)  # warm up: the first request may set things up once
    with count_queries() as statements:
        response = fetch(path)
    assert response.status_code == 200, path
    return len(statements)


@time_machine.travel(NOW, tick=False)
def test_the_pages_read_as_much_for_many_vouchers_as_for_few(
    app, client, make, api, count_queries, s
):
    staff = make.user("staff", parks=[s["park"]])
    assert login(client, staff.email).status_code == 302
    team, prog, park = s["team"], s["prog"], s["park"]
    pages = [
        f"/teams/{team.id}/vouchers",
        f"/teams/{team.id}",
        f"/parks/{park.id}/compute/vouchers",
        f"/parks/{park.id}/compute/programmes",
        f"/compute/programmes/{prog.id}",
    ]
    calls = ["/vouchers", f"/programmes/{prog.id}", "/programmes", "/providers"]
    staff_api = api(staff)

    def measure():
        return [_statements(count_queries, client.get, p) for p in pages] + [
            _statements(count_queries, staff_api.get, c) for c in calls
        ]

    few = measure()
    for n in range(6):
        more = voucher(app, prog, make.team(park, status="resident"), 10_000)
        extra = voucher(app, prog, team, 10_000, valid_from=D(f"2026-0{n + 1}-01"))
        alert(app, extra, "used_80")
        draw(app, extra, s["gpu"], 1_000, datetime(2026, 5, 20 + n, 2, 0, tzinfo=UTC))
        draw(app, more, provider(make, f"算力{n}"), 500, datetime(2026, 4, 1, 2, 0, tzinfo=UTC))
    assert measure() == few


@time_machine.travel(NOW, tick=False)
def test_a_teams_vouchers_come_with_their_alerts_providers_and_burn_in_two_statements(
    app, make, count_queries
):
    """voucher_views reads the vouchers, then their alerts, where each is redeemable and
    their last 30 days' burn in one statement: the same as each voucher read alone."""
    from opc.compute import queries
    from opc.extensions import db
    from opc.teams.models import Team

    park = make.park()
    star, west = provider(make, "星河算力"), provider(make, "西部云")
    prog = programme(app, park, provider_ids=[star.id, west.id])
    team = make.team(park, status="resident")
    named = voucher(app, prog, team, 1_000_000, provider_ids=[west.id])
    unnamed = voucher(app, prog, team, 2_000_000, valid_to=D("2026-09-30"))
    draw(app, named, west, 300_000, datetime(2026, 5, 20, 2, 0, tzinfo=UTC))
    draw(app, named, west, 100_000, datetime(2026, 3, 1, 2, 0, tzinfo=UTC))  # not in 30 days
    draw(app, unnamed, star, 60_000, datetime(2026, 5, 31, 2, 0, tzinfo=UTC))
    alert(app, named, "used_80", datetime(2026, 5, 25, tzinfo=UTC))
    alert(app, named, "expires_30", datetime(2026, 5, 2, tzinfo=UTC))
    with app.app_context():
        found = db.session.get(Team, team.id)
        today = D("2026-06-01")
        with count_queries() as statements:
            views = queries.voucher_views(found, today)
        assert len([s for s in statements if s != "BEGIN"]) == 2, statements
        assert [v.voucher.id for v in views] == [named.id, unnamed.id]  # expiring last first
        for view in views:
            alone = queries.voucher_view(view.voucher, today)
            assert [(a.kind, a.sent_at) for a in view.alerts] == [
                (a.kind, a.sent_at) for a in alone.alerts
            ]
            assert [(p.id, p.name) for p in view.redeemable_at] == [
                (p.id, p.name) for p in alone.redeemable_at
            ]
            assert view.forecast == alone.forecast and view.forecast.per_day_fen > 0
        by_id = {v.voucher.id: v for v in views}
        assert [a.kind for a in by_id[named.id].alerts] == ["expires_30", "used_80"]
        assert [p.id for p in by_id[named.id].redeemable_at] == [west.id]
        assert [p.id for p in by_id[unnamed.id].redeemable_at] == sorted([star.id, west.id])
        assert by_id[named.id].forecast.per_day_fen == 10_000  # ¥3,000 over 30 days
