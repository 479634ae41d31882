"""A park: one incubator hub or industry cluster of the deployment."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import CheckConstraint, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from opc.core.models import Audited, CreatedMixin
from opc.extensions import db


class Park(Audited, CreatedMixin, db.Model):
    __tablename__ = "parks"
    __table_args__ = (
        CheckConstraint("total_area_m2 > 0", name="area_positive"),
        CheckConstraint("team_cap >= 0", name="team_cap_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    total_area_m2: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    team_cap: Mapped[int]
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    currency: Mapped[str] = mapped_column(String(3), default="CNY")

    def display_name(self, locale: str) -> str:
        """The park's name in the page's language."""
        return self.name_en if locale.startswith("en") and self.name_en else self.name_zh

    def __repr__(self) -> str:
        return f"<Park {self.code}>"
