"""Claim, then post, then record: no lock is held while a receiver answers, so a receiver
that hangs never stops the app's other writers (on SQLite a write transaction would hold
the whole database); a claim whose lease has passed is taken over by one other run, and
the run that lost it records nothing."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from opc.core.db import transaction, utcnow
from opc.extensions import db
from opc.parks.models import Park
from opc.webhooks import delivery as delivery_module
from opc.webhooks.delivery import BATCH, LOST, MAX_ATTEMPTS, Tally, claim, finish, lease
from opc.webhooks.models import DeliveryStatus, WebhookDelivery
from tests.webhooks.helpers import deliver, deliveries, event, hook, rows


@pytest.mark.slow
def test_a_writer_of_another_table_is_not_blocked_while_a_receiver_hangs(
    app, make, receiver, monkeypatch
):
    park, admin = make.park(), make.user("admin")
    hook(app, park, admin, receiver.url("generic"))
    event(app, park_id=park.id)
    monkeypatch.setitem(app.config, "WEBHOOK_TIMEOUT_S", 5.0)
    receiver.delay_s = 3.0  # answers, but only after 3 s
    tallies: list[Tally] = []
    scheduler = threading.Thread(target=lambda: tallies.append(deliver(app)))
    scheduler.start()
    receiver.wait_for(1)  # the post has arrived: the receiver is sitting on it
    started = time.monotonic()
    with app.app_context():
        with transaction():
            db.session.get(Park, park.id).name_en = "Written while a receiver hangs"
        db.session.remove()
    took = time.monotonic() - started
    scheduler.join(timeout=30)
    assert took < 1.0, f"the write waited {took:.1f} s for the scheduler's post"
    assert [t.delivered for t in tallies] == [1]
    assert rows(app, Park)[0].name_en == "Written while a receiver hangs"
    [delivery] = deliveries(app)
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 1


def _claimed(app, now):
    """A run that claimed what is due at `now` and then died (or is still posting)."""
    with app.app_context():
        claims = claim(now, BATCH, None, Tally())
        db.session.remove()
    return claims


@pytest.mark.slow
def test_a_claim_whose_lease_passed_is_taken_over_by_one_other_run(app, make, receiver):
    park, admin = make.park(), make.user("admin")
    hook(app, park, admin, receiver.url("generic"))
    event(app, park_id=park.id)
    now = utcnow()
    [lost] = _claimed(app, now)
    assert deliver(app, now + timedelta(minutes=1)).delivered == 0  # leased: not due
    with app.app_context():
        later = now + lease(BATCH) + timedelta(seconds=1)
    receiver.delay_s = 0.2
    start, tallies = threading.Barrier(2), []

    def scheduler() -> None:
        start.wait()
        tallies.append(deliver(app, later))

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(t.delivered for t in tallies) == [0, 1]
    assert len(receiver.received) == 1  # the receiver drops a repeat of the first by `id`
    assert receiver.received[0].json()["id"] == lost.delivery_id
    # The run that lost its claim comes back with an outcome: it is not its to record.
    with app.app_context():
        late = Tally()
        assert finish(lost, "HTTP 500", 500, later, late) is False
        assert late == Tally()
        db.session.remove()
    [delivery] = deliveries(app)
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 2
    assert delivery.last_status_code == 200 and delivery.last_error is None
    assert deliver(app, later + timedelta(days=1)).delivered == 0
    assert len(receiver.received) == 1


def test_a_lost_last_attempt_makes_the_delivery_dead_without_a_post(app, make, receiver):
    park, admin = make.park(), make.user("admin")
    hook(app, park, admin, receiver.url("generic"))
    event(app, park_id=park.id)
    with app.app_context():
        with transaction():
            db.session.get(WebhookDelivery, deliveries(app)[0].id).attempts = MAX_ATTEMPTS - 1
        db.session.remove()
    now = utcnow()
    _claimed(app, now)  # the last attempt's run dies before it records
    with app.app_context():
        later = now + lease(BATCH) + timedelta(seconds=1)
    assert deliver(app, later).dead == 1
    [delivery] = deliveries(app)
    assert delivery.status == DeliveryStatus.DEAD and delivery.attempts == MAX_ATTEMPTS
    assert delivery.last_error == LOST and delivery.next_attempt_at is None
    assert receiver.received == []


def test_a_run_dying_between_post_and_record_sends_again_after_the_lease(
    app, make, receiver, monkeypatch
):
    park, admin = make.park(), make.user("admin")
    hook(app, park, admin, receiver.url("generic"))
    event(app, park_id=park.id)

    def dies(*_args: object) -> bool:
        raise RuntimeError("the scheduler died after the post")

    monkeypatch.setattr(delivery_module, "finish", dies)
    now = utcnow()
    with pytest.raises(RuntimeError):
        deliver(app, now)
    monkeypatch.setattr(delivery_module, "finish", finish)  # a scheduler started anew
    assert deliver(app, now + timedelta(seconds=30)).delivered == 0  # still leased
    with app.app_context():
        later = now + lease(BATCH) + timedelta(seconds=1)
    assert deliver(app, later).delivered == 1
    first, again = receiver.received  # the same event twice: the receiver keeps one by `id`
    assert first.json()["id"] == again.json()["id"] == deliveries(app)[0].id
    [delivery] = deliveries(app)
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 2
