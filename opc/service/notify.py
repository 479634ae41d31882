"""Service notifications: the team hears what staff tell it (a public comment, a question,
the resolution); the assignee (or, with none, the park's staff) hears of new requests, the
team's answers, reopenings and SLA breaches. Internal notes notify nobody in the team and
their text is never put into a notification.

Called by the operations inside their transaction, so a step rolled back tells nobody.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError

from opc import notifications
from opc.auth.models import User
from opc.core.permissions import Role
from opc.notifications import local, path_for
from opc.parks.models import staff_parks
from opc.service.labels import category_label
from opc.service.models import ServiceRequest
from opc.teams.queries import active_member_ids

Params = dict[str, Any]
OPENED = "service.opened"
ASSIGNED = "service.assigned"
COMMENTED = "service.commented"  # staff's public comment, to the team
ANSWERED = "service.answered"  # the team's comment, to the assignee
WAITING = "service.waiting"
RESOLVED = "service.resolved"
REOPENED = "service.reopened"
BREACHED = "service.breached"


def park_staff_ids(session: Session, park_id: int) -> list[int]:
    """The park's staff whose accounts are active."""
    stmt = (
        select(User.id)
        .join(staff_parks, staff_parks.c.user_id == User.id)
        .where(staff_parks.c.park_id == park_id, User.role == Role.STAFF, User.is_active.is_(True))
    )
    return list(session.scalars(stmt.order_by(User.id)))


def handlers(session: Session, request: ServiceRequest) -> list[int]:
    """Who answers for the park: the assignee, or all its staff while nobody is assigned."""
    if request.assignee_id is not None:
        return [request.assignee_id]
    return park_staff_ids(session, request.park_id)


def params(request: ServiceRequest, **extra: Any) -> Params:
    team = request.team
    return {
        "request_id": request.id,
        "title": request.title,
        "category": request.category,
        "team": {"zh": team.name_zh, "en": team.name_en},
        **extra,
    }


def _link(p: Params) -> str | None:
    try:
        return path_for("service.detail", request_id=p["request_id"])
    except BuildError:
        return None


def _names(p: Params) -> Params:
    return {"title": p["title"], "team": local(p["team"])}


def _text(p: Params) -> str:
    return str(p.get("text") or "")


def register_kinds() -> None:
    """The kinds of service notifications (called from init_app)."""
    notifications.kind(
        OPENED,
        title=lambda p: _("New service request from %(team)s: %(title)s", **_names(p)),
        body=lambda p: category_label(p["category"]),
        link=_link,
    )
    notifications.kind(
        ASSIGNED,
        title=lambda p: _("Service request assigned to you: %(title)s (%(team)s)", **_names(p)),
        link=_link,
    )
    notifications.kind(
        COMMENTED,
        title=lambda p: _("The park answered your request: %(title)s", title=p["title"]),
        body=_text,
        link=_link,
    )
    notifications.kind(
        ANSWERED,
        title=lambda p: _("%(team)s wrote on %(title)s", **_names(p)),
        body=_text,
        link=_link,
    )
    notifications.kind(
        WAITING,
        title=lambda p: _("The park needs information for: %(title)s", title=p["title"]),
        body=_text,
        link=_link,
    )
    notifications.kind(
        RESOLVED,
        title=lambda p: _("Your request is resolved: %(title)s", title=p["title"]),
        body=lambda p: _text(p) or _("Confirm it, or reopen it if it is not."),
        link=_link,
    )
    notifications.kind(
        REOPENED,
        title=lambda p: _("%(team)s reopened %(title)s", **_names(p)),
        body=_text,
        link=_link,
    )
    notifications.kind(
        BREACHED,
        title=lambda p: _(
            "SLA breached (%(clock)s): %(title)s (%(team)s)",
            clock=_("first response") if p["breach"] == "first_response" else _("resolution"),
            **_names(p),
        ),
        link=_link,
    )


def tell_team(session: Session, request: ServiceRequest, kind: str, **extra: Any) -> None:
    notifications.notify(
        session, active_member_ids(session, request.team_id), kind, params(request, **extra)
    )


def tell_handlers(session: Session, request: ServiceRequest, kind: str, **extra: Any) -> None:
    notifications.notify(session, handlers(session, request), kind, params(request, **extra))


def tell_user(
    session: Session, request: ServiceRequest, user_id: int, kind: str, **extra: Any
) -> None:
    notifications.notify(session, [user_id], kind, params(request, **extra))
