"""Who may see and do what with funds: admins set up funds; staff of the park run its calls,
screen applications, assign reviewers, decide and disburse; a team's members draft, submit
and withdraw their applications; a reviewer sees the calls whose pool they are in and only
the applications assigned to them (never a recused one). Admins pass every rule
(opc.core.permissions does that).

Rule names follow the tables where `get_or_404` looks them up (`<table>.view`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, exists, false, select

from opc.core.permissions import Role, rule, visibility
from opc.extensions import db
from opc.funds.application_models import Application, Attachment, Disbursement
from opc.funds.models import Call, Fund, call_reviewers
from opc.funds.review_models import Review, ReviewStatus
from opc.parks.models import Park
from opc.parks.permissions import staff_of, staff_park_ids
from opc.teams.models import Team
from opc.teams.permissions import is_member_of


def _park_id(of: Any) -> int | None:
    """The park a rule is about: a park itself, or anything that names its park."""
    return of.id if isinstance(of, Park) else getattr(of, "park_id", None)


def _member_park(user: Any) -> int | None:
    return user.team.park_id if user.role == Role.MEMBER and user.team is not None else None


def in_pool(user: Any, call_id: int) -> bool:
    """A reviewer in the call's expert pool."""
    if user.role != Role.REVIEWER:
        return False
    query = select(call_reviewers.c.user_id).where(
        call_reviewers.c.call_id == call_id, call_reviewers.c.user_id == user.id
    )
    return db.session.scalar(query) is not None


def reviews_application(user: Any, application_id: int) -> bool:
    """A reviewer assigned to the application (and not recused from it)."""
    if user.role != Role.REVIEWER:
        return False
    query = select(Review.id).where(
        Review.application_id == application_id,
        Review.reviewer_id == user.id,
        Review.status != ReviewStatus.RECUSED,
    )
    return db.session.scalar(query) is not None


# Funds and calls ----------------------------------------------------------------------


@rule("funds.manage")
def can_manage_funds(_user: Any, _of: Any = None) -> bool:
    """Create funds and set their budgets: admins only (the money is the park's owner's)."""
    return False


@rule("funds.view")
def can_view_fund(user: Any, fund: Any = None) -> bool:
    """A fund's budget and calls: staff of its park; with nothing, whether staff at all."""
    if fund is None:
        return user.role == Role.STAFF
    return staff_of(user, fund.park_id)


@visibility(Fund)
def _visible_funds(user: Any) -> ColumnElement[bool]:
    return Fund.park_id.in_(staff_park_ids(user)) if user.role == Role.STAFF else false()


@rule("calls.manage")
def can_manage_calls(user: Any, of: Any = None) -> bool:
    """Open and change calls, their criteria and expert pools (`of` a park, fund or call):
    staff of the park; with nothing, whether staff at all."""
    if of is None:
        return user.role == Role.STAFF
    return staff_of(user, _park_id(of))


@rule("calls.view")
def can_view_call(user: Any, call: Any = None) -> bool:
    """A call's terms: staff of its park, members of a team in the park, reviewers in its
    pool; with nothing, whether any of those roles."""
    if call is None:
        return user.role in (Role.STAFF, Role.MEMBER, Role.REVIEWER)
    if user.role == Role.MEMBER:
        return _member_park(user) == call.park_id
    if user.role == Role.REVIEWER:
        return in_pool(user, call.id)
    return staff_of(user, call.park_id)


@visibility(Call)
def _visible_calls(user: Any) -> ColumnElement[bool]:
    if user.role == Role.STAFF:
        return Call.park_id.in_(staff_park_ids(user))
    if user.role == Role.MEMBER and user.team_id is not None:
        return Call.park_id.in_(select(Team.park_id).where(Team.id == user.team_id))
    if user.role == Role.REVIEWER:
        return exists().where(
            call_reviewers.c.call_id == Call.id, call_reviewers.c.user_id == user.id
        )
    return false()


# Applications -------------------------------------------------------------------------


@rule("applications.view")
def can_view_application(user: Any, application: Any = None) -> bool:
    """An application: staff of its park, its team's members, its (not recused) reviewers."""
    if application is None:
        return user.role in (Role.STAFF, Role.MEMBER, Role.REVIEWER)
    if user.role == Role.REVIEWER:
        return reviews_application(user, application.id)
    return staff_of(user, application.park_id) or is_member_of(user, application.team_id)


@visibility(Application)
def _visible_applications(user: Any) -> ColumnElement[bool]:
    if user.role == Role.STAFF:
        return Application.park_id.in_(staff_park_ids(user))
    if user.role == Role.MEMBER:
        return Application.team_id == user.team_id
    if user.role == Role.REVIEWER:
        return exists().where(
            Review.application_id == Application.id,
            Review.reviewer_id == user.id,
            Review.status != ReviewStatus.RECUSED,
        )
    return false()


@rule("applications.edit")
def can_edit_application(user: Any, of: Any = None) -> bool:
    """Draft, change, attach to, submit and withdraw an application (`of` an application or
    a team): the team's members."""
    if of is None:
        return user.role == Role.MEMBER
    team_id = of.id if isinstance(of, Team) else of.team_id
    return is_member_of(user, team_id)


@rule("applications.manage")
def can_manage_applications(user: Any, of: Any = None) -> bool:
    """Screen, assign reviewers, rank, decide and disburse (`of` a park, call, application
    or tranche): staff of the park; with nothing, whether staff at all."""
    if of is None:
        return user.role == Role.STAFF
    if isinstance(of, Disbursement):
        of = of.application
    return staff_of(user, _park_id(of))


@rule("attachments.view")
def can_view_attachment(user: Any, attachment: Any = None) -> bool:
    """A file attached to an application: whoever may see the application."""
    if attachment is None:
        return can_view_application(user)
    application = db.session.get(Application, attachment.application_id)
    return application is not None and can_view_application(user, application)


@visibility(Attachment)
def _visible_attachments(user: Any) -> ColumnElement[bool]:
    return Attachment.application_id.in_(select(Application.id).where(_visible_applications(user)))


# Reviews ------------------------------------------------------------------------------


@rule("reviews.write")
def can_write_review(user: Any, review: Any = None) -> bool:
    """Score, comment on and submit a review, or declare a conflict: its reviewer."""
    if review is None:
        return user.role == Role.REVIEWER
    return user.role == Role.REVIEWER and review.reviewer_id == user.id


@visibility(Review)
def _visible_reviews(user: Any) -> ColumnElement[bool]:
    """Staff see the reviews of their parks' applications; a reviewer only their own (blind:
    never another reviewer's, also after submitting); members none (applicants never see
    reviewers' names)."""
    if user.role == Role.STAFF:
        return Review.application_id.in_(
            select(Application.id).where(Application.park_id.in_(staff_park_ids(user)))
        )
    return Review.reviewer_id == user.id if user.role == Role.REVIEWER else false()


@rule("disbursements.view")
def can_view_disbursement(user: Any, tranche: Any = None) -> bool:
    """A tranche: whoever may see its application, except reviewers (they judge, not pay)."""
    if tranche is None:
        return user.role in (Role.STAFF, Role.MEMBER)
    return user.role != Role.REVIEWER and can_view_application(user, tranche.application)


@visibility(Disbursement)
def _visible_disbursements(user: Any) -> ColumnElement[bool]:
    if user.role not in (Role.STAFF, Role.MEMBER):
        return false()
    return Disbursement.application_id.in_(
        select(Application.id).where(_visible_applications(user))
    )
