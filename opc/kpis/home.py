"""What KPI reports add to the team home (opc.teams.pages.add_due: the quarter's report to
file, due the 15th of the month after it) and to the staff's Today queue
(opc.parks.queue.add_queue: the teams that owe that quarter's report and have not filed
it, linking to the park's list of them)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from opc.kpis import queries
from opc.kpis.permissions import can_file_kpis
from opc.kpis.quarters import to_file
from opc.parks.queue import NORMAL, URGENT, QueueItem, add_queue, one_park
from opc.teams.models import Team
from opc.teams.pages import LATER, OVERDUE, SOON, DueItem, add_due

SOON_DAYS = 7


def _due(team: Team, user: Any, today: date) -> list[DueItem]:
    """The quarter the team should file now, unless filed (opc.kpis.queries.due_for)."""
    if not can_file_kpis(user, team):
        return []
    quarter = queries.due_for(team)
    if quarter is None:
        return []
    due_on = quarter.due_on
    if due_on < today:
        urgency = OVERDUE
    else:
        urgency = SOON if due_on <= today + timedelta(days=SOON_DAYS) else LATER
    return [
        DueItem(
            _("KPI report"),
            _("File the KPI report for %(quarter)s", quarter=quarter.label),
            url_for("kpis.file", team_id=team.id, quarter=str(quarter)),
            due_on,
            None,
            urgency,
        )
    ]


def _queue(park_ids: list[int], today: date) -> list[QueueItem]:
    """One statement (opc.kpis.queries.park_quarter): who owes the quarter, filed or not."""
    quarter = to_file(today)
    missing = sum(1 for _team, report in queries.park_quarter(park_ids, quarter) if report is None)
    url = url_for("kpis.index", park_id=one_park(park_ids), quarter=str(quarter), state="missing")
    label = ngettext(
        "%(num)d team has not filed its KPI report for %(quarter)s",
        "%(num)d teams have not filed their KPI reports for %(quarter)s",
        missing,
        quarter=quarter.label,
    )
    return [QueueItem(label, missing, url, URGENT if quarter.due_on < today else NORMAL)]


def register() -> None:
    add_due("kpis", _due)
    add_queue("kpis", _queue, order=35)
