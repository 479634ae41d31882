"""Payments of rent: what a team paid, against its issued statements (its balance)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from opc.core import constraints
from opc.core.models import Audited, CreatedMixin
from opc.extensions import db

if TYPE_CHECKING:
    from opc.teams.models import Team

METHODS = ("bank_transfer", "wechat", "alipay", "cash", "other")


class Payment(Audited, CreatedMixin, db.Model):
    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint(
            "method IN ('bank_transfer', 'wechat', 'alipay', 'cash', 'other')",
            name="method_known",
        ),
        Index("ix_payments_team_id_paid_on", "team_id", "paid_on"),
        Index("ix_payments_park_id", "park_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(16), default="bank_transfer")
    reference: Mapped[str] = mapped_column(String(100), default="")
    # The number of the e-fapiao (electronic invoice) issued for it, if any.
    fapiao: Mapped[str] = mapped_column(String(40), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    team: Mapped[Team] = relationship()


constraints.register(
    "ck_payments_amount_positive",
    "amount_not_positive",
    lambda: _("The amount must be greater than zero."),
)
constraints.register(
    "ck_payments_method_known",
    "unknown_method",
    lambda: _("The method of payment is not one of the known methods."),
)
