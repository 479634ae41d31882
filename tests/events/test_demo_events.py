"""The demo's events, seeded on the real day: a demo day, a forum and a workshop of the last
months with members and guests registered and most of them checked in (each event's
attendance its own), and to come a roadshow holding the roadshow hall, a public forum full
with a waitlist, a residents-only salon and a workshop in offer mode where the member login
has been offered a place; bilingual, never over capacity, dated consistently."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from opc.core.db import utcnow
from opc.demo import DEMO_PASSWORD
from opc.events.attendance import attendance
from opc.events.models import Event, Registration, RegistrationStatus
from opc.extensions import db
from opc.notifications.models import Notification
from opc.parks.models import Park
from opc.rooms.models import Booking, BookingStatus
from tests.conftest import login
from tests.core.helpers import text

S = RegistrationStatus


@pytest.fixture
def demo(demo_data):
    demo_data()


def _events(code: str) -> list[Event]:
    return list(
        db.session.scalars(
            select(Event).join(Park).where(Park.code == code).order_by(Event.starts_at)
        )
    )


def test_the_demo_events_past_and_to_come(app, demo):
    with app.app_context():
        now = utcnow()
        events = _events("CD-OPC")
        assert all(
            e.title_zh and e.title_en and e.description_zh and e.description_en for e in events
        )
        assert all(e.confirmed_count + e.offered_count <= e.capacity for e in events)
        past = [e for e in events if e.ends_at < now]
        assert {e.kind for e in past} == {"demo_day", "forum", "workshop"}
        assert min(e.starts_at for e in past) < now - timedelta(days=45)
        rates = set()
        for event in past:
            regs = event.registrations
            assert any(r.user_id for r in regs) and any(r.user_id is None for r in regs)
            checked_in, confirmed, rate = attendance(event)
            assert checked_in == sum(1 for r in regs if r.checked_in_at)
            assert confirmed == event.confirmed_count and rate is not None and rate >= 50
            rates.add(rate)
            # Registered before the event, checked in around its start.
            assert all(r.created_at < event.starts_at for r in regs)
            assert all(
                event.starts_at - timedelta(hours=2) <= r.checked_in_at < event.ends_at
                for r in regs
                if r.checked_in_at
            )
            assert event.registration_opens_at < event.registration_closes_at <= event.starts_at
        assert len(rates) == 3
        # The demo day was in the roadshow hall: its booking holds the hall at its time.
        demo_day = next(e for e in past if e.kind == "demo_day")
        held = db.session.scalars(select(Booking).where(Booking.event_id == demo_day.id)).one()
        assert (held.starts_at, held.ends_at, held.unit.code) == (
            demo_day.starts_at,
            demo_day.ends_at,
            "1-SR01",
        )

        coming = {e.kind: e for e in events if e.starts_at > now and e.kind != "workshop"}
        roadshow = coming["roadshow"]
        assert roadshow.venue.code == "1-SR01" and roadshow.starts_at < now + timedelta(days=14)
        assert db.session.scalars(
            select(Booking).where(
                Booking.event_id == roadshow.id, Booking.status == BookingStatus.CONFIRMED
            )
        ).one()
        forum = coming["forum"]
        assert forum.public and forum.confirmed_count == forum.capacity
        statuses = [r.status for r in forum.registrations]
        assert statuses.count(S.WAITLISTED) >= 3
        assert any(r.user_id is None and r.status == S.CONFIRMED for r in forum.registrations)
        assert not coming["salon"].public and coming["salon"].registrations
        (offer,) = [e for e in events if e.waitlist_mode == "offer"]
        assert offer.starts_at > now
        (offered,) = [r for r in offer.registrations if r.status == S.OFFERED]
        assert offered.user is not None and offered.user.email == "member@opc-demo.cn"
        assert offered.offer_expires_at > now
        assert any(r.status == S.CANCELLED for r in offer.registrations)
        # The members' notifications are dated with their registrations; the offer is news.
        old = db.session.scalars(
            select(Notification).where(Notification.kind == "event.confirmed")
        ).all()
        assert old and min(n.created_at for n in old) < now - timedelta(days=30)
        news = db.session.scalars(
            select(Notification).where(Notification.kind == "event.offered")
        ).one()
        assert news.read_at is None and news.params["registration_id"] == offered.id
        # Shougang has its forum in its hall.
        (shougang,) = _events("SG-SCIFI")
        assert shougang.venue.code == "F01" and shougang.registrations
        # Every live registration's e-mail once per event (members' and guests').
        live = db.session.scalars(
            select(Registration).where(Registration.status.in_([S.CONFIRMED, S.WAITLISTED]))
        ).all()
        assert len({(r.event_id, r.email) for r in live}) == len(live)


def test_the_pages_show_the_demo_events(app, demo, client):
    with app.app_context():
        forum = next(e for e in _events("CD-OPC") if e.kind == "forum" and e.starts_at > utcnow())
        offer = next(e for e in _events("CD-OPC") if e.waitlist_mode == "offer")
        forum_id, offer_id, title = forum.id, offer.id, forum.title_en
    public = client.get(f"/p/events/{forum_id}", headers={"Accept-Language": "en"})
    assert public.status_code == 200 and title in text(public)
    login(client, "member@opc-demo.cn", DEMO_PASSWORD)
    page = client.get(f"/events/{offer_id}", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Accept the place" in text(page)
