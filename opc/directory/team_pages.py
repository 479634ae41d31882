"""What the directory adds to the team page (opc.teams.pages): a card with what the team
offers and needs, whether it is hidden, and links to its profile and matches."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opc.directory import queries
from opc.directory.permissions import can_edit_profile
from opc.teams.models import Team
from opc.teams.pages import Section, add_section


def _directory_card(team: Team, user: Any) -> Mapping[str, Any] | None:
    if not can_edit_profile(user, team):
        return None
    return {"profile": queries.profile_of(team)}


def register() -> None:
    add_section(Section("directory", "directory/_team_section.html", _directory_card, order=80))
