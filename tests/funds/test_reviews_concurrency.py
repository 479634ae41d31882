"""Two staff assigning the last reviewer place of an application at once, on two real
connections (SQLite and PostgreSQL): the live reviews are counted under the application's
row lock, so the application never gets more reviewers than the call asks for."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest

from opc.funds.operations import reviews as ops
from opc.funds.review_models import Review
from tests.core.helpers import race_as, slowed
from tests.funds import helpers as h

pytestmark = pytest.mark.slow


def _assign(application_id: int, reviewer_id: int, *, actor: Any) -> None:
    ops.assign_reviewer(application_id, reviewer_id, actor=actor)


def test_two_assignments_of_the_last_place_race(app, make, monkeypatch):
    s = h.review_setup(make, reviewers=3, per_application=2)
    h.review(make, s.application, s.pool[0])
    slowed(monkeypatch, ops, "live_reviews")  # both would count one live review

    writes = [partial(_assign, s.application.id, r.id) for r in s.pool[1:]]
    outcomes = race_as(app, s.staff.id, writes)

    assert outcomes == ["ok", "reviewers_complete"], outcomes
    assert h.count(app, Review) == 2


def test_two_proposals_accepted_at_once_write_one(app, make, monkeypatch):
    s = h.review_setup(make, reviewers=2, per_application=2)
    pairs = [(s.application.id, r.id) for r in s.pool]
    slowed(monkeypatch, ops, "live_reviews")

    writes = [partial(ops.accept_proposal, s.call.id, pairs) for _ in range(2)]
    outcomes = race_as(app, s.staff.id, writes)

    assert outcomes == ["ok", "reviewer_assigned"], outcomes
    assert h.count(app, Review) == 2
