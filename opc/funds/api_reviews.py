"""/api/v1 routes of screening and review: staff screen applications, assign reviewers
(proposals: opc.funds.api_assignment), read the reviews and the call's ranking; a reviewer
reads, scores, submits their own reviews and declares conflicts. Blind: a reviewer reaches
their own reviews only (another's answers 404), and applicants none. Thin: the operations
of opc.funds.operations (screening, reviews, scoring) write; opc.funds.rankings reads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from flask_babel import gettext as _
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from opc.api.pagination import paged, paged_items
from opc.api.routing import endpoint
from opc.api.schemas import Id, In, Out, whole
from opc.core.errors import NotFound
from opc.core.money import yuan_str
from opc.core.permissions import Role, get_or_404, visible
from opc.extensions import db
from opc.funds.application_models import Application
from opc.funds.models import Call
from opc.funds.operations import reviews as ops
from opc.funds.operations import scoring
from opc.funds.operations.screening import MAX_REASON, screen
from opc.funds.permissions import (
    can_manage_applications,
    can_view_application,
    can_write_review,
)
from opc.funds.rankings import RankingRow, call_ranking
from opc.funds.review_models import Review, ReviewStatus

READ, WRITE = "reviews:read", "reviews:write"
MANAGE = "applications.manage"
Score = whole(scoring.MIN_SCORE, scoring.MAX_SCORE)


class ScoreOut(Out):
    criterion_id: int
    score: int
    comment: str


class ReviewOut(Out):
    id: int
    application_id: int
    reviewer_id: int
    reviewer_name: str
    status: Literal["assigned", "submitted", "recused"]
    scores: list[ScoreOut]
    comment: str
    conflict: str = Field(description="the conflict of interest declared (status recused)")
    assigned_at: datetime
    submitted_at: datetime | None


class ScreeningIn(In):
    multiline = frozenset({"reason"})
    action: Literal["start", "eligible", "ineligible"]
    reason: str | None = Field(
        None, max_length=MAX_REASON, description="required to mark an application ineligible"
    )


class ScreeningOut(Out):
    id: int
    status: str
    eligible: bool | None
    screening_reason: str


class AssignIn(In):
    reviewer_id: Id  # type: ignore[valid-type]


class ScoreIn(In):
    multiline = frozenset({"comment"})
    criterion_id: Id  # type: ignore[valid-type]
    score: Score | None = None  # type: ignore[valid-type]
    comment: str = Field("", max_length=scoring.MAX_COMMENT)


class ReviewIn(In):
    multiline = frozenset({"comment"})
    scores: list[ScoreIn] = Field(max_length=100)
    comment: str = Field("", max_length=scoring.MAX_COMMENT)


class ConflictIn(In):
    multiline = frozenset({"reason"})
    reason: str = Field(min_length=1, max_length=scoring.MAX_CONFLICT)


class RankingOut(Out):
    rank: int | None = Field(description="None: no submitted review yet")
    application_id: int
    team_id: int
    title: str
    status: str
    amount_yuan: str
    reviews: int = Field(description="submitted reviews")
    reviews_required: int
    weighted_mean: str | None
    median: str | None
    spread: str | None
    disagreement: bool = Field(description="the spread exceeds the call's threshold")
    normalised: str | None = Field(description="mean z-score against each reviewer's scores")


def review_out(review: Review) -> dict[str, Any]:
    return {
        "id": review.id,
        "application_id": review.application_id,
        "reviewer_id": review.reviewer_id,
        "reviewer_name": review.reviewer.name or review.reviewer.email,
        "status": review.status,
        "scores": [
            {"criterion_id": s.criterion_id, "score": s.score, "comment": s.comment}
            for s in review.scores
        ],
        "comment": review.comment,
        "conflict": review.conflict,
        "assigned_at": review.created_at.isoformat(),
        "submitted_at": review.submitted_at.isoformat() if review.submitted_at else None,
    }


def _reviews(user: Any) -> Any:
    """The reviews the user may read: staff their parks', a reviewer their own not recused."""
    stmt = select(Review).where(visible(user, Review))
    if user.role == Role.REVIEWER:
        stmt = stmt.where(Review.status != ReviewStatus.RECUSED)
    return stmt.options(selectinload(Review.scores), selectinload(Review.reviewer))


def review_or_404(user: Any, review_id: int) -> Review:
    found = db.session.scalar(_reviews(user).where(Review.id == review_id))
    if found is None:
        raise NotFound("not_found", _("Not found."))
    return found


@endpoint(
    "/applications/<int:application_id>/reviews",
    scope=READ,
    allow=can_manage_applications,
    response=ReviewOut,
    paged=True,
    errors=(403, 404),
)
def list_reviews(user: Any, application_id: int) -> dict[str, Any]:
    """The application's reviews with their reviewers, statuses and scores (staff)."""
    application = get_or_404(Application, application_id, user, MANAGE)
    stmt = _reviews(user).where(Review.application_id == application.id).order_by(Review.id)
    return paged(stmt, review_out)


@endpoint(
    "/applications/<int:application_id>/reviews",
    methods=("POST",),
    scope=WRITE,
    allow=can_manage_applications,
    body=AssignIn,
    response=ReviewOut,
    status=201,
    errors=(403, 404, 409),
)
def assign_review(user: Any, body: AssignIn, application_id: int) -> dict[str, Any]:
    """Assign a reviewer of the call's pool to the application (staff).

    409 `conflict_of_interest` naming the conflict, `reviewer_assigned`,
    `reviewers_complete` or `application_not_in_review`; 422 for someone not in the pool."""
    application = get_or_404(Application, application_id, user, MANAGE)
    review = ops.assign_reviewer(application.id, body.reviewer_id, actor=user)
    return review_out(review_or_404(user, review.id))


@endpoint(
    "/applications/<int:application_id>/screening",
    methods=("POST",),
    scope=WRITE,
    allow=can_manage_applications,
    body=ScreeningIn,
    response=ScreeningOut,
    errors=(403, 404, 409),
)
def screen_application(user: Any, body: ScreeningIn, application_id: int) -> dict[str, Any]:
    """Take a screening step: start, eligible or ineligible (staff).

    `start`: submitted → screening; `eligible`: → in review; `ineligible`: → rejected, with
    the `reason` required (422 without). 409 `invalid_transition` from another state."""
    application = get_or_404(Application, application_id, user, MANAGE)
    done = screen(application.id, body.action, actor=user, reason=body.reason)
    return {
        "id": done.id,
        "status": done.status,
        "eligible": done.eligible,
        "screening_reason": done.screening_reason,
    }


@endpoint(
    "/reviews",
    scope=READ,
    allow=can_view_application,
    response=ReviewOut,
    paged=True,
    errors=(403,),
)
def list_my_reviews(user: Any) -> dict[str, Any]:
    """A reviewer's own reviews (never another's); staff: those of their parks."""
    return paged(_reviews(user).order_by(Review.id), review_out)


@endpoint(
    "/reviews/<int:review_id>",
    scope=READ,
    allow=can_view_application,
    response=ReviewOut,
    errors=(403, 404),
)
def get_review(user: Any, review_id: int) -> dict[str, Any]:
    """One review: the reviewer's own, or one of the staff's parks."""
    return review_out(review_or_404(user, review_id))


@endpoint(
    "/reviews/<int:review_id>",
    methods=("PUT",),
    scope=WRITE,
    allow=can_write_review,
    body=ReviewIn,
    response=ReviewOut,
    errors=(403, 404, 409),
)
def put_review(user: Any, body: ReviewIn, review_id: int) -> dict[str, Any]:
    """Save the reviewer's own scores, 0–10 per criterion with comments (not submitted).

    The scores given replace those saved. 422 naming an unknown criterion or a bad score;
    409 `review_submitted` once submitted. Another's review, or a recused one: 404."""
    review = scoring.save_review(
        review_id,
        actor=user,
        scores=[s.model_dump() for s in body.scores],
        comment=body.comment,
    )
    return review_out(review_or_404(user, review.id))


@endpoint(
    "/reviews/<int:review_id>/submit",
    methods=("POST",),
    scope=WRITE,
    allow=can_write_review,
    response=ReviewOut,
    errors=(403, 404, 409),
)
def submit_review(user: Any, review_id: int) -> dict[str, Any]:
    """Submit the review as saved, once; then it is frozen.

    422 naming the criteria not scored yet; 409 `review_submitted` the second time."""
    review = scoring.submit_review(review_id, actor=user)
    return review_out(review_or_404(user, review.id))


@endpoint(
    "/reviews/<int:review_id>/conflict",
    methods=("POST",),
    scope=WRITE,
    allow=can_write_review,
    body=ConflictIn,
    response=ReviewOut,
    errors=(403, 404, 409),
)
def declare_review_conflict(user: Any, body: ConflictIn, review_id: int) -> dict[str, Any]:
    """Declare a conflict of interest with the application: the review is recused.

    The declaration is kept, draft scores dropped, and staff assign a replacement; the
    review is no longer the reviewer's to read (404 afterwards)."""
    review = scoring.declare_conflict(review_id, actor=user, reason=body.reason)
    return review_out(review)


@endpoint(
    "/reviews/<int:review_id>",
    methods=("DELETE",),
    scope=WRITE,
    allow=can_manage_applications,
    status=204,
    errors=(403, 404, 409),
)
def unassign_review(user: Any, review_id: int) -> None:
    """Take an assignment back before it is submitted (staff); 409 once submitted or recused."""
    ops.unassign_reviewer(review_or_404(user, review_id).id, actor=user)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def ranking_out(row: RankingRow) -> dict[str, Any]:
    figures = row.figures
    return {
        "rank": figures.rank,
        "application_id": row.application.id,
        "team_id": row.application.team_id,
        "title": row.application.title,
        "status": row.application.status,
        "amount_yuan": yuan_str(row.application.amount_fen),
        "reviews": figures.reviews,
        "reviews_required": row.required,
        "weighted_mean": _text(figures.weighted_mean),
        "median": _text(figures.median),
        "spread": _text(figures.spread),
        "disagreement": figures.disagreement,
        "normalised": _text(row.normalised),
    }


@endpoint(
    "/calls/<int:call_id>/ranking",
    scope=READ,
    allow=can_manage_applications,
    response=RankingOut,
    paged=True,
    errors=(403, 404, 409),
)
def get_call_ranking(user: Any, call_id: int) -> dict[str, Any]:
    """The call's ranking of reviewed applications, best first (staff).

    By the score normalised per reviewer (mean z-score), then the weighted mean; with the
    median and the spread (flagged above the call's threshold). Applications without a
    submitted review come last, unranked."""
    call = get_or_404(Call, call_id, user, MANAGE)
    return paged_items(call_ranking(call), ranking_out)
