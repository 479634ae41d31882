"""Onboarding with history: a team that arrives with its past.

A park that starts using OPC Ops has teams that applied, were admitted and moved in long
ago. Such a team is created (page, API or CSV import) with the status it has and the day
it reached it (`since`), and its history records every step up to there on that day
(applicant → admitted → resident), so that move-in (opc.teams.rules.move_in_dates), rent
statements and policy schedules are right from the first month. Without them a team starts
as an applicant today.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _

from opc.core.dates import check_dates
from opc.core.errors import ValidationFailed
from opc.teams.models import TeamStatus, TeamStatusChange

# The statuses a team may arrive with; the steps its history records to reach each.
ARRIVAL_STATUSES = (TeamStatus.APPLICANT, TeamStatus.ADMITTED, TeamStatus.RESIDENT)
STEPS = {
    TeamStatus.APPLICANT: (TeamStatus.APPLICANT,),
    TeamStatus.ADMITTED: (TeamStatus.APPLICANT, TeamStatus.ADMITTED),
    TeamStatus.RESIDENT: (TeamStatus.APPLICANT, TeamStatus.ADMITTED, TeamStatus.RESIDENT),
}


def clean_arrival(status: Any, since: Any, field: str = "status") -> tuple[TeamStatus, date | None]:
    """The status a team arrives with and its day; ValidationFailed names what is wrong."""
    errors: dict[str, list[str]] = {}
    status = status or TeamStatus.APPLICANT.value
    if status not in {s.value for s in ARRIVAL_STATUSES}:
        known = ", ".join(ARRIVAL_STATUSES)
        errors[field] = [_("A team arrives as one of: %(known)s.", known=known)]
    if since is not None and not isinstance(since, date):
        errors["since"] = [_("Not a date.")]
    if errors:
        raise ValidationFailed(errors)
    check_dates(since=since)
    return TeamStatus(status), since


def check_not_future(since: date, today: date) -> None:
    """The day a team reached its status lies in the past (or is today)."""
    if since > today:
        raise ValidationFailed({"since": [_("The date may not be in the future.")]})


def arrival_steps(
    status: TeamStatus, on: date, *, actor_id: int | None, note: str = ""
) -> list[TeamStatusChange]:
    """The history of a team arriving with `status` on `on`: each step, dated `on`."""
    steps, previous = [], None
    for step in STEPS[status]:
        steps.append(
            TeamStatusChange(
                from_status=previous, to_status=step, on=on, actor_id=actor_id, note=note
            )
        )
        previous = step
    return steps
