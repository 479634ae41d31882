"""/api/v1/users: accounts, for admins (and each user's own)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from opc.api.pagination import paged
from opc.api.routing import endpoint
from opc.api.schemas import Id, In, Out, email
from opc.auth import operations as auth_ops
from opc.auth import resets
from opc.auth.models import Role, User
from opc.auth.permissions import can_manage_users
from opc.core.permissions import get_or_404
from opc.parks.permissions import staff_park_ids
from opc.users import operations as ops
from opc.users import queries


class UserOut(Out):
    id: int
    email: str
    name: str
    role: str
    team_id: int | None
    park_ids: list[int]
    is_active: bool


class UserIn(In):
    email: email()  # type: ignore[valid-type]
    role: Role
    name: str = Field("", max_length=auth_ops.MAX_NAME)
    password: str | None = Field(
        None, min_length=auth_ops.MIN_PASSWORD, max_length=auth_ops.MAX_PASSWORD
    )
    team_id: Id | None = None  # type: ignore[valid-type]
    park_ids: list[Id] = Field(default_factory=list, max_length=1000)  # type: ignore[valid-type]


def _out(user: User) -> dict[str, Any]:
    return UserOut(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,
        team_id=user.team_id,
        park_ids=sorted(staff_park_ids(user)),
        is_active=user.is_active,
    ).model_dump()


@endpoint("/users", scope="users:read", allow=can_manage_users, response=UserOut, paged=True)
def list_users(user: Any) -> dict[str, Any]:
    """All users (admins)."""
    return paged(queries.users(), _out)


@endpoint("/users/me", scope="users:read", response=UserOut)
def me(user: Any) -> dict[str, Any]:
    """The caller."""
    return _out(user)


@endpoint("/users/<int:user_id>", scope="users:read", response=UserOut)
def get_user(user: Any, user_id: int) -> dict[str, Any]:
    """One user (admins, or oneself)."""
    return _out(get_or_404(User, user_id, user))


@endpoint(
    "/users",
    methods=("POST",),
    scope="users:write",
    allow=can_manage_users,
    body=UserIn,
    response=UserOut,
    status=201,
    errors=(409,),
)
def create_user(user: Any, body: UserIn) -> dict[str, Any]:
    """Create a user (admins); a provider user gets its provider record."""
    values = body.model_dump(exclude={"email"})
    return _out(ops.create_user(body.email, actor=user, **values | {"role": body.role.value}))


class PasswordResetIn(In):
    revoke_tokens: bool = False


class PasswordResetOut(Out):
    user_id: int
    expires_at: datetime
    mailed: bool
    # The one-time link, only when it was not mailed (the administrator passes it on).
    link: str | None = None


@endpoint(
    "/users/<int:user_id>/password-reset",
    methods=("POST",),
    scope="users:write",
    allow=can_manage_users,
    body=PasswordResetIn,
    response=PasswordResetOut,
    errors=(409,),
)
def force_password_reset(user: Any, user_id: int, body: PasswordResetIn) -> dict[str, Any]:
    """Force a reset of a user's password (admins): the old one stops working, the user's
    sessions end (and API tokens with `revoke_tokens`); the link is mailed, or returned."""
    issued = resets.force_reset(
        get_or_404(User, user_id, user), actor=user, revoke_tokens=body.revoke_tokens
    )
    return PasswordResetOut(
        user_id=issued.reset.user_id,
        expires_at=issued.reset.expires_at,
        mailed=issued.mailed,
        link=None if issued.mailed else issued.link,
    ).model_dump(mode="json")
