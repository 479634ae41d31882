"""The stored values of per-park settings: one row per park and key (opc.parks.settings)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from opc.core import constraints
from opc.core.models import Audited, CreatedMixin
from opc.extensions import db
from opc.parks.settings.registry import MAX_KEY, MAX_VALUE


class ParkSetting(Audited, CreatedMixin, db.Model):
    __tablename__ = "park_settings"
    __table_args__ = (UniqueConstraint("park_id", "key", name="uq_park_settings_park_id_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(MAX_KEY))
    value: Mapped[str] = mapped_column(String(MAX_VALUE))

    def __repr__(self) -> str:
        return f"<ParkSetting park={self.park_id} {self.key}={self.value}>"


constraints.register(
    "uq_park_settings_park_id_key",
    "setting_exists",
    lambda: _("The park has a value for this setting already. Please try again."),
)
