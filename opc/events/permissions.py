"""Who may see and run events: staff of the park create, change and cancel its events, see
every registration, check people in and export attendees; the members of its teams see its
events (public or residents only) and register themselves; anyone may see a public event and
register as a guest on its public page (marked @public there). A registration is seen by
staff of the event's park and by the member who made it. Admins pass every rule.

Rule names follow the tables where `get_or_404` looks them up (`events.view`,
`registrations.view`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, select

from opc.core.permissions import Role, rule, visibility
from opc.events.models import Event, Registration
from opc.parks.models import Park
from opc.parks.permissions import staff_of, staff_park_ids
from opc.rooms.permissions import members_park_id
from opc.teams.models import Team


def _park_id(of: Any) -> int:
    return of.id if isinstance(of, Park) else of.park_id


@rule("events.manage")
def can_manage_events(user: Any, of: Any = None) -> bool:
    """Create, change and cancel events, see their registrations, check in, export (`of` an
    event or a park): the park's staff; with nothing, whether staff at all."""
    if of is None:
        return user.role == Role.STAFF
    return staff_of(user, _park_id(of))


@rule("events.view")
def can_view_event(user: Any, of: Any = None) -> bool:
    """An event (or a park's events): its park's staff and the members of its teams."""
    if of is None:
        return user.role in (Role.STAFF, Role.MEMBER)
    park_id = _park_id(of)
    return staff_of(user, park_id) or members_park_id(user) == park_id


@rule("events.register")
def can_register(user: Any, event: Any = None) -> bool:
    """Register oneself as a resident: members of the event's park's teams."""
    if event is None:
        return user.role == Role.MEMBER and user.team_id is not None
    return members_park_id(user) == event.park_id


@rule("registrations.view")
def can_view_registration(user: Any, registration: Any = None) -> bool:
    """A registration: staff of the event's park, or the member who registered."""
    if registration is None:
        return user.role in (Role.STAFF, Role.MEMBER)
    if staff_of(user, registration.event.park_id):
        return True
    return registration.user_id is not None and registration.user_id == user.id


@visibility(Event)
def _visible_events(user: Any) -> ColumnElement[bool]:
    if user.role == Role.STAFF:
        return Event.park_id.in_(staff_park_ids(user))
    if user.role == Role.MEMBER and user.team_id is not None:
        return Event.park_id.in_(select(Team.park_id).where(Team.id == user.team_id))
    return false()


@visibility(Registration)
def _visible_registrations(user: Any) -> ColumnElement[bool]:
    if user.role == Role.STAFF:
        return Registration.event_id.in_(
            select(Event.id).where(Event.park_id.in_(staff_park_ids(user)))
        )
    if user.role == Role.MEMBER:
        return Registration.user_id == user.id
    return false()
