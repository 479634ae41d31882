"""Webhook notifications: admins hear that a hook was switched off after failing too often
("webhook.disabled"); "webhook.test" is the kind of the test event an admin sends a hook
(it goes to that hook only, never to a person's list)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from werkzeug.routing import BuildError

from opc import notifications
from opc.notifications import path_for
from opc.webhooks.delivery import DISABLED_KIND

TEST_KIND = "webhook.test"


def _name(p: dict[str, Any]) -> str:
    return str(p.get("name") or f"#{p['webhook_id']}")


def _link(p: dict[str, Any]) -> str | None:
    try:
        return path_for("webhooks.edit", webhook_id=p["webhook_id"])
    except BuildError:  # an app without the pages (a script)
        return None


def register_kinds() -> None:
    notifications.kind(
        DISABLED_KIND,
        title=lambda p: _("Webhook switched off: %(name)s", name=_name(p)),
        body=lambda p: _(
            "It failed %(n)d times in a row. Check its address, then switch it on again.",
            n=int(p["failures"]),
        ),
        link=_link,
    )
    notifications.kind(
        TEST_KIND,
        title=lambda p: _("Test message from OPC Ops"),
        body=lambda p: _("This webhook works: %(name)s", name=_name(p)),
    )
