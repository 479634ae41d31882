"""Funds and their calls for applications.

A *fund* (e.g. a future-industry fund) has a total budget; the park's staff open *calls*
within it, each with its own budget: the calls of a fund never commit more than the fund
(`Fund.calls_fen`, the sum of its calls' budgets, kept under the fund's row lock and checked
by the database). A call has bilingual titles, an open and a close instant (stored in UTC,
entered and shown in the park's timezone), a ceiling per team, weighted criteria (weights
sum to 100), required documents, eligible tracks and team statuses, the number of reviewers
each application needs and its pool of experts (users of role reviewer).

Approving an application commits part of the call's budget (`Call.approved_fen`, kept in the
approving transaction under the call's row lock; the database refuses more than the budget);
tranches paid against approvals add to `Call.disbursed_fen` and `Application.disbursed_fen`.
Money is integer fen.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from opc.core import constraints
from opc.core.db import UTCDateTime
from opc.core.models import Audited, CreatedMixin
from opc.extensions import db

if TYPE_CHECKING:
    from opc.auth.models import User
    from opc.parks.models import Park


def _bilingual(zh: str, en: str, locale: str) -> str:
    return en if locale.startswith("en") and en else zh


class Fund(Audited, CreatedMixin, db.Model):
    __tablename__ = "funds"
    __table_args__ = (
        CheckConstraint("budget_fen > 0", name="budget_positive"),
        CheckConstraint("calls_fen >= 0 AND calls_fen <= budget_fen", name="calls_within_budget"),
    )
    __audit_exclude__ = frozenset({"calls_fen"})

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"), index=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    budget_fen: Mapped[int] = mapped_column(BigInteger)
    # The sum of its calls' budgets (what the calls may commit at most).
    calls_fen: Mapped[int] = mapped_column(BigInteger, default=0)

    park: Mapped[Park] = relationship()
    calls: Mapped[list[Call]] = relationship(back_populates="fund", order_by="Call.opens_at")

    def display_name(self, locale: str) -> str:
        return _bilingual(self.name_zh, self.name_en, locale)

    def __repr__(self) -> str:
        return f"<Fund {self.id} {self.name_zh}>"


call_reviewers = Table(
    "call_reviewers",
    db.metadata,
    Column("call_id", ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True),
)


class Call(Audited, CreatedMixin, db.Model):
    """A call for applications within a fund."""

    __tablename__ = "calls"
    __table_args__ = (
        CheckConstraint("budget_fen > 0", name="budget_positive"),
        CheckConstraint("ceiling_fen > 0 AND ceiling_fen <= budget_fen", name="ceiling_in_budget"),
        CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
        CheckConstraint(
            "reviewers_per_application BETWEEN 1 AND 9", name="reviewers_per_application_range"
        ),
        CheckConstraint(
            "approved_fen >= 0 AND approved_fen <= budget_fen", name="approved_within_budget"
        ),
        CheckConstraint(
            "disbursed_fen >= 0 AND disbursed_fen <= approved_fen", name="disbursed_within_approved"
        ),
    )
    __audit_exclude__ = frozenset({"approved_fen", "disbursed_fen"})

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)
    # The fund's park, kept on the call for the permission rules and the park's lists.
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"), index=True)
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200), default="")
    description_zh: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    budget_fen: Mapped[int] = mapped_column(BigInteger)
    # Most one team may be granted under the call.
    ceiling_fen: Mapped[int] = mapped_column(BigInteger)
    # Names of the documents every application must attach (e.g. "商业计划书").
    required_documents: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Eligible tracks and team statuses (opc.teams.models); empty: all.
    tracks: Mapped[list[str]] = mapped_column(JSON, default=list)
    team_statuses: Mapped[list[str]] = mapped_column(JSON, default=list)
    reviewers_per_application: Mapped[int] = mapped_column(SmallInteger, default=2)
    # Reviews of one application whose weighted scores differ by more than this many
    # points (of 10) are flagged as a disagreement in the ranking.
    disagreement_threshold: Mapped[Decimal] = mapped_column(Numeric(4, 2), default=3)
    # Sums of the approved amounts and of the tranches paid under the call.
    approved_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    disbursed_fen: Mapped[int] = mapped_column(BigInteger, default=0)

    fund: Mapped[Fund] = relationship(back_populates="calls")
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="call", order_by="Criterion.position", cascade="all, delete-orphan"
    )
    # The expert pool: users of role reviewer the call's applications may be assigned to.
    reviewers: Mapped[list[User]] = relationship(secondary=call_reviewers, order_by="User.id")

    @property
    def remaining_fen(self) -> int:
        return self.budget_fen - self.approved_fen

    def title(self, locale: str) -> str:
        return _bilingual(self.title_zh, self.title_en, locale)

    def description(self, locale: str) -> str:
        return _bilingual(self.description_zh, self.description_en, locale)

    def is_open(self, at: datetime) -> bool:
        return self.opens_at <= at < self.closes_at

    def __repr__(self) -> str:
        return f"<Call {self.id} {self.title_zh}>"


class Criterion(Audited, db.Model):
    """What reviewers score, 0–10, with its weight in percent (a call's weights sum to 100:
    checked by the operation that writes them, since a sum spans rows)."""

    __tablename__ = "criteria"
    __table_args__ = (
        CheckConstraint("weight BETWEEN 1 AND 100", name="weight_range"),
        UniqueConstraint("call_id", "position", name="uq_criteria_call_id_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(SmallInteger)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    weight: Mapped[int] = mapped_column(SmallInteger)

    call: Mapped[Call] = relationship(back_populates="criteria")

    def name(self, locale: str) -> str:
        return _bilingual(self.name_zh, self.name_en, locale)


def _register(table: str, rules: dict[str, tuple[str, Any]]) -> None:
    for name, (code, message) in rules.items():
        constraints.register(f"ck_{table}_{name}", code, message)


_budget = ("budget_not_positive", lambda: _("The budget must be greater than zero."))
_register(
    "funds",
    {
        "budget_positive": _budget,
        "calls_within_budget": (
            "fund_budget_exceeded",
            lambda: _("The fund's calls would commit more than the fund's budget."),
        ),
    },
)
_register(
    "calls",
    {
        "budget_positive": _budget,
        "ceiling_in_budget": (
            "invalid_ceiling",
            lambda: _("The ceiling per team must be over zero and at most the call's budget."),
        ),
        "closes_after_opening": (
            "invalid_window",
            lambda: _("The call must close after it opens."),
        ),
        "reviewers_per_application_range": (
            "invalid_reviewer_count",
            lambda: _("Each application needs between 1 and 9 reviewers."),
        ),
        "approved_within_budget": (
            "budget_exceeded",
            lambda: _("The approvals would exceed the call's budget."),
        ),
        "disbursed_within_approved": (
            "disbursement_exceeds_approval",
            lambda: _("The tranches would exceed the approved amounts."),
        ),
    },
)
_register(
    "criteria",
    {"weight_range": ("invalid_weight", lambda: _("A weight must be between 1 and 100."))},
)
constraints.register(
    "uq_criteria_call_id_position",
    "criterion_exists",
    lambda: _("The call has a criterion in this place already."),
)
constraints.register(
    "pk_call_reviewers",
    "reviewer_listed",
    lambda: _("The reviewer is in the call's pool already."),
)
