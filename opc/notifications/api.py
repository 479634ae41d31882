"""/api/v1/notifications: one's own notifications, in the request's language; mark them read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from opc.api.pagination import paged
from opc.api.routing import endpoint
from opc.api.schemas import In, Out
from opc.notifications import operations as ops
from opc.notifications import queries
from opc.notifications.kinds import render
from opc.notifications.models import Notification
from opc.notifications.permissions import has_inbox


class NotificationOut(Out):
    id: int
    kind: str = Field(description="what happened, e.g. voucher.used_80")
    title: str = Field(description="in the request's language")
    body: str = Field(description="in the request's language; may be empty")
    params: dict[str, Any] = Field(description="the values the texts are made of")
    link: str | None = Field(description="the path of the page it is about")
    created_at: datetime
    read_at: datetime | None


class NotificationQuery(In):
    unread: bool | None = Field(None, description="true: only the unread ones")


class MarkedOut(Out):
    marked: int = Field(description="how many were unread")


def _notification(notification: Notification) -> dict[str, Any]:
    shown = render(notification.kind, notification.params or {})
    return NotificationOut(
        id=notification.id,
        kind=notification.kind,
        title=shown.title,
        body=shown.body,
        params=notification.params or {},
        link=notification.link,
        created_at=notification.created_at,
        read_at=notification.read_at,
    ).model_dump(mode="json")


@endpoint(
    "/notifications",
    scope="notifications:read",
    allow=has_inbox,
    query=NotificationQuery,
    response=NotificationOut,
    paged=True,
)
def list_notifications(user: Any, query: NotificationQuery) -> dict[str, Any]:
    """The caller's own notifications, newest first (`unread=true`: only the unread)."""
    return paged(queries.inbox(user, unread=bool(query.unread)), _notification)


@endpoint(
    "/notifications/<int:notification_id>/read",
    methods=("POST",),
    scope="notifications:write",
    allow=has_inbox,
    response=NotificationOut,
    errors=(404,),
)
def read_notification(user: Any, notification_id: int) -> dict[str, Any]:
    """Mark one of the caller's notifications read (again: no change); 404 for others'."""
    return _notification(ops.mark_read(notification_id, actor=user))


@endpoint(
    "/notifications/read",
    methods=("POST",),
    scope="notifications:write",
    allow=has_inbox,
    response=MarkedOut,
)
def read_all_notifications(user: Any) -> dict[str, Any]:
    """Mark all of the caller's notifications read."""
    return {"marked": ops.mark_all_read(actor=user)}
