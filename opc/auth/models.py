"""People and machine clients: users, their login sessions, API tokens, login attempts."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from opc.core import constraints
from opc.core.db import UTCDateTime, utcnow
from opc.core.models import Audited, CreatedMixin
from opc.core.permissions import Role
from opc.extensions import db

ROLE_VALUES = ", ".join(f"'{r.value}'" for r in Role)

__all__ = [
    "ApiToken",
    "LoginAttempt",
    "PasswordReset",
    "RateLimitHit",
    "Role",
    "User",
    "UserSession",
]


class User(Audited, CreatedMixin, db.Model):
    """A person or machine client. Domains above add what a user is to them: opc.teams a
    member's `team`, opc.parks a staff member's `parks` (relationships declared there)."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN ({ROLE_VALUES})", name="role_known"),
        CheckConstraint("role <> 'member' OR team_id IS NOT NULL", name="member_has_team"),
    )
    __audit_exclude__ = frozenset({"password_hash"})

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    # The team of a member (role member); the teams table is opc.teams'.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Whether their notifications (opc.notifications) are also sent by e-mail.
    notify_by_email: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    # Flask-Login: the id it keeps in the cookie is the login session's token, not the user id,
    # so that a logged-out or password-changed session cannot be replayed.
    session_token = None  # set per login by load_session_user()

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str | None:
        return self.session_token

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class UserSession(db.Model):
    """A login on one browser: ended at logout, all ended at a password change."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class ApiToken(Audited, CreatedMixin, db.Model):
    """A bearer token: acts as its user, narrowed by its scope; only its hash is kept."""

    __tablename__ = "api_tokens"
    # last_used_at is a reading, not a change anyone made: it is noted on its own connection
    # at most once a minute (opc.auth.operations.note_token_use) and not logged.
    __audit_exclude__ = frozenset({"token_hash", "last_used_at"})

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(200), default="all")
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class PasswordReset(Audited, CreatedMixin, db.Model):
    """A one-time link that sets a new password: asked for by its user ("forgot password",
    `requested_by_id` None) or made by an administrator (a forced reset).

    Only a SHA-256 hash of the link's token is kept; the link works once, until it expires,
    and a newer link of the same user replaces it (opc.auth.resets).
    """

    __tablename__ = "password_resets"
    __audit_exclude__ = frozenset({"token_hash"})

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])

    @property
    def state(self) -> str:
        """pending, used, revoked or expired."""
        if self.used_at is not None:
            return "used"
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= utcnow() else "pending"


class LoginAttempt(db.Model):
    """Failed and successful logins: the shared store behind login throttling."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "at"),
        Index("ix_login_attempts_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)


class RateLimitHit(db.Model):
    """One counted use of a rate-limited action (`bucket`, e.g. "apply") by a client `key`
    (its address): the shared store behind opc.auth.ratelimit."""

    __tablename__ = "rate_limit_hits"
    __table_args__ = (Index("ix_rate_limit_hits_bucket_key_at", "bucket", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bucket: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# What the constraints above refuse, when a race gets past the checks (opc.core.constraints).
constraints.register(
    "uq_users_email", "email_taken", lambda: _("A user with this e-mail exists already.")
)
constraints.register(
    "ck_users_role_known", "unknown_role", lambda: _("The role is not one of the known roles.")
)
constraints.register(
    "ck_users_member_has_team", "member_needs_team", lambda: _("A team member needs a team.")
)
constraints.register(
    "uq_user_sessions_token_hash",
    "token_collision",
    lambda: _("A new token matched an existing one. Please try again."),
)
constraints.register(
    "uq_api_tokens_token_hash",
    "token_collision",
    lambda: _("A new token matched an existing one. Please try again."),
)
constraints.register(
    "uq_password_resets_token_hash",
    "token_collision",
    lambda: _("A new token matched an existing one. Please try again."),
)
