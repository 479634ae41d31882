"""A team that graduates or exits gives its space back on the day of the step, in the same
transaction as the step."""

from __future__ import annotations

import pytest

from opc.core.db import transaction
from opc.extensions import db
from opc.space.models import Allocation
from opc.teams.models import Team
from opc.teams.signals import status_changed
from tests.space.helpers import D, count, stored


@pytest.fixture
def held(make):
    park = make.park()
    team = make.team(park, status="resident")
    past = make.allocation(team, make.unit(park), D("2025-01-01"), D("2025-06-01"))
    current = make.allocation(team, make.unit(park), D("2026-01-01"))
    ending_later = make.allocation(team, make.unit(park), D("2026-02-01"), D("2026-12-01"))
    future = make.allocation(team, make.unit(park), D("2026-09-01"))
    other = make.allocation(make.team(park, status="resident"), make.unit(park), D("2026-01-01"))
    return (
        park,
        team,
        {
            "past": past,
            "current": current,
            "ending_later": ending_later,
            "future": future,
            "other": other,
        },
    )


def _send(app, team_id, to_status, on):
    with app.app_context():
        with transaction(None):
            team = db.session.get(Team, team_id)
            team.status = to_status
            status_changed.send(
                team, from_status="resident", to_status=to_status, on=on, actor=None
            )
        db.session.remove()


@pytest.mark.parametrize("status", ["exited", "graduated"])
def test_leaving_ends_open_and_future_allocations_on_that_day(app, held, status):
    _park, team, a = held
    _send(app, team.id, status, D("2026-07-01"))
    ends = {x.id: x.end for x in stored(app, Allocation)}
    assert ends[a["past"].id] == D("2025-06-01")  # untouched
    assert ends[a["current"].id] == D("2026-07-01")
    assert ends[a["ending_later"].id] == D("2026-07-01")
    assert a["future"].id not in ends  # never began: withdrawn
    assert ends[a["other"].id] is None  # another team's


def test_suspension_keeps_the_space(app, held):
    _park, team, a = held
    _send(app, team.id, "suspended", D("2026-07-01"))
    assert stored(app, Allocation, Allocation.id == a["current"].id)[0].end is None
    assert count(app, Allocation) == 5


def test_a_failed_step_keeps_the_space(app, held):
    """The receiver writes in the step's transaction: when the step fails, nothing changes."""
    _park, team, a = held
    with app.app_context():
        with pytest.raises(RuntimeError), transaction(None):
            t = db.session.get(Team, team.id)
            t.status = "exited"
            status_changed.send(
                t, from_status="resident", to_status="exited", on=D("2026-07-01"), actor=None
            )
            raise RuntimeError("the step fails after the receivers ran")
        db.session.remove()
    assert stored(app, Allocation, Allocation.id == a["current"].id)[0].end is None
    assert count(app, Allocation) == 5


def test_exit_through_the_team_lifecycle_ends_allocations(app, make, ctx, held):
    from opc.teams import operations as team_ops

    park, team, a = held
    staff = make.user("staff", parks=[park])
    team_ops.transition(db.session.get(Team, team.id), "exited", actor=staff, on=D("2026-07-01"))
    db.session.remove()
    assert stored(app, Allocation, Allocation.id == a["current"].id)[0].end == D("2026-07-01")
    assert count(app, Allocation, Allocation.team_id == team.id) == 3
