"""Check-in at the door (opc.events.operations.checkin): by token or from the list, staff of
the park only, confirmed registrations only, while check-in is open; a scan twice (also two
at once) is recorded once."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from opc.auth.models import User
from opc.core.db import utcnow
from opc.core.errors import DomainError, RuleViolation
from opc.events.attendance import attendance, park_attendance
from opc.events.models import Registration
from opc.events.operations import checkin as ops
from opc.events.operations.checkin import check_in
from opc.events.qr import checkin_token
from opc.extensions import db
from tests.core.helpers import one, table_counts
from tests.events.checkin_helpers import event_now, registration


def _refusal(app: Any, actor: Any, **kw: Any) -> DomainError:
    before = table_counts(app)
    with app.app_context():
        with pytest.raises(DomainError) as caught:
            check_in(actor=db.session.get(User, actor.id), **kw)
        db.session.remove()
    assert table_counts(app) == before  # nothing written
    return caught.value


def _staff(app: Any, make: Any, park: Any) -> Any:
    return make.user("staff", parks=[park])


def test_a_scan_checks_in_once(app: Any, make: Any, ctx: Any) -> None:
    park = make.park()
    event = event_now(make, park)
    reg = registration(make, event)
    staff = db.session.get(User, make.user("staff", parks=[park]).id)
    token = checkin_token(reg)

    first, already = check_in(actor=staff, event_id=event.id, token=token)
    assert (first.id, already) == (reg.id, False)
    stored = db.session.get(Registration, reg.id)
    assert stored.checked_in_at is not None and stored.checked_in_by_id == staff.id
    at = stored.checked_in_at

    again, already = check_in(actor=staff, event_id=event.id, token=token)
    assert already is True and again.checked_in_at == at
    # From the list, the same: already in, nothing new.
    listed, already = check_in(actor=staff, event_id=event.id, registration_id=reg.id)
    assert already is True and listed.checked_in_at == at


def test_the_list_checks_in_by_registration(app: Any, make: Any, ctx: Any) -> None:
    park = make.park()
    event = event_now(make, park)
    reg = registration(make, event)
    staff = db.session.get(User, make.user("staff", parks=[park]).id)
    done, already = check_in(actor=staff, event_id=event.id, registration_id=reg.id)
    assert done.checked_in_at is not None and already is False


@pytest.mark.parametrize("status", ["waitlisted", "offered", "cancelled", "lapsed"])
def test_only_confirmed_registrations_check_in(app: Any, make: Any, status: str) -> None:
    park = make.park()
    event = event_now(make, park)
    reg = registration(make, event, status=status)
    staff = _staff(app, make, park)
    with app.app_context():
        token = checkin_token(reg)
    err = _refusal(app, staff, event_id=event.id, token=token)
    assert (err.status, err.code) == (409, "not_confirmed")
    assert err.conflict == {"registration_id": reg.id, "status": status}
    assert one(app, Registration, reg.id).checked_in_at is None


def test_a_ticket_of_another_event(app: Any, make: Any) -> None:
    park = make.park()
    event, other = event_now(make, park), event_now(make, park)
    reg = registration(make, other)
    staff = _staff(app, make, park)
    with app.app_context():
        token = checkin_token(reg)
    err = _refusal(app, staff, event_id=event.id, token=token)
    assert (err.status, err.code) == (409, "wrong_event")
    assert err.conflict == {"registration_id": reg.id, "event_id": other.id}
    # From the list, another event's registration is not in this event's list.
    err = _refusal(app, staff, event_id=event.id, registration_id=reg.id)
    assert err.status == 404


def test_bad_tickets_are_invalid(app: Any, make: Any) -> None:
    park = make.park()
    event = event_now(make, park)
    reg = registration(make, event)
    staff = _staff(app, make, park)
    with app.app_context():
        token = checkin_token(reg)
        # A token of a registration that is gone, or whose secret is not the one signed.
        ghost = checkin_token(type("R", (), {"id": reg.id + 1000, "secret": "x"})())
        moved = checkin_token(type("R", (), {"id": reg.id, "secret": "another"})())
    for bad in ("garbage", token[:-2], token + "x", "\x00" * 5, "x" * 5000, ghost, moved):
        err = _refusal(app, staff, event_id=event.id, token=bad)
        assert (err.status, err.code) == (422, "invalid_ticket"), bad
    for kw in ({}, {"token": token, "registration_id": reg.id}, {"registration_id": "1"}):
        err = _refusal(app, staff, event_id=event.id, **kw)
        assert err.status == 422, kw


def test_checkin_opens_two_hours_before_and_closes_at_the_end(app: Any, make: Any) -> None:
    park = make.park()
    now = utcnow().replace(microsecond=0)
    staff = _staff(app, make, park)
    soon = make.event(park, starts_at=now + timedelta(hours=2, minutes=5))
    ended = make.event(
        park,
        starts_at=now - timedelta(hours=3),
        ends_at=now - timedelta(minutes=1),
        registration_opens_at=now - timedelta(days=2),
        registration_closes_at=now - timedelta(hours=3),
    )
    for event in (soon, ended):
        reg = registration(make, event)
        err = _refusal(app, staff, event_id=event.id, registration_id=reg.id)
        assert (err.status, err.code) == (409, "checkin_closed")
    opening = make.event(park, starts_at=now + timedelta(hours=1, minutes=55))
    reg = registration(make, opening)
    with app.app_context():
        actor = db.session.get(User, staff.id)
        assert check_in(actor=actor, event_id=opening.id, registration_id=reg.id)[1] is False
        db.session.remove()


def test_a_cancelled_event_checks_nobody_in(app: Any, make: Any) -> None:
    park = make.park()
    event = event_now(make, park, status="cancelled")
    reg = registration(make, event)
    err = _refusal(app, _staff(app, make, park), event_id=event.id, registration_id=reg.id)
    assert (err.status, err.code) == (409, "event_cancelled")


def test_only_staff_of_the_park_check_in(app: Any, make: Any) -> None:
    park = make.park()
    event = event_now(make, park)
    reg = registration(make, event)
    other_staff = _staff(app, make, make.park())
    err = _refusal(app, other_staff, event_id=event.id, registration_id=reg.id)
    assert err.status == 404
    team = make.team(park, status="resident")
    member = make.user("member", team=team)
    err = _refusal(app, member, event_id=event.id, registration_id=reg.id)
    assert err.status == 403
    err = _refusal(app, other_staff, event_id=10**12, registration_id=reg.id)
    assert err.status == 404


@pytest.mark.slow
def test_two_desks_scanning_at_once_record_one_check_in(
    app: Any, make: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    park = make.park()
    event = event_now(make, park)
    reg = registration(make, event)
    staff = [make.user("staff", parks=[park]) for _ in range(2)]
    with app.app_context():
        token = checkin_token(reg)

    # Widen the window between reading the registration and writing its check-in: without
    # the row lock both desks would read "not yet" and both record a check-in.
    locked = ops.lock

    def slow_lock(*args: Any, **kw: Any) -> Any:
        row = locked(*args, **kw)
        time.sleep(0.3)
        return row

    monkeypatch.setattr(ops, "lock", slow_lock)
    barrier = threading.Barrier(2)
    outcomes: dict[int, Any] = {}

    def scan(user_id: int) -> None:
        with app.app_context():
            try:
                actor = db.session.get(User, user_id)
                barrier.wait(timeout=10)
                done, already = check_in(actor=actor, event_id=event.id, token=token)
                outcomes[user_id] = (already, done.checked_in_by_id)
            except RuleViolation as exc:  # pragma: no cover - reported below
                outcomes[user_id] = exc.code
            except Exception as exc:  # pragma: no cover - reported below
                outcomes[user_id] = repr(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=scan, args=(u.id,)) for u in staff]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    stored = one(app, Registration, reg.id)
    assert sorted(o[0] for o in outcomes.values()) == [False, True], outcomes
    first = next(uid for uid, o in outcomes.items() if o[0] is False)
    assert stored.checked_in_by_id == first
    # The second desk was told of the first's check-in, not its own.
    assert {o[1] for o in outcomes.values()} == {first}


def test_attendance_counts_the_confirmed_who_checked_in(app: Any, make: Any, ctx: Any) -> None:
    park = make.park()
    now = utcnow().replace(microsecond=0)
    held = make.event(
        park,
        starts_at=now - timedelta(days=2),
        registration_opens_at=now - timedelta(days=9),
        registration_closes_at=now - timedelta(days=2),
    )
    at = now - timedelta(days=2)
    registration(make, held, checked_in_at=at)
    registration(make, held)
    registration(make, held)
    registration(make, held, status="cancelled", checked_in_at=at)  # counts in neither
    registration(make, held, status="waitlisted")
    assert attendance(held) == (1, 3, Decimal("33.3"))
    assert attendance(make.event(park)) == (0, 0, None)
    other = make.event(
        park,
        starts_at=now - timedelta(days=1),
        registration_opens_at=now - timedelta(days=9),
        registration_closes_at=now - timedelta(days=1),
    )
    registration(make, other, checked_in_at=at)
    registration(make, make.event(park))  # an event to come: not counted yet
    db.session.rollback()  # a fresh read: the rows above came from another session
    assert park_attendance(park.id, since=now - timedelta(days=30)) == (2, 4, Decimal("50.0"))
    # Another park's events never.
    assert park_attendance(make.park().id, since=now - timedelta(days=30)) == (0, 0, None)
