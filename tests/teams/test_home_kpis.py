"""KPI reports on the team home (the quarter to file, until it is filed) and in the staff's
Today queue (the teams that have not filed it), in each park's own dates."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import time_machine

from tests.conftest import login
from tests.core.helpers import text
from tests.kpis.helpers import resident_team
from tests.teams.home_helpers import EN, due_items, home_of

BEFORE = "2026-10-10 04:00:00+00:00"  # 10 October: Q3 2026 is due on the 15th
AFTER = "2026-10-20 04:00:00+00:00"  # overdue


def kpi_items(html):
    items = due_items(html)
    return [(i["text"], i["urgency"], i["href"]) for i in items if i["kind"] == "KPI report"]


def test_the_quarter_to_file_until_it_is_filed(app, client, make):
    park = make.park()
    team = resident_team(make, park, move_in=date(2025, 1, 10))
    member = make.user("member", team=team)
    expected = ("File the KPI report for Q3 2026", "soon", f"/teams/{team.id}/kpis/2026-Q3/file")
    with time_machine.travel(BEFORE, tick=False):
        assert kpi_items(home_of(client, member)) == [expected]
    with time_machine.travel(AFTER, tick=False):
        late = app.test_client()
        assert kpi_items(home_of(late, member)) == [(*expected[:1], "overdue", expected[2])]
        make.kpi_report(team, 2026, 3)
        assert kpi_items(text(late.get(f"/teams/{team.id}", headers=EN))) == []


def test_a_team_that_moved_in_after_the_quarter_owes_nothing(client, make):
    team = resident_team(make, make.park(), move_in=date(2026, 10, 1))
    with time_machine.travel(BEFORE, tick=False):
        assert kpi_items(home_of(client, make.user("member", team=team))) == []


def test_staff_see_the_teams_not_filed_in_their_queue(client, make):
    park = make.park()
    filed = resident_team(make, park)
    resident_team(make, park)
    resident_team(make, park)
    make.kpi_report(filed, 2026, 3)
    resident_team(make, make.park())  # another park's: not counted
    staff = make.user("staff", parks=[park])
    with time_machine.travel(AFTER, tick=False):
        login(client, staff.email)
        html = text(client.get(f"/parks/{park.id}", headers=EN))
    found = re.findall(r'<li data-queue="(\w+)">.*?<a href="([^"]+)">(.*?)</a></li>', html, re.S)
    assert [(u, unescape(label), unescape(href)) for u, href, label in found] == [
        (
            "urgent",
            "2 teams have not filed their KPI reports for Q3 2026",
            f"/kpis?park_id={park.id}&quarter=2026-Q3&state=missing",
        )
    ]
