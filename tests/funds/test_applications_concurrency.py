"""Two members of a team drafting an application to one call at the same moment, on real
connections: one draft is made, the other is refused with `application_exists` naming it —
on SQLite by its one writer at a time, on PostgreSQL by the partial unique index when both
passed the check before either wrote."""

from __future__ import annotations

from functools import partial

import pytest
import time_machine

from opc.funds.application_models import Application
from opc.funds.operations import applications as ops
from tests.core.helpers import race_as, slowed
from tests.funds import helpers as h

pytestmark = pytest.mark.slow


def test_two_drafts_of_one_team_to_one_call_at_once_make_one(app, make, monkeypatch):
    park = make.park()
    call = h.call(make, h.fund(make, park))
    team, member = h.member_of(make, park)
    slowed(monkeypatch, ops, "live_application")  # both would find no live application
    writes = [
        partial(ops.create_application, call_id=call.id, team_id=team.id, title=t, amount_fen=1)
        for t in ("甲", "乙")
    ]
    with time_machine.travel(h.NOW, tick=False):
        assert race_as(app, member.id, writes) == ["application_exists", "ok"]
    assert h.count(app, Application) == 1


def test_drafts_of_two_teams_to_one_call_at_once_are_both_made(app, make, monkeypatch):
    park = make.park()
    call = h.call(make, h.fund(make, park))
    first, member = h.member_of(make, park)
    second = make.team(park, status="resident")
    make.user("member", team=second)
    slowed(monkeypatch, ops, "live_application")
    writes = [
        partial(ops.create_application, call_id=call.id, team_id=team.id, title="x", amount_fen=1)
        for team in (first, second)
    ]
    admin = make.user("admin")
    with time_machine.travel(h.NOW, tick=False):
        assert race_as(app, admin.id, writes) == ["ok", "ok"]
    assert h.count(app, Application) == 2 and member.team_id == first.id
