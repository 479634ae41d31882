"""The staff page of a park's quarter: every team that owes a report, filed or not, with its
figures and the totals of those filed; filters in the URL, paging, an empty state, the
quarter as CSV and XLSX; the reminder notifies the members of the teams that have not
filed, and nobody else. Members are sent to their own team's reports; staff of another
park find nothing.

The clock is 5 October 2026 in Shanghai: 2026-Q3 is the quarter teams file.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from opc.kpis.operations import file_report
from opc.kpis.quarters import Quarter
from opc.notifications.models import Notification
from tests.core.helpers import post_form, rows, text
from tests.kpis.helpers import FIGURES, resident_team

NOW = datetime(2026, 10, 5, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
Q3 = Quarter(2026, 3)


@pytest.fixture(autouse=True)
def _october() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _file(app, team, **figures) -> None:
    with app.app_context():
        file_report(team.id, Q3, {**FIGURES, **figures}, "", actor=None)


@pytest.fixture
def quarter(app, make):
    """A park with two teams that filed (one corrected), two that have not, an applicant
    and a team that moved in after the quarter (neither owes it); a team of another park."""
    park = make.park()
    filed = [resident_team(make, park, move_in=date(2025, 3, 1)) for _ in range(2)]
    missing = [resident_team(make, park) for _ in range(2)]
    applicant = make.team(park, status="applicant")
    later = resident_team(make, park, move_in=date(2026, 10, 2))
    elsewhere = resident_team(make)
    _file(app, filed[0], revenue_fen=100_000)
    _file(app, filed[0], revenue_fen=150_050)  # the correction counts, not version 1
    _file(app, filed[1], revenue_fen=200_000, headcount=4, graduates_hired=1)
    _file(app, elsewhere, revenue_fen=999_999)
    return park, filed, missing, [applicant, later, elsewhere]


def test_staff_see_who_filed_and_who_has_not(app, make, client, as_user, quarter):
    park, filed, missing, others = quarter
    as_user("staff", parks=[park])
    page = client.get(f"/kpis?park_id={park.id}&quarter=2026-Q3")
    assert page.status_code == 200
    html = text(page)
    for team in filed:
        assert f'data-team="{team.id}" data-state="filed"' in html
    for team in missing:
        assert f'data-team="{team.id}" data-state="missing"' in html
    for team in others:
        assert f'data-team="{team.id}"' not in html
    assert "corrected — v2" in html and "2 of 4 teams filed" in html
    # Totals over the current versions: ¥1,500.50 + ¥2,000.00; headcount 8 + 4.
    totals = html.split("data-totals", 1)[1]
    assert "¥3,500.50" in totals and '<td class="num">12</td>' in totals
    # The state filter, in the URL.
    only_missing = text(client.get(f"/kpis?park_id={park.id}&quarter=2026-Q3&state=missing"))
    assert (
        only_missing.count('data-state="missing"') == 2 and 'data-state="filed"' not in only_missing
    )
    # Defaults: the first park, the quarter teams file now.
    assert 'data-state="missing"' in text(client.get("/kpis"))


def test_the_quarter_downloads_as_csv_and_xlsx(app, make, client, as_user, quarter):
    park, filed, missing, _others = quarter
    as_user("staff", parks=[park])
    got = client.get(f"/kpis/csv?park_id={park.id}&quarter=2026-Q3")
    assert got.status_code == 200 and got.data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(got.data.decode("utf-8-sig"))))
    assert len(table) == 1 + 4 and table[0][:3] == ["Team", "Team (English)", "Track"]
    by_name = {row[0]: row for row in table[1:]}
    assert by_name[filed[0].name_zh][6] == "1500.50"
    assert by_name[missing[0].name_zh][3] == "Not filed"
    book = client.get(f"/kpis/xlsx?park_id={park.id}&quarter=2026-Q3")
    assert book.status_code == 200 and zipfile.is_zipfile(io.BytesIO(book.data))


def test_remind_tells_only_the_members_of_teams_that_have_not_filed(
    app, make, client, as_user, quarter
):
    park, filed, missing, others = quarter
    owing_members = {make.user("member", team=t).id for t in missing}
    others_members = {make.user("member", team=t).id for t in [*filed, *others]}
    as_user("staff", parks=[park])
    reminded = post_form(
        client,
        "/kpis/remind",
        {"park_id": park.id, "quarter": "2026-Q3"},
        page=f"/kpis?park_id={park.id}",
        follow_redirects=True,
    )
    assert reminded.status_code == 200
    assert "2 teams that have not filed were reminded." in text(reminded)
    told = rows(app, Notification)
    assert {n.user_id for n in told} == owing_members
    assert not {n.user_id for n in told} & others_members
    assert {n.kind for n in told} == {"kpi.due"}


def test_reminding_a_quarter_not_over_is_refused_and_tells_nobody(app, make, client, as_user):
    park = make.park()
    make.user("member", team=resident_team(make, park))
    as_user("staff", parks=[park])
    refused = post_form(
        client,
        "/kpis/remind",
        {"park_id": park.id, "quarter": "2026-Q4"},
        page="/kpis",
        follow_redirects=True,
    )
    assert "The quarter is not over yet." in text(refused)
    assert rows(app, Notification) == []


def test_others_find_nothing(app, make, client, as_user, quarter):
    park, filed, _missing, _others = quarter
    as_user("staff", parks=[make.park()])
    assert client.get(f"/kpis?park_id={park.id}").status_code == 404
    assert client.get(f"/kpis/csv?park_id={park.id}").status_code == 404
    refused = post_form(
        client, "/kpis/remind", {"park_id": park.id, "quarter": "2026-Q3"}, page="/kpis"
    )
    assert refused.status_code == 404
    member = make.app.test_client()
    from tests.conftest import login

    login(member, make.user("member", team=filed[0]).email)
    sent = member.get("/kpis")
    assert sent.status_code == 302 and sent.headers["Location"].endswith(
        f"/teams/{filed[0].id}/kpis"
    )
    assert member.get(f"/kpis/csv?park_id={park.id}").status_code == 403
    assert (
        post_form(
            member,
            "/kpis/remind",
            {"park_id": park.id, "quarter": "2026-Q3"},
            page=f"/teams/{filed[0].id}/kpis",
        ).status_code
        == 403
    )
    assert rows(app, Notification) == []


def test_an_empty_quarter_pages_and_odd_filters(app, make, client, as_user, monkeypatch):
    park = make.park()
    as_user("staff", parks=[park])
    empty = text(client.get(f"/kpis?park_id={park.id}&quarter=2026-Q3"))
    assert "data-empty" in empty and "No team owes a report for this quarter" in empty
    for team in [resident_team(make, park) for _ in range(3)]:
        assert team.id
    monkeypatch.setattr("opc.kpis.views.PER_PAGE", 2)
    first = text(client.get(f"/kpis?park_id={park.id}&quarter=2026-Q3"))
    second = text(client.get(f"/kpis?park_id={park.id}&quarter=2026-Q3&page=2"))
    assert first.count('data-state="missing"') == 2 and second.count('data-state="missing"') == 1
    assert (
        'rel="next"' in first
        and "quarter=2026-Q3" in first.split('rel="next"')[0].rsplit("href=", 1)[1]
    )
    # A quarter that is none falls back to the one filed now; odd ids are refused or absent.
    assert client.get(f"/kpis?park_id={park.id}&quarter=2026-Q9&state=bogus").status_code == 200
    assert client.get("/kpis?park_id=99999999999").status_code == 422
    assert client.get("/kpis?park_id=424242").status_code == 404


def test_the_quarter_page_reads_the_same_statements_whatever_its_rows(
    app, make, client, as_user, count_queries
):
    park = make.park()
    as_user("staff", parks=[park])
    url = f"/kpis?park_id={park.id}&quarter=2026-Q3"

    def statements() -> int:
        with count_queries() as seen:
            assert client.get(url).status_code == 200
        return len(seen)

    for team in [resident_team(make, park) for _ in range(2)]:
        _file(app, team)
    few = statements()
    for team in [resident_team(make, park) for _ in range(6)]:
        _file(app, team)
    assert statements() == few
