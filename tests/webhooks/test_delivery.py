"""From events to deliveries and their sending: one delivery per event and matching hook,
made in the event's transaction; retries after 1, 5, 30, 120 and 720 minutes, then dead; a
hook failing 10 times in a row is switched off and admins hear of it; the job runs every
minute."""

from __future__ import annotations

from datetime import timedelta

import pytest

from opc import notifications
from opc.core.db import transaction, utcnow
from opc.extensions import db
from opc.jobs import registry
from opc.jobs.runner import Outcome, run_due
from opc.notifications.models import Notification
from opc.webhooks.delivery import BACKOFF, DISABLED_KIND, MAX_ATTEMPTS, MAX_FAILURES
from opc.webhooks.models import DeliveryStatus, Webhook, WebhookDelivery
from opc.webhooks.operations import enable_webhook
from opc.webhooks.tasks import JOB
from tests.webhooks.helpers import KIND, deliver, deliveries, event, hook, rows


def test_one_delivery_per_event_and_hook_that_listens(app, make, receiver):
    park, other_park, admin = make.park(), make.park(), make.user("admin")
    listening = hook(app, park, admin, receiver.url("generic"))
    everything = hook(app, park, admin, receiver.url("generic"), kinds=[], all_kinds=True)
    hook(app, park, admin, receiver.url("generic"), kinds=["webhook.test"])  # another kind
    hook(app, other_park, admin, receiver.url("generic"))  # another park
    off = hook(app, park, admin, receiver.url("generic"))
    with app.app_context():
        with transaction():
            db.session.get(Webhook, off.id).active = False
        db.session.remove()
    team = make.team(park)
    event(app, 1, team_id=team.id)
    event(app, 2, park_id=park.id)
    event(app, 3)  # of no park: nobody's
    made = deliveries(app)
    assert sorted((d.webhook_id, d.payload["data"]["n"]) for d in made) == sorted(
        [(listening.id, 1), (everything.id, 1), (listening.id, 2), (everything.id, 2)]
    )
    assert all(d.status == DeliveryStatus.PENDING and d.attempts == 0 for d in made)
    assert deliver(app).delivered == 4
    assert deliver(app).delivered == 0  # each is posted once
    assert len(receiver.received) == 4


def test_a_rolled_back_event_sends_nothing(app, make, receiver):
    park, admin = make.park(), make.user("admin")
    hook(app, park, admin, receiver.url("generic"))
    with app.app_context():
        with pytest.raises(RuntimeError), transaction() as session:
            notifications.notify(session, [], KIND, {"team": "x", "n": 1, "park_id": park.id})
            raise RuntimeError("the event's write fails")
        db.session.remove()
    assert deliveries(app) == []
    deliver(app)
    assert receiver.received == []


def test_failures_are_retried_with_backoff_then_dead(app, make, receiver):
    park, admin = make.park(), make.user("admin")
    hook(app, park, admin, receiver.url("generic"))
    receiver.answer = "error"
    event(app, park_id=park.id)
    now = utcnow()
    for attempt, wait in enumerate(BACKOFF, start=1):
        assert deliver(app, now).failed == 1
        [delivery] = deliveries(app)
        assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == attempt
        assert delivery.last_status_code == 500 and delivery.last_error == "HTTP 500"
        assert delivery.next_attempt_at - now == pytest.approx(wait, abs=timedelta(seconds=5))
        assert deliver(app, delivery.next_attempt_at - timedelta(seconds=10)).failed == 0
        now = delivery.next_attempt_at
    assert deliver(app, now).dead == 1
    [delivery] = deliveries(app)
    assert delivery.status == DeliveryStatus.DEAD and delivery.attempts == MAX_ATTEMPTS
    assert delivery.next_attempt_at is None
    assert deliver(app, now + timedelta(days=2)).dead == 0
    assert len(receiver.received) == MAX_ATTEMPTS


def test_a_retry_that_succeeds_is_delivered_with_the_same_id(app, make, receiver):
    park, admin = make.park(), make.user("admin")
    hook(app, park, admin, receiver.url("generic"))
    receiver.answer = "error"
    event(app, park_id=park.id)
    deliver(app)
    receiver.answer = "ok"
    deliver(app, utcnow() + BACKOFF[0])
    [delivery] = deliveries(app)
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 2
    assert delivery.last_error is None
    first, second = receiver.received
    assert first.json()["id"] == second.json()["id"] == delivery.id


def test_a_receiver_that_hangs_times_out_and_fails(app, make, receiver):
    park, admin = make.park(), make.user("admin")
    hook(app, park, admin, receiver.url("generic"))
    receiver.answer = "error"
    event(app, park_id=park.id)
    deliver(app)
    assert deliveries(app)[0].last_status_code == 500
    receiver.answer, receiver.hang_s = "hang", 3.0
    deliver(app, utcnow() + BACKOFF[0])
    [delivery] = deliveries(app)  # the attempt that got no answer has no status code
    assert delivery.status == DeliveryStatus.FAILED and delivery.last_status_code is None
    assert "timed out" in delivery.last_error


def test_a_hook_failing_10_times_in_a_row_is_switched_off_and_admins_told(app, make, receiver):
    park, admin = make.park(), make.user("admin")
    other_admin, staff = make.user("admin"), make.user("staff", parks=[park])
    failing = hook(app, park, admin, receiver.url("generic"), name="BI tool")
    receiver.answer = "error"
    for n in range(MAX_FAILURES + 2):
        event(app, n, park_id=park.id)
    tally = deliver(app)
    assert tally.disabled == 1
    assert len(receiver.received) == MAX_FAILURES  # no post after the 10th failure
    [stored] = rows(app, Webhook)
    assert not stored.active and stored.disabled_at is not None
    assert stored.consecutive_failures == MAX_FAILURES
    statuses = [d.status for d in deliveries(app)]
    assert statuses == [DeliveryStatus.DEAD] * (MAX_FAILURES + 2)
    attempts = [d.attempts for d in deliveries(app)]  # claimed but not posted: not counted
    assert attempts == [1] * MAX_FAILURES + [0, 0]
    told = rows(app, Notification, Notification.kind == DISABLED_KIND)
    assert sorted(n.user_id for n in told) == sorted([admin.id, other_admin.id])
    assert staff.id not in {n.user_id for n in told}
    assert told[0].params["webhook_id"] == failing.id
    assert told[0].link == f"/webhooks/{failing.id}/edit"
    # Switched on again, it counts from zero and hears events again.
    with app.app_context():
        enable_webhook(failing.id, actor=admin)
        db.session.remove()
    receiver.answer = "ok"
    event(app, 99, park_id=park.id)
    assert deliver(app).delivered == 1
    [stored] = rows(app, Webhook)
    assert stored.active and stored.consecutive_failures == 0 and stored.disabled_at is None


def test_a_success_starts_the_count_of_failures_anew(app, make, receiver):
    park, admin = make.park(), make.user("admin")
    hook(app, park, admin, receiver.url("generic"))
    receiver.answer = "error"
    for n in range(MAX_FAILURES - 1):
        event(app, n, park_id=park.id)
    deliver(app)
    assert rows(app, Webhook)[0].consecutive_failures == MAX_FAILURES - 1
    receiver.answer = "ok"
    event(app, 50, park_id=park.id)
    deliver(app)
    [stored] = rows(app, Webhook)
    assert stored.active and stored.consecutive_failures == 0


def test_deliveries_of_a_switched_off_hook_wait(app, make, receiver):
    park, admin = make.park(), make.user("admin")
    made = hook(app, park, admin, receiver.url("generic"))
    event(app, park_id=park.id)
    with app.app_context():
        with transaction():
            db.session.get(Webhook, made.id).active = False
        db.session.remove()
    assert deliver(app).delivered == 0
    assert receiver.received == []


def test_the_job_runs_every_minute_and_delivers(app, make, receiver):
    park, admin = make.park(), make.user("admin")
    hook(app, park, admin, receiver.url("generic"))
    event(app, park_id=park.id)
    job = registry.get(JOB)
    assert job is not None and job.cron == {"minute": "*"} and job.max_attempts == 1
    with app.app_context():
        assert run_due(job, holder="test:1", period="2026-06-01T08:05") == Outcome.SUCCEEDED
        assert run_due(job, holder="test:2", period="2026-06-01T08:05") == Outcome.DONE
    assert len(receiver.received) == 1
    assert [d.status for d in deliveries(app)] == [DeliveryStatus.DELIVERED]


def test_a_delivery_row_refuses_inconsistent_states(app, make, receiver):
    park, admin = make.park(), make.user("admin")
    made = hook(app, park, admin, receiver.url("generic"))
    bad = [
        {"status": "pending", "next_attempt_at": None},
        {"status": "delivered", "next_attempt_at": None, "delivered_at": None},
        {"status": "sent", "next_attempt_at": None},
        {"status": "pending", "next_attempt_at": utcnow(), "attempts": -1},
    ]
    for values in bad:
        with app.app_context(), pytest.raises(Exception) as raised, transaction() as session:
            session.add(WebhookDelivery(webhook_id=made.id, kind=KIND, payload={}, **values))
        assert "ck_webhook_deliveries" in str(raised.value)
    assert deliveries(app) == []
