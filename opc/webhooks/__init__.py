"""Webhooks: signed deliveries of what happens in a park to its own tools and group bots
(WeCom, DingTalk, Feishu).

Events come from notify() (opc.notifications), heard by opc.webhooks.events.on_event: a
delivery per matching hook in the event's own transaction. The scheduler's job
`webhooks.deliver` posts them (opc.webhooks.delivery: how to run a delivery by hand);
opc.webhooks.presets says what each preset sends and how it is signed; opc.webhooks.sending
which addresses a hook may point at. Admins manage hooks on /webhooks and /api/v1/webhooks.
"""

from __future__ import annotations

from flask import Flask

from opc.notifications.operations import listen
from opc.webhooks import (
    api,  # /api/v1/webhooks: routes register when imported
    audit_kinds,
    events,
    models,
    notify,
    permissions,
    tasks,  # the delivery job registers when imported
    views,
)

__all__ = ["api", "models", "permissions", "tasks"]


def init_app(app: Flask) -> None:
    audit_kinds.register_kinds()
    notify.register_kinds()
    listen(events.on_event)
    views.register(app)
