"""Rent: the park's policies (free-rent step schedules) and the waivers granted to teams.

A *policy* is a measure the park applies ("科幻13条 第4条"): its rent benefit is a step
schedule counted from the team's move-in (`PolicyStep`: 100% for 12 months, then 50% for
12 …), optionally limited to an area and to tracks and kinds of team, with an optional
clawback on early exit. A *waiver* is what staff grant a team: the policy's schedule
(`percent` and `amount_fen` both empty), or a one-off percentage or fixed amount per
month, for [start, end) (end None: open), citing a policy or a reason. A waiver is
proposed, then approved (or rejected, or withdrawn); only approved waivers reduce rent.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
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
    from opc.teams.models import Team


class WaiverStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Policy(Audited, CreatedMixin, db.Model):
    __tablename__ = "rent_policies"
    __table_args__ = (
        UniqueConstraint("park_id", "code", name="uq_rent_policies_park_id_code"),
        CheckConstraint("area_cap_m2 IS NULL OR area_cap_m2 > 0", name="area_cap_positive"),
        CheckConstraint(
            "(clawback_within_months IS NULL AND clawback_last_months IS NULL)"
            " OR (clawback_within_months > 0 AND clawback_last_months > 0)",
            name="clawback_complete",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    # The document the measure comes from ("成都市科幻产业13条措施", a URL, a file number).
    document: Mapped[str] = mapped_column(String(300), default="")
    # The rent on at most this many m² is waived; the rest is due. None: all of it.
    area_cap_m2: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    # Eligible tracks and kinds of team (opc.teams.models.Track, TeamKind); empty: all.
    tracks: Mapped[list[str]] = mapped_column(JSON, default=list)
    kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    # A team that exits (not graduates) within N months of move-in owes back the rent
    # waived under the policy in its last M months.
    clawback_within_months: Mapped[int | None]
    clawback_last_months: Mapped[int | None]

    park: Mapped[Park] = relationship()
    steps: Mapped[list[PolicyStep]] = relationship(
        back_populates="policy", order_by="PolicyStep.position", cascade="all, delete-orphan"
    )

    def display_name(self, locale: str) -> str:
        return self.name_en if locale.startswith("en") and self.name_en else self.name_zh

    def percent_in_month(self, month: int) -> Decimal:
        """The share waived in the n-th month of residency (1 = the month from move-in)."""
        first = 1
        for step in self.steps:
            if step.months is None or month < first + step.months:
                return step.percent
            first += step.months
        return Decimal(0)

    def __repr__(self) -> str:
        return f"<Policy {self.code}>"


class PolicyStep(Audited, db.Model):
    """One step of a policy's schedule: `percent` waived for `months` months (None: from
    here on), after the steps before it."""

    __tablename__ = "rent_policy_steps"
    __table_args__ = (
        UniqueConstraint("policy_id", "position", name="uq_rent_policy_steps_policy_id_position"),
        CheckConstraint("months IS NULL OR months > 0", name="months_positive"),
        CheckConstraint("percent > 0 AND percent <= 100", name="percent_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("rent_policies.id", ondelete="CASCADE"))
    position: Mapped[int]
    months: Mapped[int | None]
    percent: Mapped[Decimal] = mapped_column(Numeric(5, 2))

    policy: Mapped[Policy] = relationship(back_populates="steps")


class Waiver(Audited, CreatedMixin, db.Model):
    __tablename__ = "rent_waivers"
    __table_args__ = (
        CheckConstraint(
            "status IN ('proposed', 'approved', 'rejected', 'withdrawn')", name="status_known"
        ),
        CheckConstraint("percent IS NULL OR amount_fen IS NULL", name="percent_or_amount"),
        CheckConstraint(
            "percent IS NOT NULL OR amount_fen IS NOT NULL OR policy_id IS NOT NULL",
            name="has_benefit",
        ),
        CheckConstraint(
            "percent IS NULL OR (percent > 0 AND percent <= 100)", name="percent_range"
        ),
        CheckConstraint("amount_fen IS NULL OR amount_fen > 0", name="amount_positive"),
        CheckConstraint('"end" IS NULL OR "end" > start', name="end_after_start"),
        CheckConstraint("policy_id IS NOT NULL OR reason <> ''", name="cites_policy_or_reason"),
        Index("ix_rent_waivers_team_id_status", "team_id", "status"),
        Index("ix_rent_waivers_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("rent_policies.id"), index=True)
    percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    # A fixed amount per month (prorated by the days of the month the waiver covers).
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=WaiverStatus.PROPOSED)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    team: Mapped[Team] = relationship()
    policy: Mapped[Policy | None] = relationship()
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def park_id(self) -> int:
        """The team's park (permission rules ask records for their park)."""
        return self.team.park_id

    @property
    def kind(self) -> str:
        """policy (the policy's schedule), percent or amount."""
        if self.percent is not None:
            return "percent"
        return "amount" if self.amount_fen is not None else "policy"

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)

    def __repr__(self) -> str:
        return f"<Waiver {self.id} team={self.team_id} {self.kind} {self.status}>"


def _register(table: str, rules: dict[str, tuple[str, Any]]) -> None:
    for name, (code, message) in rules.items():
        constraints.register(f"ck_{table}_{name}", code, message)


# What the constraints above refuse, when a race gets past the checks (opc.core.constraints).
constraints.register(
    "uq_rent_policies_park_id_code",
    "policy_code_taken",
    lambda: _("The park has a policy with this code already."),
)
constraints.register(
    "uq_rent_policy_steps_policy_id_position",
    "policy_step_taken",
    lambda: _("The policy has a step in this position already."),
)
_register(
    "rent_policies",
    {
        "area_cap_positive": (
            "area_not_positive",
            lambda: _("The area must be greater than zero."),
        ),
        "clawback_complete": (
            "clawback_incomplete",
            lambda: _("A clawback needs both its months: within how many, and how many back."),
        ),
    },
)
_register(
    "rent_policy_steps",
    {
        "months_positive": ("months_not_positive", lambda: _("A step lasts at least a month.")),
        "percent_range": (
            "percent_out_of_range",
            lambda: _("A percentage is over 0 and at most 100."),
        ),
    },
)
_register(
    "rent_waivers",
    {
        "status_known": (
            "unknown_status",
            lambda: _("The status is not one of the known statuses."),
        ),
        "percent_or_amount": (
            "percent_and_amount",
            lambda: _("A waiver is a percentage or a fixed amount, not both."),
        ),
        "has_benefit": (
            "waiver_without_benefit",
            lambda: _("A waiver needs a percentage, a fixed amount or a policy."),
        ),
        "percent_range": (
            "percent_out_of_range",
            lambda: _("A percentage is over 0 and at most 100."),
        ),
        "amount_positive": (
            "amount_not_positive",
            lambda: _("The amount must be greater than zero."),
        ),
        "end_after_start": ("end_before_start", lambda: _("The end must be after the start.")),
        "cites_policy_or_reason": (
            "reason_required",
            lambda: _("A waiver cites its policy or gives a reason."),
        ),
    },
)


# --- statements --------------------------------------------------------------------------

LINE_KINDS = ("rent", "waiver", "adjustment", "clawback", "rounding", "room")
# The database refuses any change of an issued statement or its lines (migration 0008: a
# trigger on SQLite and PostgreSQL); the rule's code when something tries.
FROZEN = "statement_frozen"


class Statement(Audited, db.Model):
    """An issued statement of a team for a month: its totals, frozen (drafts are computed,
    never stored: opc.rent.compute). Corrections go on a later statement as adjustments."""

    __tablename__ = "statements"
    __table_args__ = (
        UniqueConstraint("team_id", "month", name="uq_statements_team_id_month"),
        CheckConstraint("net_fen = gross_fen - waived_fen + adjustments_fen", name="net_adds_up"),
        Index("ix_statements_park_id_month", "park_id", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    gross_fen: Mapped[int] = mapped_column(BigInteger)
    waived_fen: Mapped[int] = mapped_column(BigInteger)
    adjustments_fen: Mapped[int] = mapped_column(BigInteger)
    net_fen: Mapped[int] = mapped_column(BigInteger)
    due_on: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    team: Mapped[Team] = relationship()
    lines: Mapped[list[StatementLine]] = relationship(
        back_populates="statement", order_by="StatementLine.position"
    )

    def __repr__(self) -> str:
        return f"<Statement team={self.team_id} {self.month} net={self.net_fen}>"


class StatementLine(Audited, db.Model):
    """A line of an issued statement: rent for an allocation, a waiver (negative), an
    adjustment (a correction of an earlier month, `corrects_month`), a clawback, rounding,
    a shared room's hours beyond the team's free quota (`room`, opc.rooms)."""

    __tablename__ = "statement_lines"
    __table_args__ = (
        UniqueConstraint(
            "statement_id", "position", name="uq_statement_lines_statement_id_position"
        ),
        CheckConstraint(
            "kind IN ('rent', 'waiver', 'adjustment', 'clawback', 'rounding', 'room')",
            name="kind_known",
        ),
        Index("ix_statement_lines_policy_id", "policy_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id"))
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    # What the line is about, as data: a unit code, a policy code, a reason.
    description: Mapped[str] = mapped_column(String(300), default="")
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    days: Mapped[int | None]
    area_m2: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    rate_fen: Mapped[int | None]
    allocation_id: Mapped[int | None] = mapped_column(ForeignKey("allocations.id"))
    waiver_id: Mapped[int | None] = mapped_column(ForeignKey("rent_waivers.id"))
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("rent_policies.id"))
    corrects_month: Mapped[str | None] = mapped_column(String(7))

    statement: Mapped[Statement] = relationship(back_populates="lines")
    policy: Mapped[Policy | None] = relationship()


constraints.register(
    "uq_statements_team_id_month",
    "statement_issued",
    lambda: _("The team's statement for this month is issued already."),
)
constraints.register(
    "ck_statements_net_adds_up",
    "statement_inconsistent",
    lambda: _("A statement's net is its gross less what is waived plus its adjustments."),
)
constraints.register(
    "uq_statement_lines_statement_id_position",
    "statement_line_taken",
    lambda: _("The statement has a line in this position already."),
)
constraints.register(
    "ck_statement_lines_kind_known",
    "unknown_line_kind",
    lambda: _("The kind of line is not one of the known kinds."),
)
constraints.register(
    FROZEN, FROZEN, lambda: _("An issued statement never changes: correct it on the next one.")
)
