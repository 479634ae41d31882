"""Assigning reviewers: by hand, one at a time, or by accepting a proposal that gives every
application of a call its reviewers with even loads (opc.funds.fairness).

A reviewer comes from the call's expert pool and never has a conflict of interest with the
application: automatic ones (a member of the applying team, or of a team of the same legal
entity: the same legal name or credit code, compared after normalising width, case and
spaces, since 星云（成都）科技 and 星云(成都)科技 are one company) and declared ones (a
recused review keeps the declaration). An application has at most the call's number of
reviewers per application that are not recused; the count is read under the application's
row lock, so two staff assigning at once cannot exceed it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from opc.auth.models import User
from opc.core.db import lock, retrying, transaction
from opc.core.errors import NotFound, RuleViolation, ValidationFailed
from opc.core.permissions import Role, require_actor
from opc.core.values import is_id
from opc.extensions import db
from opc.funds.application_models import Application
from opc.funds.application_models import ApplicationStatus as S
from opc.funds.fairness import Proposal, propose_assignment
from opc.funds.labels import application_status_label
from opc.funds.models import Call
from opc.funds.operations.screening import locked_application
from opc.funds.permissions import can_manage_applications
from opc.funds.review_models import Review, ReviewStatus
from opc.teams.models import Team

# Applications that take reviewers: in screening (assigned ahead) and in review.
ASSIGNABLE = frozenset({S.SCREENING, S.IN_REVIEW})
# The most pairs one accepted proposal may hold (the API's schema states it).
MAX_PAIRS = 5000


@dataclass(frozen=True)
class Conflict:
    """Why a reviewer may not review an application: `team_member`, `same_legal_entity`
    or `declared`."""

    reason: str
    message: str
    team_id: int | None = None

    def refusal(self, application_id: int, reviewer_id: int) -> RuleViolation:
        return RuleViolation(
            "conflict_of_interest",
            self.message,
            conflict={
                "application_id": application_id,
                "reviewer_id": reviewer_id,
                "reason": self.reason,
                "team_id": self.team_id,
            },
        )


def _normal(text: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").casefold().split())


def _entity(team: Team | None) -> set[tuple[str, str]]:
    """The legal entity a team belongs to, as keys any other team of it shares."""
    if team is None:
        return set()
    keys = {("legal_name", _normal(team.legal_name)), ("uscc", _normal(team.uscc))}
    return {(kind, value) for kind, value in keys if value}


def _name(user: User) -> str:
    return user.name or user.email


def conflicts_between(
    applications: Sequence[Application], reviewers: Sequence[User]
) -> dict[tuple[int, int], Conflict]:
    """Every (application id, reviewer id) pair in conflict, with the first reason found:
    declared (a recused review), a member of the team, a team of the same legal entity."""
    team_ids = {a.team_id for a in applications} | {r.team_id for r in reviewers if r.team_id}
    teams = {t.id: t for t in db.session.scalars(select(Team).where(Team.id.in_(team_ids)))}
    recused = set(
        db.session.execute(
            select(Review.application_id, Review.reviewer_id).where(
                Review.application_id.in_([a.id for a in applications]),
                Review.status == ReviewStatus.RECUSED,
            )
        ).tuples()
    )
    found: dict[tuple[int, int], Conflict] = {}
    for application in applications:
        team = teams[application.team_id]
        entity = _entity(team)
        for reviewer in reviewers:
            own = teams.get(reviewer.team_id) if reviewer.team_id else None
            pair = (application.id, reviewer.id)
            if pair in recused:
                message = _(
                    "%(reviewer)s declared a conflict of interest with this application.",
                    reviewer=_name(reviewer),
                )
                found[pair] = Conflict("declared", message)
            elif own is not None and own.id == team.id:
                message = _(
                    "%(reviewer)s is a member of %(team)s, the applying team.",
                    reviewer=_name(reviewer),
                    team=team.name_zh,
                )
                found[pair] = Conflict("team_member", message, own.id)
            elif own is not None and entity & _entity(own):
                message = _(
                    "%(reviewer)s is a member of %(their)s, the same legal entity as the "
                    "applying team %(team)s.",
                    reviewer=_name(reviewer),
                    their=own.name_zh,
                    team=team.name_zh,
                )
                found[pair] = Conflict("same_legal_entity", message, own.id)
    return found


def pool_of(call: Call) -> list[User]:
    """The call's experts who can review: active users of role reviewer in its pool."""
    return [u for u in call.reviewers if u.is_active and u.role == Role.REVIEWER]


def live_reviews(session: Session, application_ids: Iterable[int]) -> list[Review]:
    """The reviews that count towards the reviewers an application needs (not recused)."""
    return list(
        session.scalars(
            select(Review)
            .where(
                Review.application_id.in_(list(application_ids)),
                Review.status != ReviewStatus.RECUSED,
            )
            .order_by(Review.id)
        )
    )


def _assignable(application: Application) -> None:
    if application.status not in ASSIGNABLE:
        raise RuleViolation(
            "application_not_in_review",
            _(
                "The application is %(status)s: reviewers are assigned in screening or review.",
                status=application_status_label(application.status),
            ),
            conflict={"application_id": application.id, "status": application.status},
        )


def _assign(
    session: Session, call: Call, application: Application, reviewer_id: Any, actor: Any
) -> Review:
    """Check and add one assignment; the caller holds the application's lock."""
    _assignable(application)
    reviewer = {u.id: u for u in pool_of(call)}.get(reviewer_id)
    if reviewer is None:
        raise ValidationFailed({"reviewer_id": [_("Not a reviewer in the call's pool.")]})
    taken = session.scalar(
        select(Review).where(
            Review.application_id == application.id, Review.reviewer_id == reviewer.id
        )
    )
    if taken is not None and taken.status != ReviewStatus.RECUSED:
        raise RuleViolation(
            "reviewer_assigned",
            _("%(reviewer)s reviews this application already.", reviewer=_name(reviewer)),
            conflict={"application_id": application.id, "review_id": taken.id},
        )
    conflict = conflicts_between([application], [reviewer]).get((application.id, reviewer.id))
    if conflict is not None:
        raise conflict.refusal(application.id, reviewer.id)
    live = len(live_reviews(session, [application.id]))
    if live >= call.reviewers_per_application:
        raise RuleViolation(
            "reviewers_complete",
            _(
                "The application has its %(n)d reviewers: unassign one first.",
                n=call.reviewers_per_application,
            ),
            conflict={"application_id": application.id, "reviewers": live},
        )
    review = Review(
        application_id=application.id,
        reviewer_id=reviewer.id,
        status=ReviewStatus.ASSIGNED,
        assigned_by_id=getattr(actor, "id", None),
    )
    session.add(review)
    session.flush()
    return review


@retrying
def assign_reviewer(application_id: int, reviewer_id: Any, *, actor: Any) -> Review:
    """Assign a reviewer of the call's pool to an application in screening or review (staff):
    409 for a conflict of interest (naming it), a reviewer assigned already or an
    application with all its reviewers; 422 for someone not in the pool."""
    with transaction(actor) as session:
        application = locked_application(application_id, actor)
        call = session.get(Call, application.call_id)
        assert call is not None
        return _assign(session, call, application, reviewer_id, actor)


@retrying
def unassign_reviewer(review_id: int, *, actor: Any) -> None:
    """Take an assignment back before the review is submitted (staff); a submitted review or
    a recused one (the declaration is kept) stays: 409."""
    with transaction(actor) as session:
        review = session.get(Review, review_id) if is_id(review_id) else None
        if review is None:
            raise NotFound("not_found", _("Not found."))
        locked_application(review.application_id, actor)
        review = lock(Review, review.id)
        if review is None:
            raise NotFound("not_found", _("Not found."))
        if review.status != ReviewStatus.ASSIGNED:
            raise RuleViolation(
                "review_not_assigned",
                _("Only a review not yet submitted and not recused can be taken back."),
                conflict={"review_id": review.id, "status": review.status},
            )
        session.delete(review)


@dataclass(frozen=True)
class ProposalView:
    """A proposed assignment for a call, for staff to accept as is or adjust."""

    call: Call
    applications: list[Application]
    proposal: Proposal
    reviewers: dict[int, User]

    def added_to(self, application_id: int) -> list[int]:
        return [r for a, r in self.proposal.added if a == application_id]


def _candidates(session: Session, call: Call) -> list[Application]:
    return list(
        session.scalars(
            select(Application)
            .where(Application.call_id == call.id, Application.status.in_(ASSIGNABLE))
            .order_by(Application.id)
        )
    )


def propose(call_id: int, *, actor: Any) -> ProposalView:
    """Propose reviewers for the call's applications in screening and review: every one
    gets the call's number of reviewers, kept assignments count, nobody has a conflict,
    loads within one of each other when possible. Writes nothing; 409
    `assignment_impossible` naming the applications that cannot be covered."""
    session = db.session
    call = session.get(Call, call_id) if is_id(call_id) else None
    if call is None:
        raise NotFound("not_found", _("Not found."))
    require_actor(can_manage_applications, actor, call)
    applications = _candidates(session, call)
    pool = pool_of(call)
    # A reviewer's load in the call: reviews done, and those still to do.
    existing = list(
        session.execute(
            select(Review.application_id, Review.reviewer_id)
            .join(Application, Application.id == Review.application_id)
            .where(
                Application.call_id == call.id,
                or_(
                    Review.status == ReviewStatus.SUBMITTED,
                    and_(
                        Review.status == ReviewStatus.ASSIGNED,
                        Application.status.in_(ASSIGNABLE),
                    ),
                ),
            )
        ).tuples()
    )
    conflicts = conflicts_between(applications, pool)
    proposal = propose_assignment(
        [a.id for a in applications],
        [u.id for u in pool],
        call.reviewers_per_application,
        conflicts.keys(),
        existing,
    )
    reviewers = {u.id: u for u in pool}
    missing = {r for _a, r in existing if r not in reviewers}
    reviewers.update({u.id: u for u in session.scalars(select(User).where(User.id.in_(missing)))})
    return ProposalView(call, applications, proposal, reviewers)


def _pairs(pairs: Any) -> list[tuple[int, int]]:
    """The (application id, reviewer id) pairs to write, distinct and well formed: 422."""
    message = _("Give a list of distinct pairs of an application id and a reviewer id.")
    if not isinstance(pairs, list | tuple) or len(pairs) > MAX_PAIRS:
        raise ValidationFailed({"assignments": [message]}, message)
    cleaned = []
    for pair in pairs:
        if not (isinstance(pair, list | tuple) and len(pair) == 2 and all(map(is_id, pair))):
            raise ValidationFailed({"assignments": [message]}, message)
        cleaned.append((pair[0], pair[1]))
    if len(set(cleaned)) != len(cleaned):
        raise ValidationFailed({"assignments": [message]}, message)
    return cleaned


@retrying
def accept_proposal(call_id: int, pairs: Any, *, actor: Any) -> list[Review]:
    """Write a (possibly adjusted) proposal: every pair assigned in one transaction, each
    checked again as a single assignment is (pool, conflicts, state, reviewers needed),
    all or nothing."""
    cleaned = _pairs(pairs)
    with transaction(actor) as session:
        call = lock(Call, call_id) if is_id(call_id) else None
        if call is None:
            raise NotFound("not_found", _("Not found."))
        require_actor(can_manage_applications, actor, call)
        applications: dict[int, Application] = {}
        for application_id in sorted({a for a, _r in cleaned}):
            application = lock(Application, application_id)
            if application is None or application.call_id != call.id:
                message = _("Application %(id)d is not one of this call's.", id=application_id)
                raise ValidationFailed({"assignments": [message]}, message)
            applications[application_id] = application
        return [_assign(session, call, applications[a], r, actor) for a, r in cleaned]
