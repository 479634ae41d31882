"""/api/v1/funds: thin; opc.funds.operations.funds holds the rules.

The contract's short form is taken as it is: `POST /funds {"park_id", "name", "budget_yuan"}`
(`name` is the Chinese name, `name_zh` its other spelling; given both, they must agree).
A fund answers with its figures (opc.funds.call_queries): committed by its calls, approved,
disbursed, and what remains for new calls.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from pydantic import Field

from opc.api.pagination import paged
from opc.api.routing import endpoint
from opc.api.schemas import Id, In, Out, Patch, decimal_text
from opc.core.errors import ValidationFailed
from opc.core.money import MAX_YUAN, parse_yuan, yuan_str
from opc.core.permissions import get_or_404
from opc.funds import call_queries as queries
from opc.funds.models import Fund
from opc.funds.operations import funds as ops_funds
from opc.funds.permissions import can_manage_funds, can_view_fund
from opc.parks.models import Park

Amount = decimal_text(MAX_YUAN, positive=True)
TEXT = ops_funds.MAX_LENGTH


class FundIn(In):
    multiline = frozenset({"description"})
    park_id: Id  # type: ignore[valid-type]
    name: str | None = Field(None, min_length=1, max_length=TEXT["name_zh"])
    name_zh: str | None = Field(None, min_length=1, max_length=TEXT["name_zh"])
    name_en: str = Field("", max_length=TEXT["name_en"])
    description: str = Field("", max_length=TEXT["description"])
    budget_yuan: Amount  # type: ignore[valid-type]


class FundPatch(Patch):
    multiline = frozenset({"description"})
    name_zh: str | None = Field(None, min_length=1, max_length=TEXT["name_zh"])
    name_en: str | None = Field(None, max_length=TEXT["name_en"])
    description: str | None = Field(None, max_length=TEXT["description"])
    budget_yuan: Amount | None = None  # type: ignore[valid-type]


class FundOut(Out):
    id: int
    park_id: int
    name: str = Field(description="the Chinese name (name_zh)")
    name_zh: str
    name_en: str
    description: str
    budget_yuan: str
    committed_yuan: str = Field(description="the sum of its calls' budgets")
    approved_yuan: str = Field(description="approved to teams under its calls")
    disbursed_yuan: str = Field(description="paid in tranches under its calls")
    remaining_yuan: str = Field(description="left for new calls: budget less committed")
    calls: int


class FundQuery(In):
    park_id: Id | None = None  # type: ignore[valid-type]


def _fund(fund: Fund, figures: queries.FundFigures | None = None) -> dict[str, Any]:
    f = figures or queries.fund_figures([fund])[fund.id]
    return {
        "id": fund.id,
        "park_id": fund.park_id,
        "name": fund.name_zh,
        "name_zh": fund.name_zh,
        "name_en": fund.name_en,
        "description": fund.description,
        "budget_yuan": yuan_str(f.budget_fen),
        "committed_yuan": yuan_str(f.committed_fen),
        "approved_yuan": yuan_str(f.approved_fen),
        "disbursed_yuan": yuan_str(f.disbursed_fen),
        "remaining_yuan": yuan_str(f.remaining_fen),
        "calls": f.calls,
    }


def one_name(body: Any, short: str, full: str) -> str | None:
    """The contract's short name or its full spelling: given twice, they must agree."""
    a, b = getattr(body, short), getattr(body, full)
    if a and b and a != b:
        raise ValidationFailed({short: [_("The %(f)s is the Chinese one: give it once.", f=short)]})
    return a or b


@endpoint(
    "/funds",
    methods=("POST",),
    scope="funds:write",
    allow=can_manage_funds,
    body=FundIn,
    response=FundOut,
    status=201,
    errors=(404, 409),
)
def create_fund(user: Any, body: FundIn) -> dict[str, Any]:
    """Add a fund to a park (admins)."""
    park = get_or_404(Park, body.park_id, user)
    fund = ops_funds.create_fund(
        actor=user,
        park_id=park.id,
        name_zh=one_name(body, "name", "name_zh") or "",
        name_en=body.name_en,
        description=body.description,
        budget_fen=parse_yuan(body.budget_yuan),
    )
    return _fund(fund)


@endpoint(
    "/funds",
    scope="funds:read",
    allow=can_view_fund,
    query=FundQuery,
    response=FundOut,
    paged=True,
    errors=(404,),
)
def list_funds(user: Any, query: FundQuery) -> dict[str, Any]:
    """The funds the caller may see (staff: their parks'), with their figures."""
    if query.park_id is not None:
        get_or_404(Park, query.park_id, user)
    page = paged(queries.funds_of(user, query.park_id), lambda f: f)
    figures = queries.fund_figures(page["items"])
    page["items"] = [_fund(f, figures[f.id]) for f in page["items"]]
    return page


@endpoint("/funds/<int:fund_id>", scope="funds:read", allow=can_view_fund, response=FundOut)
def get_fund(user: Any, fund_id: int) -> dict[str, Any]:
    """One fund with its figures."""
    return _fund(get_or_404(Fund, fund_id, user))


@endpoint(
    "/funds/<int:fund_id>",
    methods=("PATCH",),
    scope="funds:write",
    allow=can_manage_funds,
    body=FundPatch,
    response=FundOut,
    errors=(409,),
)
def update_fund(user: Any, fund_id: int, body: FundPatch) -> dict[str, Any]:
    """Change a fund (admins); 409 fund_budget_below_calls."""
    fund = get_or_404(Fund, fund_id, user, "funds.manage")
    values = body.model_dump(exclude_unset=True, exclude={"budget_yuan"})
    if body.budget_yuan is not None:
        values["budget_fen"] = parse_yuan(body.budget_yuan)
    return _fund(ops_funds.update_fund(fund, actor=user, **values))
