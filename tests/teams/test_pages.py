"""Team pages: list, search, filters, paging, access, profile editing, steps, waitlist."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from opc.core.dates import local_today
from opc.core.errors import RuleViolation
from opc.teams.models import Team, TeamStatusChange
from tests.conftest import csrf_token
from tests.teams.helpers import VALID_USCC, count, one, post_form, rows

EN = {"Accept-Language": "en"}


def names(html: str, teams) -> set[str]:
    return {t.name_zh for t in teams if f'data-team="{t.id}"' in html}


def test_search_by_pinyin_english_and_chinese(client, make, as_user):
    park = make.park()
    nebula = make.team(
        park, name_zh="星云工作室", name_pinyin="xingyungongzuoshi", name_en="Nebula Studio"
    )
    mirage = make.team(
        park, name_zh="幻境影业", name_pinyin="huanjingyingye", name_en="Mirage Pictures"
    )
    as_user("staff", parks=[park])
    for q, expected in [
        ("xingyun", {"星云工作室"}),
        ("Xing Yun", {"星云工作室"}),
        ("nebula", {"星云工作室"}),
        ("MIRAGE", {"幻境影业"}),
        ("幻境", {"幻境影业"}),
        ("%", set()),  # a LIKE wildcard is searched for literally
    ]:
        html = client.get("/teams/", query_string={"q": q}, headers=EN).get_data(as_text=True)
        assert names(html, [nebula, mirage]) == expected, q


def test_pinyin_of_a_team_created_through_the_page_is_searchable(client, make, as_user):
    park = make.park()
    as_user("staff", parks=[park])
    response = post_form(
        client,
        "/teams/new",
        {"park_id": park.id, "name_zh": "星云工作室", "track": "aigc_film", "kind": "solo"},
    )
    assert response.status_code == 302
    html = client.get("/teams/?q=xingyun").get_data(as_text=True)
    assert "星云工作室" in html


def test_filters_track_status_floor_and_space(client, make, as_user):
    park = make.park()
    today = local_today(park.timezone)
    first_floor, third_floor = make.unit(park, floor=1), make.unit(park, floor=3)
    old_unit = make.unit(park, floor=2)
    film = make.team(park, track="aigc_film", status="resident")
    agents = make.team(park, track="ai_agents", status="resident")
    moved_out = make.team(park, track="ai_agents", status="resident")
    applicant = make.team(park, track="vfx", status="applicant")
    make.allocation(film, first_floor, today - timedelta(days=30))
    make.allocation(agents, third_floor, today - timedelta(days=3), today + timedelta(days=3))
    make.allocation(moved_out, old_unit, today - timedelta(days=60), today)  # ended today
    everyone = [film, agents, moved_out, applicant]
    as_user("staff", parks=[park])

    def listed(**args) -> set[str]:
        html = client.get("/teams/", query_string=args).get_data(as_text=True)
        return names(html, everyone)

    assert listed() == {t.name_zh for t in everyone}
    assert listed(track="ai_agents") == {agents.name_zh, moved_out.name_zh}
    assert listed(status="applicant") == {applicant.name_zh}
    assert listed(floor=3) == {agents.name_zh}
    assert listed(floor=2) == set()  # the allocation on floor 2 ended
    assert listed(has_space="yes") == {film.name_zh, agents.name_zh}
    assert listed(has_space="no") == {moved_out.name_zh, applicant.name_zh}
    assert listed(track="ai_agents", has_space="no") == {moved_out.name_zh}
    assert listed(status="bogus") == {t.name_zh for t in everyone}  # unknown values: ignored


def test_list_shows_the_units_held_today(client, make, as_user):
    park = make.park()
    team = make.team(park, status="resident")
    make.allocation(team, make.unit(park, code="2-O07"), local_today(park.timezone))
    as_user("staff", parks=[park])
    assert "2-O07" in client.get("/teams/").get_data(as_text=True)


def test_paging(client, make, as_user, app):
    park = make.park()
    for n in range(30):
        make.team(park, name_zh=f"队{n:02d}", name_pinyin=f"dui{n:02d}")
    as_user("staff", parks=[park])
    first = client.get("/teams/").get_data(as_text=True)
    second = client.get("/teams/?page=2").get_data(as_text=True)
    assert "队00" in first and "队29" not in first
    assert "队29" in second and "队00" not in second
    assert "30 in total" in client.get("/teams/", headers=EN).get_data(as_text=True)


def test_staff_see_only_their_parks(client, make, as_user):
    mine, other = make.park(), make.park()
    team = make.team(mine)
    stranger = make.team(other)
    as_user("staff", parks=[mine])
    html = client.get("/teams/").get_data(as_text=True)
    assert names(html, [team, stranger]) == {team.name_zh}
    assert client.get(f"/teams/{stranger.id}").status_code == 404
    assert client.get(f"/teams/{team.id}").status_code == 200


def test_member_sees_and_edits_only_their_own_team(client, make, as_user):
    park = make.park()
    own = make.team(park, name_zh="星云工作室")
    other = make.team(park)
    as_user("member", team=own)
    assert client.get("/", follow_redirects=False).headers["Location"].endswith("/teams/mine")
    response = client.get("/teams/mine", follow_redirects=True)
    assert "星云工作室" in response.get_data(as_text=True)
    assert client.get(f"/teams/{other.id}").status_code == 404
    assert client.get(f"/teams/{other.id}/edit").status_code == 404
    assert client.get("/teams/").status_code == 403
    token = csrf_token(client, f"/teams/{own.id}")
    refused = client.post(
        f"/teams/{other.id}/edit", data={"csrf_token": token, "name_zh": "抢来的", "track": "vfx"}
    )
    assert refused.status_code == 404
    assert one(client.application, Team, other.id).name_zh == other.name_zh
    saved = post_form(
        client,
        f"/teams/{own.id}/edit",
        {
            "name_zh": "星云工作室",
            "name_en": "Nebula",
            "track": "vfx",
            "kind": "solo",
            "uscc": VALID_USCC.lower(),
        },
    )
    assert saved.status_code == 302
    stored = one(client.application, Team, own.id)
    assert (stored.name_en, stored.uscc) == ("Nebula", VALID_USCC)
    # A member may not move their team along the lifecycle.
    token = csrf_token(client, f"/teams/{own.id}")
    step = client.post(
        f"/teams/{own.id}/transition", data={"csrf_token": token, "step-to": "admitted"}
    )
    assert step.status_code == 403
    assert one(client.application, Team, own.id).status == "applicant"


def test_edit_with_a_bad_credit_code_keeps_the_input_and_changes_nothing(client, make, as_user):
    park = make.park()
    team = make.team(park, name_zh="原名")
    as_user("staff", parks=[park])
    response = post_form(
        client,
        f"/teams/{team.id}/edit",
        {"name_zh": "新名字", "track": "vfx", "kind": "company", "uscc": "91510100MA6CGUGA1X"},
        headers=EN,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "check character" in html and 'value="新名字"' in html
    assert one(client.application, Team, team.id).name_zh == "原名"


def test_staff_move_a_team_through_the_page(client, make, as_user):
    park = make.park(team_cap=1)
    team = make.team(park, status="applicant", status_since=date(2026, 1, 1))
    staff = as_user("staff", parks=[park])
    page = client.get(f"/teams/{team.id}", headers=EN).get_data(as_text=True)
    assert 'value="admitted"' in page and 'data-step="exited"' in page
    assert 'value="resident"' not in page  # only the allowed next steps are offered
    token = csrf_token(client, f"/teams/{team.id}")
    response = client.post(
        f"/teams/{team.id}/transition",
        data={
            "csrf_token": token,
            "step-to": "admitted",
            "step-on": "2026-02-03",
            "step-note": "评审通过",
        },
    )
    assert response.status_code == 302
    history = client.get(f"/teams/{team.id}", headers=EN).get_data(as_text=True)
    assert "3 Feb 2026" in history and "评审通过" in history and staff.name in history
    [step] = rows(client.application, TeamStatusChange)
    assert (step.to_status, step.on, step.actor_id) == ("admitted", date(2026, 2, 3), staff.id)


def test_a_refused_step_is_explained_on_the_page(client, make, as_user):
    park = make.park(team_cap=0)
    team = make.team(park, status="admitted")
    as_user("staff", parks=[park])
    token = csrf_token(client, f"/teams/{team.id}")
    response = client.post(
        f"/teams/{team.id}/transition",
        data={"csrf_token": token, "step-to": "resident"},
        headers=EN,
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "cap of 0 resident teams" in html and "waitlist" in html
    assert one(client.application, Team, team.id).status == "admitted"


def test_waitlist_page_shows_the_order_and_who_is_next(client, make, as_user, app):
    from opc.teams import operations as ops

    park = make.park(team_cap=1)
    resident = make.team(park, status="resident")
    first = make.team(park, status="admitted", name_zh="先来")
    second = make.team(park, status="admitted", name_zh="后到")
    with app.app_context():
        for team in (first, second):
            with pytest.raises(RuleViolation):
                ops.transition(team, "resident", actor=None)
    as_user("staff", parks=[park])
    html = client.get("/teams/waitlist").get_data(as_text=True)
    assert html.index("先来") < html.index("后到")
    assert "data-next-team" not in html
    with app.app_context():
        ops.transition(resident, "exited", actor=None)
    html = client.get("/teams/waitlist").get_data(as_text=True)
    assert f'data-next-team="{first.id}"' in html
    listing = client.get("/teams/").get_data(as_text=True)
    assert f'data-next-team="{first.id}"' in listing
    dashboard = client.get(f"/parks/{park.id}", headers=EN).get_data(as_text=True)
    assert "On the waitlist" in dashboard


def test_team_page_shows_current_space(client, make, as_user):
    park = make.park()
    team = make.team(park, status="resident")
    today = local_today(park.timezone)
    make.allocation(team, make.unit(park, code="3-O01", floor=3), today - timedelta(days=5))
    make.allocation(
        team, make.unit(park, code="1-S09"), today - timedelta(days=90), today - timedelta(days=30)
    )
    as_user("staff", parks=[park])
    html = client.get(f"/teams/{team.id}", headers=EN).get_data(as_text=True)
    assert "Holds today:" in html and "3-O01" in html
    assert "1-S09" in html  # in the allocation history


def test_team_list_queries_do_not_grow_with_rows(
    client, make, as_user, app, monkeypatch, count_queries
):
    """5 and 40 teams, each holding a unit, all on one page: the same number of statements."""
    monkeypatch.setitem(app.config, "PER_PAGE", 50)
    park = make.park()
    as_user("staff", parks=[park])
    today = local_today(park.timezone)

    def add_teams(n: int) -> None:
        for _ in range(n):
            team = make.team(park, status="resident")
            make.allocation(team, make.unit(park), today)

    def statements() -> int:
        client.get(f"/teams/?park_id={park.id}")  # warm-up (first-request caches)
        with count_queries() as seen:
            response = client.get(f"/teams/?park_id={park.id}")
        assert response.status_code == 200
        assert response.get_data(as_text=True).count("data-team=") == count(app, Team)
        return len(seen)

    add_teams(5)
    small = statements()
    add_teams(35)
    large = statements()
    assert small == large, (small, large)


def test_demo_data_search_and_member_start_page(client, demo_data):
    """The seeded demo: staff find 星云工作室 by pinyin; its member lands on it."""
    from opc.demo import DEMO_PASSWORD
    from tests.conftest import login

    demo_data()
    assert login(client, "staff@opc-demo.cn", DEMO_PASSWORD).status_code == 302
    html = client.get("/teams/?q=xingyun").get_data(as_text=True)
    assert "星云工作室" in html and "幻境影业" not in html
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    assert login(client, "member@opc-demo.cn", DEMO_PASSWORD).status_code == 302
    page = client.get("/", follow_redirects=True)
    assert page.status_code == 200 and "星云工作室" in page.get_data(as_text=True)
