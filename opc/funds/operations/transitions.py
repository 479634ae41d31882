"""The one way an application changes state: allowed steps only, each recorded with who,
when and why in its history (`ApplicationChange`).

    draft → submitted → screening → in_review → approved | rejected; approved → disbursed
    withdrawn from any state before a decision; screening → rejected (not eligible)

Callers lock the application (`opc.core.db.lock`) in their transaction before moving it, so
that two people acting at once see each other's step: the second one gets 409
`invalid_transition` naming the state it found.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from opc.core.db import utcnow
from opc.core.errors import RuleViolation
from opc.funds.application_models import (
    UNDECIDED,
    Application,
    ApplicationChange,
)
from opc.funds.application_models import ApplicationStatus as S
from opc.funds.labels import application_status_label

STEPS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.SCREENING, S.WITHDRAWN}),
    S.SCREENING: frozenset({S.IN_REVIEW, S.REJECTED, S.WITHDRAWN}),
    S.IN_REVIEW: frozenset({S.APPROVED, S.REJECTED, S.WITHDRAWN}),
    S.APPROVED: frozenset({S.DISBURSED}),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.DISBURSED: frozenset(),
}
assert all(S.WITHDRAWN in STEPS[s] for s in UNDECIDED)


def may_move(application: Application, to: str) -> bool:
    return to in STEPS.get(application.status, frozenset())


def require_step(application: Application, to: str) -> None:
    """409 `invalid_transition` unless the application may go from its state to `to`."""
    if not may_move(application, to):
        raise RuleViolation(
            "invalid_transition",
            _(
                "The application is %(status)s: it cannot become %(to)s.",
                status=application_status_label(application.status),
                to=application_status_label(to),
            ),
            conflict={"application_id": application.id, "status": application.status, "to": to},
        )


def move(application: Application, to: str, *, actor: Any, note: str = "") -> ApplicationChange:
    """Take the step (checked) and record it in the application's history."""
    require_step(application, to)
    change = ApplicationChange(
        from_status=application.status,
        to_status=to,
        at=utcnow(),
        by_id=getattr(actor, "id", None),
        note=note,
    )
    application.changes.append(change)
    application.status = to
    return change
