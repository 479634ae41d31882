"""What each domain adds to the team home's "What's due" card, when its condition holds and
not otherwise: funds (a draft before its call closes, an open call closing within two weeks
the team may apply to), service (a request waiting on the team), compute (a voucher running
out or expiring within a month), all in one list by date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from opc.funds.application_models import ApplicationStatus
from opc.service.operations import requests as service
from tests.compute.helpers import D, draw, programme, provider, voucher
from tests.conftest import login
from tests.funds.helpers import NOW, application, call, fund
from tests.service.helpers import act, at, desk, opened
from tests.teams.home_helpers import due_card, due_items, home_of


def ours(html):
    """The due items but the KPI report these residents without a history owe (that item is
    tested in tests/teams/test_home_kpis.py)."""
    return [i for i in due_items(html) if i["kind"] != "KPI report"]


def test_funds_drafts_and_calls_closing_soon(client, make):
    park = make.park()
    team = make.team(park, status="resident")
    member = make.user("member", team=team)
    f = fund(make, park)
    drafted = call(make, f, title_en="Drafted", closes_at=NOW + timedelta(days=10))
    application(make, drafted, team, title="我的草稿")
    call(make, f, title_en="Closing", closes_at=NOW + timedelta(days=5))
    call(make, f, title_en="Far", closes_at=NOW + timedelta(days=30))
    call(make, f, title_en="Not ours", closes_at=NOW + timedelta(days=5), tracks=["games"])
    sent = call(make, f, title_en="Sent", closes_at=NOW + timedelta(days=5))
    application(make, sent, team, status=ApplicationStatus.SUBMITTED)
    later = NOW + timedelta(days=2)
    call(make, f, title_en="Not open", opens_at=later, closes_at=later + timedelta(days=3))
    gone = call(make, f, title_en="Closed", opens_at=NOW - timedelta(days=9), closes_at=NOW)
    application(make, gone, team, title="错过的草稿")  # its call closed: nothing to do
    theirs = call(make, f, title_en="Theirs", closes_at=NOW + timedelta(days=30))
    application(make, theirs, make.team(park, status="resident"), title="别人的草稿")
    with time_machine.travel(NOW, tick=False):
        items = ours(home_of(client, member))
    assert [(i["kind"], i["text"], i["urgency"]) for i in items] == [
        ("Fund call", "Closing closes: apply before then", "soon"),
        ("Fund application", "Submit your application “我的草稿” to Drafted", "soon"),
    ]
    assert items[0]["href"].endswith("/apply") and "/applications/" in items[1]["href"]
    assert "due 8 Dec 2026" in items[0]["line"] and "due 13 Dec 2026" in items[1]["line"]


def test_service_requests_waiting_on_the_team(app, client, make):
    d = desk(make)
    waiting = opened(app, d, at(2026, 6, 15, 10), title="补充营业执照")
    opened(app, d, at(2026, 6, 15, 10), title="还在处理")
    act(app, at(2026, 6, 15, 11), _ask, waiting.id, d.staff)
    with time_machine.travel(at(2026, 6, 15, 12), tick=False):
        items = ours(home_of(client, d.member))
    assert [(i["kind"], i["text"]) for i in items] == [
        ("Service request", "The park waits for your answer: 补充营业执照")
    ]
    assert items[0]["href"] == f"/service/requests/{waiting.id}"


def _ask(request_id, staff):
    return service.ask_team(request_id, actor=staff, question="请上传营业执照")


def test_compute_vouchers_running_out_or_expiring_within_a_month(app, client, make):
    park = make.park()
    team = make.team(park, status="resident")
    member = make.user("member", team=team)
    p = programme(app, park, name_en="Chengdu compute")
    burning = voucher(app, p, team, amount_fen=1_000_000)
    voucher(app, p, team, amount_fen=500_000, valid_to=D("2026-07-01"))  # expires soon
    voucher(app, p, team, amount_fen=500_000)  # no burn, valid to December: nothing due
    # 6,000.00 drawn in the last 30 days: 200.00 a day, 4,000.00 left: 20 days.
    draw(app, burning, provider(make), 600_000, datetime(2026, 6, 1, 2, tzinfo=UTC))
    with time_machine.travel("2026-06-15 04:00:00+00:00", tick=False):
        items = ours(home_of(client, member))
    assert [(i["kind"], i["text"]) for i in items] == [
        ("Compute", "Voucher Chengdu compute expires with money left on it"),
        ("Compute", "Voucher Chengdu compute runs out at the last 30 days’ rate"),
    ]
    assert "¥5,000.00" in items[0]["line"] and "due 1 Jul 2026" in items[0]["line"]
    assert "¥4,000.00" in items[1]["line"] and "due 5 Jul 2026" in items[1]["line"]


def test_a_new_team_has_nothing_due(client, make):
    team = make.team(make.park(), status="applicant")
    card = due_card(home_of(client, make.user("member", team=team)))
    assert card is not None and "data-due-empty" in card and "<li" not in card


def test_a_members_start_page_is_the_team_home_and_staffs_the_dashboard(app, client, make):
    park = make.park()
    team = make.team(park, status="resident")
    login(client, make.user("member", team=team).email)
    first = client.get("/")
    assert first.status_code == 302 and first.headers["Location"].endswith("/teams/mine")
    home = client.get("/teams/mine")
    assert home.status_code == 302 and home.headers["Location"].endswith(f"/teams/{team.id}")
    staff = app.test_client()
    login(staff, make.user("staff", parks=[park]).email)
    landed = staff.get("/", follow_redirects=True)
    assert landed.status_code == 200 and landed.request.path == f"/parks/{park.id}"
    assert "data-today" in landed.get_data(as_text=True)
