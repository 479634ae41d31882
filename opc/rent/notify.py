"""Rent's notifications: a team's members hear that its statement for a month is issued.

`notify_issued` is called by the issuing operation (opc.rent.operations.statements) for
each statement it issues, inside its transaction: issuing the month again issues nothing
and so tells nobody again, and an issue rolled back tells nobody. A draft is never issued
and tells nobody.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError

from opc import notifications
from opc.core.dates import format_day
from opc.core.money import format_money
from opc.notifications import local, path_for, sentences
from opc.rent.models import Statement
from opc.teams.models import Team
from opc.teams.queries import active_member_ids

Params = dict[str, Any]
ISSUED = "statement.issued"


def issued_params(statement: Statement, team: Team) -> Params:
    """What the messages say of an issued statement (it never changes once issued)."""
    return {
        "statement_id": statement.id,
        "team_id": statement.team_id,
        "park_id": statement.park_id,
        "team": {"zh": team.name_zh, "en": team.name_en},
        "month": statement.month,
        "gross_fen": statement.gross_fen,
        "waived_fen": statement.waived_fen,
        "net_fen": statement.net_fen,
        "due_on": statement.due_on.isoformat(),
    }


def _link(p: Params) -> str | None:
    """The team's statements page, at this statement."""
    try:
        return path_for("rent_statements.team", team_id=p["team_id"])
    except BuildError:
        return None


def _body(p: Params) -> str:
    amounts = _(
        "Rent %(gross)s, waived %(waived)s: %(net)s to pay by %(due_on)s.",
        gross=format_money(p["gross_fen"]),
        waived=format_money(p["waived_fen"]),
        net=format_money(p["net_fen"]),
        due_on=format_day(date.fromisoformat(p["due_on"])),
    )
    return sentences(amounts, _("The statement can be printed from the team's rent page."))


def register_kinds() -> None:
    """The kinds of rent's notifications (called from init_app)."""
    notifications.kind(
        ISSUED,
        title=lambda p: _(
            "%(team)s: rent statement for %(month)s issued",
            team=local(p["team"]),
            month=p["month"],
        ),
        body=_body,
        link=_link,
    )


def notify_issued(session: Session, statement: Statement) -> None:
    """Tell the statement's team (its active members) that it is issued."""
    team = session.get(Team, statement.team_id)
    if team is None:
        return
    recipients = active_member_ids(session, statement.team_id)
    notifications.notify(session, recipients, ISSUED, issued_params(statement, team))
