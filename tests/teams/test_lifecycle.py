"""The lifecycle: allowed steps only, each dated and attributed; the cap and the waitlist."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from opc.core.dates import local_today
from opc.core.errors import RuleViolation, ValidationFailed
from opc.extensions import db
from opc.teams import operations as ops
from opc.teams.models import Team, TeamStatusChange
from opc.teams.signals import status_changed
from tests.teams.helpers import count, one, rows

ALLOWED = [
    ("applicant", "admitted"),
    ("applicant", "exited"),
    ("admitted", "resident"),
    ("admitted", "exited"),
    ("resident", "suspended"),
    ("resident", "graduated"),
    ("resident", "exited"),
    ("suspended", "resident"),
    ("suspended", "exited"),
]
STATUSES = ["applicant", "admitted", "resident", "suspended", "graduated", "exited"]
REFUSED = [(a, b) for a in STATUSES for b in STATUSES if (a, b) not in ALLOWED]


@pytest.mark.parametrize(("from_", "to"), ALLOWED)
def test_allowed_steps(ctx, make, from_, to):
    park = make.park(team_cap=5)
    team = make.team(park, status=from_)
    ops.transition(team, to, actor=None, note="评审未通过")  # a refusal gives its reason
    assert one(ctx, Team, team.id).status == to


@pytest.mark.parametrize("note", ["", "  \n "])
def test_a_refusal_without_a_reason_is_refused_and_changes_nothing(ctx, make, note):
    team = make.team(make.park(), status="applicant")
    with pytest.raises(ValidationFailed) as err:
        ops.transition(team, "exited", actor=None, note=note)
    assert list(err.value.fields) == ["note"]
    assert one(ctx, Team, team.id).status == "applicant"
    assert count(ctx, TeamStatusChange) == 0
    # Other exits may leave the note empty: they are no refusal of an application.
    admitted = make.team(make.park(), status="admitted")
    ops.transition(admitted, "exited", actor=None)
    assert one(ctx, Team, admitted.id).status == "exited"


@pytest.mark.parametrize(("from_", "to"), REFUSED)
def test_other_steps_are_refused_and_change_nothing(ctx, make, from_, to):
    park = make.park(team_cap=5)
    team = make.team(park, status=from_)
    with pytest.raises(RuleViolation) as err:
        ops.transition(team, to, actor=None)
    assert err.value.code == "invalid_transition"
    assert (err.value.conflict["from"], err.value.conflict["to"]) == (from_, to)
    assert one(ctx, Team, team.id).status == from_
    assert count(ctx, TeamStatusChange) == 0


def test_unknown_status_is_a_field_error(ctx, make):
    team = make.team(make.park())
    with pytest.raises(ValidationFailed) as err:
        ops.transition(team, "famous", actor=None)
    assert "to" in err.value.fields


def test_each_step_is_dated_attributed_and_noted(ctx, make):
    park = make.park(team_cap=5)
    staff = make.user("staff", parks=[park])
    team = make.team(park, status="applicant", status_since=date(2026, 1, 1))
    ops.transition(team, "admitted", actor=staff, on=date(2026, 3, 2), note="委员会通过")
    ops.transition(team, "resident", actor=staff)
    steps = rows(ctx, TeamStatusChange, order_by=TeamStatusChange.id)
    assert [(s.from_status, s.to_status) for s in steps] == [
        ("applicant", "admitted"),
        ("admitted", "resident"),
    ]
    assert [s.on for s in steps] == [date(2026, 3, 2), local_today(park.timezone)]
    assert {s.actor_id for s in steps} == {staff.id}
    assert steps[0].note == "委员会通过"
    assert one(ctx, Team, team.id).status_since == local_today(park.timezone)


def test_a_step_may_not_be_dated_in_the_future_or_before_the_last(ctx, make):
    park = make.park()
    team = make.team(park, status="applicant", status_since=date(2026, 2, 1))
    tomorrow = local_today(park.timezone) + timedelta(days=1)
    for bad in (tomorrow, date(2026, 1, 31)):
        with pytest.raises(ValidationFailed) as err:
            ops.transition(team, "admitted", actor=None, on=bad)
        assert "on" in err.value.fields
    assert one(ctx, Team, team.id).status == "applicant"


def test_the_signal_is_sent_inside_the_transaction(ctx, make):
    park = make.park()
    staff = make.user("staff", parks=[park])
    team = make.team(park, status="resident")
    seen = []

    def receiver(sender, **kw):
        seen.append((sender.id, kw["from_status"], kw["to_status"], kw["on"], kw["actor"].id))
        # The step is flushed but not committed: a receiver's writes join the same transaction.
        assert db.session().in_transaction() and sender.status == "exited"
        assert db.session.query(TeamStatusChange).filter_by(to_status="exited").count() == 1

    with status_changed.connected_to(receiver):
        ops.transition(team, "exited", actor=staff, on=date(2026, 5, 1))
    assert seen == [(team.id, "resident", "exited", date(2026, 5, 1), staff.id)]


def test_a_receiver_that_refuses_undoes_the_step(ctx, make):
    park = make.park()
    team = make.team(park, status="resident")

    def receiver(sender, **kw):
        raise RuleViolation("space_refuses", "no")

    with status_changed.connected_to(receiver), pytest.raises(RuleViolation):
        ops.transition(team, "exited", actor=None)
    assert one(ctx, Team, team.id).status == "resident"
    assert count(ctx, TeamStatusChange) == 0


# --- the park's cap and its waitlist ---------------------------------------------------


def test_admission_beyond_the_cap_is_refused_and_waitlisted(ctx, make):
    park = make.park(team_cap=2)
    make.team(park, status="resident")
    make.team(park, status="resident")
    team = make.team(park, status="admitted", name_zh="天枢智能")
    with pytest.raises(RuleViolation) as err:
        ops.transition(team, "resident", actor=None)
    assert err.value.code == "team_cap_reached"
    assert "2" in err.value.message and "waitlist" in err.value.message
    assert err.value.conflict["park_id"] == park.id and err.value.conflict["team_cap"] == 2
    stored = one(ctx, Team, team.id)
    assert stored.status == "admitted"
    assert stored.waitlisted_at is not None  # committed although the step was refused
    assert count(ctx, Team, Team.status == "resident") == 2


def test_a_suspended_team_cannot_return_over_the_cap(ctx, make):
    park = make.park(team_cap=1)
    team = make.team(park, status="suspended")
    make.team(park, status="resident")
    with pytest.raises(RuleViolation) as err:
        ops.transition(team, "resident", actor=None)
    assert err.value.code == "team_cap_reached"
    assert one(ctx, Team, team.id).waitlisted_at is not None


def test_the_waitlist_keeps_its_order_and_clears_on_moving_in(ctx, make):
    from opc.auth.models import User
    from opc.teams.queries import managed_parks, waitlists_of

    def waitlists_for(user):
        return waitlists_of(managed_parks(user))

    park = make.park(team_cap=1)
    resident = make.team(park, status="resident")
    first = make.team(park, status="admitted")
    second = make.team(park, status="admitted")
    staff = make.user("staff", parks=[park])
    for team in (first, second, first):  # asking again keeps the first place
        with pytest.raises(RuleViolation) as err:
            ops.transition(team, "resident", actor=None)
    assert err.value.conflict["waitlist_position"] == 1
    staff = db.session.get(User, staff.id)
    [waiting] = waitlists_for(staff)
    assert [t.id for t in waiting.teams] == [first.id, second.id]
    assert waiting.next_team is None  # no place free

    ops.transition(resident, "graduated", actor=None)
    db.session.expire_all()
    [waiting] = waitlists_for(staff)
    assert waiting.free_places == 1 and waiting.next_team.id == first.id

    ops.transition(first, "resident", actor=None)
    assert one(ctx, Team, first.id).waitlisted_at is None
    db.session.expire_all()
    [waiting] = waitlists_for(staff)
    assert [t.id for t in waiting.teams] == [second.id]
    assert waiting.next_team is None


def test_leaving_the_waitlist_by_exiting(ctx, make):
    park = make.park(team_cap=0)
    team = make.team(park, status="admitted")
    with pytest.raises(RuleViolation):
        ops.transition(team, "resident", actor=None)
    ops.transition(team, "exited", actor=None)
    assert one(ctx, Team, team.id).waitlisted_at is None
