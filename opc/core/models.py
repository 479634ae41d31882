"""Model building blocks shared by every domain."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy.orm import Mapped, mapped_column

from opc.core.db import UTCDateTime, utcnow


class Audited:
    """Marks a model whose every create, update and delete goes to the audit log."""

    __audit_exclude__: ClassVar[frozenset[str]] = frozenset()


class CreatedMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
