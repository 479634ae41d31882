"""Issuing a park's statements for a month: all or nothing, and safe to repeat.

The park's row is locked first; the teams that have a statement for the month already are
read after the lock and left alone, so issuing twice, or two staff at once, issues each
team's statement once (the unique key (team, month) holds it in the database too). An
issued statement never changes (the database refuses it): corrections are adjustment lines
of the next draft (opc.rent.compute).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from opc.core.dates import local_today
from opc.core.db import lock, retrying, transaction, utcnow
from opc.core.errors import ValidationFailed
from opc.core.permissions import require_actor
from opc.core.values import is_id
from opc.parks.models import Park
from opc.parks.settings import value_of
from opc.rent import compute
from opc.rent.models import Statement, StatementLine
from opc.rent.notify import notify_issued
from opc.rent.permissions import can_issue_statements
from opc.rent.schedule import month_bounds
from opc.rent.settings import DUE_DAY


def clean_month(month: Any, today: date) -> str:
    """A month "YYYY-MM" that has begun (422 for a malformed or future month)."""
    try:
        first, _end = month_bounds(month if isinstance(month, str) else "")
    except ValueError as exc:
        raise ValidationFailed({"month": [_("A month is written YYYY-MM.")]}) from exc
    if first > today:
        raise ValidationFailed({"month": [_("The month has not begun yet.")]})
    if first.year < 2000:
        raise ValidationFailed({"month": [_("Months from 2000 on only.")]})
    return month


def _statement(park: Park, draft: compute.Draft, due: date, actor: Any) -> Statement:
    statement = Statement(
        park_id=park.id,
        team_id=draft.team_id,
        month=draft.month,
        due_on=due,
        issued_at=utcnow(),
        issued_by_id=getattr(actor, "id", None),
        **compute.describe(draft),
    )
    statement.lines = [
        StatementLine(
            position=position,
            kind=line.kind,
            description=line.description[:300],
            amount_fen=line.amount_fen,
            days=line.days,
            area_m2=line.area_m2,
            rate_fen=line.rate_fen,
            allocation_id=line.allocation_id,
            waiver_id=line.waiver_id,
            policy_id=line.policy_id,
            corrects_month=line.corrects_month,
        )
        for position, line in enumerate(draft.lines, start=1)
    ]
    return statement


@retrying
def issue_month(park_id: int, month: str, *, actor: Any) -> int:
    """Issue every statement of the park for the month not issued yet; how many it issued."""
    with transaction(actor) as session:
        park = lock(Park, park_id) if is_id(park_id) else None
        if park is None:
            raise ValidationFailed({"park_id": [_("No such park.")]})
        require_actor(can_issue_statements, actor, park)
        month = clean_month(month, local_today(park.timezone))
        issued = set(
            session.scalars(
                select(Statement.team_id).where(
                    Statement.park_id == park.id, Statement.month == month
                )
            )
        )
        _first, end = month_bounds(month)
        due = end.replace(day=value_of(park.id, DUE_DAY.key))
        drafts = compute.park_month(session, park, month)
        made = [
            _statement(park, draft, due, actor)
            for team_id, draft in drafts.items()
            if team_id not in issued
        ]
        session.add_all(made)
        session.flush()
        for statement in made:  # only those issued now: issuing again tells nobody twice
            notify_issued(session, statement)
    return len(made)
