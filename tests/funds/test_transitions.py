"""The application's states: only the allowed steps, each in the history."""

from __future__ import annotations

import pytest

from opc.core.errors import RuleViolation
from opc.extensions import db
from opc.funds.application_models import Application, ApplicationStatus
from opc.funds.operations.transitions import STEPS, move
from tests.funds import helpers as h

S = ApplicationStatus


@pytest.mark.parametrize(("start", "to"), [(a, b) for a in S for b in S])
def test_only_the_allowed_steps_are_taken(app, make, start, to):
    park = make.park()
    record = h.application(make, h.call(make, h.fund(make, park)), make.team(park), status=start)
    allowed = {
        (S.DRAFT, S.SUBMITTED), (S.SUBMITTED, S.SCREENING), (S.SCREENING, S.IN_REVIEW),
        (S.SCREENING, S.REJECTED), (S.IN_REVIEW, S.APPROVED), (S.IN_REVIEW, S.REJECTED),
        (S.APPROVED, S.DISBURSED), (S.DRAFT, S.WITHDRAWN), (S.SUBMITTED, S.WITHDRAWN),
        (S.SCREENING, S.WITHDRAWN), (S.IN_REVIEW, S.WITHDRAWN),
    }  # fmt: skip
    assert {(a, b) for a, bs in STEPS.items() for b in bs} == allowed
    with app.app_context():
        loaded = db.session.get(Application, record.id)
        if (start, to) in allowed:
            change = move(loaded, to, actor=None, note="why")
            assert (change.from_status, change.to_status, change.note) == (start, to, "why")
            assert loaded.status == to
        else:
            with pytest.raises(RuleViolation) as refused:
                move(loaded, to, actor=None)
            assert refused.value.code == "invalid_transition"
            assert loaded.status == start and loaded.changes == []
        db.session.rollback()
