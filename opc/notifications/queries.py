"""Read models of notifications: a user's own list and unread count."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Select, bindparam, func, select

from opc.core.sorting import Sort, Sorting
from opc.extensions import db
from opc.notifications.models import Notification

# The badge says "99+" past this: counting stops there, so the badge costs the same for
# someone who never reads their notifications as for someone who does.
BADGE_CAP = 99


INBOX = Sorting(
    {
        "kind": Notification.kind,
        "received": Notification.created_at,
        "status": Notification.read_at.is_not(None),  # unread first
    },
    default="received",
    tiebreak=Notification.id,
    descending=True,
    first_desc=frozenset({"received"}),
)


def inbox(user: Any, *, unread: bool = False, sort: Sort | None = None) -> Select[Any]:
    """The user's own notifications, in the reader's order (the newest first unless told;
    only the unread ones with `unread`)."""
    stmt = select(Notification).where(Notification.user_id == user.id)
    if unread:
        stmt = stmt.where(Notification.read_at.is_(None))
    return stmt.order_by(*(sort.order_by() if sort else [Notification.id.desc()]))


@functools.cache
def _unread_statement() -> Select[Any]:
    # Built once: the badge runs on every page of every logged-in user.
    capped = (
        select(Notification.id)
        .where(Notification.user_id == bindparam("user_id"), Notification.read_at.is_(None))
        .limit(BADGE_CAP + 1)
        .subquery()
    )
    return select(func.count()).select_from(capped)


def unread_count(user_id: int) -> int:
    """How many of the user's notifications are unread, up to BADGE_CAP + 1."""
    return db.session.scalar(_unread_statement(), {"user_id": user_id}) or 0
