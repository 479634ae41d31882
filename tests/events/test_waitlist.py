"""The waitlist is fair: a freed place goes to the first in line (by queued_at, then id),
confirmed at once (auto) or offered with a deadline (offer); an offer that lapses, or is
cancelled, passes to the next; a higher capacity serves the line; the scheduler's job
lapses offers."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from opc.core.db import transaction, utcnow
from opc.core.errors import RuleViolation
from opc.events.models import Event, Registration
from opc.events.operations import events as event_ops
from opc.events.operations import registrations as ops
from opc.events.tasks import JOB, five_minutes
from opc.extensions import db
from opc.jobs import registry
from opc.jobs.models import JobRun
from opc.jobs.runner import run_due
from tests.events.core_helpers import count, one, refused, rows, run


def _line(app, event, n, start=0):
    return [
        run(app, ops.register, event.id, name=f"G{i}", email=f"g{i}@x.cn")
        for i in range(start, start + n)
    ]


def _status(app, *registrations):
    return [one(app, Registration, r.id).status for r in registrations]


def _counts(app, event):
    stored = one(app, Event, event.id)
    return stored.confirmed_count, stored.offered_count


def test_auto_mode_confirms_the_first_in_line_at_once(app, make):
    event = make.event(capacity=1)
    a, b, c = _line(app, event, 3)
    assert _status(app, a, b, c) == ["confirmed", "waitlisted", "waitlisted"]
    run(app, ops.cancel_registration, a.id, secret=a.secret)
    assert _status(app, a, b, c) == ["cancelled", "confirmed", "waitlisted"]
    assert one(app, Registration, b.id).confirmed_at is not None
    assert _counts(app, event) == (1, 0)


def test_the_line_is_by_queued_at_then_id(app, make):
    event = make.event(capacity=1)
    a, b, c, d = _line(app, event, 4)
    now = utcnow()
    with app.app_context(), transaction():
        # d joined first; b and c at the same instant: the lower id first.
        db.session.get(Registration, d.id).queued_at = now - timedelta(hours=2)
        db.session.get(Registration, b.id).queued_at = now - timedelta(hours=1)
        db.session.get(Registration, c.id).queued_at = now - timedelta(hours=1)
    run(app, ops.cancel_registration, a.id, secret=a.secret)
    assert _status(app, b, c, d) == ["waitlisted", "waitlisted", "confirmed"]
    run(app, ops.cancel_registration, d.id, secret=d.secret)
    assert _status(app, b, c) == ["confirmed", "waitlisted"]


def test_offer_mode_offers_the_place_with_a_deadline(app, make):
    event = make.event(capacity=1, waitlist_mode="offer", offer_hours=6)
    a, b = _line(app, event, 2)
    with time_machine.travel(utcnow(), tick=False):
        now = utcnow()
        run(app, ops.cancel_registration, a.id, secret=a.secret)
    offered = one(app, Registration, b.id)
    assert offered.status == "offered" and offered.offer_expires_at == now + timedelta(hours=6)
    assert _counts(app, event) == (0, 1)
    # The offered place is held: a newcomer waits behind.
    (c,) = _line(app, event, 1, start=5)
    assert c.status == "waitlisted"
    accepted = run(app, ops.accept_offer, b.id, secret=b.secret)
    assert accepted.status == "confirmed" and accepted.confirmed_at is not None
    assert _counts(app, event) == (1, 0)
    err = refused(app, RuleViolation, ops.accept_offer, b.id, secret=b.secret)
    assert err.code == "no_offer"


def test_an_offer_ends_no_later_than_the_start(app, make):
    now = utcnow().replace(microsecond=0)
    event = make.event(
        capacity=1, waitlist_mode="offer", offer_hours=24, starts_at=now + timedelta(hours=3)
    )
    a, b = _line(app, event, 2)
    run(app, ops.cancel_registration, a.id, secret=a.secret)
    assert one(app, Registration, b.id).offer_expires_at == event.starts_at


def test_an_expired_offer_is_refused_and_lapses_to_the_next(app, make):
    event = make.event(capacity=1, waitlist_mode="offer", offer_hours=2)
    a, b, c = _line(app, event, 3)
    run(app, ops.cancel_registration, a.id, secret=a.secret)
    deadline = one(app, Registration, b.id).offer_expires_at
    with time_machine.travel(deadline + timedelta(seconds=1), tick=False):
        err = refused(app, RuleViolation, ops.accept_offer, b.id, secret=b.secret)
        assert err.code == "offer_expired"
        assert run(app, ops.lapse_offers) == 1
    assert _status(app, b, c) == ["lapsed", "offered"]
    assert one(app, Registration, c.id).offer_expires_at == deadline + timedelta(seconds=1, hours=2)
    assert _counts(app, event) == (0, 1)
    err = refused(app, RuleViolation, ops.cancel_registration, b.id, secret=b.secret)
    assert err.code == "registration_ended"


def test_an_offer_not_yet_due_does_not_lapse(app, make):
    event = make.event(capacity=1, waitlist_mode="offer", offer_hours=2)
    a, b = _line(app, event, 2)
    run(app, ops.cancel_registration, a.id, secret=a.secret)
    deadline = one(app, Registration, b.id).offer_expires_at
    assert run(app, ops.lapse_offers, deadline - timedelta(seconds=1)) == 0
    assert _status(app, b) == ["offered"]


def test_a_lapsed_offer_with_nobody_in_line_frees_the_place(app, make):
    event = make.event(capacity=1, waitlist_mode="offer")
    a, b = _line(app, event, 2)
    run(app, ops.cancel_registration, a.id, secret=a.secret)
    deadline = one(app, Registration, b.id).offer_expires_at
    assert run(app, ops.lapse_offers, deadline) == 1
    assert _counts(app, event) == (0, 0)


def test_cancelling_an_offered_place_passes_it_to_the_next(app, make):
    event = make.event(capacity=1, waitlist_mode="offer")
    a, b, c = _line(app, event, 3)
    run(app, ops.cancel_registration, a.id, secret=a.secret)
    run(app, ops.cancel_registration, b.id, secret=b.secret)
    assert _status(app, b, c) == ["cancelled", "offered"]
    assert _counts(app, event) == (0, 1)


def test_cancelling_a_waitlisted_one_frees_no_place(app, make):
    event = make.event(capacity=1)
    a, b, c = _line(app, event, 3)
    run(app, ops.cancel_registration, b.id, secret=b.secret)
    assert _status(app, a, b, c) == ["confirmed", "cancelled", "waitlisted"]
    assert _counts(app, event) == (1, 0)


def test_a_higher_capacity_serves_the_line_in_order(app, make):
    park = make.park()
    staff = make.user("staff", parks=[park])
    event = make.event(park, capacity=1)
    a, b, c, d = _line(app, event, 4)
    run(app, event_ops.update_event, event.id, actor=staff, capacity=3)
    assert _status(app, a, b, c, d) == ["confirmed", "confirmed", "confirmed", "waitlisted"]
    assert _counts(app, event) == (3, 0)
    run(app, event_ops.update_event, event.id, actor=staff, waitlist_mode="offer", capacity=4)
    assert _status(app, d) == ["offered"] and _counts(app, event) == (3, 1)


def test_a_registration_lapses_expired_offers_before_it_takes_its_place(app, make):
    event = make.event(capacity=1, waitlist_mode="offer")
    a, b, c = _line(app, event, 3)
    run(app, ops.cancel_registration, a.id, secret=a.secret)
    deadline = one(app, Registration, b.id).offer_expires_at
    with time_machine.travel(deadline, tick=False):
        (d,) = _line(app, event, 1, start=7)
    assert _status(app, b, c, d) == ["lapsed", "offered", "waitlisted"]


def test_no_place_goes_to_the_line_once_the_event_is_over(app, make):
    event = make.event(capacity=1, waitlist_mode="offer", offer_hours=1)
    a, b, c = _line(app, event, 3)
    run(app, ops.cancel_registration, a.id, secret=a.secret)
    assert run(app, ops.lapse_offers, event.ends_at + timedelta(hours=1)) == 1
    assert _status(app, b, c) == ["lapsed", "waitlisted"]


def test_the_job_lapses_offers_and_serves_the_line_once_per_slot(app, make):
    job = registry.get(JOB)
    assert job is not None and job.cron == {"minute": "*/5"}
    event = make.event(capacity=1, waitlist_mode="offer")
    a, b, c = _line(app, event, 3)
    run(app, ops.cancel_registration, a.id, secret=a.secret)
    deadline = one(app, Registration, b.id).offer_expires_at
    when = deadline + timedelta(minutes=1)
    period = five_minutes(when)
    with time_machine.travel(when, tick=False), app.app_context():
        run_due(job, holder="a", period=period)
        run_due(job, holder="b", period=period)
    assert count(app, JobRun, JobRun.job == JOB) == 1
    assert _status(app, b, c) == ["lapsed", "offered"]
    assert [r.status for r in rows(app, Registration, order_by=Registration.id)] == [
        "cancelled",
        "lapsed",
        "offered",
    ]
