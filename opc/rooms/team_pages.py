"""What rooms add to the team page (opc.teams.pages): the team's upcoming bookings, for its
members and the park's staff."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from opc.core.db import utcnow
from opc.rooms import queries
from opc.rooms.permissions import can_manage_rooms
from opc.teams.models import Team
from opc.teams.pages import Section, add_section
from opc.teams.permissions import is_member_of

SHOWN = 5


def _bookings_card(team: Team, user: Any) -> Mapping[str, Any] | None:
    if not (is_member_of(user, team.id) or can_manage_rooms(user, team.park)):
        return None
    upcoming, _past = queries.team_bookings(team.id, utcnow(), past=False)
    return {
        "bookings": upcoming[:SHOWN],
        "more": max(0, len(upcoming) - SHOWN),
        "tz": ZoneInfo(team.park.timezone),
        "mine": is_member_of(user, team.id),
    }


def register() -> None:
    add_section(Section("rooms", "rooms/_team_section.html", _bookings_card, order=80))
