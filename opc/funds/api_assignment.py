"""/api/v1 routes of a call's reviewer assignment: a proposal (each application its
reviewers, loads within one, no conflicts; writes nothing) and its acceptance, as is or
adjusted, in one transaction (opc.funds.operations.reviews)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from opc.api.routing import endpoint
from opc.api.schemas import Id, In, Out
from opc.core.permissions import get_or_404
from opc.funds.api_reviews import MANAGE, WRITE, ReviewOut, review_or_404, review_out
from opc.funds.models import Call
from opc.funds.operations import reviews as ops
from opc.funds.permissions import can_manage_applications


class ProposedOut(Out):
    application_id: int
    reviewer_ids: list[int] = Field(description="kept and new, sorted")
    new_reviewer_ids: list[int]


class LoadOut(Out):
    reviewer_id: int
    load: int


class ProposalOut(Out):
    call_id: int
    applications: list[ProposedOut]
    loads: list[LoadOut]
    spread: int = Field(description="largest minus smallest load in the pool")


class PairIn(In):
    application_id: Id  # type: ignore[valid-type]
    reviewer_id: Id  # type: ignore[valid-type]


class AcceptIn(In):
    assignments: list[PairIn] = Field(max_length=ops.MAX_PAIRS)


class AcceptOut(Out):
    created: int
    reviews: list[ReviewOut]


@endpoint(
    "/calls/<int:call_id>/assignment-proposal",
    methods=("POST",),
    scope=WRITE,
    allow=can_manage_applications,
    response=ProposalOut,
    errors=(403, 404, 409),
)
def assignment_proposal(user: Any, call_id: int) -> dict[str, Any]:
    """Propose reviewers for the call's applications in screening and review; writes nothing.

    Each gets its reviewers, nobody with a conflict, loads within one where possible. 409
    `assignment_impossible` lists the applications that cannot be covered."""
    call = get_or_404(Call, call_id, user, MANAGE)
    view = ops.propose(call.id, actor=user)
    return {
        "call_id": call.id,
        "applications": [
            {
                "application_id": a.id,
                "reviewer_ids": view.proposal.reviewers[a.id],
                "new_reviewer_ids": view.added_to(a.id),
            }
            for a in view.applications
        ],
        "loads": [{"reviewer_id": r, "load": n} for r, n in sorted(view.proposal.loads.items())],
        "spread": view.proposal.spread,
    }


@endpoint(
    "/calls/<int:call_id>/assignment-proposal/accept",
    methods=("POST",),
    scope=WRITE,
    allow=can_manage_applications,
    body=AcceptIn,
    response=AcceptOut,
    status=201,
    errors=(403, 404, 409),
)
def accept_assignment_proposal(user: Any, body: AcceptIn, call_id: int) -> dict[str, Any]:
    """Accept a proposal, as is or adjusted: assign its pairs in one transaction.

    Each pair is checked as a single assignment is (pool, conflicts, state, reviewers
    needed); one refusal assigns nothing."""
    call = get_or_404(Call, call_id, user, MANAGE)
    pairs = [(p.application_id, p.reviewer_id) for p in body.assignments]
    created = ops.accept_proposal(call.id, pairs, actor=user)
    return {
        "created": len(created),
        "reviews": [review_out(review_or_404(user, r.id)) for r in created],
    }
