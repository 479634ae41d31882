"""Issue 14: a park's quarter of KPI reports sorts by its columns, the figures included
(?sort=&dir= in the URL, kept by the filters and the export), and an empty list says what
to do next. The clock is 5 October 2026 in Shanghai: 2026-Q3 is the quarter teams file."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from opc.extensions import db
from opc.kpis.operations import file_report
from opc.kpis.quarters import Quarter
from opc.teams.models import Team
from tests.core.listing import page as _get
from tests.core.listing import row_ids
from tests.kpis.helpers import FIGURES, resident_team

NOW = datetime(2026, 10, 5, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _october() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _ids(html: str) -> list[int]:
    return row_ids(html, "team")


def _quarter(app, make):
    """Three teams owing 2026-Q3 (named by their pinyin): yi filed ¥5,000 of revenue, jia
    ¥1,000, bing nothing. Their ids and Chinese names by pinyin."""
    park = make.park()
    teams, names = {}, {}
    for pinyin, revenue in (("yi", 500_000), ("jia", 100_000), ("bing", None)):
        team = resident_team(make, park, move_in=date(2025, 3, 1))
        with app.app_context():
            db.session.get(Team, team.id).name_pinyin = pinyin
            db.session.commit()
            if revenue is not None:
                figures = {**FIGURES, "revenue_fen": revenue}
                file_report(team.id, Quarter(2026, 3), figures, "", actor=None)
        teams[pinyin], names[pinyin] = team.id, team.name_zh
    return park, teams, names


def test_the_quarter_sorts_by_team_and_by_figure(app, make, client, as_user):
    park, t, names = _quarter(app, make)
    as_user("staff", parks=[park])
    url = f"/kpis?park_id={park.id}&quarter=2026-Q3"
    assert _ids(_get(client, url)) == [t["bing"], t["jia"], t["yi"]]  # by name (pinyin)
    html = _get(client, f"{url}&sort=revenue_fen")
    assert _ids(html) == [t["yi"], t["jia"], t["bing"]]  # the largest first, unfiled last
    assert '<td class="num">¥5,000.00</td>' in html
    html = _get(client, f"{url}&sort=revenue_fen&dir=asc")
    assert _ids(html) == [t["jia"], t["yi"], t["bing"]]
    for query in ("sort=password&dir=asc", "sort=team&dir=sideways", "sort=%00&dir=%00"):
        assert _ids(_get(client, f"{url}&{query}")) == [t["bing"], t["jia"], t["yi"]]

    # The filters stay in the headings, the order in the filter form and the export.
    html = _get(client, f"{url}&state=filed&sort=revenue_fen&dir=asc&page=2")
    assert _ids(html) == [t["jia"], t["yi"]]
    link = re.search(r'<a class="sort" href="([^"]+sort=team[^"]*)"', html)
    assert link and "state=filed" in link[1] and "quarter=2026-Q3" in link[1]
    assert '<input type="hidden" name="sort" value="revenue_fen">' in html
    export = re.search(r'href="([^"]+)" download data-export="csv"', html)
    assert export
    body = client.get(export[1].replace("&amp;", "&")).get_data(as_text=True)
    exported = [row[0] for row in csv.reader(io.StringIO(body.lstrip("\ufeff")))][1:]
    assert exported == [names["jia"], names["yi"], names["bing"]]  # the page's order


def test_empty_quarters_say_what_to_do_next(app, make, client, as_user):
    park = make.park()
    team = resident_team(make, park, move_in=date(2025, 3, 1))
    with app.app_context():
        file_report(team.id, Quarter(2026, 3), FIGURES, "", actor=None)
    as_user("staff", parks=[park])
    html = _get(client, f"/kpis?park_id={park.id}&quarter=2024-Q1")
    assert "none was resident in it. Choose another quarter" in html
    assert 'class="empty-state"' in html
    # Every team filed: none in the state "missing", and a way back to all of them.
    html = _get(client, f"/kpis?park_id={park.id}&quarter=2026-Q3&state=missing")
    assert "No team is in this state for the quarter" in html
    assert f'href="/kpis?park_id={park.id}&amp;quarter=2026-Q3"' in html
