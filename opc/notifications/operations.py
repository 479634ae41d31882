"""Every change of notifications: domains make them inside their own write; people read them.

A domain calls `notify(session, recipients, kind, params)` inside the transaction that
writes the event, so the notification exists exactly when the event does (a rolled-back
write tells nobody). Notifications sit below the domains that use them, so callers pass
user ids: each finds its own recipients (a team's members, a park's staff).

Packages above may `listen(fn)` to every event as it is made: `fn(session, kind, params,
recipients)` is called once per notify() call, in the same transaction (opc.webhooks adds
its outbox rows there, so a rolled-back event sends nothing anywhere).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from opc.core.db import retrying, transaction, utcnow
from opc.core.errors import NotFound
from opc.core.security import safe_next
from opc.core.values import is_id
from opc.notifications import kinds
from opc.notifications.models import MAX_LINK, Notification

Listener = Callable[[Session, str, dict[str, Any], list[int]], None]
_listeners: list[Listener] = []


def listen(fn: Listener) -> Listener:
    """Call `fn(session, kind, params, recipient_ids)` for every event notify() makes,
    inside its transaction; registering the same function again (another app) changes
    nothing. An error in `fn` fails the event's write, as any error of the write would."""
    if fn not in _listeners:
        _listeners.append(fn)
    return fn


def notify(
    session: Session,
    recipients: Iterable[int],
    kind: str,
    params: Mapping[str, Any] | None = None,
    *,
    link: str | None = None,
) -> list[Notification]:
    """One notification of `kind` for each recipient (user ids; repeats and None dropped),
    added to `session`, the caller's write transaction.

    `params` must be JSON (names, amounts in fen, ISO dates): the kind's messages render
    them in each reader's language. `link` (a path) defaults to what the kind's `link`
    makes of the params. An unknown kind or params its title cannot be made from raise
    here, in the caller's tests, rather than when someone reads the notification.
    """
    found = kinds.get(kind)
    if found is None:
        raise ValueError(f"unknown kind of notification {kind!r}: register it with kind()")
    values = dict(params or {})
    json.dumps(values)  # TypeError now, not a half-stored event later
    found.title(values)  # KeyError now when a placeholder is missing
    if link is None and found.link is not None:
        link = found.link(values)
    if link is not None and (safe_next(link, "") != link or len(link) > MAX_LINK):
        raise ValueError(f"a notification links to a path of this site: {link!r}")
    made = [
        Notification(user_id=user_id, kind=kind, params=values, link=link)
        for user_id in dict.fromkeys(r for r in recipients if r is not None)
    ]
    session.add_all(made)
    for listener in list(_listeners):
        listener(session, kind, values, [n.user_id for n in made])
    return made


def _own(user: Any) -> Any:
    """Only one's own: an inbox is personal, an admin's included (no rule grants more)."""
    return Notification.user_id == user.id


@retrying
def mark_read(notification_id: int, *, actor: Any) -> Notification:
    """Mark one of the actor's notifications read (again: no change); 404 for any other."""
    with transaction(actor) as session:
        notification = None
        if is_id(notification_id):
            notification = session.scalar(
                select(Notification).where(Notification.id == notification_id, _own(actor))
            )
        if notification is None:
            raise NotFound("not_found", _("Not found."))
        if notification.read_at is None:
            notification.read_at = utcnow()
    return notification


@retrying
def mark_all_read(*, actor: Any) -> int:
    """Mark all of the actor's unread notifications read; how many there were."""
    with transaction(actor) as session:
        result = session.execute(
            update(Notification)
            .where(_own(actor), Notification.read_at.is_(None))
            .values(read_at=utcnow())
        )
    return int(result.rowcount or 0)
