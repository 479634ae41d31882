"""Read models of one's account."""

from __future__ import annotations

from sqlalchemy import select

from opc.auth.models import ApiToken, User
from opc.extensions import db


def tokens_of(user: User) -> list[ApiToken]:
    """The user's API tokens, newest first (revoked ones too: the account page shows them)."""
    stmt = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    return list(db.session.scalars(stmt))


def token(token_id: int) -> ApiToken | None:
    return db.session.get(ApiToken, token_id)
