"""/api/v1/calls: thin; opc.funds.operations.calls holds the rules.

The contract's short form is taken as it is: `POST /calls {"fund_id", "title", "opens_at",
"closes_at", "budget_yuan", "ceiling_yuan", "criteria": [{"name", "weight"}]}` (`title` is
the Chinese title, a criterion's `name` its Chinese name); the richer terms are optional.
Instants are ISO 8601 with their offset, answered in the park's timezone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field

from opc.api.pagination import paged
from opc.api.routing import endpoint
from opc.api.schemas import Id, In, Instant, Out, Patch, decimal_text, whole
from opc.core.dates import to_local
from opc.core.db import utcnow
from opc.core.money import parse_yuan, yuan_str
from opc.core.permissions import get_or_404
from opc.funds import call_queries as queries
from opc.funds.api_funds import Amount, one_name
from opc.funds.models import Call, Fund
from opc.funds.operations import calls as ops_calls
from opc.funds.permissions import can_manage_calls, can_view_call, can_view_fund
from opc.parks.models import Park
from opc.teams.models import TeamStatus, Track

Threshold = decimal_text(ops_calls.MAX_THRESHOLD, positive=True)
CALL_TEXT = ops_calls.MAX_LENGTH
Name = Annotated[str, Field(min_length=1, max_length=ops_calls.MAX_NAME)]


def _text(limit: int, *, required: bool = False) -> Any:
    return Field(None, min_length=1 if required else 0, max_length=limit)


# --- calls -----------------------------------------------------------------------------


class CriterionIn(In):
    name: str | None = Field(None, min_length=1, max_length=ops_calls.MAX_NAME)
    name_zh: str | None = Field(None, min_length=1, max_length=ops_calls.MAX_NAME)
    name_en: str = Field("", max_length=ops_calls.MAX_NAME)
    weight: whole(1, 100)  # type: ignore[valid-type]


class CallTerms(In):
    """The optional terms of a call, shared by POST and PATCH."""

    multiline = frozenset({"description_zh", "description_en"})
    title_en: str | None = _text(CALL_TEXT["title_en"])
    description_zh: str | None = _text(CALL_TEXT["description_zh"])
    description_en: str | None = _text(CALL_TEXT["description_en"])
    required_documents: list[Name] | None = Field(None, max_length=ops_calls.MAX_DOCUMENTS)  # type: ignore[valid-type]
    tracks: list[Track] | None = Field(None, max_length=len(Track))
    team_statuses: list[TeamStatus] | None = Field(None, max_length=len(TeamStatus))
    reviewers_per_application: whole(1, ops_calls.MAX_REVIEWERS) | None = None  # type: ignore[valid-type]
    disagreement_threshold: Threshold | None = Field(  # type: ignore[valid-type]
        None, description="points of 10 between reviewers' weighted scores flagged as disagreement"
    )
    reviewer_ids: list[Id] | None = Field(  # type: ignore[valid-type]
        None, max_length=ops_calls.MAX_POOL, description="the expert pool: users of role reviewer"
    )


CRITERIA = Field(
    min_length=1, max_length=ops_calls.MAX_CRITERIA, description="weights summing to 100"
)


class CallIn(CallTerms):
    fund_id: Id  # type: ignore[valid-type]
    title: str | None = _text(CALL_TEXT["title_zh"], required=True)
    title_zh: str | None = _text(CALL_TEXT["title_zh"], required=True)
    opens_at: Instant
    closes_at: Instant
    budget_yuan: Amount  # type: ignore[valid-type]
    ceiling_yuan: Amount  # type: ignore[valid-type]
    criteria: list[CriterionIn] = CRITERIA


class CallPatch(CallTerms, Patch):
    title_zh: str | None = _text(CALL_TEXT["title_zh"], required=True)
    opens_at: Instant | None = None
    closes_at: Instant | None = None
    budget_yuan: Amount | None = None  # type: ignore[valid-type]
    ceiling_yuan: Amount | None = None  # type: ignore[valid-type]
    criteria: list[CriterionIn] | None = Field(
        None, min_length=1, max_length=ops_calls.MAX_CRITERIA
    )


class CriterionOut(Out):
    id: int
    name: str = Field(description="the Chinese name (name_zh)")
    name_zh: str
    name_en: str
    weight: int


class CallOut(Out):
    id: int
    fund_id: int
    park_id: int
    title: str = Field(description="the Chinese title (title_zh)")
    title_zh: str
    title_en: str
    description_zh: str
    description_en: str
    opens_at: datetime = Field(description="in the park's timezone")
    closes_at: datetime
    open: bool = Field(description="open now")
    budget_yuan: str
    ceiling_yuan: str = Field(description="the most one team may be granted")
    approved_yuan: str = Field(description="committed to teams by approvals")
    disbursed_yuan: str
    remaining_yuan: str = Field(description="budget less approved")
    criteria: list[CriterionOut]
    required_documents: list[str]
    tracks: list[str] = Field(description="eligible tracks; empty: all")
    team_statuses: list[str] = Field(description="eligible team statuses; empty: all")
    reviewers_per_application: int
    disagreement_threshold: str
    reviewer_ids: list[int] | None = Field(description="the expert pool; null unless staff")


class CallQuery(In):
    park_id: Id | None = None  # type: ignore[valid-type]
    fund_id: Id | None = None  # type: ignore[valid-type]
    open: bool | None = Field(None, description="true: only the calls open now")


def _iso(moment: datetime, tz: str) -> str:
    return to_local(moment, tz).isoformat()  # type: ignore[union-attr]


def _call(call: Call, user: Any) -> dict[str, Any]:
    tz = call.fund.park.timezone
    return {
        "id": call.id,
        "fund_id": call.fund_id,
        "park_id": call.park_id,
        "title": call.title_zh,
        "title_zh": call.title_zh,
        "title_en": call.title_en,
        "description_zh": call.description_zh,
        "description_en": call.description_en,
        "opens_at": _iso(call.opens_at, tz),
        "closes_at": _iso(call.closes_at, tz),
        "open": queries.is_open(call),
        "budget_yuan": yuan_str(call.budget_fen),
        "ceiling_yuan": yuan_str(call.ceiling_fen),
        "approved_yuan": yuan_str(call.approved_fen),
        "disbursed_yuan": yuan_str(call.disbursed_fen),
        "remaining_yuan": yuan_str(call.remaining_fen),
        "criteria": [
            {
                "id": c.id,
                "name": c.name_zh,
                "name_zh": c.name_zh,
                "name_en": c.name_en,
                "weight": c.weight,
            }
            for c in call.criteria
        ],
        "required_documents": list(call.required_documents or []),
        "tracks": list(call.tracks or []),
        "team_statuses": list(call.team_statuses or []),
        "reviewers_per_application": call.reviewers_per_application,
        "disagreement_threshold": f"{call.disagreement_threshold:.2f}",
        "reviewer_ids": ([u.id for u in call.reviewers] if can_manage_calls(user, call) else None),
    }


def _call_values(body: CallTerms) -> dict[str, Any]:
    """The operation's values of what the body gives (fen, criteria rows, enum values)."""
    values = body.model_dump(
        exclude_unset=True,
        exclude={"fund_id", "title", "budget_yuan", "ceiling_yuan", "criteria", "tracks"},
    )
    for key in ("budget_yuan", "ceiling_yuan"):
        if (amount := getattr(body, key, None)) is not None:
            values[key.replace("_yuan", "_fen")] = parse_yuan(amount)
    if (criteria := getattr(body, "criteria", None)) is not None:
        values["criteria"] = [
            {"name_zh": one_name(c, "name", "name_zh"), "name_en": c.name_en, "weight": c.weight}
            for c in criteria
        ]
    if body.tracks is not None:
        values["tracks"] = [t.value for t in body.tracks]
    if body.team_statuses is not None:
        values["team_statuses"] = [s.value for s in body.team_statuses]
    return {k: v for k, v in values.items() if v is not None}


@endpoint(
    "/calls",
    methods=("POST",),
    scope="funds:write",
    allow=can_manage_calls,
    body=CallIn,
    response=CallOut,
    status=201,
    errors=(404, 409),
)
def create_call(user: Any, body: CallIn) -> dict[str, Any]:
    """Open a call within a fund (staff of its park); 409 fund_budget_exceeded (naming what
    the fund has left), 422 weights not summing to 100, ceiling over the budget, closing
    before opening, a pool member who is no reviewer."""
    fund = get_or_404(Fund, body.fund_id, user, "calls.manage")
    values = _call_values(body)
    values["title_zh"] = one_name(body, "title", "title_zh") or ""
    call = ops_calls.create_call(actor=user, fund_id=fund.id, **values)
    return _call(call, user)


@endpoint(
    "/calls",
    scope="funds:read",
    allow=can_view_call,
    query=CallQuery,
    response=CallOut,
    paged=True,
    errors=(404,),
)
def list_calls(user: Any, query: CallQuery) -> dict[str, Any]:
    """The calls the caller may see (staff: their parks'; members: their park's; reviewers:
    those whose pool they are in), the latest opened first."""
    if query.park_id is not None:
        get_or_404(Park, query.park_id, user)
    if query.fund_id is not None and can_view_fund(user):
        get_or_404(Fund, query.fund_id, user)  # members and reviewers see no funds
    stmt = queries.calls_of(
        user,
        park_id=query.park_id,
        fund_id=query.fund_id,
        open_at=utcnow() if query.open else None,
    )
    return paged(stmt, lambda c: _call(c, user))


@endpoint("/calls/<int:call_id>", scope="funds:read", allow=can_view_call, response=CallOut)
def get_call(user: Any, call_id: int) -> dict[str, Any]:
    """One call: its terms, criteria and figures."""
    return _call(get_or_404(Call, call_id, user), user)


@endpoint(
    "/calls/<int:call_id>",
    methods=("PATCH",),
    scope="funds:write",
    allow=can_manage_calls,
    body=CallPatch,
    response=CallOut,
    errors=(409,),
)
def update_call(user: Any, call_id: int, body: CallPatch) -> dict[str, Any]:
    """Change a call (staff of its park); 409 fund_budget_exceeded, budget_below_approved,
    criteria_locked (reviews submitted)."""
    call = get_or_404(Call, call_id, user, "calls.manage")
    return _call(ops_calls.update_call(call, actor=user, **_call_values(body)), user)
