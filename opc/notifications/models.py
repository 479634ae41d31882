"""Notifications: one record per recipient and event, shown in-app and mailed by the outbox.

Not audited: a notification is a message to one person, not a change of the park's records
(the change it tells of is audited where it happens), and reading it is that person's own
business.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from opc.core.db import UTCDateTime, utcnow
from opc.extensions import db
from opc.notifications.kinds import MAX_KIND

MAX_LINK = 300


class Notification(db.Model):
    """What `user` should hear of: `kind` (opc.notifications.kinds) and its `params`,
    rendered in the reader's language when shown; `link` is the page it is about.

    `emailed_at` is set when the outbox mailed it (opc.notifications.delivery); it stays
    empty for users who do not want mail."""

    __tablename__ = "notifications"
    __table_args__ = (
        # A user's list, newest first, and the unread count of the badge on every page.
        Index("ix_notifications_user_id_id", "user_id", "id"),
        Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
        # The outbox: not yet mailed, recent.
        Index("ix_notifications_emailed_at_created_at", "emailed_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(MAX_KIND))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    link: Mapped[str | None] = mapped_column(String(MAX_LINK))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} to={self.user_id}>"
