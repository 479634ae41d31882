"""Helpers for the notifications tests: a kind of their own, notifications made the way a
domain makes them (inside a write transaction), and reading what was stored."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from opc import notifications
from opc.core.db import transaction
from opc.core.money import format_money
from opc.extensions import db
from opc.notifications import local
from opc.notifications.models import Notification
from tests.core.helpers import count, error_of, post_form, rows, text

__all__ = ["KIND", "count", "error_of", "note", "params", "post_form", "rows", "stored", "text"]

KIND = "test.note"

# Its title is a catalogue message ("Notification": 通知) and the team's name in the reader's
# language; its body an amount: both made when shown, from the params.
notifications.kind(
    KIND,
    title=lambda p: f"{_('Notification')} {local(p['team'])}",
    body=lambda p: format_money(p["amount_fen"]),
    link=lambda p: f"/teams/{p['team_id']}",
)


def params(team_id: int = 1, amount_fen: int = 123450) -> dict[str, Any]:
    return {
        "team_id": team_id,
        "team": {"zh": "星云工作室", "en": "Nebula Studio"},
        "amount_fen": amount_fen,
    }


def note(app: Any, *users: Any, kind: str = KIND, **values: Any) -> list[int]:
    """Notify `users` (records or ids) as a domain does, in a write transaction; the ids."""
    ids = [u if isinstance(u, int) else u.id for u in users]
    with app.app_context():
        with transaction() as session:
            made = notifications.notify(session, ids, kind, values or params())
            session.flush()
            result = [n.id for n in made]
        db.session.remove()
    return result


def stored(app: Any, *where: Any) -> list[Notification]:
    return rows(app, Notification, *where, order_by=Notification.id)
