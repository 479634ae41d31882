"""The staff's "Today" card on the park dashboard: what waits on them, from each domain
(waivers to approve, requests near or past their SLA, applications to screen, reports
produced or failed), the most urgent first, each linking to its filtered list; only their
own parks' items; an empty state when nothing waits."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from types import SimpleNamespace

import pytest
import time_machine

from opc.funds.application_models import ApplicationStatus
from opc.reports.models import ReportRun
from tests.conftest import login
from tests.core.helpers import text
from tests.funds.helpers import application, call, fund
from tests.rent.helpers import approved, resident
from tests.service.helpers import at, desk, opened

EN = {"Accept-Language": "en"}
CHECKED = at(2026, 3, 2, 14, 0)  # Monday: a request opened at 9:00 is due at 14:30


def today_card(client, park_id):
    html = text(client.get(f"/parks/{park_id}", headers=EN))
    card = re.search(r"<section[^>]*data-today>(.*?)</section>", html, re.S)
    return card.group(1) if card else None


def queue(client, park_id):
    """The card's items: (urgency, label, link)."""
    card = today_card(client, park_id)
    assert card is not None, "no Today card"
    found = re.findall(r'<li data-queue="(\w+)">.*?<a href="([^"]+)">(.*?)</a></li>', card, re.S)
    # The KPI reports' item (teams not filed) is tested with them: tests/teams/test_home_kpis.py.
    return [(u, unescape(label), unescape(href)) for u, href, label in found if "/kpis" not in href]


def propose(app, team, **values):
    from opc.extensions import db
    from opc.rent import operations as ops

    with app.app_context():
        waiver = ops.propose_waiver(actor=None, team_id=team.id, reason="x", **values)
        created = SimpleNamespace(id=waiver.id)
        db.session.remove()
    return created


def run(make, park, status, finished_at, period):
    return make._save(
        ReportRun(
            park_id=park.id,
            kind="monthly_subsidy",
            period=period,
            version=1,
            status=status,
            source="scheduler",
            lease_until=finished_at,
            started_at=finished_at - timedelta(minutes=1),
            finished_at=finished_at,
            error="boom" if status == "failed" else None,
        )
    )


@pytest.fixture
def parks(app, make):
    """Park A (the service desk's) with something of each kind waiting; park B with one
    waiver of its own."""
    d = desk(make)
    a, b = d.park, make.park()
    team = resident(make, a, "2025-07-01")
    propose(app, team, percent="20", start=datetime(2026, 1, 1).date())
    propose(app, team, percent="10", start=datetime(2026, 1, 1).date())
    approved(app, team, percent="5", start=datetime(2026, 1, 1).date(), reason="x")
    propose(app, resident(make, b, "2025-07-01"), percent="20", start=datetime(2026, 1, 1).date())
    opened(app, d, at(2026, 2, 27, 9, 0), title="早就超时")  # breached by Monday
    opened(app, d, at(2026, 3, 2, 9, 0), title="快到期")  # 30 working minutes left
    opened(app, d, at(2026, 3, 2, 13, 30), title="刚提交")  # on time
    f = fund(make, a)
    opens, closes = datetime(2026, 2, 20, tzinfo=UTC), datetime(2026, 3, 20, tzinfo=UTC)
    screened = call(make, f, title_en="Creators", opens_at=opens, closes_at=closes)
    for _n in range(2):
        application(make, screened, make.team(a, status="resident"), ApplicationStatus.SUBMITTED)
    application(make, screened, make.team(a, status="resident"))  # a draft: not theirs yet
    now = CHECKED.astimezone(UTC)
    run(make, a, "done", now - timedelta(hours=2), "2026-02")
    run(make, a, "failed", now - timedelta(hours=1), "2026-01")
    run(make, a, "done", now - timedelta(days=3), "2025-12")  # long ago: not today's
    return SimpleNamespace(a=a, b=b, call=screened, staff_a=d.staff)


@time_machine.travel(CHECKED, tick=False)
def test_each_domains_items_most_urgent_first_with_their_lists(client, parks):
    login(client, parks.staff_a.email)
    a = parks.a.id
    assert queue(client, a) == [
        (
            "urgent",
            "1 request past its SLA",
            f"/service/queue?park_id={a}&sla=breached&sort=resolution_due",
        ),
        ("urgent", "1 report failed", f"/reports?park_id={a}"),
        (
            "soon",
            "1 request near its SLA",
            f"/service/queue?park_id={a}&sla=due_soon&sort=resolution_due",
        ),
        ("normal", "2 waivers to approve", f"/parks/{a}/rent/waivers"),
        (
            "normal",
            "2 applications to screen: Creators",
            f"/funds/calls/{parks.call.id}?status=submitted",
        ),
        ("normal", "1 report produced in the last 24 hours", f"/reports?park_id={a}"),
    ]
    # Each link is a page the staff may open, filtered to those items.
    for _u, _label, href in queue(client, a):
        assert client.get(href, headers=EN).status_code == 200, href
    # The dashboard's own items are kept.
    assert "To act on" in text(client.get(f"/parks/{a}", headers=EN))


@time_machine.travel(CHECKED, tick=False)
def test_staff_see_only_their_parks(client, make, parks):
    staff_b = make.user("staff", parks=[parks.b])
    login(client, staff_b.email)
    assert queue(client, parks.b.id) == [
        ("normal", "1 waiver to approve", f"/parks/{parks.b.id}/rent/waivers")
    ]
    assert client.get(f"/parks/{parks.a.id}", headers=EN).status_code == 404


@time_machine.travel(CHECKED, tick=False)
def test_nothing_waiting_says_so(client, make):
    park = make.park()
    login(client, make.user("staff", parks=[park]).email)
    card = today_card(client, park.id)
    assert card is not None and "data-today-empty" in card and "Nothing waits on you" in card


@time_machine.travel(CHECKED, tick=False)
def test_admins_who_are_no_parks_staff_have_no_today_card(client, make, parks):
    login(client, make.user("admin").email)
    assert today_card(client, parks.a.id) is None


def _busy_park(app, make, n):
    """A park of its own with `n` waivers, requests and submitted applications waiting."""
    d = desk(make)
    team = resident(make, d.park, "2025-07-01")
    screened = call(
        make,
        fund(make, d.park),
        opens_at=datetime(2026, 2, 20, tzinfo=UTC),
        closes_at=datetime(2026, 3, 20, tzinfo=UTC),
    )
    for _ in range(n):
        propose(app, team, percent="20", start=datetime(2026, 1, 1).date())
        opened(app, d, at(2026, 2, 27, 9, 0))
        application(make, screened, make.team(d.park, status="resident"), "submitted")
    return d


@time_machine.travel(CHECKED, tick=False)
def test_the_card_costs_the_same_queries_for_one_or_three_of_each(app, client, make, count_queries):
    counted = []
    for n in (1, 3):
        d = _busy_park(app, make, n)
        staff = app.test_client()
        login(staff, d.staff.email)
        with count_queries() as statements:
            assert len(queue(staff, d.park.id)) == 3
        counted.append(len(statements))
    assert counted[0] == counted[1]
