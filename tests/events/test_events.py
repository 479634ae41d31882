"""Staff create, change and cancel events: every rule refuses with its own error and writes
nothing; an event in a room holds the room and moves its booking with it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from opc.core.db import utcnow
from opc.core.errors import Forbidden, NotFound, RuleViolation, ValidationFailed
from opc.events.models import Event, Registration
from opc.events.operations import events as ops
from opc.events.operations import registrations as regs
from opc.rooms.models import Booking
from tests.events.core_helpers import count, one, refused, rows, run

SH = ZoneInfo("Asia/Shanghai")


def _start(days: int = 7) -> datetime:
    return (utcnow() + timedelta(days=days)).replace(hour=2, minute=0, second=0, microsecond=0)


def _values(park, **kw):
    starts = _start()
    values = {
        "park_id": park.id,
        "kind": "forum",
        "title_zh": "元宇宙论坛",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=3),
        "capacity": 50,
    }
    values.update(kw)
    return values


@pytest.fixture
def desk(make):
    park = make.park()
    return park, make.user("staff", parks=[park])


def test_staff_create_an_event_with_the_window_defaults(app, desk):
    park, staff = desk
    before = utcnow().replace(microsecond=0)
    starts = datetime(2030, 5, 1, 14, 0, tzinfo=SH)
    event = run(
        app,
        ops.create_event,
        actor=staff,
        **_values(park, starts_at=starts, ends_at=starts + timedelta(hours=2), title_en=" AI "),
    )
    assert event.starts_at == datetime(2030, 5, 1, 6, 0, tzinfo=UTC)
    assert event.registration_closes_at == event.starts_at
    assert before <= event.registration_opens_at <= utcnow()
    assert (event.status, event.waitlist_mode, event.offer_hours, event.public) == (
        "scheduled",
        "auto",
        24,
        True,
    )
    assert (event.title_en, event.created_by_id, event.confirmed_count) == ("AI", staff.id, 0)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title_zh": "  "}, "title_zh"),
        ({"title_zh": "x" * 201}, "title_zh"),
        ({"title_zh": "a\x07"}, "title_zh"),
        ({"title_en": "a\nb"}, "title_en"),
        ({"description_zh": "x" * 10_001}, "description_zh"),
        ({"kind": "party"}, "kind"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": 100_001}, "capacity"),
        ({"capacity": "ten"}, "capacity"),
        ({"capacity": True}, "capacity"),
        ({"offer_hours": 721}, "offer_hours"),
        ({"waitlist_mode": "lottery"}, "waitlist_mode"),
        ({"public": "yes"}, "public"),
        ({"venue_unit_id": 2**31}, "venue_unit_id"),
        ({"starts_at": datetime(2030, 1, 1, 9, 0)}, "starts_at"),
        ({"starts_at": "2030-01-01T09:00+08:00"}, "starts_at"),
        ({"ends_at": _start() - timedelta(hours=1)}, "ends_at"),
        ({"ends_at": _start()}, "ends_at"),
        ({"registration_closes_at": _start() + timedelta(hours=4)}, "registration_closes_at"),
        (
            {"registration_opens_at": _start(), "registration_closes_at": _start()},
            "registration_closes_at",
        ),
        ({"venue_text": "x" * 301}, "venue_text"),
    ],
)
def test_bad_values_are_refused_naming_the_field(app, desk, changes, field):
    park, staff = desk
    err = refused(app, ValidationFailed, ops.create_event, actor=staff, **_values(park, **changes))
    assert field in err.fields, err.fields


def test_a_past_event_needs_its_own_window(app, desk):
    park, staff = desk
    starts = utcnow() - timedelta(days=2)
    values = _values(park, starts_at=starts, ends_at=starts + timedelta(hours=2))
    err = refused(app, ValidationFailed, ops.create_event, actor=staff, **values)
    assert "registration_closes_at" in err.fields
    values["registration_opens_at"] = starts - timedelta(days=10)
    assert run(app, ops.create_event, actor=staff, **values).id


def test_only_the_parks_staff_create_its_events(app, make, desk):
    park, _staff = desk
    other = make.user("staff", parks=[make.park()])
    member = make.user("member", team=make.team(park, status="resident"))
    for actor in (other, member):
        refused(app, Forbidden, ops.create_event, actor=actor, **_values(park))
    err = refused(app, ValidationFailed, ops.create_event, actor=other, **_values(park, park_id=0))
    assert "park_id" in err.fields


def test_an_event_in_a_room_holds_it_and_a_clash_is_room_taken(app, make, desk):
    park, staff = desk
    room = make.room(park)
    first = run(app, ops.create_event, actor=staff, **_values(park, venue_unit_id=room.unit_id))
    booking = rows(app, Booking, Booking.event_id == first.id)[0]
    assert (booking.unit_id, booking.starts_at, booking.ends_at, booking.status) == (
        room.unit_id,
        first.starts_at,
        first.ends_at,
        "confirmed",
    )
    clash = _values(
        park, venue_unit_id=room.unit_id, starts_at=first.starts_at + timedelta(hours=1)
    )
    clash["ends_at"] = clash["starts_at"] + timedelta(hours=3)
    err = refused(app, RuleViolation, ops.create_event, actor=staff, **clash)
    assert err.code == "room_taken" and err.conflict["event_id"] == first.id


def test_a_room_of_another_park_or_no_room_is_refused(app, make, desk):
    park, staff = desk
    elsewhere = make.room(make.park())
    plain = make.unit(park)
    for unit_id in (elsewhere.unit_id, plain.id):
        err = refused(
            app,
            ValidationFailed,
            ops.create_event,
            actor=staff,
            **_values(park, venue_unit_id=unit_id),
        )
        assert "venue_unit_id" in err.fields


def test_a_room_and_an_outside_place_together_are_refused(app, make, desk):
    park, staff = desk
    room = make.room(park)
    values = _values(park, venue_unit_id=room.unit_id, venue_text="国家会议中心")
    err = refused(app, ValidationFailed, ops.create_event, actor=staff, **values)
    assert "venue_text" in err.fields


def test_moving_the_event_moves_its_booking_and_an_outside_place_frees_it(app, make, desk):
    park, staff = desk
    room, other_room = make.room(park), make.room(park)
    event = run(app, ops.create_event, actor=staff, **_values(park, venue_unit_id=room.unit_id))
    later = event.starts_at + timedelta(days=1)
    run(
        app,
        ops.update_event,
        event.id,
        actor=staff,
        starts_at=later,
        ends_at=later + timedelta(hours=2),
        registration_closes_at=later,
    )
    held = rows(app, Booking, Booking.event_id == event.id, Booking.status == "confirmed")
    assert [(b.unit_id, b.starts_at, b.ends_at) for b in held] == [
        (room.unit_id, later, later + timedelta(hours=2))
    ]
    run(app, ops.update_event, event.id, actor=staff, venue_unit_id=other_room.unit_id)
    held = rows(app, Booking, Booking.event_id == event.id, Booking.status == "confirmed")
    assert [b.unit_id for b in held] == [other_room.unit_id]
    run(app, ops.update_event, event.id, actor=staff, venue_unit_id=None, venue_text="会展中心")
    assert count(app, Booking, Booking.event_id == event.id, Booking.status == "confirmed") == 0


def test_a_move_into_a_clash_is_refused_and_the_booking_stays(app, make, desk):
    park, staff = desk
    room = make.room(park)
    a = run(app, ops.create_event, actor=staff, **_values(park, venue_unit_id=room.unit_id))
    b_start = a.ends_at + timedelta(hours=1)
    b = run(
        app,
        ops.create_event,
        actor=staff,
        **_values(
            park,
            venue_unit_id=room.unit_id,
            starts_at=b_start,
            ends_at=b_start + timedelta(hours=1),
        ),
    )
    err = refused(app, RuleViolation, ops.update_event, b.id, actor=staff, starts_at=a.starts_at)
    assert err.code == "room_taken"
    assert one(app, Event, b.id).starts_at == b_start


def test_capacity_below_the_places_taken_is_refused_naming_them(app, make, desk):
    park, staff = desk
    event = make.event(park, capacity=3)
    for n in range(3):
        run(app, regs.register, event.id, name=f"G{n}", email=f"g{n}@x.cn")
    err = refused(app, RuleViolation, ops.update_event, event.id, actor=staff, capacity=2)
    assert err.code == "capacity_below_confirmed" and err.conflict["confirmed_count"] == 3
    assert "3" in err.message
    assert run(app, ops.update_event, event.id, actor=staff, capacity=3).capacity == 3


def test_update_refuses_unknown_fields_and_bad_values_writing_nothing(app, make, desk):
    park, staff = desk
    event = make.event(park)
    err = refused(app, ValidationFailed, ops.update_event, event.id, actor=staff, park_id=3)
    assert "park_id" in err.fields
    err = refused(
        app,
        ValidationFailed,
        ops.update_event,
        event.id,
        actor=staff,
        ends_at=event.starts_at - timedelta(hours=1),
    )
    assert "ends_at" in err.fields
    err = refused(
        app,
        ValidationFailed,
        ops.update_event,
        event.id,
        actor=staff,
        registration_closes_at=event.ends_at + timedelta(hours=1),
    )
    assert "registration_closes_at" in err.fields
    err = refused(
        app, ValidationFailed, ops.update_event, event.id, actor=staff, registration_opens_at=None
    )
    assert "registration_opens_at" in err.fields


def test_others_cannot_change_or_cancel_an_event(app, make, desk):
    park, _staff = desk
    event = make.event(park)
    other = make.user("staff", parks=[make.park()])
    member = make.user("member", team=make.team(park, status="resident"))
    refused(app, NotFound, ops.update_event, event.id, actor=other, capacity=5)
    refused(app, Forbidden, ops.update_event, event.id, actor=member, capacity=5)
    refused(app, NotFound, ops.cancel_event, event.id, actor=other)
    refused(app, NotFound, ops.cancel_event, 2**31, actor=other)


def test_cancelling_frees_the_room_and_cancels_every_live_registration(
    app, make, desk, monkeypatch
):
    from opc.events import notify

    told = []
    monkeypatch.setattr(
        notify,
        "registration_changed",
        lambda s, r: told.append(
            (r.id, r.status, r.event.status, s.info.get("event_cancel_reason"))
        ),
    )
    park, staff = desk
    room = make.room(park)
    event = run(
        app, ops.create_event, actor=staff, **_values(park, venue_unit_id=room.unit_id, capacity=1)
    )
    first = run(app, regs.register, event.id, name="A", email="a@x.cn")
    second = run(app, regs.register, event.id, name="B", email="b@x.cn")
    gone = run(app, regs.register, event.id, name="C", email="c@x.cn")
    run(app, regs.cancel_registration, gone.id, secret=gone.secret)
    told.clear()
    cancelled = run(app, ops.cancel_event, event.id, actor=staff, reason="台风")
    assert (cancelled.status, cancelled.confirmed_count, cancelled.offered_count) == (
        "cancelled",
        0,
        0,
    )
    assert told == [
        (first.id, "cancelled", "cancelled", "台风"),
        (second.id, "cancelled", "cancelled", "台风"),
    ]
    statuses = [r.status for r in rows(app, Registration, order_by=Registration.id)]
    assert statuses == ["cancelled", "cancelled", "cancelled"]
    assert count(app, Booking, Booking.event_id == event.id, Booking.status == "confirmed") == 0
    err = refused(app, RuleViolation, ops.cancel_event, event.id, actor=staff)
    assert err.code == "event_cancelled"
    err = refused(app, RuleViolation, ops.update_event, event.id, actor=staff, capacity=9)
    assert err.code == "event_cancelled"


def test_an_event_that_is_over_is_not_cancelled(app, make, desk):
    park, staff = desk
    now = utcnow()
    event = make.event(
        park,
        starts_at=now - timedelta(hours=3),
        registration_opens_at=now - timedelta(days=3),
        registration_closes_at=now - timedelta(hours=3),
    )
    err = refused(app, RuleViolation, ops.cancel_event, event.id, actor=staff)
    assert err.code == "event_past"
    err = refused(app, ValidationFailed, ops.cancel_event, event.id, actor=staff, reason="a\x00")
    assert "reason" in err.fields


def test_the_audit_log_names_events_and_registrations_and_hides_the_secret(app, make, desk):
    from opc.audit.registry import hidden, kind_of
    from opc.extensions import db

    park, staff = desk
    event = run(app, ops.create_event, actor=staff, **_values(park))
    registration = run(app, regs.register, event.id, name="王五", email="w@x.cn")
    with app.test_request_context():
        stored = db.session.get(Event, event.id)
        kind = kind_of("events")
        assert kind.name(stored) == "元宇宙论坛" and kind.url(stored) == f"/events/{event.id}"
        reg = db.session.get(Registration, registration.id)
        reg_kind = kind_of("registrations")
        assert reg_kind.name(reg) == "王五 · 元宇宙论坛"
        assert reg_kind.url(reg) == f"/events/{event.id}"
        assert hidden("registrations", "secret")
        db.session.remove()
