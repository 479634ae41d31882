"""Who may see and manage webhooks: admins only. A hook's URL and secret open a park's
group chats and tools to whoever holds them, and a hook's log shows every event of the
park; staff neither see nor change them (their pages answer 404, the API 403)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false

from opc.core.permissions import rule, visibility
from opc.webhooks.models import Webhook, WebhookDelivery


@rule("webhooks.manage", "webhooks.view", "webhook_deliveries.view")
def can_manage_webhooks(_user: Any, _of: Any = None) -> bool:
    """Create, change, test and read webhooks and their deliveries: admins (every rule
    lets them), nobody else."""
    return False


@visibility(Webhook)
def _visible_hooks(_user: Any) -> ColumnElement[bool]:
    return false()


@visibility(WebhookDelivery)
def _visible_deliveries(_user: Any) -> ColumnElement[bool]:
    return false()
