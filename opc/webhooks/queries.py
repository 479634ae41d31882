"""Read models of webhooks: a park's hooks and a hook's delivery log, for pages and API."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select

from opc.core.permissions import visible
from opc.core.sorting import Sort, Sorting
from opc.parks.models import Park
from opc.webhooks.models import Webhook, WebhookDelivery

HOOKS = Sorting(
    {
        "park": select(Park.name_zh).where(Park.id == Webhook.park_id).scalar_subquery(),
        "name": func.nullif(Webhook.name, ""),  # unnamed: last
        "preset": Webhook.preset,
        "state": Webhook.active,  # switched off first
        "failures": Webhook.consecutive_failures,
    },
    default="park",
    tiebreak=Webhook.id,
    first_desc=frozenset({"failures"}),
)
DELIVERIES = Sorting(
    {
        "id": WebhookDelivery.id,
        "event": WebhookDelivery.kind,
        "made": WebhookDelivery.created_at,
        "status": WebhookDelivery.status,
        "attempts": WebhookDelivery.attempts,
        "answer": WebhookDelivery.last_status_code,
        "next": WebhookDelivery.next_attempt_at,  # none due: last
    },
    default="id",
    tiebreak=WebhookDelivery.id,
    descending=True,
    first_desc=frozenset({"id", "made", "attempts"}),
)


def hooks(
    user: Any, park_id: int | None = None, sort: Sort | None = None
) -> Select[tuple[Webhook]]:
    """The hooks the user may see (admins: all), of one park or every park, in the reader's
    order (without one: by park and id)."""
    stmt = select(Webhook).where(visible(user, Webhook))
    if park_id is not None:
        stmt = stmt.where(Webhook.park_id == park_id)
    if sort is not None:
        return stmt.order_by(*sort.order_by())
    return stmt.order_by(Webhook.park_id, Webhook.id)


def deliveries(
    hook_id: int, status: str | None = None, sort: Sort | None = None
) -> Select[tuple[WebhookDelivery]]:
    """A hook's deliveries, in the reader's order (the newest first unless told); of one
    status when given."""
    stmt = select(WebhookDelivery).where(WebhookDelivery.webhook_id == hook_id)
    if status:
        stmt = stmt.where(WebhookDelivery.status == status)
    return stmt.order_by(*(sort or DELIVERIES.chosen({})).order_by())
