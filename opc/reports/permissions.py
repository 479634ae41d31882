"""Who may see and produce reports: staff of the park (and admins, who pass every rule).

A BI tool reads reports as a staff user of the park with a `reports:read` token: the token
narrows what the user may do to reading, the user's role decides which parks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false

from opc.core.permissions import Role, rule, visibility
from opc.parks.models import Park
from opc.parks.permissions import staff_of, staff_park_ids
from opc.reports.models import ReportRun


def _park_id(of: Any) -> int | None:
    return of.id if isinstance(of, Park) else getattr(of, "park_id", None)


@rule("report_runs.view")
def can_view_reports(user: Any, of: Any = None) -> bool:
    """A park's reports and their files (`of` a park or a run): staff of the park; with
    nothing, whether staff at all."""
    if of is None:
        return user.role == Role.STAFF
    return staff_of(user, _park_id(of))


@rule("report_runs.produce")
def can_produce_reports(user: Any, of: Any = None) -> bool:
    """Produce a park's report of a past period, or a new version of one: staff of the park."""
    if of is None:
        return user.role == Role.STAFF
    return staff_of(user, _park_id(of))


@visibility(ReportRun)
def _visible_runs(user: Any) -> ColumnElement[bool]:
    return ReportRun.park_id.in_(staff_park_ids(user)) if user.role == Role.STAFF else false()
