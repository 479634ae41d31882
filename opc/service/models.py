"""A team's service request to the park's workstation, its timeline and its breach warnings.

States: open → triaged → assigned → in_progress ⇄ waiting_on_team → resolved → closed (the
team confirms) or reopened (opc.service.operations.transitions holds the steps). The SLA
targets are copied from the park's settings when the request opens, and the due instants are
counted in working minutes on the park's calendar; while the request waits on the team the
resolution clock stands still (`waiting_since`), and the working minutes waited move the
resolution due instant on when the team answers.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from opc.core import constraints
from opc.core.db import UTCDateTime, utcnow
from opc.core.models import Audited, CreatedMixin
from opc.extensions import db

if TYPE_CHECKING:
    from opc.auth.models import User
    from opc.parks.models import Park
    from opc.teams.models import Team


class Status(StrEnum):
    OPEN = "open"
    TRIAGED = "triaged"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting_on_team"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"


class Category(StrEnum):
    COMPANY = "company_registration"
    IP = "ip_copyright"
    FINANCING = "financing"
    TALENT = "talent_visas"
    COMPUTE = "compute_access"
    FACILITIES = "facilities"
    POLICY = "policy_consultation"
    OTHER = "other"


# The states in which the park still owes an answer (the resolution clock may run).
ACTIVE = frozenset(
    {
        Status.OPEN,
        Status.TRIAGED,
        Status.ASSIGNED,
        Status.IN_PROGRESS,
        Status.WAITING,
        Status.REOPENED,
    }
)
DONE = frozenset({Status.RESOLVED, Status.CLOSED})
MAX_TITLE = 200
MAX_TEXT = 10_000
_STATUSES = ", ".join(f"'{s}'" for s in Status)
_CATEGORIES = ", ".join(f"'{c}'" for c in Category)


class ServiceRequest(Audited, CreatedMixin, db.Model):
    __tablename__ = "service_requests"
    __table_args__ = (
        CheckConstraint(f"status IN ({_STATUSES})", name="status_known"),
        CheckConstraint(f"category IN ({_CATEGORIES})", name="category_known"),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating_in_range"),
        CheckConstraint("waited_minutes >= 0", name="waited_not_negative"),
        CheckConstraint("response_minutes > 0 AND resolution_minutes > 0", name="targets_positive"),
        Index("ix_service_requests_park_id_status", "park_id", "status"),
        Index("ix_service_requests_team_id", "team_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    category: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(MAX_TITLE))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=Status.OPEN)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # The SLA targets in working minutes, as the park's settings had them when it opened.
    response_minutes: Mapped[int] = mapped_column(Integer)
    resolution_minutes: Mapped[int] = mapped_column(Integer)
    first_response_due: Mapped[datetime] = mapped_column(UTCDateTime())
    # None while the clock stands still (waiting on the team).
    resolution_due: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The resolution clock runs from here (the opening, or the last reopening) ...
    clock_from: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # ... less the working minutes waited on the team since then.
    waited_minutes: Mapped[int] = mapped_column(Integer, default=0)
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    park: Mapped[Park] = relationship()
    team: Mapped[Team] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    opened_by: Mapped[User | None] = relationship(foreign_keys=[opened_by_id])
    events: Mapped[list[ServiceEvent]] = relationship(
        order_by="ServiceEvent.id", cascade="all, delete-orphan", back_populates="request"
    )
    attachments: Mapped[list[ServiceAttachment]] = relationship(
        order_by="ServiceAttachment.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<ServiceRequest {self.id} {self.status}>"


class EventKind(StrEnum):
    STATUS = "status"  # a change of state (from_status → to_status)
    COMMENT = "comment"  # a message the team sees
    NOTE = "note"  # staff's internal note: never shown to the team
    ASSIGNED = "assigned"
    TRIAGED = "triaged"
    RATED = "rated"


class ServiceEvent(db.Model):
    """One entry of a request's timeline: who, when, what. `internal` entries (notes, and
    the staff-only facts about them) are never shown to the team."""

    __tablename__ = "service_events"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('status', 'comment', 'note', 'assigned', 'triaged', 'rated')",
            name="kind_known",
        ),
        CheckConstraint("kind <> 'note' OR internal", name="notes_internal"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("service_requests.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(12))
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    request: Mapped[ServiceRequest] = relationship(back_populates="events")
    by: Mapped[User | None] = relationship()


class ServiceAttachment(Audited, CreatedMixin, db.Model):
    """A file attached to a request by the team or staff, stored by opc.core.storage under a
    random key; `kind` is the type found in its content (pdf, png, jpeg, xlsx, docx)."""

    __tablename__ = "service_attachments"
    __table_args__ = (
        CheckConstraint("size > 0", name="size_positive"),
        CheckConstraint("kind IN ('pdf', 'png', 'jpeg', 'xlsx', 'docx')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("service_requests.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(8))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    uploaded_by: Mapped[User | None] = relationship()


class BreachKind(StrEnum):
    FIRST_RESPONSE = "first_response"
    RESOLUTION = "resolution"


class ServiceBreach(db.Model):
    """A breach warning sent: once per request and kind (the unique key)."""

    __tablename__ = "service_breaches"
    __table_args__ = (
        UniqueConstraint("request_id", "kind", name="uq_service_breaches_request_id_kind"),
        CheckConstraint("kind IN ('first_response', 'resolution')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_requests.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def _register(table: str, rules: dict[str, tuple[str, Any]]) -> None:
    for name, (code, message) in rules.items():
        constraints.register(f"ck_{table}_{name}", code, message)


_register(
    "service_requests",
    {
        "status_known": ("invalid_status", lambda: _("Unknown status of a service request.")),
        "category_known": ("unknown_category", lambda: _("Unknown category of service.")),
        "rating_in_range": ("rating_out_of_range", lambda: _("A rating is from 1 to 5.")),
        "waited_not_negative": ("invalid_waiting", lambda: _("Time waited cannot be negative.")),
        "targets_positive": (
            "invalid_sla_target",
            lambda: _("SLA targets must be over zero working minutes."),
        ),
    },
)
_register(
    "service_events",
    {
        "kind_known": ("invalid_event", lambda: _("Unknown kind of timeline entry.")),
        "notes_internal": ("note_not_internal", lambda: _("An internal note stays internal.")),
    },
)
_register(
    "service_attachments",
    {
        "size_positive": ("empty_file", lambda: _("The file is empty.")),
        "kind_known": ("file_type_not_allowed", lambda: _("This type of file is not accepted.")),
    },
)
constraints.register(
    "uq_service_attachments_storage_key",
    "attachment_exists",
    lambda: _("The file is stored already."),
)
_register(
    "service_breaches",
    {"kind_known": ("invalid_breach", lambda: _("Unknown kind of SLA breach."))},
)
constraints.register(
    "uq_service_breaches_request_id_kind",
    "breach_warned",
    lambda: _("This breach was warned of already."),
)
