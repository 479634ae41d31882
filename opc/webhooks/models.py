"""Webhooks of a park and the log of their deliveries.

A `Webhook` is a URL of the park's own tools (or a WeCom, DingTalk or Feishu group bot)
that hears the kinds of event it listens to. Each event a hook hears becomes a
`WebhookDelivery` in the transaction that makes the event (the outbox: a rolled-back event
sends nothing); the scheduler posts it, retries it with backoff, and keeps the row as the
delivery's log (opc.webhooks.delivery).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from opc.core import constraints
from opc.core.db import UTCDateTime, utcnow
from opc.core.models import Audited, CreatedMixin
from opc.extensions import db
from opc.notifications.kinds import MAX_KIND

MAX_URL = 500
MAX_SECRET = 200
MAX_ERROR = 500  # a delivery keeps the start of its last error


class Preset(StrEnum):
    GENERIC = "generic"  # JSON, signed with X-OPC-Signature (opc.webhooks.presets)
    WECOM = "wecom"  # 企业微信 group bot
    DINGTALK = "dingtalk"  # 钉钉 custom robot
    FEISHU = "feishu"  # 飞书 custom bot


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # not tried yet
    FAILED = "failed"  # tried and failed; tried again at next_attempt_at
    DELIVERED = "delivered"
    DEAD = "dead"  # failed every attempt, or its hook was switched off


WAITING = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)
_PRESETS = ", ".join(f"'{p}'" for p in Preset)
_STATUSES = ", ".join(f"'{s}'" for s in DeliveryStatus)
_WAITING = ", ".join(f"'{s}'" for s in WAITING)
DUE_ONLY = "next_attempt_at IS NOT NULL"


class Webhook(Audited, CreatedMixin, db.Model):
    """A park's URL for the events of `kinds` (every kind when `all_kinds`).

    `secret` signs what is sent (generic, DingTalk, Feishu); it is never audited nor shown
    again after it was made. `consecutive_failures` counts failed attempts since the last
    success: at MAX_FAILURES the hook is switched off (`active` false, `disabled_at`)."""

    __tablename__ = "webhooks"
    __table_args__ = (
        CheckConstraint(f"preset IN ({_PRESETS})", name="preset_known"),
        CheckConstraint("consecutive_failures >= 0", name="failures_not_negative"),
        Index("ix_webhooks_park_id_active", "park_id", "active"),
    )
    __audit_exclude__ = frozenset({"secret", "consecutive_failures"})

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"))
    name: Mapped[str] = mapped_column(String(100), default="")
    url: Mapped[str] = mapped_column(String(MAX_URL))
    preset: Mapped[str] = mapped_column(String(12), default=Preset.GENERIC)
    secret: Mapped[str] = mapped_column(String(MAX_SECRET), default="")
    all_kinds: Mapped[bool] = mapped_column(Boolean, default=False)
    kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    def listens_to(self, kind: str) -> bool:
        """Whether an event of `kind` goes to this hook."""
        return self.all_kinds or kind in (self.kinds or [])

    @property
    def masked_secret(self) -> str:
        """The secret as shown after it was made: its last four characters."""
        return f"…{self.secret[-4:]}" if len(self.secret) > 8 else ("…" if self.secret else "")

    def __repr__(self) -> str:
        return f"<Webhook {self.id} park={self.park_id} {self.preset}>"


class WebhookDelivery(db.Model):
    """One event for one hook: what is sent (`payload`), and how its sending went.

    Waiting (pending or failed) exactly when `next_attempt_at` is set: the due queue is a
    partial index over it. Not audited: it is itself the log of the deliveries."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        CheckConstraint(f"status IN ({_STATUSES})", name="status_known"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        CheckConstraint(
            f"(status IN ({_WAITING})) = (next_attempt_at IS NOT NULL)", name="due_when_waiting"
        ),
        CheckConstraint(
            "(status = 'delivered') = (delivered_at IS NOT NULL)", name="delivered_when_stamped"
        ),
        # The due queue of the scheduler: waiting deliveries by when they are due.
        Index(
            "ix_webhook_deliveries_due",
            "next_attempt_at",
            sqlite_where=text(DUE_ONLY),
            postgresql_where=text(DUE_ONLY),
        ),
        # A hook's log, newest first (and its waiting ones, when it is switched off).
        Index("ix_webhook_deliveries_webhook_id_id", "webhook_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(MAX_KIND))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(MAX_ERROR))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    webhook: Mapped[Webhook] = relationship()  # deleted with its hook by the database

    def __repr__(self) -> str:
        return f"<WebhookDelivery {self.id} hook={self.webhook_id} {self.kind} {self.status}>"


# What the constraints refuse when a write gets past the checks (opc.core.constraints).
constraints.register(
    "ck_webhooks_preset_known", "invalid_preset", lambda: _("Unknown kind of webhook.")
)
constraints.register(
    "ck_webhooks_failures_not_negative",
    "invalid_failures",
    lambda: _("A webhook's failures are never negative."),
)
constraints.register(
    "ck_webhook_deliveries_status_known",
    "invalid_status",
    lambda: _("Unknown delivery status."),
)
constraints.register(
    "ck_webhook_deliveries_attempts_not_negative",
    "invalid_attempts",
    lambda: _("A delivery's attempts are never negative."),
)
constraints.register(
    "ck_webhook_deliveries_due_when_waiting",
    "invalid_schedule",
    lambda: _("A waiting delivery has a time to be tried; a finished one has none."),
)
constraints.register(
    "ck_webhook_deliveries_delivered_when_stamped",
    "invalid_delivery",
    lambda: _("A delivered delivery has the time it was delivered, and only it."),
)
