"""Sending the deliveries that are due: the scheduler's job `webhooks.deliver` (every
minute, opc.webhooks.tasks) calls deliver_due(); a test event from the admin page calls
it for its one delivery. To run a delivery by hand (a shell, a test):

    with app.app_context():
        deliver_due()                 # everything due now, up to BATCH
        deliver_due(only=delivery_id) # that one, if it is due

One transaction per run: it takes up to BATCH waiting deliveries due by now whose hook is
active, oldest due first, and locks them (PostgreSQL: FOR UPDATE SKIP LOCKED, so a second
scheduler takes others; SQLite: one writer at a time); posts each (opc.webhooks.sending,
short timeout); records each attempt on its row and commits. So each delivery is posted
at most once per attempt, whatever the number of schedulers; only a crash between the
post and the commit sends it again (the run rolls back). A receiver drops such repeats by
the body's `id` (the same on every attempt).

An attempt that fails (an HTTP status other than 2xx, a bot's non-zero error code, a
timeout, a refused address) is tried again after BACKOFF[attempts - 1]; after the last,
the delivery is dead. A hook counts its failed attempts since its last success; at
MAX_FAILURES it is switched off, its waiting deliveries die, and admins are notified
("webhook.disabled"). The hooks' counters are written after every post, in ascending hook
id, so two runs never wait on each other in a cycle.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from opc.audit.recorder import RECORDED
from opc.auth.models import User
from opc.core.db import transaction, utcnow
from opc.core.permissions import Role
from opc.notifications import notify
from opc.webhooks.models import MAX_ERROR, WAITING, DeliveryStatus, Webhook, WebhookDelivery
from opc.webhooks.presets import outgoing, refusal
from opc.webhooks.sending import UnsafeUrl, post

log = logging.getLogger(__name__)

BATCH = 20  # per run: the run holds its rows while posting (at most BATCH x the timeout)
BACKOFF = tuple(timedelta(minutes=m) for m in (1, 5, 30, 120, 720))
MAX_ATTEMPTS = len(BACKOFF) + 1
MAX_FAILURES = 10  # consecutive failed attempts of a hook before it is switched off
DISABLED_KIND = "webhook.disabled"
SWITCHED_OFF = "the webhook was switched off"


@dataclass
class Tally:
    delivered: int = 0
    failed: int = 0
    dead: int = 0
    disabled: int = 0


def next_attempt(attempts: int, now: datetime) -> datetime | None:
    """When to try again after `attempts` failed ones (None: never, the delivery is dead)."""
    return now + BACKOFF[attempts - 1] if attempts < MAX_ATTEMPTS else None


def attempt(delivery: WebhookDelivery, hook: Webhook, now: datetime) -> str | None:
    """Post one delivery; why it failed, or None when the receiver took it."""
    event = {"id": delivery.id, **(delivery.payload or {})}
    request = outgoing(hook.preset, hook.url, hook.secret, event, now)
    delivery.last_status_code = None  # this attempt's, or none when nothing answered
    try:
        answer = post(request.url, request.body, request.headers)
    except UnsafeUrl as exc:
        return f"refused address: {exc}"
    except OSError as exc:
        return f"network: {exc!r}"
    delivery.last_status_code = answer.status
    return refusal(hook.preset, answer.status, answer.body)


def record(delivery: WebhookDelivery, error: str | None, now: datetime) -> None:
    """The attempt's outcome on the delivery: delivered, failed (again later) or dead."""
    delivery.attempts += 1
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
    """Switch a failing hook off, end its waiting deliveries (those no other run holds) and
    tell the admins."""
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
        )
    notify(
        session,
        admins(session),
        DISABLED_KIND,
        {"park_id": hook.park_id, "webhook_id": hook.id, "name": hook.name, "failures": failures},
    )
    log.warning("webhook %s switched off after %d failed attempts", hook.id, failures)


def failures_after(hook: Webhook, outcomes: list[bool]) -> int:
    """A hook's failed attempts in a row after this run's outcomes so far (True: a success)."""
    if any(outcomes):
        return outcomes[::-1].index(True)  # failures since the run's last success
    return hook.consecutive_failures + len(outcomes)


def count_failures(session: Session, hook: Webhook, outcomes: list[bool], now: datetime) -> bool:
    """Update a hook's consecutive failures by this run's outcomes, in order (True: a
    success); switch it off at MAX_FAILURES. Whether it was switched off.

    Without a success the count is added in SQL, so that two runs' failures both count."""
    if any(outcomes):
        failures = failures_after(hook, outcomes)
        session.execute(
            update(Webhook).where(Webhook.id == hook.id).values(consecutive_failures=failures),
            execution_options=RECORDED,  # only the counter, which the audit leaves out
        )
    else:
        failures = session.execute(
            update(Webhook)
            .where(Webhook.id == hook.id)
            .values(consecutive_failures=Webhook.consecutive_failures + len(outcomes))
            .returning(Webhook.consecutive_failures)
            .execution_options(synchronize_session=False, **RECORDED)
        ).scalar_one()
    if failures >= MAX_FAILURES and hook.active:
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


def deliver_due(
    now: datetime | None = None, *, limit: int = BATCH, only: int | None = None
) -> Tally:
    """Post the deliveries due at `now` (see the module's doc); what became of them."""
    now = now or utcnow()
    tally = Tally()
    with transaction() as session:
        outcomes: dict[int, list[bool]] = defaultdict(list)
        hooks: dict[int, Webhook] = {}
        for delivery, hook in _due(session, now, limit, only):
            hooks[hook.id] = hook
            if failures_after(hook, outcomes[hook.id]) >= MAX_FAILURES:
                continue  # the hook is about to be switched off: no more posts to it
            error = attempt(delivery, hook, utcnow())
            record(delivery, error, now)
            outcomes[hook.id].append(error is None)
            log.info(
                "webhook %s delivery %s attempt %d: %s",
                hook.id,
                delivery.id,
                delivery.attempts,
                error or "delivered",
            )
            tally.delivered += error is None
            tally.failed += delivery.status == DeliveryStatus.FAILED
            tally.dead += delivery.status == DeliveryStatus.DEAD
        session.flush()
        for hook_id in sorted(outcomes):
            if outcomes[hook_id]:
                tally.disabled += count_failures(session, hooks[hook_id], outcomes[hook_id], now)
    return tally
