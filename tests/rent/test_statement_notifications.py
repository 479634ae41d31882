"""A team's members hear that its statement is issued: once (issuing again issues nothing),
only they (not another team, not staff, not a former member), and nobody for a draft."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import time_machine
from flask_babel import force_locale

from opc.core.errors import ValidationFailed
from opc.notifications.kinds import render
from opc.notifications.models import Notification
from opc.rent.models import Statement
from opc.rent.notify import ISSUED
from opc.rent.operations.statements import issue_month
from tests.rent.helpers import D, resident, rows

TODAY = "2026-11-15 04:00:00+00:00"


@pytest.fixture
def s(make, api):
    park = make.park()
    staff = make.user("staff", parks=[park])
    teams = [resident(make, park, "2026-01-01") for _ in range(2)]
    for team in teams:
        make.allocation(team, make.unit(park, area_m2=Decimal("30")), D("2026-01-01"))
    members = [make.user("member", team=team) for team in teams]
    return {"park": park, "staff": staff, "api": api(staff), "teams": teams, "members": members}


def issue(s, month):
    return s["api"].post("/statements/issue", json={"park_id": s["park"].id, "month": month})


def told(app):
    return rows(app, Notification, Notification.kind == ISSUED, order_by=Notification.user_id)


@time_machine.travel(TODAY, tick=False)
def test_each_team_hears_once_of_its_statement(app, make, s):
    [a, b] = s["teams"]
    second = make.user("member", team=a)
    make.user("member", team=a, is_active=False)  # a former member hears nothing
    assert issue(s, "2026-09").get_json() == {"issued": 2}
    assert issue(s, "2026-09").get_json() == {"issued": 0}  # issued twice: told once
    notes = told(app)
    assert sorted(n.user_id for n in notes) == sorted(
        [s["members"][0].id, second.id, s["members"][1].id]
    )
    statements = {st.team_id: st for st in rows(app, Statement)}
    for note in notes:
        team = a if note.user_id != s["members"][1].id else b
        statement = statements[team.id]
        assert note.params["team_id"] == team.id and note.params["park_id"] == s["park"].id
        assert note.params["month"] == "2026-09"
        assert note.params["statement_id"] == statement.id
        assert note.params["net_fen"] == statement.net_fen == 240000  # 30 m² × 80.00
        assert note.link == f"/teams/{team.id}/rent"
    assert s["staff"].id not in {n.user_id for n in notes}


@time_machine.travel(TODAY, tick=False)
def test_a_draft_tells_nobody(app, s):
    [a, _b] = s["teams"]
    response = s["api"].get(f"/statements?team_id={a.id}&month=2026-11")
    assert response.get_json()["items"][0]["status"] == "draft"
    assert s["api"].get(f"/statements?park_id={s['park'].id}&month=2026-10").status_code == 200
    assert told(app) == []


@time_machine.travel(TODAY, tick=False)
def test_a_refused_issue_tells_nobody(app, s):
    assert issue(s, "2026-12").status_code == 422  # the month has not begun
    with app.app_context(), pytest.raises(ValidationFailed):
        issue_month(s["park"].id, "2026-13", actor=None)
    assert told(app) == [] and rows(app, Statement) == []


@time_machine.travel(TODAY, tick=False)
def test_the_message_reads_in_the_readers_language(app, s):
    issue(s, "2026-09")
    [note, *_rest] = told(app)
    with app.test_request_context():
        with force_locale("en"):
            en = render(ISSUED, note.params)
        with force_locale("zh"):
            zh = render(ISSUED, note.params)
    assert en.title.endswith("rent statement for 2026-09 issued")
    assert re.search(r"¥2,400\.00 to pay by [0-9]{1,2} Oct 2026\.", en.body)
    assert "2026-09" in zh.title and "租金" in zh.title and "¥2,400.00" in zh.body
