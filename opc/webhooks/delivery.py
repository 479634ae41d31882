"""Sending the deliveries that are due: the scheduler's job `webhooks.deliver` (every
minute, opc.webhooks.tasks) calls deliver_due(); a test event from the admin page calls
it for its one delivery. To run a delivery by hand (a shell, a test):

    with app.app_context():
        deliver_due()                 # everything due now, up to BATCH
        deliver_due(only=delivery_id) # that one, if it is due

Claim, then post, then record, so that no lock is held while a receiver answers (on
SQLite a write transaction holds the whole database: a hanging receiver would stop every
other writer of the app):

1. claim: one short transaction takes up to BATCH waiting deliveries due by now whose hook
   is active, oldest due first (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: one writer at
   a time), counts the attempt on each and leases it (`next_attempt_at` = now + lease(),
   longer than the batch can take to post), and commits. Another run sees them as not due.
2. post each claimed delivery (opc.webhooks.sending, short timeout), no transaction open.
3. record each outcome in its own short transaction, only if the delivery is still this
   claim's (its `attempts` is the claim's, it is still waiting): a claim whose lease ran
   out was taken over by another run, which records it instead.

So each delivery is posted once per attempt, whatever the number of schedulers; only a
run that dies between a post and its record (or outlives its lease) lets the delivery be
sent again once the lease has passed, as its next attempt. A receiver drops such repeats
by the body's `id` (the same on every attempt).

An attempt that fails (an HTTP status other than 2xx, a bot's non-zero error code, a
timeout, a refused address) is tried again after BACKOFF[attempts - 1]; after the last,
the delivery is dead. A hook counts its failed attempts since its last success; at
MAX_FAILURES it is switched off, its waiting deliveries die, and admins are notified
("webhook.disabled"). Each record locks one delivery, then its hook: two runs never wait
on each other in a cycle.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from opc.audit.recorder import RECORDED
from opc.auth.models import User
from opc.core.db import transaction, utcnow
from opc.core.permissions import Role
from opc.extensions import db
from opc.notifications import notify
from opc.webhooks.models import MAX_ERROR, WAITING, DeliveryStatus, Webhook, WebhookDelivery
from opc.webhooks.presets import outgoing, refusal
from opc.webhooks.sending import DEFAULT_TIMEOUT_S, UnsafeUrl, post

log = logging.getLogger(__name__)

BATCH = 20  # per run: what one run claims, posts one after another, then records
BACKOFF = tuple(timedelta(minutes=m) for m in (1, 5, 30, 120, 720))
MAX_ATTEMPTS = len(BACKOFF) + 1
MAX_FAILURES = 10  # consecutive failed attempts of a hook before it is switched off
DISABLED_KIND = "webhook.disabled"
SWITCHED_OFF = "the webhook was switched off"
LOST = "the last attempt's outcome was never recorded"
# A post's worst case: the timeout for each of connect, send and read, and some to spare.
STEPS_PER_POST = 4
LEASE_MARGIN = timedelta(minutes=1)


@dataclass
class Tally:
    delivered: int = 0
    failed: int = 0
    dead: int = 0
    disabled: int = 0


@dataclass(frozen=True)
class Claim:
    """A delivery this run leased for one attempt, with what its post needs (read in the
    claim's transaction, so that posting touches no database)."""

    delivery_id: int
    attempt: int  # the delivery's `attempts` once claimed: whose the delivery still is
    webhook_id: int
    preset: str
    url: str
    secret: str
    event: dict[str, Any]


def lease(limit: int) -> timedelta:
    """How long a run holds its claims: longer than posting `limit` deliveries can take."""
    timeout = float(current_app.config.get("WEBHOOK_TIMEOUT_S", DEFAULT_TIMEOUT_S))
    return timedelta(seconds=limit * STEPS_PER_POST * timeout) + LEASE_MARGIN


def next_attempt(attempts: int, now: datetime) -> datetime | None:
    """When to try again after `attempts` failed ones (None: never, the delivery is dead)."""
    return now + BACKOFF[attempts - 1] if attempts < MAX_ATTEMPTS else None


def attempt(claim: Claim, now: datetime) -> tuple[str | None, int | None]:
    """Post one claimed delivery: why it failed (None when the receiver took it), and the
    HTTP status it answered (None when nothing answered)."""
    request = outgoing(claim.preset, claim.url, claim.secret, claim.event, now)
    try:
        answer = post(request.url, request.body, request.headers)
    except UnsafeUrl as exc:
        return f"refused address: {exc}", None
    except OSError as exc:
        return f"network: {exc!r}", None
    return refusal(claim.preset, answer.status, answer.body), answer.status


def record(delivery: WebhookDelivery, error: str | None, now: datetime) -> None:
    """The attempt's outcome on the delivery (its attempt was counted when it was claimed):
    delivered, failed (again later) or dead."""
    if error is None:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at, delivery.next_attempt_at, delivery.last_error = now, None, None
        return
    delivery.last_error = error[:MAX_ERROR]
    delivery.next_attempt_at = next_attempt(delivery.attempts, now)
    delivery.status = DeliveryStatus.FAILED if delivery.next_attempt_at else DeliveryStatus.DEAD


def admins(session: Session) -> list[int]:
    """Who hears that a hook was switched off: the active admins (they manage the hooks)."""
    return list(
        session.scalars(
            select(User.id)
            .where(User.role == Role.ADMIN, User.is_active.is_(True))
            .order_by(User.id)
        )
    )


def switch_off(session: Session, hook: Webhook, failures: int, now: datetime) -> None:
    """Switch a failing hook off, end its waiting deliveries (those no other run is
    recording) and tell the admins."""
    hook.active, hook.disabled_at = False, now
    waiting = session.scalars(
        select(WebhookDelivery.id)
        .where(WebhookDelivery.webhook_id == hook.id, WebhookDelivery.status.in_(WAITING))
        .with_for_update(skip_locked=True)
    ).all()
    if waiting:
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_(waiting))
            .values(status=DeliveryStatus.DEAD, next_attempt_at=None, last_error=SWITCHED_OFF)
            .execution_options(synchronize_session="fetch")
        )
    notify(
        session,
        admins(session),
        DISABLED_KIND,
        {"park_id": hook.park_id, "webhook_id": hook.id, "name": hook.name, "failures": failures},
    )
    log.warning("webhook %s switched off after %d failed attempts", hook.id, failures)


def count_failure(session: Session, webhook_id: int, delivered: bool, now: datetime) -> bool:
    """A hook's failed attempts in a row after one more outcome: none after a success, one
    more (added in SQL, so that two runs' failures both count) after a failure; switched
    off at MAX_FAILURES. Whether it was switched off."""
    if delivered:
        session.execute(
            update(Webhook)
            .where(Webhook.id == webhook_id, Webhook.consecutive_failures != 0)
            .values(consecutive_failures=0),
            execution_options=RECORDED,  # only the counter, which the audit leaves out
        )
        return False
    failures = session.execute(
        update(Webhook)
        .where(Webhook.id == webhook_id)
        .values(consecutive_failures=Webhook.consecutive_failures + 1)
        .returning(Webhook.consecutive_failures)
        .execution_options(synchronize_session=False, **RECORDED)
    ).scalar_one()
    hook = session.get(Webhook, webhook_id, populate_existing=True)
    if hook is not None and failures >= MAX_FAILURES and hook.active:
        switch_off(session, hook, failures, now)
        return True
    return False


def _due(session: Session, now: datetime, limit: int, only: int | None) -> list[Any]:
    stmt = (
        select(WebhookDelivery, Webhook)
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .where(WebhookDelivery.next_attempt_at <= now, Webhook.active.is_(True))
    )
    if only is not None:
        stmt = stmt.where(WebhookDelivery.id == only)
    return list(
        session.execute(
            stmt.order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
            .with_for_update(of=WebhookDelivery, skip_locked=True)
            .execution_options(populate_existing=True)
        ).all()
    )


def claim(now: datetime, limit: int, only: int | None, tally: Tally) -> list[Claim]:
    """Lease the due deliveries for one attempt each, in one short transaction (step 1).

    A delivery whose last attempt was claimed but never recorded (its run died) is dead."""
    claims: list[Claim] = []
    with transaction() as session:
        for delivery, hook in _due(session, now, limit, only):
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.status, delivery.next_attempt_at = DeliveryStatus.DEAD, None
                delivery.last_error, delivery.last_status_code = LOST, None
                tally.dead += 1
                continue
            delivery.attempts += 1
            delivery.next_attempt_at = now + lease(limit)
            event = {"id": delivery.id, **(delivery.payload or {})}
            claims.append(
                Claim(delivery.id, delivery.attempts, hook.id, hook.preset, hook.url,
                      hook.secret, event)
            )  # fmt: skip
    return claims


def _own(claim: Claim) -> WebhookDelivery | None:
    """The delivery, locked, if it is still this claim's (not taken over, not ended)."""
    stmt = (
        select(WebhookDelivery)
        .where(
            WebhookDelivery.id == claim.delivery_id,
            WebhookDelivery.attempts == claim.attempt,
            WebhookDelivery.status.in_(WAITING),
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return db.session.scalar(stmt)


def finish(claim: Claim, error: str | None, code: int | None, now: datetime, tally: Tally) -> bool:
    """Record a posted claim's outcome and count it on its hook, in a short transaction of
    its own (step 3). Whether the hook was switched off."""
    with transaction() as session:
        delivery = _own(claim)
        if delivery is None:
            log.info("webhook delivery %s: claim taken over, outcome dropped", claim.delivery_id)
            return False
        delivery.last_status_code = code
        record(delivery, error, now)
        tally.delivered += error is None
        tally.failed += delivery.status == DeliveryStatus.FAILED
        tally.dead += delivery.status == DeliveryStatus.DEAD
        log.info(
            "webhook %s delivery %s attempt %d: %s",
            claim.webhook_id,
            claim.delivery_id,
            claim.attempt,
            error or "delivered",
        )
        session.flush()
        return count_failure(session, claim.webhook_id, error is None, now)


def release(claims: list[Claim], now: datetime) -> None:
    """Give back claims this run did not post (their hook was switched off, or the lease
    ran short): the attempt is not counted, and a waiting one is due again."""
    with transaction():
        for claim in claims:
            delivery = db.session.scalar(
                select(WebhookDelivery)
                .where(
                    WebhookDelivery.id == claim.delivery_id,
                    WebhookDelivery.attempts == claim.attempt,
                )
                .with_for_update()
                .execution_options(populate_existing=True)
            )
            if delivery is None:
                continue
            delivery.attempts -= 1
            if delivery.status in WAITING:
                delivery.next_attempt_at = now


def deliver_due(
    now: datetime | None = None, *, limit: int = BATCH, only: int | None = None
) -> Tally:
    """Post the deliveries due at `now` (see the module's doc); what became of them."""
    now = now or utcnow()
    tally = Tally()
    claims = claim(now, limit, only, tally)
    # Post only while the lease surely holds: what is left then goes back to the queue.
    deadline = time.monotonic() + (lease(limit) - LEASE_MARGIN).total_seconds()
    switched_off: set[int] = set()
    unposted: list[Claim] = []
    for leased in claims:
        if leased.webhook_id in switched_off or time.monotonic() > deadline:
            unposted.append(leased)  # no more posts to a hook this run switched off
            continue
        error, code = attempt(leased, utcnow())
        if finish(leased, error, code, now, tally):
            tally.disabled += 1
            switched_off.add(leased.webhook_id)
    if unposted:
        release(unposted, now)
    return tally
