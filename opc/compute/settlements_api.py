"""/api/v1 reads for providers and BI tools, and issuing: settlements (drafts computed,
issued ones as stored), `POST /settlements/issue`, and the usage records (`GET /usage`).

A provider reads its own usage and settlements with the token it writes usage with: a
route's `usage:read` is covered by a token's `usage:write` (opc.api.routing.token_allows),
and a `read` token (a BI tool's) covers it too. Thin: opc.compute.settlements and
opc.compute.usage_queries read, opc.compute.operations.settlements issues.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from flask_babel import gettext as _
from pydantic import Field
from sqlalchemy import select

from opc.api.pagination import paged, paged_items
from opc.api.routing import endpoint
from opc.api.schemas import Id, In, Out
from opc.compute import settlements as views
from opc.compute.models import Provider, UsageRecord
from opc.compute.operations.settlements import clean_month, issue_settlement
from opc.compute.permissions import can_issue_settlements, can_view_settlement, can_view_usage
from opc.compute.settlement_models import Settlement
from opc.compute.usage_months import UsageMonth
from opc.compute.usage_queries import (
    GPU_TYPE_LENGTH,
    MONTH_PATTERN,
    Totals,
    UsageFilter,
    filter_totals,
)
from opc.core.errors import NotFound
from opc.core.money import yuan_str
from opc.core.permissions import Role, get_or_404, visible
from opc.extensions import db
from opc.parks.models import Park
from opc.parks.permissions import staff_park_ids

READ = "usage:read"
MONTH = Field(None, pattern=MONTH_PATTERN, examples=["2026-03"])


class SettlementLineOut(Out):
    team_id: int
    corrects_month: str | None = Field(
        description="the month of these records when it is before the settlement's month"
    )
    records: int
    gpu_hours: str
    cost_yuan: str
    subsidy_yuan: str
    team_share_yuan: str


class SettlementOut(Out):
    id: int | None = Field(description="None for a draft: drafts are computed, not stored")
    status: Literal["draft", "issued"]
    month: str
    park_id: int
    provider_id: int
    records: int
    gpu_hours: str
    cost_yuan: str
    subsidy_yuan: str = Field(description="what the park owes the provider")
    team_share_yuan: str = Field(description="what the teams owe the provider: cost − subsidy")
    issued_at: datetime | None
    lines: list[SettlementLineOut]


class SettlementQuery(In):
    park_id: Id | None = None  # type: ignore[valid-type]
    provider_id: Id | None = None  # type: ignore[valid-type]
    month: str | None = MONTH


class SettlementIssueIn(In):
    park_id: Id  # type: ignore[valid-type]
    provider_id: Id  # type: ignore[valid-type]
    month: str = Field(pattern=MONTH_PATTERN, examples=["2026-03"])


class SettlementIssueOut(Out):
    issued: int = Field(description="1, or 0 when issued already or nothing to settle")


class UsageRecordOut(Out):
    id: int
    external_id: str
    provider_id: int
    team_id: int
    park_id: int
    gpu_type: str
    start: datetime
    end: datetime
    month: str
    gpu_hours: str
    cost_yuan: str
    subsidy_yuan: str
    team_share_yuan: str
    settlement_id: int | None


class UsageRecordQuery(In):
    park_id: Id | None = None  # type: ignore[valid-type]
    team_id: Id | None = None  # type: ignore[valid-type]
    provider_id: Id | None = None  # type: ignore[valid-type]
    gpu_type: str | None = Field(None, min_length=1, max_length=GPU_TYPE_LENGTH)
    month: str | None = MONTH


def _sums(totals: Totals) -> dict[str, Any]:
    return {
        "records": totals.records,
        "gpu_hours": yuan_str(totals.gpu_hours_hundredths),  # hundredths, as 12.50
        "cost_yuan": yuan_str(totals.cost_fen),
        "subsidy_yuan": yuan_str(totals.subsidy_fen),
        "team_share_yuan": yuan_str(totals.team_share_fen),
    }


def settlement_out(view: views.SettlementView) -> dict[str, Any]:
    return {
        "id": view.id,
        "status": view.status,
        "month": view.month,
        "park_id": view.park_id,
        "provider_id": view.provider_id,
        **_sums(view.totals),
        "issued_at": view.issued_at.isoformat() if view.issued_at else None,
        "lines": [
            {"team_id": line.team_id, "corrects_month": line.corrects_month, **_sums(line.totals)}
            for line in view.lines
        ],
    }


def _own_provider(user: Any) -> int:
    found = db.session.scalar(select(Provider.id).where(Provider.user_id == user.id))
    if found is None:
        raise NotFound("not_found", _("Not found."))
    return int(found)


def _scope(user: Any, query: SettlementQuery) -> tuple[list[int] | None, int | None]:
    """The parks (None: every park) and the provider the caller's settlements are of."""
    provider_id = query.provider_id
    if user.role == Role.PROVIDER:
        own = _own_provider(user)
        if provider_id not in (None, own):
            get_or_404(Provider, provider_id, user)  # another provider's: 404
        return ([query.park_id] if query.park_id else None), own
    if provider_id is not None:
        get_or_404(Provider, provider_id, user)
    if query.park_id is not None:
        return [get_or_404(Park, query.park_id, user, "settlements.issue").id], provider_id
    return (None if user.role == Role.ADMIN else sorted(staff_park_ids(user))), provider_id


@endpoint(
    "/settlements",
    scope=READ,
    allow=can_view_settlement,
    query=SettlementQuery,
    response=SettlementOut,
    paged=True,
    errors=(403, 404),
)
def list_settlements(user: Any, query: SettlementQuery) -> dict[str, Any]:
    """With `month`: the month's settlements per park and provider (issued, else the draft
    computed now, with no id); without: the issued ones, newest month first. Staff see
    their parks', a provider its own."""
    park_ids, provider_id = _scope(user, query)
    if query.month is None:
        stmt = views.issued_of(user, provider_id=provider_id)
        if park_ids is not None:
            stmt = stmt.where(Settlement.park_id.in_(park_ids))
        return paged(stmt, lambda s: settlement_out(views.issued_view(s)))
    month = clean_month(query.month)
    items = views.month_views(month, park_ids=park_ids, provider_id=provider_id)
    return paged_items(items, settlement_out)


@endpoint(
    "/settlements/<int:settlement_id>",
    scope=READ,
    allow=can_view_settlement,
    response=SettlementOut,
    errors=(403, 404),
)
def get_settlement(user: Any, settlement_id: int) -> dict[str, Any]:
    """An issued settlement with its lines per team."""
    return settlement_out(views.issued_view(get_or_404(Settlement, settlement_id, user)))


@endpoint(
    "/settlements/issue",
    methods=("POST",),
    scope="compute:write",
    allow=can_issue_settlements,
    body=SettlementIssueIn,
    response=SettlementIssueOut,
    errors=(403, 404, 409),
)
def issue_settlements(user: Any, body: SettlementIssueIn) -> dict[str, Any]:
    """Issue the park's settlement with the provider for an ended month: all or nothing;
    again, or by two staff at once, `{"issued": 0}`. It settles the month's records and
    those of earlier months not settled yet."""
    park = get_or_404(Park, body.park_id, user, "settlements.issue")
    provider = get_or_404(Provider, body.provider_id, user)
    return {"issued": issue_settlement(park.id, provider.id, body.month, actor=user)}


def usage_out(record: UsageRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "external_id": record.external_id,
        "provider_id": record.provider_id,
        "team_id": record.team_id,
        "park_id": record.park_id,
        "gpu_type": record.gpu_type,
        "start": record.started_at.isoformat(),
        "end": record.ended_at.isoformat(),
        "month": record.month,
        "gpu_hours": yuan_str(record.gpu_hours_hundredths),
        "cost_yuan": yuan_str(record.cost_fen),
        "subsidy_yuan": yuan_str(record.subsidy_fen),
        "team_share_yuan": yuan_str(record.cost_fen - record.subsidy_fen),
        "settlement_id": record.settlement_id,
    }


@endpoint(
    "/usage",
    scope=READ,
    allow=can_view_usage,
    query=UsageRecordQuery,
    response=UsageRecordOut,
    paged=True,
    errors=(403,),
)
def list_usage(user: Any, query: UsageRecordQuery) -> dict[str, Any]:
    """The usage records the caller may see (staff: their parks'; a member: the team's; a
    provider: its own), newest first. Give `month` for a month's records: read through the
    month's index, fast whatever the history's length."""
    month = clean_month(query.month) if query.month is not None else None
    flt = UsageFilter(month, query.park_id, query.team_id, query.provider_id, query.gpu_type)
    stmt = select(UsageRecord).where(visible(user, UsageRecord), *flt.where())
    # The total from the monthly sums: every filter, and what the caller sees, is on their key.
    total = filter_totals(flt, visible(user, UsageMonth)).records
    return paged(stmt.order_by(UsageRecord.id.desc()), usage_out, total=total)
