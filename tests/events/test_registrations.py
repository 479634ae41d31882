"""Registering for an event: who may, when, with which e-mail; confirmed while places are
left, else waitlisted; cancelling with the secret, as the member, or as staff."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from opc.core.db import utcnow
from opc.core.errors import NotFound, RuleViolation, ValidationFailed
from opc.events.models import Event, Registration
from opc.events.operations import registrations as ops
from tests.events.core_helpers import count, one, refused, rows, run

_refused = refused


def _register(app, event_id, **kw):
    registration = run(app, ops.register, event_id, **kw)
    return registration.id, registration.status, registration.secret


def test_a_guest_is_confirmed_while_places_are_left_then_waitlisted(app, make):
    event = make.event(capacity=2)
    statuses = [
        _register(app, event.id, name=f"Guest {n}", email=f" Guest{n}@Example.CN ")[1]
        for n in range(3)
    ]
    assert statuses == ["confirmed", "confirmed", "waitlisted"]
    stored = one(app, Event, event.id)
    assert (stored.confirmed_count, stored.offered_count, stored.places_left) == (2, 0, 0)
    emails = [r.email for r in rows(app, Registration, order_by=Registration.id)]
    assert emails == ["guest0@example.cn", "guest1@example.cn", "guest2@example.cn"]
    first = rows(app, Registration, order_by=Registration.id)[0]
    assert first.confirmed_at is not None and len(first.secret) == 43 and first.user_id is None


def test_a_member_registers_themselves_with_their_team(app, make):
    park = make.park()
    team = make.team(park, status="resident")
    member = make.user("member", team=team, name="张三")
    event = make.event(park, public=False)
    rid, status, _secret = _register(app, event.id, actor=member, name="x", email="x@y.cn")
    reg = one(app, Registration, rid)
    assert (reg.user_id, reg.team_id, reg.name, reg.email) == (
        member.id,
        team.id,
        "张三",
        member.email.lower(),
    )
    assert reg.organisation == team.name_zh and status == "confirmed"


def test_residents_only_events_are_not_found_by_guests_or_other_parks(app, make):
    event = make.event(public=False)
    outsider = make.user("member", team=make.team(make.park(), status="resident"))
    for actor in (None, outsider):
        err = _refused(app, NotFound, ops.register, event.id, actor=actor, name="A", email="a@b.cn")
        assert err.code == "not_found"


def test_a_member_of_another_park_registers_for_a_public_event(app, make):
    event = make.event(public=True)
    outsider = make.user("member", team=make.team(make.park(), status="resident"))
    _rid, status, _secret = _register(app, event.id, actor=outsider)
    assert status == "confirmed"


def test_staff_register_a_guest_even_for_a_residents_only_event(app, make):
    park = make.park()
    staff = make.user("staff", parks=[park])
    event = make.event(park, public=False)
    rid, status, _secret = _register(app, event.id, actor=staff, name="来宾", email="g@x.cn")
    assert status == "confirmed" and one(app, Registration, rid).user_id is None


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": "", "email": "a@b.cn"}, "name"),
        ({"name": "A", "email": "not-an-address"}, "email"),
        ({"name": "A", "email": ""}, "email"),
        ({"name": "A\x00", "email": "a@b.cn"}, "name"),
        ({"name": "A" * 101, "email": "a@b.cn"}, "name"),
        ({"name": "A", "email": "a@b.cn", "phone": "1" * 41}, "phone"),
        ({"name": "A", "email": "a@b.cn", "organisation": "x\ny"}, "organisation"),
        ({"name": 5, "email": "a@b.cn"}, "name"),
    ],
)
def test_bad_guest_input_is_refused_naming_the_field(app, make, values, field):
    event = make.event()
    err = _refused(app, ValidationFailed, ops.register, event.id, **values)
    assert field in err.fields


def test_the_same_email_twice_is_refused_until_cancelled(app, make):
    event = make.event()
    rid, _status, secret = _register(app, event.id, name="A", email="a@b.cn")
    err = _refused(app, RuleViolation, ops.register, event.id, name="B", email=" A@B.cn")
    assert err.code == "already_registered" and err.conflict["email"] == "a@b.cn"
    run(app, ops.cancel_registration, rid, secret=secret)
    assert _register(app, event.id, name="A", email="a@b.cn")[1] == "confirmed"


def test_registration_outside_the_window_or_after_the_event_is_refused(app, make):
    now = utcnow().replace(microsecond=0)
    later = make.event(registration_opens_at=now + timedelta(days=1))
    err = _refused(app, RuleViolation, ops.register, later.id, name="A", email="a@b.cn")
    assert err.code == "registration_closed"
    closed = make.event(
        starts_at=now + timedelta(hours=1),
        registration_opens_at=now - timedelta(days=2),
        registration_closes_at=now - timedelta(days=1),
    )
    err = _refused(app, RuleViolation, ops.register, closed.id, name="A", email="a@b.cn")
    assert err.code == "registration_closed"
    past = make.event(
        starts_at=now - timedelta(hours=3),
        registration_opens_at=now - timedelta(days=2),
        registration_closes_at=now - timedelta(hours=3),
    )
    err = _refused(app, RuleViolation, ops.register, past.id, name="A", email="a@b.cn")
    assert err.code == "event_past"
    cancelled = make.event(status="cancelled")
    err = _refused(app, RuleViolation, ops.register, cancelled.id, name="A", email="a@b.cn")
    assert err.code == "registration_closed"


def test_late_registration_while_the_window_stays_open_after_the_start(app, make):
    now = utcnow().replace(microsecond=0)
    event = make.event(
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=5),
        registration_opens_at=now - timedelta(days=2),
        registration_closes_at=now + timedelta(hours=4),
    )
    assert _register(app, event.id, name="A", email="a@b.cn")[1] == "confirmed"


def test_an_unknown_event_is_not_found(app, make):
    for bad in (0, -1, 2**31, "1", None, 999_999):
        err = _refused(app, NotFound, ops.register, bad, name="A", email="a@b.cn")
        assert err.code == "not_found"


def test_cancelling_needs_the_secret_the_member_or_staff(app, make):
    park = make.park()
    team = make.team(park, status="resident")
    member, other = make.user("member", team=team), make.user("member", team=team)
    staff = make.user("staff", parks=[park])
    stranger = make.user("staff", parks=[make.park()])
    event = make.event(park)
    mine, _s, _secret = _register(app, event.id, actor=member)
    guest, _s, secret = _register(app, event.id, name="G", email="g@x.cn")
    for actor, sec in ((None, None), (None, "wrong"), (other, None), (stranger, None)):
        err = _refused(app, NotFound, ops.cancel_registration, mine, actor=actor, secret=sec)
        assert err.code == "not_found"
    _refused(app, NotFound, ops.cancel_registration, guest, secret=secret[:-1] + "#")
    assert run(app, ops.cancel_registration, mine, actor=member).status == "cancelled"
    assert run(app, ops.cancel_registration, guest, actor=staff).status == "cancelled"
    err = _refused(app, RuleViolation, ops.cancel_registration, guest, secret=secret)
    assert err.code == "registration_ended"
    stored = one(app, Event, event.id)
    assert stored.confirmed_count == 0
    assert count(app, Registration, Registration.cancelled_at.is_not(None)) == 2


def test_no_cancelling_once_the_event_is_over(app, make):
    event = make.event()
    rid, _status, secret = _register(app, event.id, name="A", email="a@b.cn")
    with time_machine.travel(event.ends_at + timedelta(minutes=1)):
        err = _refused(app, RuleViolation, ops.cancel_registration, rid, secret=secret)
    assert err.code == "event_past"


def test_every_status_change_is_told(app, make, monkeypatch):
    told = []
    from opc.events import notify

    monkeypatch.setattr(notify, "registration_changed", lambda _s, r: told.append((r.id, r.status)))
    event = make.event(capacity=1)
    first, _s, secret = _register(app, event.id, name="A", email="a@b.cn")
    second, _s, _secret = _register(app, event.id, name="B", email="b@b.cn")
    run(app, ops.cancel_registration, first, secret=secret)
    assert told == [
        (first, "confirmed"),
        (second, "waitlisted"),
        (first, "cancelled"),
        (second, "confirmed"),
    ]
