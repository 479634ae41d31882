"""Compute providers: platforms that report GPU usage, each a user of role provider."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
