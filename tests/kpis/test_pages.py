"""The KPI pages of a team: what is due, filing through the form (money in yuan to the fen,
whole counts; a refused form keeps what was typed and writes nothing), a correction filed
as version 2 with version 1 kept and viewable, and who may see what (another team's pages
answer 404, a visitor is sent to log in).

The clock is 5 October 2026 in Shanghai: 2026-Q3 is the quarter teams file, due by the 15th.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from opc.kpis.models import KpiReport
from opc.kpis.operations import file_report
from opc.kpis.quarters import Quarter
from tests.core.helpers import post_form, rows, text
from tests.kpis.helpers import FIGURES, resident_team

NOW = datetime(2026, 10, 5, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
Q3 = Quarter(2026, 3)
FORM = {
    "revenue_yuan": "1,234,567.89",
    "financing_yuan": "500000",
    "rnd_yuan": "30000.5",
    "taxes_yuan": "",
    "headcount": "12",
    "graduates_hired": "4",
    "patents_applied": "2",
    "patents_granted": "0",
    "software_copyrights_applied": "3",
    "software_copyrights_granted": "1",
    "trademarks_applied": "1",
    "trademarks_granted": "1",
    "works_released": "６",  # full-width digits read as digits
    "note": "第三季度上线两部AIGC短剧",
}


@pytest.fixture(autouse=True)
def _october() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _file(app, team, actor, **figures) -> int:
    """File the team's 2026-Q3 report through the operation; its id."""
    with app.app_context():
        return file_report(team.id, Q3, {**FIGURES, **figures}, "", actor=actor).id


def _value(html: str, name: str) -> str:
    found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html)
    assert found, f"no value of {name}"
    return found.group(1)


def test_a_member_sees_what_is_due_and_files_it_from_the_form(app, make, client, as_user):
    team = resident_team(make)
    member = as_user("member", team=team)
    page = text(client.get(f"/teams/{team.id}/kpis"))
    # The due day in the page's date format (15 Oct 2026, 2026-10-15 …).
    assert re.search(r"Q3 2026 KPI report due by [^<]*(15 Oct|10-15)", page)
    assert 'data-due="2026-Q3"' in page
    assert f'href="/teams/{team.id}/kpis/2026-Q3/file"' in page
    card = text(client.get(f"/teams/{team.id}"))
    assert 'data-due="2026-Q3"' in card and "Q3 2026 KPI report due by" in card

    url = f"/teams/{team.id}/kpis/2026-Q3/file"
    filed = post_form(client, url, FORM)
    assert filed.status_code == 302 and filed.headers["Location"].endswith(f"/teams/{team.id}/kpis")
    [report] = rows(app, KpiReport)
    assert (report.team_id, report.period, report.version) == (team.id, "2026-Q3", 1)
    assert (report.revenue_fen, report.financing_fen, report.rnd_fen, report.taxes_fen) == (
        123_456_789,
        50_000_000,
        3_000_050,
        0,
    )
    assert (report.headcount, report.graduates_hired, report.works_released) == (12, 4, 6)
    assert (report.filed_by_id, report.note) == (member.id, "第三季度上线两部AIGC短剧")
    listing = text(client.get(f"/teams/{team.id}/kpis"))
    assert "¥1,234,567.89" in listing and 'data-quarter="2026-Q3"' in listing
    assert "Nothing is due" in listing
    card = text(client.get(f"/teams/{team.id}"))
    assert 'data-last="2026-Q3"' in card and "due by" not in card


def test_bad_input_keeps_what_was_typed_and_writes_nothing(app, make, client, as_user):
    team = resident_team(make)
    as_user("member", team=team)
    url = f"/teams/{team.id}/kpis/2026-Q3/file"
    typed = {
        **FORM,
        "revenue_yuan": "12.345",  # three decimals
        "financing_yuan": "-5",  # negative money
        "headcount": "2",
        "graduates_hired": "5",  # more than the headcount
        "patents_applied": "3.5",  # not whole
        "trademarks_applied": "-1",  # negative count
    }
    refused = post_form(client, url, typed)
    assert refused.status_code == 422
    html = text(refused)
    for name in ("revenue_yuan", "financing_yuan", "graduates_hired", "patents_applied"):
        assert _value(html, name) == typed[name], name
        assert f'id="{name}-err"' in html, name
    assert 'id="trademarks_applied-err"' in html
    assert "Must be an amount in yuan" in html and "Must be a whole number." in html
    assert "Must not be negative." in html
    assert "The graduates hired are among the headcount" in html
    assert "第三季度上线两部AIGC短剧" in html  # the note is kept too
    assert rows(app, KpiReport) == []


def test_a_correction_is_version_2_and_version_1_is_kept(app, make, client, as_user):
    team = resident_team(make)
    member = make.user("member", team=team)
    first = _file(app, team, member)
    as_user("member", team=team)
    url = f"/teams/{team.id}/kpis/2026-Q3/file"
    form = text(client.get(url))
    # The form starts from the current version, in yuan.
    assert _value(form, "revenue_yuan") == "12345.67" and _value(form, "headcount") == "8"
    assert 'data-correcting="1"' in form
    corrected = post_form(client, url, {**FORM, "revenue_yuan": "20000"})
    assert corrected.status_code == 302
    v1, v2 = rows(app, KpiReport, order_by=KpiReport.version)
    assert (v1.id, v1.revenue_fen, v1.version) == (first, FIGURES["revenue_fen"], 1)
    assert v1.superseded_at is not None
    assert (v2.version, v2.revenue_fen, v2.superseded_at) == (2, 2_000_000, None)
    listing = text(client.get(f"/teams/{team.id}/kpis"))
    assert "corrected — v2" in listing and "¥20,000.00" in listing
    versions = text(client.get(f"/teams/{team.id}/kpis/2026-Q3"))
    assert 'data-version="1"' in versions and 'data-version="2"' in versions
    assert "¥12,345.67" in versions and "¥20,000.00" in versions


def test_another_teams_pages_are_not_found_and_visitors_log_in(app, make, client, as_user):
    park = make.park()
    mine, theirs = resident_team(make, park), resident_team(make, park)
    _file(app, theirs, None)
    visitor = client.get(f"/teams/{theirs.id}/kpis")
    assert visitor.status_code == 302 and "/login" in visitor.headers["Location"]
    as_user("member", team=mine)
    for path in ("kpis", "kpis/2026-Q3", "kpis/2026-Q3/file"):
        assert client.get(f"/teams/{theirs.id}/{path}").status_code == 404, path
    refused = post_form(
        client, f"/teams/{theirs.id}/kpis/2026-Q3/file", FORM, page=f"/teams/{mine.id}/kpis"
    )
    assert refused.status_code == 404 and len(rows(app, KpiReport)) == 1
    # Quarters that are no quarter, or have not begun, are no page either.
    for quarter in ("2026-Q5", "2026Q3", "2027-Q1"):
        assert client.get(f"/teams/{mine.id}/kpis/{quarter}/file").status_code == 404
    # Staff of another park see nothing of the park's teams.
    other = make.app.test_client()
    from tests.conftest import login

    login(other, make.user("staff", parks=[make.park()]).email)
    assert other.get(f"/teams/{theirs.id}/kpis").status_code == 404


def test_staff_of_the_park_read_and_file_for_a_team(app, make, client, as_user):
    park = make.park()
    team = resident_team(make, park)
    staff = as_user("staff", parks=[park])
    assert client.get(f"/teams/{team.id}/kpis").status_code == 200
    filed = post_form(client, f"/teams/{team.id}/kpis/2026-Q3/file", FORM)
    assert filed.status_code == 302
    [report] = rows(app, KpiReport)
    assert report.filed_by_id == staff.id


def test_a_team_not_resident_in_the_quarter_is_told_so(app, make, client, as_user):
    from datetime import date

    team = resident_team(make, move_in=date(2026, 10, 1))
    as_user("member", team=team)
    assert "Nothing is due" in text(client.get(f"/teams/{team.id}/kpis"))
    refused = post_form(client, f"/teams/{team.id}/kpis/2026-Q3/file", FORM)
    assert refused.status_code == 422
    assert "was not resident during Q3 2026" in text(refused)
    assert _value(text(refused), "revenue_yuan") == FORM["revenue_yuan"]
    assert rows(app, KpiReport) == []


def test_hostile_input_is_refused_on_its_field_and_writes_nothing(app, make, client, as_user):
    team = resident_team(make)
    as_user("member", team=team)
    url = f"/teams/{team.id}/kpis/2026-Q3/file"
    typed = {
        **FORM,
        "revenue_yuan": "9" * 5000,  # far past any amount
        "rnd_yuan": "1e5",  # no exponents
        "taxes_yuan": "1234567890123.00",  # past the bound of a KPI figure
        "headcount": str(2**63),
        "graduates_hired": "0",
        "patents_applied": "1000000",  # past the bound of a count
        "note": "备注\x00",
    }
    refused = post_form(client, url, typed)
    assert refused.status_code == 422
    html = text(refused)
    for name in ("revenue_yuan", "rnd_yuan", "taxes_yuan", "headcount", "patents_applied"):
        assert f'id="{name}-err"' in html, name
    assert 'id="note-err"' in html
    assert rows(app, KpiReport) == []
    for quarter in ("2026-Q3%00", "9" * 50, "2026-Q03"):
        assert client.get(f"/teams/{team.id}/kpis/{quarter}").status_code == 404
