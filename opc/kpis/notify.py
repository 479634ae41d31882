"""KPI notifications: a team that owes its quarterly report hears it is due ("kpi.due"),
when the quarter opens for filing and again a few days before the report is due, and when
staff remind it. Called inside the write that makes the event, so a step rolled back tells
nobody.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError

from opc import notifications
from opc.core.dates import format_day
from opc.kpis.quarters import Quarter
from opc.notifications import local, path_for
from opc.teams.models import Team
from opc.teams.queries import active_member_ids

DUE = "kpi.due"


def params(team: Team, quarter: Quarter) -> dict[str, Any]:
    return {
        "team_id": team.id,
        "team": {"zh": team.name_zh, "en": team.name_en},
        "quarter": str(quarter),
        "due_on": quarter.due_on.isoformat(),
    }


def _link(p: dict[str, Any]) -> str | None:
    """The team's KPI page; its team page until the KPI pages are registered."""
    for endpoint in ("kpis.team", "teams.detail"):
        try:
            return path_for(endpoint, team_id=p["team_id"])
        except BuildError:
            continue
    return None


def _title(p: dict[str, Any]) -> str:
    return _(
        "KPI report due: %(quarter)s (%(team)s)",
        quarter=Quarter.parse(p["quarter"]).label,
        team=local(p["team"]),
    )


def _body(p: dict[str, Any]) -> str:
    return _(
        "File the team's figures for %(quarter)s by %(due_on)s: revenue, headcount, IP, "
        "works, financing, R&D spending and taxes.",
        quarter=Quarter.parse(p["quarter"]).label,
        due_on=format_day(date.fromisoformat(p["due_on"])),
    )


def register_kinds() -> None:
    """The kind of KPI notifications (called from init_app)."""
    notifications.kind(DUE, title=_title, body=_body, link=_link)


def tell_team(session: Session, team: Team, quarter: Quarter) -> int:
    """Tell the team's active members that its report for `quarter` is due; how many."""
    made = notifications.notify(
        session, active_member_ids(session, team.id), DUE, params(team, quarter)
    )
    return len(made)
