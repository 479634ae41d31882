"""What rent adds to the team home (statements not fully paid, opc.teams.pages.add_due) and
to the staff's Today queue (waivers awaiting approval, opc.parks.queue.add_queue)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from opc.extensions import db
from opc.parks.queue import QueueItem, add_queue, one_park
from opc.rent.balances import balances
from opc.rent.models import Statement, Waiver, WaiverStatus
from opc.rent.permissions import can_view_statements
from opc.teams.models import Team
from opc.teams.pages import LATER, OVERDUE, SOON, DueItem, add_due

SOON_DAYS = 7  # a statement due within a week is "soon"


def urgency(due_on: date, today: date) -> str:
    if due_on < today:
        return OVERDUE
    return SOON if due_on <= today + timedelta(days=SOON_DAYS) else LATER


def _due(team: Team, user: Any, today: date) -> list[DueItem]:
    """Each issued statement with something left to pay (payments settle the oldest first,
    opc.rent.balances): three statements however many there are."""
    if not can_view_statements(user, team):
        return []
    balance = balances(db.session, today, team_id=team.id).get(team.id)
    if balance is None or balance.balance_fen <= 0:
        return []
    rows = db.session.execute(
        select(Statement.id, Statement.month, Statement.due_on, Statement.net_fen).where(
            Statement.team_id == team.id, Statement.net_fen > 0
        )
    )
    url = url_for("rent_statements.team", team_id=team.id)
    items = []
    for sid, month, due_on, net in rows:
        left = net - balance.settled.get(sid, 0)
        if left > 0:
            text = _("Rent statement for %(month)s", month=month)
            items.append(DueItem(_("Rent"), text, url, due_on, left, urgency(due_on, today)))
    return items


def _queue(park_ids: list[int], _today: date) -> list[QueueItem]:
    proposed = db.session.scalar(
        select(func.count())
        .select_from(Waiver)
        .join(Team, Team.id == Waiver.team_id)
        .where(Team.park_id.in_(park_ids), Waiver.status == WaiverStatus.PROPOSED)
    )
    n = int(proposed or 0)
    park_id = one_park(park_ids)
    url = url_for("rent.waivers", park_id=park_id) if park_id else url_for("rent.index")
    label = ngettext("%(num)d waiver to approve", "%(num)d waivers to approve", n)
    return [QueueItem(label, n, url)]


def register() -> None:
    add_due("rent", _due)
    add_queue("rent", _queue, order=20)
