"""Helpers for the webhooks tests: a kind of event of their own, hooks made by an admin,
events made the way a domain makes them (notify() inside a write), the stored rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from opc import notifications
from opc.core.db import transaction
from opc.extensions import db
from opc.notifications import local
from opc.webhooks.delivery import deliver_due
from opc.webhooks.models import Webhook, WebhookDelivery
from opc.webhooks.operations import create_webhook
from tests.core.helpers import count, error_of, post_form, rows, text
from tests.webhooks.receiver import SECRET

__all__ = ["KIND", "count", "deliveries", "error_of", "event", "hook", "post_form", "rows", "text"]

KIND = "test.webhook"

notifications.kind(
    KIND,
    title=lambda p: f"{_('Notification')} {local(p['team'])}",
    body=lambda p: f"#{p['n']}",
)


def hook(app: Any, park: Any, admin: Any, url: str, **values: Any) -> Webhook:
    """A hook of `park` made by `admin` (listening to KIND, with the receiver's secret)."""
    values = {"kinds": [KIND], "secret": SECRET, **values}
    with app.app_context():
        made = create_webhook(park.id, url=url, actor=admin, **values)
        db.session.refresh(made)
        db.session.expunge_all()
        db.session.remove()
    return made


def event(app: Any, n: int = 1, kind: str = KIND, **params: Any) -> None:
    """An event of `kind` as a domain makes it (to no one in the app): team or park in params."""
    values = {"team": {"zh": "星云工作室", "en": "Nebula Studio"}, "n": n, **params}
    with app.app_context():
        with transaction() as session:
            notifications.notify(session, [], kind, values)
        db.session.remove()


def deliver(app: Any, now: datetime | None = None, **kw: Any) -> Any:
    with app.app_context():
        tally = deliver_due(now, **kw)
        db.session.remove()
    return tally


def deliveries(app: Any, *where: Any) -> list[WebhookDelivery]:
    return rows(app, WebhookDelivery, *where, order_by=WebhookDelivery.id)
