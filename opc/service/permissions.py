"""Who may see and do what with service requests: a team's members open requests for their
team, answer, confirm, reopen and rate them; staff of the park triage, assign, comment
(internal notes too), ask the team and resolve. Nobody else sees a request (404). Admins
pass every rule (opc.core.permissions does that).

Rule names follow the table where `get_or_404` looks them up (`service_requests.view`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, select

from opc.core.permissions import Role, rule, visibility
from opc.extensions import db
from opc.parks.permissions import staff_of, staff_park_ids
from opc.service.models import ServiceAttachment, ServiceRequest
from opc.teams.permissions import is_member_of


@rule("service_requests.view")
def can_view_request(user: Any, of: Any = None) -> bool:
    """A request: staff of its park, its team's members; with nothing, either role."""
    if of is None:
        return user.role in (Role.STAFF, Role.MEMBER)
    return staff_of(user, of.park_id) or is_member_of(user, of.team_id)


@rule("service_requests.open")
def can_open_request(user: Any, team: Any = None) -> bool:
    """Open a request for a team (`team`), and answer, confirm, reopen and rate its
    requests (`team` a request): its members; with nothing, whether a member of a team."""
    if team is None:
        return user.role == Role.MEMBER and user.team_id is not None
    return is_member_of(user, team.team_id if isinstance(team, ServiceRequest) else team.id)


@rule("service_requests.handle")
def can_handle_request(user: Any, of: Any = None) -> bool:
    """Triage, assign, note, ask and resolve (`of` a request or a park): its park's staff;
    with nothing, whether staff at all. Internal notes are shown to these only."""
    if of is None:
        return user.role == Role.STAFF
    return staff_of(user, of.park_id if isinstance(of, ServiceRequest) else of.id)


@visibility(ServiceRequest)
def _visible_requests(user: Any) -> ColumnElement[bool]:
    if user.role == Role.STAFF:
        return ServiceRequest.park_id.in_(staff_park_ids(user))
    if user.role == Role.MEMBER and user.team_id is not None:
        return ServiceRequest.team_id == user.team_id
    return false()


@rule("service_attachments.view")
def can_view_attachment(user: Any, attachment: Any = None) -> bool:
    """A request's file: whoever may see the request."""
    if attachment is None:
        return user.role in (Role.STAFF, Role.MEMBER)
    request = db.session.get(ServiceRequest, attachment.request_id)
    return request is not None and can_view_request(user, request)


@visibility(ServiceAttachment)
def _visible_attachments(user: Any) -> ColumnElement[bool]:
    return ServiceAttachment.request_id.in_(
        select(ServiceRequest.id).where(_visible_requests(user))
    )
