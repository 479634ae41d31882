"""/api/v1/statements: a month's statements (drafts computed, issued ones as stored) and
issuing a park's month. Thin; opc.rent.operations.statements holds the rules."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from flask import current_app
from pydantic import Field

from opc.api.pagination import page_args, paged
from opc.api.routing import endpoint
from opc.api.schemas import Id, In, Out
from opc.core.dates import local_today
from opc.core.money import yuan_str
from opc.core.permissions import Role, get_or_404
from opc.parks.models import Park
from opc.rent import statements as views
from opc.rent.operations.statements import clean_month, issue_month
from opc.rent.permissions import can_issue_statements, can_view_statements
from opc.rent.queries import parks_for
from opc.rent.schedule import MONTH_PATTERN
from opc.teams.models import Team


class LineOut(Out):
    kind: Literal["rent", "waiver", "adjustment", "clawback", "rounding"]
    description: str
    amount_yuan: str
    days: int | None
    area_m2: str | None
    rate_per_m2_yuan: str | None
    policy_id: int | None
    corrects_month: str | None


class StatementOut(Out):
    id: int | None = Field(description="None for a draft: drafts are computed, not stored")
    park_id: int
    team_id: int
    month: str
    status: Literal["draft", "issued"]
    gross_yuan: str
    waived_yuan: str
    adjustments_yuan: str
    net_yuan: str
    due_on: date | None
    lines: list[LineOut]


class StatementQuery(In):
    park_id: Id | None = None  # type: ignore[valid-type]
    team_id: Id | None = None  # type: ignore[valid-type]
    month: str | None = Field(None, pattern=MONTH_PATTERN, examples=["2026-03"])


class IssueIn(In):
    park_id: Id  # type: ignore[valid-type]
    month: str = Field(pattern=MONTH_PATTERN, examples=["2026-03"])


class IssueOut(Out):
    issued: int


def _out(view: views.StatementView) -> dict[str, Any]:
    return {
        "id": view.id,
        "park_id": view.park_id,
        "team_id": view.team_id,
        "month": view.month,
        "status": view.status,
        "gross_yuan": yuan_str(view.gross_fen),
        "waived_yuan": yuan_str(view.waived_fen),
        "adjustments_yuan": yuan_str(view.adjustments_fen),
        "net_yuan": yuan_str(view.net_fen),
        "due_on": view.due_on.isoformat() if view.due_on else None,
        "lines": [
            {
                "kind": line.kind,
                "description": line.description,
                "amount_yuan": yuan_str(line.amount_fen),
                "days": line.days,
                "area_m2": None if line.area_m2 is None else f"{line.area_m2:.2f}",
                "rate_per_m2_yuan": None if line.rate_fen is None else yuan_str(line.rate_fen),
                "policy_id": line.policy_id,
                "corrects_month": line.corrects_month,
            }
            for line in view.lines
        ],
    }


def _scope(user: Any, query: StatementQuery) -> tuple[list[Park], int | None]:
    """The parks to compute and the team to narrow to, as the caller may see them."""
    team_id = query.team_id
    if user.role == Role.MEMBER:
        if team_id is not None and team_id != user.team_id:
            get_or_404(Team, team_id, user)  # 404: not the member's team
        team_id = user.team_id
    if team_id is not None:
        team = get_or_404(Team, team_id, user, "statements.view")
        if query.park_id is not None and query.park_id != team.park_id:
            return [], team_id
        return [team.park], team.id
    if query.park_id is not None:
        return [get_or_404(Park, query.park_id, user, "statements.issue")], None
    return [p for p in parks_for(user) if can_issue_statements(user, p)], None


@endpoint(
    "/statements",
    scope="rent:read",
    allow=can_view_statements,
    query=StatementQuery,
    response=StatementOut,
    paged=True,
    errors=(403, 404),
)
def list_statements(user: Any, query: StatementQuery) -> dict[str, Any]:
    """With `month`: the month's statements (issued, else the draft computed now, with no
    id); without: the issued statements, newest month first."""
    parks, team_id = _scope(user, query)
    if query.month is None:
        if not parks:
            return _page([])
        park_id = query.park_id if team_id is None else None
        stmt = views.issued_of(user, park_id=park_id, team_id=team_id)
        return paged(stmt, lambda s: _out(views.issued_view(s)))
    items: list[views.StatementView] = []
    for park in parks:
        clean_month(query.month, local_today(park.timezone))
        items.extend(views.month_of_park(park, query.month, team_id))
    return _page(items)


def _page(items: list[views.StatementView]) -> dict[str, Any]:
    """One page of computed statements, as paged() gives one of a query."""
    args = page_args()
    config = current_app.config
    per_page = min(args.per_page or config["PER_PAGE"], config["MAX_PER_PAGE"])
    start = (args.page - 1) * per_page
    return {
        "items": [_out(v) for v in items[start : start + per_page]],
        "total": len(items),
        "page": args.page,
        "per_page": per_page,
    }


@endpoint(
    "/statements/issue",
    methods=("POST",),
    scope="rent:write",
    allow=can_issue_statements,
    body=IssueIn,
    response=IssueOut,
    errors=(404, 409),
)
def issue(user: Any, body: IssueIn) -> dict[str, Any]:
    """Issue every statement of the park's month not issued yet: all or nothing; again, or
    by two staff at once, `{"issued": 0}`."""
    park = get_or_404(Park, body.park_id, user, "statements.issue")
    return {"issued": issue_month(park.id, body.month, actor=user)}
