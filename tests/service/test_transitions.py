"""A request's states: only the allowed steps are taken, each dated and attributed."""

from __future__ import annotations

import pytest

from opc.core.errors import RuleViolation
from opc.extensions import db
from opc.service.models import ServiceEvent, ServiceRequest, Status
from opc.service.operations import requests as ops
from opc.service.operations import team
from opc.service.operations.transitions import STEPS, move
from tests.service import helpers as h
from tests.service.helpers import at

S = Status


@pytest.mark.parametrize(("start", "to"), [(a, b) for a in S for b in S])
def test_only_the_allowed_steps_are_taken(app, make, start, to):
    d = h.desk(make)
    r = h.opened(app, d, at(2026, 3, 3, 9, 0))
    allowed = {
        (S.OPEN, S.TRIAGED), (S.OPEN, S.ASSIGNED), (S.OPEN, S.IN_PROGRESS), (S.OPEN, S.WAITING),
        (S.OPEN, S.RESOLVED), (S.TRIAGED, S.ASSIGNED), (S.TRIAGED, S.IN_PROGRESS),
        (S.TRIAGED, S.WAITING), (S.TRIAGED, S.RESOLVED), (S.ASSIGNED, S.IN_PROGRESS),
        (S.ASSIGNED, S.WAITING), (S.ASSIGNED, S.RESOLVED), (S.IN_PROGRESS, S.WAITING),
        (S.IN_PROGRESS, S.RESOLVED), (S.WAITING, S.IN_PROGRESS), (S.WAITING, S.RESOLVED),
        (S.RESOLVED, S.CLOSED), (S.RESOLVED, S.REOPENED), (S.REOPENED, S.ASSIGNED),
        (S.REOPENED, S.IN_PROGRESS), (S.REOPENED, S.WAITING), (S.REOPENED, S.RESOLVED),
    }  # fmt: skip
    assert {(a, b) for a, bs in STEPS.items() for b in bs} == allowed
    with app.app_context():
        loaded = db.session.get(ServiceRequest, r.id)
        loaded.status = start
        before = len(loaded.events)
        if (start, to) in allowed:
            event = move(loaded, to, actor=d.staff, note="why")
            assert (event.from_status, event.to_status, event.by_id) == (start, to, d.staff.id)
            assert event.at is not None and loaded.status == to
        else:
            with pytest.raises(RuleViolation) as refused:
                move(loaded, to, actor=d.staff)
            assert refused.value.code == "invalid_transition"
            assert loaded.status == start and len(loaded.events) == before
        db.session.rollback()


def test_every_step_of_a_request_is_in_its_timeline(app, make):
    d = h.desk(make)
    r = h.opened(app, d, at(2026, 3, 3, 9, 0))
    h.act(app, at(2026, 3, 3, 9, 5), ops.assign, r.id, actor=d.staff, assignee_id=d.staff.id)
    h.act(app, at(2026, 3, 3, 9, 10), ops.comment, r.id, actor=d.staff, body="在办")
    h.act(app, at(2026, 3, 3, 9, 20), ops.resolve, r.id, actor=d.staff, note="办好了")
    h.act(app, at(2026, 3, 3, 9, 30), team.confirm, r.id, actor=d.member)
    steps = [
        (e.from_status, e.to_status, e.by_id, e.at)
        for e in h.rows(app, ServiceEvent, ServiceEvent.kind == "status", order_by=ServiceEvent.id)
    ]
    assert steps == [
        (None, "open", d.member.id, at(2026, 3, 3, 9, 0)),
        ("open", "assigned", d.staff.id, at(2026, 3, 3, 9, 5)),
        ("assigned", "in_progress", d.staff.id, at(2026, 3, 3, 9, 10)),
        ("in_progress", "resolved", d.staff.id, at(2026, 3, 3, 9, 20)),
        ("resolved", "closed", d.member.id, at(2026, 3, 3, 9, 30)),
    ]
    done = h.one(app, ServiceRequest, r.id)
    assert done.first_responded_at == at(2026, 3, 3, 9, 10)
    assert done.resolved_at == at(2026, 3, 3, 9, 20) and done.closed_at == at(2026, 3, 3, 9, 30)
