"""What KPI reports add to the team page (opc.teams.pages): a card saying which quarter's
report is due and by when, with the button to file it, or the last quarter filed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opc.kpis import queries
from opc.kpis.permissions import can_file_kpis, can_view_kpis
from opc.kpis.quarters import Quarter
from opc.teams.models import Team
from opc.teams.pages import Section, add_section


def _kpi_card(team: Team, user: Any) -> Mapping[str, Any] | None:
    if not can_view_kpis(user, team):
        return None
    due = queries.due_for(team)
    filed = queries.team_reports(team.id)
    if due is None and not filed:
        return None  # an applicant, or a team that never owed a report: nothing to say
    last = filed[0] if filed else None
    return {
        "due": due,
        "may_file": can_file_kpis(user, team),
        "last": last,
        "last_label": Quarter(last.year, last.quarter).label if last is not None else "",
    }


def register() -> None:
    add_section(Section("kpis", "kpis/_team_section.html", _kpi_card, order=70))
