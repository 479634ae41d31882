"""A team's application to a call, its history, its attachments and the tranches paid.

States: draft → submitted → screening → in_review → approved | rejected; withdrawn from any
state before a decision; disbursed when the tranches paid reach the approved amount. The
content (title, amount, purpose, milestones, answers, attachments) is frozen once submitted.
One *live* application (any state but withdrawn) per team and call: a partial unique index.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from opc.core import constraints
from opc.core.db import UTCDateTime, utcnow
from opc.core.models import Audited, CreatedMixin
from opc.extensions import db

if TYPE_CHECKING:
    from opc.auth.models import User
    from opc.funds.models import Call
    from opc.teams.models import Team


class ApplicationStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    SCREENING = "screening"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    DISBURSED = "disbursed"


# The states before a decision, from which the team may withdraw.
UNDECIDED = frozenset(
    {
        ApplicationStatus.DRAFT,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.SCREENING,
        ApplicationStatus.IN_REVIEW,
    }
)
_STATUSES = ", ".join(f"'{s}'" for s in ApplicationStatus)


class Application(Audited, CreatedMixin, db.Model):
    __tablename__ = "applications"
    __table_args__ = (
        CheckConstraint(f"status IN ({_STATUSES})", name="status_known"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint(
            "approved_fen IS NULL OR (approved_fen > 0 AND approved_fen <= amount_fen)",
            name="approved_within_request",
        ),
        CheckConstraint(
            "disbursed_fen >= 0 AND disbursed_fen <= COALESCE(approved_fen, 0)",
            name="disbursed_within_approved",
        ),
        # One live application per team and call.
        Index(
            "uq_applications_call_id_team_id_live",
            "call_id",
            "team_id",
            unique=True,
            sqlite_where=text("status <> 'withdrawn'"),
            postgresql_where=text("status <> 'withdrawn'"),
        ),
        Index("ix_applications_team_id", "team_id"),
        Index("ix_applications_call_id_status", "call_id", "status"),
    )
    __audit_exclude__ = frozenset({"disbursed_fen"})

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    # The call's park, kept on the application for the permission rules.
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=ApplicationStatus.DRAFT)
    title: Mapped[str] = mapped_column(String(200))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    purpose: Mapped[str] = mapped_column(Text, default="")
    # [{"title": str, "due": "YYYY-MM-DD", "amount_yuan": "…"}], the tranches' milestones.
    milestones: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Answers to the call's questions, by question text.
    answers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Screening: eligible or not, with the reason given.
    eligible: Mapped[bool | None] = mapped_column(Boolean)
    screening_reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    approved_fen: Mapped[int | None] = mapped_column(BigInteger)
    # The sum of the tranches paid (kept by the paying transaction).
    disbursed_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    call: Mapped[Call] = relationship()
    team: Mapped[Team] = relationship()
    changes: Mapped[list[ApplicationChange]] = relationship(
        order_by="ApplicationChange.id", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        order_by="Attachment.id", cascade="all, delete-orphan"
    )

    @property
    def frozen(self) -> bool:
        """The content can change in a draft only."""
        return self.status != ApplicationStatus.DRAFT

    def __repr__(self) -> str:
        return f"<Application {self.id} {self.status}>"


class ApplicationChange(db.Model):
    """One change of an application's state: who, when, from what to what, and why. The
    team sees these (without reviewers' names: reviews do not change the state)."""

    __tablename__ = "application_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")

    by: Mapped[User | None] = relationship()


class Attachment(Audited, CreatedMixin, db.Model):
    """A file attached to an application, stored by opc.core.storage under a random key.
    `kind` is the type found in the content (pdf, png, jpeg, xlsx, docx); `document` the
    call's required document it provides, if any."""

    __tablename__ = "attachments"
    __table_args__ = (
        CheckConstraint("size > 0", name="size_positive"),
        CheckConstraint("kind IN ('pdf', 'png', 'jpeg', 'xlsx', 'docx')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    document: Mapped[str] = mapped_column(String(200), default="")
    filename: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(8))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class TrancheStatus(StrEnum):
    PROPOSED = "proposed"
    PAID = "paid"


class Disbursement(Audited, CreatedMixin, db.Model):
    """A tranche paid against an approved application, tied to one of its milestones. Staff
    propose it; another person approves it when the park's settings ask for four eyes (else
    it is paid when proposed). Proposed and paid tranches together never exceed the approval
    (`reserved` sums are checked under the application's row lock)."""

    __tablename__ = "disbursements"
    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint("status IN ('proposed', 'paid')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    milestone: Mapped[str] = mapped_column(String(200))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(12), default=TrancheStatus.PROPOSED)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    application: Mapped[Application] = relationship()


def _register(table: str, rules: dict[str, tuple[str, Any]]) -> None:
    for name, (code, message) in rules.items():
        constraints.register(f"ck_{table}_{name}", code, message)


_amount = ("amount_not_positive", lambda: _("The amount must be greater than zero."))
_register(
    "applications",
    {
        "status_known": ("invalid_status", lambda: _("Unknown application status.")),
        "amount_positive": _amount,
        "approved_within_request": (
            "approval_exceeds_request",
            lambda: _("The approved amount must be over zero and at most the amount requested."),
        ),
        "disbursed_within_approved": (
            "disbursement_exceeds_approval",
            lambda: _("The tranches would exceed the approved amount."),
        ),
    },
)
constraints.register(
    "uq_applications_call_id_team_id_live",
    "application_exists",
    lambda: _("The team has an application to this call already."),
)
_register(
    "attachments",
    {
        "size_positive": ("empty_file", lambda: _("The file is empty.")),
        "kind_known": ("file_type_not_allowed", lambda: _("This type of file is not accepted.")),
    },
)
constraints.register(
    "uq_attachments_storage_key",
    "attachment_exists",
    lambda: _("The file is stored already."),
)
_register(
    "disbursements",
    {
        "amount_positive": _amount,
        "status_known": ("invalid_status", lambda: _("Unknown tranche status.")),
    },
)
