"""Resident teams: companies and solo "super-individuals", and their lifecycle."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship, validates

from opc.auth.models import User
from opc.core import constraints
from opc.core.db import UTCDateTime, utcnow
from opc.core.models import Audited, CreatedMixin
from opc.core.pinyin import initials_of, pinyin_of
from opc.extensions import db
from opc.parks.models import Park


class Track(StrEnum):
    AIGC_FILM = "aigc_film"
    DIGITAL_HUMANS = "digital_humans"
    AI_AGENTS = "ai_agents"
    GAMES = "games"
    VFX = "vfx"
    IMMERSIVE = "immersive"
    HARD_TECH = "hard_tech"
    CONTENT = "content"
    OTHER = "other"


class TeamStatus(StrEnum):
    APPLICANT = "applicant"
    ADMITTED = "admitted"
    RESIDENT = "resident"
    SUSPENDED = "suspended"
    GRADUATED = "graduated"
    EXITED = "exited"


class TeamKind(StrEnum):
    SOLO = "solo"
    COMPANY = "company"


# The lifecycle: from each status, the statuses a team may move to.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    TeamStatus.APPLICANT: (TeamStatus.ADMITTED, TeamStatus.EXITED),
    TeamStatus.ADMITTED: (TeamStatus.RESIDENT, TeamStatus.EXITED),
    TeamStatus.RESIDENT: (TeamStatus.SUSPENDED, TeamStatus.GRADUATED, TeamStatus.EXITED),
    TeamStatus.SUSPENDED: (TeamStatus.RESIDENT, TeamStatus.EXITED),
    TeamStatus.GRADUATED: (),
    TeamStatus.EXITED: (),
}


def _in(values: type[StrEnum]) -> str:
    return "(" + ", ".join(f"'{v.value}'" for v in values) + ")"


class Team(Audited, CreatedMixin, db.Model):
    __tablename__ = "teams"
    __table_args__ = (
        CheckConstraint(f"track IN {_in(Track)}", name="track_known"),
        CheckConstraint(f"status IN {_in(TeamStatus)}", name="status_known"),
        CheckConstraint(f"kind IN {_in(TeamKind)}", name="kind_known"),
        Index("ix_teams_park_id_status", "park_id", "status"),
        # A unique index (not a table constraint): SQLite adds one without rebuilding the table.
        Index("uq_teams_park_id_name_zh", "park_id", "name_zh", unique=True),
    )
    # Derived from name_zh, whose change the log shows.
    __audit_exclude__ = frozenset({"name_initials"})

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"), index=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    # Lower-case pinyin of name_zh, without tones or spaces, so "xingyun" finds 星云工作室.
    name_pinyin: Mapped[str] = mapped_column(String(400), default="", index=True)
    # Its initials ("xygzs"), as staff type a name they search for (opc.core.pinyin).
    name_initials: Mapped[str] = mapped_column(String(200), default="", server_default="")
    track: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16), default=TeamKind.COMPANY)
    legal_name: Mapped[str | None] = mapped_column(String(200))
    # Unified Social Credit Code (GB 32100-2015), when the team has a legal entity.
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    status: Mapped[str] = mapped_column(String(16), default=TeamStatus.APPLICANT)
    status_since: Mapped[date | None] = mapped_column(Date)
    founded_on: Mapped[date | None] = mapped_column(Date)  # the legal entity's founding (Torch)
    # Set while an admission waits for a place under the park's cap; order of the waitlist.
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    park: Mapped[Park] = relationship()
    # A member's team is `user.team` (declared here: users know nothing of teams).
    members: Mapped[list[User]] = relationship(backref=backref("team"), order_by=User.id)
    history: Mapped[list[TeamStatusChange]] = relationship(
        back_populates="team", order_by="TeamStatusChange.id", cascade="all, delete-orphan"
    )

    invitations: Mapped[list[Invitation]] = relationship(
        back_populates="team", order_by="Invitation.id", cascade="all, delete-orphan"
    )

    @validates("name_zh")
    def _keep_pinyin(self, _key: str, value: str) -> str:
        """Whoever sets the Chinese name, the pinyin and initials used by search follow."""
        self.name_pinyin = pinyin_of(value)
        self.name_initials = initials_of(value)[:200]
        return value

    def display_name(self, locale: str) -> str:
        return self.name_en if locale.startswith("en") and self.name_en else self.name_zh

    @property
    def next_statuses(self) -> tuple[str, ...]:
        """The statuses this team may move to from where it is."""
        return TRANSITIONS.get(self.status, ())

    def __repr__(self) -> str:
        return f"<Team {self.id} {self.name_zh} {self.status}>"


class TeamStatusChange(db.Model):
    """One step of a team's lifecycle: dated, attributed."""

    __tablename__ = "team_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    on: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")

    team: Mapped[Team] = relationship(back_populates="history")
    actor: Mapped[User | None] = relationship()


class Invitation(Audited, CreatedMixin, db.Model):
    """An invitation to join a team: the invitee sets a password through a one-time link.

    Only a SHA-256 hash of the link's token is kept; the link works once, until it expires.
    """

    __tablename__ = "invitations"
    __audit_exclude__ = frozenset({"token_hash"})

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    team: Mapped[Team] = relationship(back_populates="invitations")
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])

    @property
    def state(self) -> str:
        """pending, accepted, revoked or expired."""
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= utcnow() else "pending"


# What the constraints above refuse, when a race gets past the checks (opc.core.constraints).
constraints.register("uq_teams_uscc", "uscc_taken", lambda: _("This credit code is registered."))
constraints.register(
    "uq_teams_park_id_name_zh", "team_name_taken", lambda: _("The park has a team of this name.")
)
constraints.register(
    "ck_teams_track_known", "unknown_track", lambda: _("The track is not one of the known tracks.")
)
constraints.register(
    "ck_teams_status_known",
    "unknown_status",
    lambda: _("The status is not one of the known statuses."),
)
constraints.register(
    "ck_teams_kind_known",
    "unknown_kind",
    lambda: _("The kind of team is not one of the known kinds."),
)
constraints.register(
    "uq_invitations_token_hash",
    "token_collision",
    lambda: _("A new token matched an existing one. Please try again."),
)
