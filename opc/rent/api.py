"""/api/v1 policies and waivers: thin; the operations hold the rules."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field

from opc.api.pagination import paged
from opc.api.routing import endpoint
from opc.api.schemas import Id, In, IsoDate, Out, Percent, area_up_to, decimal_text, whole
from opc.core.money import MAX_YUAN, parse_yuan, yuan_str
from opc.core.permissions import get_or_404
from opc.parks.models import Park
from opc.rent import operations as ops
from opc.rent import queries
from opc.rent.models import Policy, Waiver, WaiverStatus
from opc.rent.operations import policies as pol
from opc.rent.operations.waivers import MAX_REASON, percent_text
from opc.rent.permissions import can_manage_policies, can_manage_waivers
from opc.teams.models import Team, TeamKind, Track

Months = whole(1, pol.MAX_MONTHS)
AreaCap = area_up_to(pol.MAX_AREA_CAP)
Amount = decimal_text(MAX_YUAN, positive=True)


class StepIO(In):
    months: Months | None = None  # type: ignore[valid-type]
    percent: Percent  # type: ignore[valid-type]


class PolicyIn(In):
    park_id: Id  # type: ignore[valid-type]
    code: str = Field(min_length=1, max_length=pol.MAX_LENGTH["code"])
    name_zh: str = Field(min_length=1, max_length=pol.MAX_LENGTH["name_zh"])
    name_en: str = Field("", max_length=pol.MAX_LENGTH["name_en"])
    document: str = Field("", max_length=pol.MAX_LENGTH["document"])
    steps: list[StepIO] = Field(min_length=1, max_length=pol.MAX_STEPS)
    area_cap_m2: AreaCap | None = None  # type: ignore[valid-type]
    tracks: list[Track] = Field(default_factory=list, max_length=len(Track))
    kinds: list[TeamKind] = Field(default_factory=list, max_length=len(TeamKind))
    clawback_within_months: Months | None = None  # type: ignore[valid-type]
    clawback_last_months: Months | None = None  # type: ignore[valid-type]


class StepOut(Out):
    months: int | None
    percent: str


class PolicyOut(Out):
    id: int
    park_id: int
    code: str
    name_zh: str
    name_en: str
    document: str
    steps: list[StepOut]
    area_cap_m2: str | None
    tracks: list[str]
    kinds: list[str]
    clawback_within_months: int | None
    clawback_last_months: int | None
    teams_covered: int
    waived_yuan: str = Field(description="waived on issued statements to date, less clawbacks")


class PolicyQuery(In):
    park_id: Id | None = None  # type: ignore[valid-type]


class WaiverIn(In):
    """A policy's schedule granted (`policy_id` without `percent` and `amount_yuan`; `start`
    defaults to the team's move-in), or a one-off percentage or amount per month."""

    multiline = frozenset({"reason"})

    team_id: Id  # type: ignore[valid-type]
    percent: Percent | None = None  # type: ignore[valid-type]
    amount_yuan: Amount | None = None  # type: ignore[valid-type]
    start: IsoDate | None = None
    end: IsoDate | None = None
    policy_id: Id | None = None  # type: ignore[valid-type]
    reason: str = Field("", max_length=MAX_REASON)


class WaiverOut(Out):
    id: int
    team_id: int
    policy_id: int | None
    kind: Literal["policy", "percent", "amount"]
    percent: str | None
    amount_yuan: str | None
    start: date
    end: date | None
    reason: str
    status: Literal["proposed", "approved", "rejected", "withdrawn"]
    proposed_by_id: int | None
    decided_by_id: int | None


class WaiverQuery(In):
    park_id: Id | None = None  # type: ignore[valid-type]
    team_id: Id | None = None  # type: ignore[valid-type]
    policy_id: Id | None = None  # type: ignore[valid-type]
    status: WaiverStatus | None = None


def _policy(
    policy: Policy, covered: int | None = None, waived: int | None = None
) -> dict[str, Any]:
    if covered is None:
        covered = queries.teams_covered([policy.id]).get(policy.id, 0)
    if waived is None:
        waived = queries.waived_to_date([policy.id]).get(policy.id, 0)
    return {
        "id": policy.id,
        "park_id": policy.park_id,
        "code": policy.code,
        "name_zh": policy.name_zh,
        "name_en": policy.name_en,
        "document": policy.document,
        "steps": [{"months": s.months, "percent": percent_text(s.percent)} for s in policy.steps],
        "area_cap_m2": None if policy.area_cap_m2 is None else f"{policy.area_cap_m2:.2f}",
        "tracks": list(policy.tracks or []),
        "kinds": list(policy.kinds or []),
        "clawback_within_months": policy.clawback_within_months,
        "clawback_last_months": policy.clawback_last_months,
        "teams_covered": covered,
        "waived_yuan": yuan_str(waived),
    }


def _waiver(waiver: Waiver) -> dict[str, Any]:
    return WaiverOut(
        id=waiver.id,
        team_id=waiver.team_id,
        policy_id=waiver.policy_id,
        kind=waiver.kind,  # type: ignore[arg-type]
        percent=percent_text(waiver.percent),
        amount_yuan=None if waiver.amount_fen is None else yuan_str(waiver.amount_fen),
        start=waiver.start,
        end=waiver.end,
        reason=waiver.reason,
        status=waiver.status,  # type: ignore[arg-type]
        proposed_by_id=waiver.proposed_by_id,
        decided_by_id=waiver.decided_by_id,
    ).model_dump(mode="json")


@endpoint(
    "/policies",
    scope="rent:read",
    query=PolicyQuery,
    response=PolicyOut,
    paged=True,
    errors=(404,),
)
def list_policies(user: Any, query: PolicyQuery) -> dict[str, Any]:
    """The policies the caller may see, with how many teams each reaches."""
    if query.park_id is not None:
        get_or_404(Park, query.park_id, user)
    page = paged(queries.policies_of(user, query.park_id), lambda p: p)
    ids = [p.id for p in page["items"]]
    covered, waived = queries.teams_covered(ids), queries.waived_to_date(ids)
    page["items"] = [_policy(p, covered.get(p.id, 0), waived.get(p.id, 0)) for p in page["items"]]
    return page


@endpoint(
    "/policies",
    methods=("POST",),
    scope="rent:write",
    allow=can_manage_policies,
    body=PolicyIn,
    response=PolicyOut,
    status=201,
    errors=(409,),
)
def create_policy(user: Any, body: PolicyIn) -> dict[str, Any]:
    """Add a policy to a park (admins)."""
    values = body.model_dump()
    values["steps"] = [{"months": s.months, "percent": s.percent} for s in body.steps]
    values["tracks"] = [t.value for t in body.tracks]
    values["kinds"] = [k.value for k in body.kinds]
    return _policy(ops.create_policy(actor=user, **values), 0, 0)


@endpoint("/policies/<int:policy_id>", scope="rent:read", response=PolicyOut)
def get_policy(user: Any, policy_id: int) -> dict[str, Any]:
    """One policy."""
    return _policy(get_or_404(Policy, policy_id, user))


@endpoint("/waivers", scope="rent:read", query=WaiverQuery, response=WaiverOut, paged=True)
def list_waivers(user: Any, query: WaiverQuery) -> dict[str, Any]:
    """The waivers the caller may see, newest first; ?status=proposed is the approval queue."""
    filters = queries.WaiverFilters(
        park_id=query.park_id,
        team_id=query.team_id,
        status=query.status.value if query.status else None,
        policy_id=query.policy_id,
    )
    return paged(queries.waivers_of(user, filters), _waiver)


@endpoint(
    "/waivers",
    methods=("POST",),
    scope="rent:write",
    allow=can_manage_waivers,
    body=WaiverIn,
    response=WaiverOut,
    status=201,
    errors=(404, 409),
)
def propose_waiver(user: Any, body: WaiverIn) -> dict[str, Any]:
    """Propose a waiver (status `proposed`); 409 `waiver_stacking` beyond 100% of the rent."""
    team = get_or_404(Team, body.team_id, user)
    values = body.model_dump(exclude={"team_id", "amount_yuan"})
    if body.amount_yuan is not None:
        values["amount_fen"] = parse_yuan(body.amount_yuan)
    return _waiver(ops.propose_waiver(actor=user, team_id=team.id, **values))


@endpoint("/waivers/<int:waiver_id>", scope="rent:read", response=WaiverOut)
def get_waiver(user: Any, waiver_id: int) -> dict[str, Any]:
    """One waiver."""
    return _waiver(get_or_404(Waiver, waiver_id, user))


@endpoint(
    "/waivers/<int:waiver_id>/approve",
    methods=("POST",),
    scope="rent:write",
    allow=can_manage_waivers,
    response=WaiverOut,
    errors=(409,),
)
def approve_waiver(user: Any, waiver_id: int) -> dict[str, Any]:
    """Approve a proposed waiver; 409 `same_person` when the park asks for four eyes."""
    waiver = get_or_404(Waiver, waiver_id, user, "rent_waivers.manage")
    return _waiver(ops.approve_waiver(waiver, actor=user))


@endpoint(
    "/waivers/<int:waiver_id>/reject",
    methods=("POST",),
    scope="rent:write",
    allow=can_manage_waivers,
    response=WaiverOut,
    errors=(409,),
)
def reject_waiver(user: Any, waiver_id: int) -> dict[str, Any]:
    """Reject a proposed waiver."""
    waiver = get_or_404(Waiver, waiver_id, user, "rent_waivers.manage")
    return _waiver(ops.reject_waiver(waiver, actor=user))
