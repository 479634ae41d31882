"""A park: one incubator hub or industry cluster of the deployment, and its staff."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import CheckConstraint, Column, ForeignKey, Numeric, String, Table
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from opc.auth.models import User
from opc.core import constraints
from opc.core.models import Audited, CreatedMixin
from opc.extensions import db

# Which parks a staff member works for.
staff_parks = Table(
    "staff_parks",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("park_id", ForeignKey("parks.id", ondelete="CASCADE"), primary_key=True),
)


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

    # A staff member's parks are `user.parks` (declared here: users know nothing of parks).
    staff: Mapped[list[User]] = relationship(
        secondary=staff_parks, backref=backref("parks", order_by="Park.id"), viewonly=False
    )

    def display_name(self, locale: str) -> str:
        """The park's name in the page's language."""
        return self.name_en if locale.startswith("en") and self.name_en else self.name_zh

    def __repr__(self) -> str:
        return f"<Park {self.code}>"


# What the constraints above refuse, when a race gets past the checks (opc.core.constraints).
constraints.register(
    "uq_parks_code", "park_code_taken", lambda: _("A park with this code exists already.")
)
constraints.register(
    "ck_parks_area_positive", "area_not_positive", lambda: _("The area must be greater than zero.")
)
constraints.register(
    "ck_parks_team_cap_not_negative",
    "team_cap_negative",
    lambda: _("The team cap must not be negative."),
)
constraints.register(
    "pk_staff_parks",
    "staff_already_assigned",
    lambda: _("The staff member works for this park already."),
)
