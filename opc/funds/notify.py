"""Funds' notifications: the team hears of the decision on its application, in the app and
by mail (the notifications outbox mails those who want it).

`notify_decision` is called by the deciding operation inside its transaction, so a decision
rolled back tells nobody.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError

from opc import notifications
from opc.core.money import format_money
from opc.funds.application_models import Application
from opc.notifications import local, path_for, sentences
from opc.teams.queries import active_member_ids

Params = dict[str, Any]
APPROVED = "application.approved"
REJECTED = "application.rejected"


def decision_params(application: Application) -> Params:
    """What the messages say of a decision, as it stands when it is made."""
    call = application.call
    return {
        "application_id": application.id,
        "team_id": application.team_id,
        "title": application.title,
        "call": {"zh": call.title_zh, "en": call.title_en},
        "amount_fen": application.amount_fen,
        "approved_fen": application.approved_fen,
        "reason": application.decision_reason,
    }


def _link(p: Params) -> str | None:
    """The application's page (the applications part's), when the app has it."""
    try:
        return path_for("applications.detail", application_id=p["application_id"])
    except BuildError:
        return None


def _reason(p: Params) -> str:
    return _("Reason: %(reason)s", reason=p["reason"]) if p.get("reason") else ""


def register_kinds() -> None:
    """The kinds of funds' notifications (called from init_app)."""
    notifications.kind(
        APPROVED,
        title=lambda p: _(
            "Application approved: %(title)s (%(call)s)", title=p["title"], call=local(p["call"])
        ),
        body=lambda p: sentences(
            _(
                "%(approved)s approved of the %(amount)s requested.",
                approved=format_money(p["approved_fen"]),
                amount=format_money(p["amount_fen"]),
            ),
            _reason(p),
        ),
        link=_link,
    )
    notifications.kind(
        REJECTED,
        title=lambda p: _(
            "Application not approved: %(title)s (%(call)s)",
            title=p["title"],
            call=local(p["call"]),
        ),
        body=_reason,
        link=_link,
    )


def notify_decision(session: Session, application: Application, kind: str) -> None:
    """Tell the application's team (its active members) of the decision."""
    recipients = active_member_ids(session, application.team_id)
    notifications.notify(session, recipients, kind, decision_params(application))
