"""What registrants hear, through a real SMTP server: the confirmation with the ticket's
link, check-in code, QR code (PNG) and the event's .ics; the waitlist's place; the offer and
its lapse; cancellations. Guests read Chinese then English; members their own language and
an in-app notification. A change rolled back mails nobody."""

from __future__ import annotations

import email
import email.policy
import time
from datetime import timedelta
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import select

from opc.auth.models import User
from opc.core.dates import format_datetime
from opc.core.db import transaction, utcnow
from opc.core.errors import RuleViolation
from opc.events.models import Registration
from opc.events.operations import registrations as ops
from opc.events.operations.events import cancel_event
from opc.events.qr import checkin_token, registration_of_token
from opc.extensions import db
from opc.notifications.models import Notification


def _parts(raw: str) -> tuple[Any, str, dict[str, bytes]]:
    # As bytes: a str with an 8bit UTF-8 body would decode to escapes (raw-unicode-escape).
    message = email.message_from_bytes(raw.encode("utf-8"), policy=email.policy.default)
    body = message.get_body(preferencelist=("plain",)).get_content()
    files = {
        part.get_filename(): part.get_payload(decode=True) for part in message.iter_attachments()
    }
    return message, body, files


def _register(app: Any, event: Any, **kw: Any) -> Registration:
    with app.app_context():
        registration = ops.register(event.id, **kw)
        db.session.refresh(registration)
        db.session.expunge(registration)
        db.session.remove()
    return registration


def test_a_guest_is_mailed_the_confirmation_with_the_ticket(
    app: Any, make: Any, smtp_server: Any
) -> None:
    event = make.event(make.park(), title_zh="创业沙龙", title_en="Founders' salon")
    reg = _register(app, event, name="王五", email="Wang@Example.cn")
    ((to, raw),) = smtp_server.wait_for(1)
    assert to == ["wang@example.cn"]
    message, body, files = _parts(raw)
    assert "创业沙龙" in str(message["Subject"]) and "Founders' salon" in str(message["Subject"])
    # Chinese first, then English below.
    zh, _sep, en = body.partition("————————")
    assert "您的名额已确认。" in zh and "Your place is confirmed." in en
    assert "活动时间" not in en
    assert f"/p/tickets/{reg.secret}" in body
    with app.app_context():
        token = checkin_token(reg)
        assert token in body
        assert registration_of_token(token) == reg.id
    assert files["ticket.png"].startswith(b"\x89PNG")
    cal = Calendar.from_ical(files[f"event-{event.id}.ics"])
    (item,) = cal.walk("VEVENT")
    assert item.decoded("DTSTART") == event.starts_at
    # The start in the park's time, as people read it.
    shanghai = format_datetime(event.starts_at, "Asia/Shanghai", "en")
    assert shanghai in en and "(China (Shanghai) Time)" in en
    assert "中国（上海）时间" in zh


def test_the_waitlist_and_the_offer_and_its_lapse(app: Any, make: Any, smtp_server: Any) -> None:
    event = make.event(make.park(), capacity=1, waitlist_mode="offer", offer_hours=2)
    first = _register(app, event, name="甲", email="a@example.cn")
    _register(app, event, name="乙", email="b@example.cn")
    second = _register(app, event, name="丙", email="c@example.cn")
    smtp_server.wait_for(3)
    by_to = {m[0][0]: m[1] for m in smtp_server.messages}
    _m, body, files = _parts(by_to["c@example.cn"])
    assert "number 2 on the waitlist" in body and "ticket.png" not in files
    with app.app_context():
        ops.cancel_registration(first.id, secret=first.secret)
        db.session.remove()
    messages = smtp_server.wait_for(5)
    cancelled = [raw for to, raw in messages[3:] if to == ["a@example.cn"]]
    offered = [raw for to, raw in messages[3:] if to == ["b@example.cn"]]
    assert len(cancelled) == 1
    assert "Registration cancelled" in str(_parts(cancelled[0])[0]["Subject"])
    _m, body, _f = _parts(offered[0])
    assert "It is yours if you accept it by" in body and "/p/tickets/" in body
    with app.app_context():
        assert ops.lapse_offers(utcnow() + timedelta(hours=3)) == 1
        db.session.remove()
    messages = smtp_server.wait_for(7)
    lapsed = [raw for to, raw in messages[5:] if to == ["b@example.cn"]]
    assert len(lapsed) == 1 and "passed to the next in line" in _parts(lapsed[0])[1]
    # The place passed to the next in line, who is offered it in turn.
    (passed,) = [raw for to, raw in messages[5:] if to == ["c@example.cn"]]
    assert "It is yours if you accept it by" in _parts(passed)[1]
    with app.app_context():
        assert db.session.get(Registration, second.id).status == "offered"
        db.session.remove()


def test_a_member_reads_their_language_and_is_notified_in_the_app(
    app: Any, make: Any, smtp_server: Any
) -> None:
    park = make.park()
    team = make.team(park, status="resident")
    member = make.user("member", team=team, locale="en")
    event = make.event(park, title_zh="路演", title_en="Roadshow")
    with app.app_context():
        reg = ops.register(event.id, actor=db.session.get(User, member.id))
        reg_id = reg.id
        db.session.remove()
    ((_to, raw),) = smtp_server.wait_for(1)
    message, body, files = _parts(raw)
    assert str(message["Subject"]) == "[OPC Ops] Registration confirmed: Roadshow"
    assert "确认" not in body and "ticket.png" in files
    with app.app_context():
        (notice,) = db.session.scalars(
            select(Notification).where(Notification.user_id == member.id)
        )
        assert notice.kind == "event.confirmed" and notice.params["registration_id"] == reg_id
        assert notice.emailed_at is not None  # the outbox does not mail it again
        db.session.remove()


def test_a_cancelled_event_tells_its_registrants(app: Any, make: Any, smtp_server: Any) -> None:
    park = make.park()
    event = make.event(park)
    _register(app, event, name="甲", email="a@example.cn")
    smtp_server.wait_for(1)
    staff = make.user("staff", parks=[park])
    with app.app_context():
        cancel_event(event.id, actor=db.session.get(User, staff.id), reason="天气")
        db.session.remove()
    (_to, raw) = smtp_server.wait_for(2)[1]
    message, body, _files = _parts(raw)
    assert "Event cancelled" in str(message["Subject"]) and "The event is cancelled" in body
    assert "Reason: 天气" in body  # the reason staff gave reaches the registrant


def test_a_refused_address_does_not_stop_the_others(app: Any, make: Any, smtp_server: Any) -> None:
    park = make.park()
    event = make.event(park)
    for address in ("a@example.cn", "b@example.cn"):
        _register(app, event, name="甲", email=address)
    smtp_server.wait_for(2)
    smtp_server.refuse.add("a@example.cn")
    staff = make.user("staff", parks=[park])
    with app.app_context():
        cancel_event(event.id, actor=db.session.get(User, staff.id))
        db.session.remove()
    (to, raw) = smtp_server.wait_for(3)[2]
    assert to == ["b@example.cn"] and "Event cancelled" in str(_parts(raw)[0]["Subject"])


def test_a_refused_change_mails_nobody(app: Any, make: Any, smtp_server: Any) -> None:
    event = make.event(make.park())
    _register(app, event, name="甲", email="a@example.cn")
    smtp_server.wait_for(1)
    with app.app_context():
        with pytest.raises(RuleViolation):
            ops.register(event.id, name="甲", email="a@example.cn")
        # A later commit of the same session does not send what was rolled back.
        with transaction():
            pass
        db.session.remove()
    time.sleep(0.5)  # mail goes from a thread: give a wrong one the time to arrive
    assert len(smtp_server.messages) == 1
