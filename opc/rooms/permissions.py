"""Who may see and book shared rooms: staff of the park manage its rooms and book or cancel
any booking (with a reason); members of its resident teams see its rooms and book rooms open
to residents for their own team, and cancel their team's bookings. A member never sees
another team's booking as theirs: its slot shows as taken, nothing more. Admins pass every
rule (opc.core.permissions).

Rule names follow the tables where `get_or_404` looks them up (`rooms.view`,
`bookings.view`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, select

from opc.core.permissions import Role, rule, visibility
from opc.parks.models import Park
from opc.parks.permissions import staff_of, staff_park_ids
from opc.rooms.models import Booking, Room
from opc.teams.models import Team
from opc.teams.permissions import is_member_of


def _park_id(of: Any) -> int:
    return of.id if isinstance(of, Park) else of.park_id


def members_park_id(user: Any) -> int | None:
    """The park of a member's team (None for anyone else)."""
    if user.role != Role.MEMBER or user.team is None:
        return None
    return user.team.park_id


@rule("rooms.manage")
def can_manage_rooms(user: Any, of: Any = None) -> bool:
    """Make a unit bookable, set its hours, quota and rate (`of` a room or a park): the
    park's staff; with nothing, whether staff at all."""
    if of is None:
        return user.role == Role.STAFF
    return staff_of(user, _park_id(of))


@rule("rooms.view")
def can_view_room(user: Any, of: Any = None) -> bool:
    """A room (or a park's rooms): its park's staff and the members of its teams."""
    if of is None:
        return user.role in (Role.STAFF, Role.MEMBER)
    park_id = _park_id(of)
    return staff_of(user, park_id) or members_park_id(user) == park_id


@rule("bookings.create")
def can_book(user: Any, room: Any = None) -> bool:
    """Book a room: staff of its park; members of its park's teams when the room is open to
    residents (the operation checks the team is resident). With nothing, either role."""
    if room is None:
        return user.role == Role.STAFF or (user.role == Role.MEMBER and user.team_id is not None)
    if staff_of(user, room.park_id):
        return True
    return room.bookable_by == "residents" and members_park_id(user) == room.park_id


@rule("bookings.view")
def can_view_booking(user: Any, booking: Any = None) -> bool:
    """A booking with its team and who booked it: staff of its park, its team's members."""
    if booking is None:
        return user.role in (Role.STAFF, Role.MEMBER)
    return staff_of(user, booking.park_id) or is_member_of(user, booking.team_id)


@rule("bookings.cancel")
def can_cancel_booking(user: Any, booking: Any = None) -> bool:
    """Cancel: its team's members (their own team's booking), staff of its park (any, with a
    reason)."""
    if booking is None:
        return user.role in (Role.STAFF, Role.MEMBER)
    return staff_of(user, booking.park_id) or is_member_of(user, booking.team_id)


@visibility(Room)
def _visible_rooms(user: Any) -> ColumnElement[bool]:
    if user.role == Role.STAFF:
        return Room.park_id.in_(staff_park_ids(user))
    if user.role == Role.MEMBER and user.team_id is not None:
        return Room.park_id.in_(select(Team.park_id).where(Team.id == user.team_id))
    return false()


@visibility(Booking)
def _visible_bookings(user: Any) -> ColumnElement[bool]:
    if user.role == Role.STAFF:
        return Booking.park_id.in_(staff_park_ids(user))
    if user.role == Role.MEMBER and user.team_id is not None:
        return Booking.team_id == user.team_id
    return false()
