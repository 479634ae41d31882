"""Expert review: a reviewer assigned to an application scores each of the call's criteria
0–10 with a comment. Reviews are blind: a reviewer sees no other review of the application
before submitting their own, and applicants never see reviewers' names. A reviewer who
declares a conflict of interest is recused (the assignment is kept with the declaration)
and replaced.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlalchemy import CheckConstraint, ForeignKey, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from opc.core import constraints
from opc.core.db import UTCDateTime
from opc.core.models import Audited, CreatedMixin
from opc.extensions import db

if TYPE_CHECKING:
    from opc.auth.models import User
    from opc.funds.application_models import Application
    from opc.funds.models import Criterion


class ReviewStatus(StrEnum):
    ASSIGNED = "assigned"
    SUBMITTED = "submitted"
    RECUSED = "recused"  # the reviewer declared a conflict of interest


class Review(Audited, CreatedMixin, db.Model):
    """A reviewer's assignment to an application, and their review once submitted."""

    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint(
            "application_id", "reviewer_id", name="uq_reviews_application_id_reviewer_id"
        ),
        CheckConstraint("status IN ('assigned', 'submitted', 'recused')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=ReviewStatus.ASSIGNED)
    comment: Mapped[str] = mapped_column(Text, default="")
    # The conflict of interest the reviewer declared (status recused).
    conflict: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    application: Mapped[Application] = relationship()
    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])
    scores: Mapped[list[ReviewScore]] = relationship(
        order_by="ReviewScore.criterion_id", cascade="all, delete-orphan"
    )


class ReviewScore(Audited, db.Model):
    __tablename__ = "review_scores"
    __table_args__ = (
        UniqueConstraint(
            "review_id", "criterion_id", name="uq_review_scores_review_id_criterion_id"
        ),
        CheckConstraint("score BETWEEN 0 AND 10", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="CASCADE"))
    score: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str] = mapped_column(Text, default="")

    criterion: Mapped[Criterion] = relationship()


constraints.register(
    "uq_reviews_application_id_reviewer_id",
    "reviewer_assigned",
    lambda: _("The reviewer is assigned to this application already."),
)
constraints.register(
    "ck_reviews_status_known", "invalid_status", lambda: _("Unknown review status.")
)
constraints.register(
    "uq_review_scores_review_id_criterion_id",
    "criterion_scored",
    lambda: _("The review scores this criterion already."),
)
constraints.register(
    "ck_review_scores_score_range",
    "score_out_of_range",
    lambda: _("A score must be between 0 and 10."),
)
