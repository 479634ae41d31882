"""Read models of webhooks: a park's hooks and a hook's delivery log, for pages and API."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from opc.core.permissions import visible
from opc.webhooks.models import Webhook, WebhookDelivery


def hooks(user: Any, park_id: int | None = None) -> Select[tuple[Webhook]]:
    """The hooks the user may see (admins: all), of one park or every park, by park and id."""
    stmt = select(Webhook).where(visible(user, Webhook))
    if park_id is not None:
        stmt = stmt.where(Webhook.park_id == park_id)
    return stmt.order_by(Webhook.park_id, Webhook.id)


def deliveries(hook_id: int, status: str | None = None) -> Select[tuple[WebhookDelivery]]:
    """A hook's deliveries, newest first; of one status when given."""
    stmt = select(WebhookDelivery).where(WebhookDelivery.webhook_id == hook_id)
    if status:
        stmt = stmt.where(WebhookDelivery.status == status)
    return stmt.order_by(WebhookDelivery.id.desc())
