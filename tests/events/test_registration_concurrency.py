"""Never over capacity, also when registrations and cancellations come at once: each thread
writes on its own connection (its own app context), a barrier releases them together, and
the step between reading the places left and writing is slowed, so that without the
event's row lock both would take the last place. On SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from opc.events.models import Event, Registration
from opc.events.operations import places
from opc.events.operations import registrations as ops
from tests.core.helpers import race, slowed
from tests.events.core_helpers import one, rows, run

pytestmark = pytest.mark.slow


def _race(app: Any, writes: list[Callable[[], Any]]) -> list[str]:
    """The writes at once; each one's registration status, or its refusal's code."""
    return race(app, writes, outcome=lambda registration: registration.status)


def _consistent(app: Any, event: Any) -> tuple[int, int]:
    """The event's counts, checked against its registrations and its capacity."""
    stored = one(app, Event, event.id)
    regs = rows(app, Registration, Registration.event_id == event.id)
    confirmed = sum(r.status == "confirmed" for r in regs)
    offered = sum(r.status == "offered" for r in regs)
    assert (stored.confirmed_count, stored.offered_count) == (confirmed, offered)
    assert confirmed + offered <= stored.capacity
    return confirmed, offered


def _guest(event_id: int, n: int) -> Callable[[], Any]:
    return lambda: ops.register(event_id, name=f"G{n}", email=f"g{n}@x.cn")


def test_concurrent_registrations_for_the_last_place(app, make, monkeypatch):
    slowed(monkeypatch, places, "lapse_expired")  # read under the lock, before the place is taken
    event = make.event(capacity=1)
    outcomes = _race(app, [_guest(event.id, n) for n in range(3)])
    assert sorted(outcomes) == ["confirmed", "waitlisted", "waitlisted"], outcomes
    assert _consistent(app, event) == (1, 0)


def test_concurrent_registrations_fill_the_places_exactly(app, make, monkeypatch):
    slowed(monkeypatch, places, "lapse_expired")
    event = make.event(capacity=2)
    outcomes = _race(app, [_guest(event.id, n) for n in range(4)])
    assert sorted(outcomes) == ["confirmed"] * 2 + ["waitlisted"] * 2, outcomes
    assert _consistent(app, event) == (2, 0)


def test_a_cancellation_and_a_registration_at_once(app, make, monkeypatch):
    event = make.event(capacity=1)
    first = run(app, ops.register, event.id, name="A", email="a@x.cn")
    second = run(app, ops.register, event.id, name="B", email="b@x.cn")
    slowed(monkeypatch, places, "release")  # between freeing the place and serving the line
    slowed(monkeypatch, places, "lapse_expired")
    outcomes = _race(
        app,
        [
            lambda: ops.cancel_registration(first.id, secret=first.secret),
            _guest(event.id, 9),
        ],
    )
    assert sorted(outcomes) == ["cancelled", "waitlisted"], outcomes
    # The place went to the one in line before the newcomer.
    assert one(app, Registration, second.id).status == "confirmed"
    assert _consistent(app, event) == (1, 0)


def test_two_cancellations_offer_two_places_in_line_order(app, make, monkeypatch):
    event = make.event(capacity=2, waitlist_mode="offer")
    held = [run(app, ops.register, event.id, name=f"H{n}", email=f"h{n}@x.cn") for n in range(2)]
    line = [run(app, ops.register, event.id, name=f"L{n}", email=f"l{n}@x.cn") for n in range(3)]
    slowed(monkeypatch, places, "release")
    outcomes = _race(
        app, [lambda r=r: ops.cancel_registration(r.id, secret=r.secret) for r in held]
    )
    assert outcomes == ["cancelled", "cancelled"], outcomes
    statuses = [one(app, Registration, r.id).status for r in line]
    assert statuses == ["offered", "offered", "waitlisted"]
    assert _consistent(app, event) == (0, 2)


def test_accepting_and_registering_at_once_stay_within_capacity(app, make, monkeypatch):
    event = make.event(capacity=1, waitlist_mode="offer")
    first = run(app, ops.register, event.id, name="A", email="a@x.cn")
    second = run(app, ops.register, event.id, name="B", email="b@x.cn")
    run(app, ops.cancel_registration, first.id, secret=first.secret)
    slowed(monkeypatch, places, "lapse_expired")
    outcomes = _race(
        app,
        [lambda: ops.accept_offer(second.id, secret=second.secret), _guest(event.id, 7)],
    )
    assert sorted(outcomes) == ["confirmed", "waitlisted"], outcomes
    assert _consistent(app, event) == (1, 0)
