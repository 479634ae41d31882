"""Compute providers: platforms that report GPU usage, each a user of role provider."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from opc.core import constraints
from opc.core.models import Audited, CreatedMixin
from opc.extensions import db

if TYPE_CHECKING:
    from opc.auth.models import User


class Provider(Audited, CreatedMixin, db.Model):
    __tablename__ = "providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    name: Mapped[str] = mapped_column(String(200))

    user: Mapped[User] = relationship()


# What the constraints above refuse, when a race gets past the checks (opc.core.constraints).
constraints.register(
    "uq_providers_user_id", "provider_exists", lambda: _("This user has a provider record already.")
)
