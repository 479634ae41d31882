"""The team home: a member's "/" is their team's page, whose first card says what is due
(here rent: each issued statement not fully paid, with what is left, soonest first), with an
empty state when nothing is; their latest notifications beside it. Staff see the team page
without these cards, and no team ever sees another's."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine

from opc.notifications.models import Notification
from tests.conftest import login
from tests.core.helpers import text
from tests.rent.helpers import D, resident
from tests.teams.home_helpers import EN, due_card, due_items, home_of

TODAY = "2026-11-15 04:00:00+00:00"  # the park's 15 November (Asia/Shanghai)
AMOUNTS = {"gross_fen": 240000, "waived_fen": 0, "net_fen": 240000, "due_on": "2026-12-15"}


@pytest.fixture
def s(make, api):
    """A resident at 2,400.00 a month with its member; July to October 2026 issued (each
    due the 15th of the month after); a neighbour with its own statements."""
    park = make.park()
    staff = make.user("staff", parks=[park])
    team = resident(make, park, "2026-07-01", name_zh="星云工作室")
    neighbour = resident(make, park, "2026-07-01", name_zh="邻居工作室")
    make.allocation(team, make.unit(park, area_m2=Decimal("30")), D("2026-07-01"))
    make.allocation(neighbour, make.unit(park, area_m2=Decimal("60")), D("2026-07-01"))
    member = make.user("member", team=team)
    client = api(staff)
    with time_machine.travel(TODAY, tick=False):
        for month in ("2026-07", "2026-08", "2026-09", "2026-10"):
            issued = client.post("/statements/issue", json={"park_id": park.id, "month": month})
            assert issued.get_json() == {"issued": 2}
    return {"park": park, "team": team, "neighbour": neighbour, "member": member, "api": client}


def pay(s, amount, team=None):
    body = {"team_id": (team or s["team"]).id, "amount_yuan": amount, "paid_on": "2026-11-01"}
    response = s["api"].post("/payments", json=body)
    assert response.status_code == 201, response.get_json()


def rent_items(html):
    return [i for i in due_items(html) if i["kind"] == "Rent"]


@time_machine.travel(TODAY, tick=False)
def test_a_member_lands_on_the_team_home_with_what_is_left_to_pay(client, s):
    pay(s, "3000.00")  # settles July and 600.00 of August (the oldest first)
    html = home_of(client, s["member"])
    assert "星云工作室" in html and due_card(html) is not None
    items = rent_items(html)
    # July is paid: not listed. August, September overdue; October due today.
    assert [(i["text"], i["urgency"]) for i in items] == [
        ("Rent statement for 2026-08", "overdue"),
        ("Rent statement for 2026-09", "overdue"),
        ("Rent statement for 2026-10", "soon"),
    ]
    assert "¥1,800.00" in items[0]["line"] and "was due 15 Sep 2026" in items[0]["line"]
    assert "¥2,400.00" in items[2]["line"] and "due 15 Nov 2026" in items[2]["line"]
    assert all(i["href"] == f"/teams/{s['team'].id}/rent" for i in items)


@time_machine.travel(TODAY, tick=False)
def test_paid_up_the_card_says_nothing_is_due(client, make, s):
    pay(s, "9600.00")
    make.kpi_report(s["team"], 2026, 3)  # and its quarter's KPI report filed
    html = home_of(client, s["member"])
    assert rent_items(html) == []
    card = due_card(html)
    assert card is not None and "data-due-empty" in card and "Nothing is due" in card


@time_machine.travel(TODAY, tick=False)
def test_the_team_home_in_chinese(client, s):
    html = home_of(client, s["member"], **{"Accept-Language": "zh"})
    assert "待办事项" in html and "租金" in html
    assert "2026年8月" in html or "2026-08" in html


@time_machine.travel(TODAY, tick=False)
def test_another_teams_statements_never_show(client, make, s):
    pay(s, "9600.00")  # ours paid; the neighbour owes its four months
    html = home_of(client, s["member"])
    assert rent_items(html) == [] and "邻居工作室" not in html
    assert client.get(f"/teams/{s['neighbour'].id}", headers=EN).status_code == 404
    assert client.get(f"/teams/{s['neighbour'].id}/rent", headers=EN).status_code == 404


@time_machine.travel(TODAY, tick=False)
def test_staff_see_the_team_page_without_the_members_cards(client, make, s):
    staff = make.user("staff", parks=[s["park"]])
    login(client, staff.email)
    html = text(client.get(f"/teams/{s['team'].id}", headers=EN))
    assert "星云工作室" in html
    assert due_card(html) is None and "Latest notifications" not in html


@time_machine.travel(TODAY, tick=False)
def test_the_three_latest_notifications_of_the_member_only(client, make, s):
    member, other = s["member"], make.user("member", team=s["neighbour"])
    for n, month in enumerate(("2026-01", "2026-02", "2026-03", "2026-04")):
        for user in (member, other):
            make._save(
                Notification(
                    user_id=user.id,
                    kind="statement.issued",
                    params={
                        "team": {"zh": user.email, "en": user.email},
                        "month": month,
                        **AMOUNTS,
                    },
                    created_at=datetime(2026, 11, 15, 5, n, tzinfo=UTC),  # after the issue
                )
            )
    html = home_of(client, member)
    card = html.split('id="latest-notifications"', 1)[1].split("</section>", 1)[0]
    # Newer than those the statements' issue sent: the newest three, newest first.
    shown = [m for m in ("2026-04", "2026-03", "2026-02", "2026-01") if m in card]
    assert shown == ["2026-04", "2026-03", "2026-02"]
    assert card.index("2026-04") < card.index("2026-03") < card.index("2026-02")
    assert other.email not in card and member.email in card


@time_machine.travel(TODAY, tick=False)
def test_the_cards_cost_the_same_queries_for_one_or_four_statements(
    app, client, make, s, count_queries
):
    """Ours has one statement left to pay, the neighbour's four: the same statements."""
    pay(s, "7200.00")
    login(client, s["member"].email)
    neighbours = app.test_client()
    login(neighbours, make.user("member", team=s["neighbour"]).email)
    pages = {}
    for key, who, team in (("one", client, s["team"]), ("four", neighbours, s["neighbour"])):
        with count_queries() as statements:
            pages[key] = text(who.get(f"/teams/{team.id}", headers=EN))
        pages[key + "_n"] = len(statements)
    assert len(rent_items(pages["one"])) == 1 and len(rent_items(pages["four"])) == 4
    assert pages["one_n"] == pages["four_n"]


@time_machine.travel(TODAY, tick=False)
def test_a_members_home_puts_the_domains_cards_before_the_profile(app, client, make, s):
    html = home_of(client, s["member"])
    due, rent, profile = (html.index(m) for m in ("data-due-card", 'id="rent"', ">Profile<"))
    assert due < rent < profile  # balances, space, events… before the profile
    staff = app.test_client()
    login(staff, make.user("staff", parks=[s["park"]]).email)
    html = text(staff.get(f"/teams/{s['team'].id}", headers=EN))
    assert html.index(">Profile<") < html.index('id="rent"')  # staff: the cards last
