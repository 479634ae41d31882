"""/api/v1/webhooks: a park's hooks (admins only) and their delivery log.

The generic preset's messages are signed: X-OPC-Timestamp is the Unix time in seconds, and
X-OPC-Signature is "sha256=" followed by the hex HMAC-SHA256 of f"{timestamp}.{body}" keyed
by the hook's secret, over the raw body as received. Receivers compare in constant time and
reject a timestamp more than 5 minutes from their clock; the body's `id` is the same on
every retry. The secret is answered in full only by the request that made or rotated it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from opc.api.pagination import paged
from opc.api.routing import endpoint
from opc.api.schemas import Id, In, Out, Patch
from opc.core.permissions import get_or_404
from opc.parks.models import Park
from opc.webhooks import operations as ops
from opc.webhooks.delivery import deliver_due
from opc.webhooks.models import MAX_SECRET, MAX_URL, Webhook, WebhookDelivery
from opc.webhooks.permissions import can_manage_webhooks
from opc.webhooks.queries import deliveries, hooks

READ, WRITE = "webhooks:read", "webhooks:write"
PresetName = Literal["generic", "wecom", "dingtalk", "feishu"]
StatusName = Literal["pending", "failed", "delivered", "dead"]


class WebhookIn(In):
    """A park's webhook: events of `kinds` (or all) are POSTed to `url` as the preset says.

    generic: JSON {"id", "kind", "park_id", "occurred_at", "data", "text"} with headers
    X-OPC-Timestamp (Unix seconds) and X-OPC-Signature = "sha256=" + hex
    HMAC-SHA256(secret, f"{timestamp}.{body}") over the raw body; receivers compare in
    constant time and reject timestamps more than 5 minutes from their clock; `id` is the
    same on every retry. wecom: {"msgtype": "markdown"} to the bot URL with its key,
    unsigned. dingtalk: {"msgtype": "text"}, with timestamp (ms) and sign =
    urlencode(base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}"))) in the query.
    feishu: {"msg_type": "text", "timestamp" (s), "sign" = base64(HMAC-SHA256(key =
    f"{timestamp}\\n{secret}", msg = ""))}. Failed posts are retried after 1, 5, 30, 120 and
    720 minutes; a hook failing 10 times in a row is switched off and admins notified.
    """

    park_id: Id  # type: ignore[valid-type]
    url: str = Field(max_length=MAX_URL, description="http(s); a public host")
    preset: PresetName = "generic"
    kinds: list[str] = Field(default_factory=list, max_length=200, description="event kinds")
    all_kinds: bool = Field(False, description="every kind of event, now and later")
    name: str = Field("", max_length=100)
    secret: str | None = Field(
        None, max_length=MAX_SECRET, description="generated for a generic hook when left out"
    )


class WebhookPatch(Patch):
    url: str | None = Field(None, max_length=MAX_URL)
    preset: PresetName | None = None
    kinds: list[str] | None = Field(None, max_length=200)
    all_kinds: bool | None = None
    name: str | None = Field(None, max_length=100)
    secret: str | None = Field(None, max_length=MAX_SECRET)
    rotate_secret: bool | None = Field(None, description="make a new secret, answered once")
    active: bool | None = Field(None, description="switch on (failures count anew) or off")


class WebhookOut(Out):
    id: int
    park_id: int
    name: str
    url: str
    preset: str
    kinds: list[str]
    all_kinds: bool
    active: bool
    consecutive_failures: int
    disabled_at: str | None
    created_by_id: int | None
    created_at: str
    secret: str = Field(
        description="in full in the answer that made or rotated it; else its last 4 characters"
    )


class DeliveryOut(Out):
    id: int
    webhook_id: int
    kind: str
    status: str = Field(description="pending, failed (tried again later), delivered or dead")
    attempts: int
    next_attempt_at: str | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: str | None
    created_at: str
    payload: dict[str, Any]


class DeliveryQuery(In):
    status: StatusName | None = None


class HookQuery(In):
    park_id: Id | None = None  # type: ignore[valid-type]


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _hook(hook: Webhook, *, full_secret: bool = False) -> dict[str, Any]:
    return {
        "id": hook.id,
        "park_id": hook.park_id,
        "name": hook.name,
        "url": hook.url,
        "preset": hook.preset,
        "kinds": list(hook.kinds or []),
        "all_kinds": hook.all_kinds,
        "active": hook.active,
        "consecutive_failures": hook.consecutive_failures,
        "disabled_at": _iso(hook.disabled_at),
        "created_by_id": hook.created_by_id,
        "created_at": hook.created_at.isoformat(),
        "secret": hook.secret if full_secret else hook.masked_secret,
    }


def _delivery(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "webhook_id": delivery.webhook_id,
        "kind": delivery.kind,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "next_attempt_at": _iso(delivery.next_attempt_at),
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "delivered_at": _iso(delivery.delivered_at),
        "created_at": delivery.created_at.isoformat(),
        "payload": {"id": delivery.id, **(delivery.payload or {})},
    }


@endpoint(
    "/webhooks",
    scope=READ,
    allow=can_manage_webhooks,
    query=HookQuery,
    response=WebhookOut,
    paged=True,
    errors=(404,),
)
def list_webhooks(user: Any, query: HookQuery) -> dict[str, Any]:
    """The parks' webhooks (admins), by park; secrets masked."""
    if query.park_id is not None:
        get_or_404(Park, query.park_id, user)
    return paged(hooks(user, query.park_id), _hook)


@endpoint(
    "/webhooks",
    methods=("POST",),
    scope=WRITE,
    allow=can_manage_webhooks,
    body=WebhookIn,
    response=WebhookOut,
    status=201,
    errors=(404, 409),
)
def create_webhook(user: Any, body: WebhookIn) -> dict[str, Any]:
    """Add a park's webhook (admins); the answer holds its secret in full, once (the
    signing of each preset: the WebhookIn schema)."""
    values = body.model_dump()
    hook = ops.create_webhook(values.pop("park_id"), actor=user, **values)
    return _hook(hook, full_secret=True)


@endpoint("/webhooks/<int:webhook_id>", scope=READ, allow=can_manage_webhooks, response=WebhookOut)
def get_webhook(user: Any, webhook_id: int) -> dict[str, Any]:
    """One webhook, its secret masked."""
    return _hook(get_or_404(Webhook, webhook_id, user))


@endpoint(
    "/webhooks/<int:webhook_id>",
    methods=("PATCH",),
    scope=WRITE,
    allow=can_manage_webhooks,
    body=WebhookPatch,
    response=WebhookOut,
    errors=(404,),
)
def update_webhook(user: Any, webhook_id: int, body: WebhookPatch) -> dict[str, Any]:
    """Change a webhook; `rotate_secret` answers the new secret once; `active: true`
    switches a hook that was switched off on again."""
    hook = get_or_404(Webhook, webhook_id, user)
    changes = body.model_dump(exclude_unset=True)
    rotate = bool(changes.pop("rotate_secret", False))
    updated = ops.update_webhook(hook.id, actor=user, rotate_secret=rotate, **changes)
    return _hook(updated, full_secret=rotate or bool(changes.get("secret")))


@endpoint(
    "/webhooks/<int:webhook_id>",
    methods=("DELETE",),
    scope=WRITE,
    allow=can_manage_webhooks,
    status=204,
    errors=(404,),
)
def delete_webhook(user: Any, webhook_id: int) -> None:
    """Delete a webhook and its delivery log."""
    ops.delete_webhook(get_or_404(Webhook, webhook_id, user).id, actor=user)


@endpoint(
    "/webhooks/<int:webhook_id>/test",
    methods=("POST",),
    scope=WRITE,
    allow=can_manage_webhooks,
    response=DeliveryOut,
    status=201,
    errors=(404, 409),
)
def send_test_event(user: Any, webhook_id: int) -> dict[str, Any]:
    """Send the hook a test event now (kind webhook.test); the delivery as it went."""
    delivery = ops.send_test(get_or_404(Webhook, webhook_id, user).id, actor=user)
    deliver_due(only=delivery.id)
    return _delivery(get_or_404(WebhookDelivery, delivery.id, user))


@endpoint(
    "/webhooks/<int:webhook_id>/deliveries",
    scope=READ,
    allow=can_manage_webhooks,
    query=DeliveryQuery,
    response=DeliveryOut,
    paged=True,
    errors=(404,),
)
def list_deliveries(user: Any, webhook_id: int, query: DeliveryQuery) -> dict[str, Any]:
    """A webhook's deliveries, newest first (every attempt's outcome on its row)."""
    hook = get_or_404(Webhook, webhook_id, user)
    return paged(deliveries(hook.id, query.status), _delivery)
