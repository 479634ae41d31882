"""Read models of the review pages: a reviewer's own reviews, the review panel of an
application (what staff see and may do; a reviewer sees only their own review there,
never another's; members see nothing, not even that reviewers exist by name), and the
assignment state of a call's applications."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload

from opc.auth.models import User
from opc.core.permissions import Role
from opc.core.sorting import Sort, Sorting
from opc.extensions import db
from opc.funds.application_models import Application
from opc.funds.application_models import ApplicationStatus as S
from opc.funds.models import Call
from opc.funds.operations.reviews import (
    ASSIGNABLE,
    Conflict,
    conflicts_between,
    live_reviews,
    pool_of,
)
from opc.funds.operations.transitions import may_move
from opc.funds.permissions import can_manage_applications
from opc.funds.review_models import Review, ReviewStatus
from opc.teams.models import Team

CENT = Decimal("0.01")


def _of_application(column: Any) -> Any:
    """A column of the review's application (or of its call or team), for sorting."""
    stmt = select(column).select_from(Application).where(Application.id == Review.application_id)
    if column.table is Call.__table__:
        stmt = stmt.join(Call, Call.id == Application.call_id)
    elif column.table is Team.__table__:
        stmt = stmt.join(Team, Team.id == Application.team_id)
    return stmt.scalar_subquery()


MY_REVIEWS = Sorting(
    {
        "application": _of_application(Application.title),
        "team": _of_application(Team.name_pinyin),
        "closes": _of_application(Call.closes_at),
        "status": (Review.status, Review.submitted_at),
    },
    default="closes",
    tiebreak=Review.id,
)


def my_reviews(user: Any, sort: Sort | None = None) -> Select[Any]:
    """The reviewer's own reviews (not recused), in the reader's order (without one: those
    to do first, newest assignment first)."""
    order = [(Review.status == ReviewStatus.SUBMITTED).asc(), Review.id.desc()]
    return (
        select(Review)
        .where(Review.reviewer_id == user.id, Review.status != ReviewStatus.RECUSED)
        .options(
            joinedload(Review.application).joinedload(Application.call),
            joinedload(Review.application).joinedload(Application.team),
        )
        .order_by(*(sort.order_by() if sort else order))
    )


def weighted(review: Review, call: Call) -> Decimal | None:
    """A submitted review's weighted score (Σ score × weight / 100), to the cent."""
    if review.status != ReviewStatus.SUBMITTED:
        return None
    weights = {c.id: c.weight for c in call.criteria}
    total = sum(Decimal(s.score * weights.get(s.criterion_id, 0)) for s in review.scores)
    return (total / 100).quantize(CENT, ROUND_HALF_UP)


@dataclass
class Candidate:
    """A reviewer of the pool, as the assignment select offers them."""

    user: User
    conflict: Conflict | None
    assigned: bool

    @property
    def available(self) -> bool:
        return self.conflict is None and not self.assigned


@dataclass
class ReviewPanel:
    application: Application
    call: Call
    staff: bool
    reviews: list[Review] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    own: Review | None = None
    steps: tuple[str, ...] = ()

    @property
    def required(self) -> int:
        return self.call.reviewers_per_application

    @property
    def live(self) -> int:
        return sum(r.status != ReviewStatus.RECUSED for r in self.reviews)

    @property
    def recused(self) -> list[Review]:
        return [r for r in self.reviews if r.status == ReviewStatus.RECUSED]

    @property
    def needs(self) -> int:
        """Reviewers still to assign (a recusal makes one more)."""
        if self.application.status not in ASSIGNABLE:
            return 0
        return max(0, self.required - self.live)

    @property
    def assignable(self) -> bool:
        return self.application.status in ASSIGNABLE and self.needs > 0

    def score_of(self, review: Review) -> Decimal | None:
        return weighted(review, self.call)


def review_panel(application: Application, user: Any) -> ReviewPanel | None:
    """What the review panel of the application shows to `user`: staff everything, a
    reviewer their own review, anyone else nothing (None)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    call = application.call
    if user.role == Role.REVIEWER:
        own = db.session.scalar(
            select(Review).where(
                Review.application_id == application.id,
                Review.reviewer_id == user.id,
                Review.status != ReviewStatus.RECUSED,
            )
        )
        return ReviewPanel(application, call, staff=False, own=own) if own else None
    if not can_manage_applications(user, application):
        return None
    reviews = list(
        db.session.scalars(
            select(Review)
            .where(Review.application_id == application.id)
            .options(selectinload(Review.scores), joinedload(Review.reviewer))
            .order_by(Review.id)
        )
    )
    pool = pool_of(call)
    conflicts = conflicts_between([application], pool)
    taken = {r.reviewer_id for r in reviews}
    candidates = [Candidate(u, conflicts.get((application.id, u.id)), u.id in taken) for u in pool]
    steps = tuple(s for s in ("start", "eligible", "ineligible") if _may(application, s))
    return ReviewPanel(application, call, True, reviews, candidates, steps=steps)


def _may(application: Application, step: str) -> bool:
    to = {"start": S.SCREENING, "eligible": S.IN_REVIEW, "ineligible": S.REJECTED}[step]
    if step == "ineligible" and application.status != S.SCREENING:
        return False  # a rejection after review is a decision, not screening
    return may_move(application, to)


@dataclass
class CallAssignment:
    """The call's applications in screening and review with their live reviewers."""

    application: Application
    reviewers: list[User]
    recused: int
    required: int

    @property
    def needs(self) -> int:
        return max(0, self.required - len(self.reviewers))


def call_assignments(call: Call) -> list[CallAssignment]:
    applications = list(
        db.session.scalars(
            select(Application)
            .where(Application.call_id == call.id, Application.status.in_(ASSIGNABLE))
            .options(joinedload(Application.team))
            .order_by(Application.id)
        )
    )
    ids = [a.id for a in applications]
    live = live_reviews(db.session, ids)
    recused = db.session.scalars(
        select(Review.application_id).where(
            Review.application_id.in_(ids), Review.status == ReviewStatus.RECUSED
        )
    ).all()
    users = {
        u.id: u
        for u in db.session.scalars(select(User).where(User.id.in_({r.reviewer_id for r in live})))
    }
    return [
        CallAssignment(
            a,
            [users[r.reviewer_id] for r in live if r.application_id == a.id],
            sum(1 for x in recused if x == a.id),
            call.reviewers_per_application,
        )
        for a in applications
    ]
