"""The team home: a member's start page is their team's page, and its first cards are theirs
alone — what is due (from every domain, opc.teams.pages.add_due) and their latest
notifications. Staff visiting a team see its page without them: they have the park's
"Today" queue on their dashboard instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from opc.core.dates import local_today
from opc.extensions import db
from opc.notifications import queries as notifications
from opc.notifications.kinds import Rendered, render
from opc.notifications.models import Notification
from opc.teams.models import Team
from opc.teams.pages import NOTIFICATIONS_SHOWN, DueItem, due_for
from opc.teams.permissions import is_member_of


@dataclass(frozen=True)
class Home:
    today: date  # the park's date the items are for
    due: list[DueItem]
    notifications: list[tuple[Notification, Rendered]]  # the newest first


def home_of(team: Team, user: Any) -> Home | None:
    """The member's own cards of their team's page; None for anyone else."""
    if not is_member_of(user, team.id):
        return None
    today = local_today(team.park.timezone)
    latest = db.session.scalars(notifications.inbox(user).limit(NOTIFICATIONS_SHOWN))
    return Home(
        today=today,
        due=due_for(team, user, today),
        notifications=[(n, render(n.kind, n.params or {})) for n in latest],
    )
