"""From events to deliveries: the listener of notify() (opc.notifications.operations.listen).

Every event a domain makes with notify() is offered to the active hooks of its park that
listen to its kind: one WebhookDelivery each, added to the event's own session, so it is
committed with the event or not at all (an outbox; opc.webhooks.delivery sends it). The
park is params["park_id"], or the park of params["team_id"]; an event of neither (a user's
own business) goes to no hook.

The text (title and body, as the in-app notification shows them) is made now, in the
deployment's default language (a group chat has no reader's language), and kept in the
payload: the message says what was true when the event happened.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from opc.core.db import utcnow
from opc.core.links import has_external_url
from opc.core.values import is_id
from opc.notifications import kinds
from opc.teams.models import Team
from opc.webhooks.models import DeliveryStatus, Webhook, WebhookDelivery


def event_text(kind: str, params: Mapping[str, Any]) -> str:
    """The event's title and body in the default language, with its page's address when
    the deployment knows its own (EXTERNAL_URL)."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        shown = kinds.render(kind, params)
    parts = [shown.title, shown.body]
    found = kinds.get(kind)
    if found is not None and found.link is not None and has_external_url():
        try:
            link = found.link(params)
        except (KeyError, TypeError, ValueError, LookupError):
            link = None
        if link:
            parts.append(current_app.config["EXTERNAL_URL"].rstrip("/") + link)
    return "\n".join(p for p in parts if p)


def hooks_for(session: Session, kind: str, params: Mapping[str, Any]) -> list[Webhook]:
    """The active hooks of the event's park that listen to `kind` (one query)."""
    park_id, team_id = params.get("park_id"), params.get("team_id")
    stmt = select(Webhook).where(Webhook.active.is_(True))
    if is_id(park_id):
        stmt = stmt.where(Webhook.park_id == park_id)
    elif is_id(team_id):
        stmt = stmt.join(Team, Team.park_id == Webhook.park_id).where(Team.id == team_id)
    else:
        return []
    return [h for h in session.scalars(stmt.order_by(Webhook.id)) if h.listens_to(kind)]


def event_payload(
    kind: str, park_id: int, params: Mapping[str, Any], text: str, at: datetime
) -> dict[str, Any]:
    """The generic body but its `id` (the delivery's, known once it is stored)."""
    return {
        "kind": kind,
        "park_id": park_id,
        "occurred_at": at.isoformat().replace("+00:00", "Z"),
        "data": dict(params),
        "text": text,
    }


def enqueue(
    session: Session, hook: Webhook, kind: str, params: Mapping[str, Any], text: str
) -> WebhookDelivery:
    """A delivery of the event to `hook`, due now, added to `session`."""
    now = utcnow()
    delivery = WebhookDelivery(
        webhook_id=hook.id,
        kind=kind,
        payload=event_payload(kind, hook.park_id, params, text, now),
        status=DeliveryStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(delivery)
    return delivery


def on_event(session: Session, kind: str, params: dict[str, Any], _recipients: list[int]) -> None:
    """notify()'s listener: a delivery per active hook of the park that hears `kind`."""
    hooks = hooks_for(session, kind, params)
    if not hooks:
        return
    text = event_text(kind, params)
    for hook in hooks:
        enqueue(session, hook, kind, params, text)
