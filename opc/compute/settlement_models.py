"""Settlements with providers: what a park owes a provider for a month, issued and frozen.

Drafts are computed from the usage records (opc.compute.settlements), never stored; an
issued settlement and its lines never change (migration 0010's triggers)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from opc.compute.models import Provider
from opc.core import constraints
from opc.core.db import UTCDateTime
from opc.core.models import Audited
from opc.extensions import db

if TYPE_CHECKING:
    from opc.teams.models import Team


class Settlement(Audited, db.Model):
    """An issued settlement: what a park owes a provider for a month (the subsidised share
    of the usage it reported), frozen by the database once issued. Usage that arrives after
    its month was settled is settled on the next issued settlement as an adjustment
    (`SettlementLine.corrects_month`). Drafts are computed, never stored."""

    __tablename__ = "settlements"
    __table_args__ = (
        UniqueConstraint(
            "park_id", "provider_id", "month", name="uq_settlements_park_id_provider_id_month"
        ),
        CheckConstraint("subsidy_fen <= cost_fen", name="subsidy_in_cost"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"))
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"))
    month: Mapped[str] = mapped_column(String(7))
    records: Mapped[int]
    gpu_hours_hundredths: Mapped[int] = mapped_column(BigInteger)
    cost_fen: Mapped[int] = mapped_column(BigInteger)
    subsidy_fen: Mapped[int] = mapped_column(BigInteger)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    provider: Mapped[Provider] = relationship()
    lines: Mapped[list[SettlementLine]] = relationship(
        back_populates="settlement", order_by="SettlementLine.position"
    )

    @property
    def team_share_fen(self) -> int:
        return self.cost_fen - self.subsidy_fen


class SettlementLine(Audited, db.Model):
    """A team's usage on a settlement, for the month settled (`corrects_month` None) or for
    an earlier month whose records arrived late (an adjustment)."""

    __tablename__ = "settlement_lines"
    __table_args__ = (
        UniqueConstraint(
            "settlement_id", "position", name="uq_settlement_lines_settlement_id_position"
        ),
        Index("ix_settlement_lines_team_id", "team_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    settlement_id: Mapped[int] = mapped_column(ForeignKey("settlements.id"))
    position: Mapped[int] = mapped_column(Integer)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    corrects_month: Mapped[str | None] = mapped_column(String(7))
    records: Mapped[int]
    gpu_hours_hundredths: Mapped[int] = mapped_column(BigInteger)
    cost_fen: Mapped[int] = mapped_column(BigInteger)
    subsidy_fen: Mapped[int] = mapped_column(BigInteger)

    settlement: Mapped[Settlement] = relationship(back_populates="lines")
    team: Mapped[Team] = relationship()

    @property
    def team_share_fen(self) -> int:
        return self.cost_fen - self.subsidy_fen


# What the constraints above refuse (opc.core.constraints).
constraints.register(
    "uq_settlements_park_id_provider_id_month",
    "settlement_issued",
    lambda: _("The settlement of this month is issued already."),
)
constraints.register(
    "uq_settlement_lines_settlement_id_position",
    "settlement_line_taken",
    lambda: _("The settlement has a line in this position already."),
)
constraints.register(
    "ck_settlements_subsidy_in_cost",
    "invalid_settlement",
    lambda: _("The subsidy exceeds the cost."),
)
# The database refuses any change of an issued settlement or its lines (migration 0010).
FROZEN = "settlement_frozen"
constraints.register(
    FROZEN, FROZEN, lambda: _("An issued settlement never changes: correct it on the next one.")
)
