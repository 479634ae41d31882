"""Screening: before experts spend time on an application, staff check that it is eligible
(the call's tracks and team statuses, its documents, its purpose). A submitted application
goes into screening; staff then send it to review (eligible) or reject it (not eligible),
and the reason for a rejection is required: the team reads it in its history.

Each step goes through `transitions.move` under the application's row lock, so two staff
screening at once see each other's step (409 `invalid_transition`).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from opc.core.db import lock, retrying, transaction
from opc.core.errors import NotFound, ValidationFailed
from opc.core.permissions import require_actor
from opc.core.values import check_texts, is_id
from opc.funds.application_models import Application
from opc.funds.application_models import ApplicationStatus as S
from opc.funds.operations.transitions import move
from opc.funds.permissions import can_manage_applications

# The longest screening reason, here only: the API's schema states it from this.
MAX_REASON = 2000
ACTIONS = ("start", "eligible", "ineligible")


def _reason(reason: Any, *, required: bool) -> str:
    text = reason.strip() if isinstance(reason, str) else ""
    if reason is not None and not isinstance(reason, str):
        raise ValidationFailed({"reason": [_("Must be text.")]})
    if required and not text:
        message = _("Give the reason why the application is not eligible: the team reads it.")
        raise ValidationFailed({"reason": [message]}, message)
    if len(text) > MAX_REASON:
        raise ValidationFailed({"reason": [_("At most %(n)d characters.", n=MAX_REASON)]})
    check_texts({"reason": text}, multiline=("reason",))
    return text


def locked_application(application_id: Any, actor: Any) -> Application:
    """The application, locked, when the actor may manage it (staff of its park): 404, 403."""
    application = lock(Application, application_id) if is_id(application_id) else None
    if application is None:
        raise NotFound("not_found", _("Not found."))
    require_actor(can_manage_applications, actor, application)
    return application


@retrying
def screen(application_id: int, action: str, *, actor: Any, reason: Any = None) -> Application:
    """One screening step: `start` (submitted → screening), `eligible` (screening →
    in review, with an optional note) or `ineligible` (screening → rejected, the reason
    required). 409 `invalid_transition` from any other state."""
    if action not in ACTIONS:
        raise ValidationFailed({"action": [_("One of: %(a)s.", a=", ".join(ACTIONS))]})
    text = _reason(reason, required=action == "ineligible")
    with transaction(actor):
        application = locked_application(application_id, actor)
        if action == "start":
            move(application, S.SCREENING, actor=actor, note=text)
        elif action == "eligible":
            move(application, S.IN_REVIEW, actor=actor, note=text)
            application.eligible, application.screening_reason = True, text
        else:
            move(application, S.REJECTED, actor=actor, note=text)
            application.eligible, application.screening_reason = False, text
    return application
