"""Issuing a park's settlement with a provider for a month: all or nothing, safe to repeat.

Issuing month M (once it has ended in the park's timezone) stores the settlement and its
lines (opc.compute.settlements: the month's records per team, earlier months' records not
settled yet as lines that name their month) and marks those records settled. Issuing it
again, or two staff at once, issues it once: the provider's row is locked first (on
PostgreSQL that also holds back its batches of usage, whose foreign key shares the row,
until the settlement is written) and the unique key (park, provider, month) holds it in
the database. An issued settlement never changes (migration 0010's triggers refuse it):
records that arrive later are settled on the next one.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update

from opc.compute.models import Provider, UsageRecord
from opc.compute.permissions import can_issue_settlements
from opc.compute.settlement_models import Settlement, SettlementLine
from opc.compute.settlements import SettlementView, draft_of, last_issued, unsettled_until
from opc.compute.usage_queries import add_months, first_day, has_ended, is_month
from opc.core.dates import format_day, local_today
from opc.core.db import lock, retrying, transaction, utcnow
from opc.core.errors import ConcurrentUpdate, RuleViolation, ValidationFailed
from opc.core.permissions import require_actor
from opc.core.values import is_id
from opc.parks.models import Park


def clean_month(month: Any) -> str:
    """A month "YYYY-MM" from 2000 on (422 otherwise)."""
    if not is_month(month):
        raise ValidationFailed({"month": [_("A month is written YYYY-MM, from 2000 on.")]})
    return str(month)


def _check_ended(park: Park, month: str) -> None:
    if not has_ended(month, local_today(park.timezone)):
        ends = first_day(add_months(month, 1))
        raise RuleViolation(
            "month_not_ended",
            _(
                "%(month)s has not ended in the park yet: it can be settled from %(day)s.",
                month=month,
                day=format_day(ends),
            ),
            conflict={"month": month, "settle_from": ends.isoformat()},
        )


def _settlement(view: SettlementView, actor: Any) -> Settlement:
    settlement = Settlement(
        park_id=view.park_id,
        provider_id=view.provider_id,
        month=view.month,
        records=view.totals.records,
        gpu_hours_hundredths=view.totals.gpu_hours_hundredths,
        cost_fen=view.totals.cost_fen,
        subsidy_fen=view.totals.subsidy_fen,
        issued_at=utcnow(),
        issued_by_id=getattr(actor, "id", None),
    )
    settlement.lines = [
        SettlementLine(
            position=position,
            team_id=line.team_id,
            corrects_month=line.corrects_month,
            records=line.totals.records,
            gpu_hours_hundredths=line.totals.gpu_hours_hundredths,
            cost_fen=line.totals.cost_fen,
            subsidy_fen=line.totals.subsidy_fen,
        )
        for position, line in enumerate(view.lines, start=1)
    ]
    return settlement


@retrying
def issue_settlement(park_id: Any, provider_id: Any, month: Any, *, actor: Any) -> int:
    """Issue the park's settlement with the provider for the month: 1, or 0 when it is
    issued already or there is nothing to settle (nothing is stored then)."""
    with transaction(actor) as session:
        park = session.get(Park, park_id) if is_id(park_id) else None
        if park is None:
            raise ValidationFailed({"park_id": [_("No such park.")]})
        require_actor(can_issue_settlements, actor, park)
        provider = lock(Provider, provider_id) if is_id(provider_id) else None
        if provider is None:
            raise ValidationFailed({"provider_id": [_("No such provider.")]})
        month = clean_month(month)
        _check_ended(park, month)
        issued = session.scalar(
            select(Settlement.id).where(
                Settlement.park_id == park.id,
                Settlement.provider_id == provider.id,
                Settlement.month == month,
            )
        )
        if issued is not None:
            return 0
        later = last_issued(park_ids=[park.id], provider_id=provider.id).get((park.id, provider.id))
        if later is not None and later > month:
            raise RuleViolation(
                "later_month_settled",
                _(
                    "%(later)s is settled already: what is left of %(month)s is settled on"
                    " the next settlement.",
                    later=later,
                    month=month,
                ),
                conflict={"month": later},
            )
        draft = draft_of(park.id, provider.id, month)
        if draft is None:
            return 0
        settlement = _settlement(draft, actor)
        session.add(settlement)
        session.flush()
        marked = session.execute(
            update(UsageRecord)
            .where(*unsettled_until(month, park_ids=[park.id], provider_id=provider.id))
            .values(settlement_id=settlement.id)
            .execution_options(synchronize_session=False)
        ).rowcount
        if marked != draft.totals.records:
            # Records arrived between the sums and the marking (the lock keeps them out on
            # both databases; this keeps the settlement exact should anything slip past).
            raise ConcurrentUpdate()
    return 1
