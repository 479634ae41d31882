"""The events card of a team's page (a Section of opc.teams.pages): the park's next events
and the team's registrations for those still to come (staff: the team's; a member: their
own)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opc.core.db import utcnow
from opc.events import queries as q
from opc.events.permissions import can_view_event
from opc.teams.models import Team
from opc.teams.pages import Section, add_section

UPCOMING = 5


def _events_card(team: Team, user: Any) -> Mapping[str, Any] | None:
    if not can_view_event(user, team):
        return None
    now = utcnow()
    return {
        "events": q.next_events(team.park_id, now, UPCOMING),
        "registrations": q.team_registrations(user, team.id, now),
    }


def register() -> None:
    add_section(Section("events", "events/_team_section.html", _events_card, order=75))
