"""Every change to people: creating users, logging in and out, passwords, API tokens."""

from __future__ import annotations

import functools
import hashlib
import logging
import secrets
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, inspect, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import contains_eager, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from opc.auth import throttling
from opc.auth.models import ApiToken, Role, User, UserSession
from opc.auth.permissions import can_use_pages
from opc.auth.signals import user_created
from opc.core.db import retrying, transaction, utcnow
from opc.core.errors import RuleViolation, ValidationFailed
from opc.core.values import check_texts, text_problem
from opc.extensions import db

log = logging.getLogger(__name__)

# Argon2id with the RFC 9106 "second recommended" parameters (64 MiB, 3 passes).
_hasher = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4)
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # Argon2 takes any length; a bound keeps hashing cheap to refuse
MAX_NAME = 200
TOKEN_SCOPES = ("all", "read", "usage:write", "reports:read")


def hash_secret(token: str) -> str:
    """SHA-256 of a random token: tokens are long random strings, so a fast hash suffices."""
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    """Whether `password` is the user's; a timing-equal dummy check when the user has none."""
    if not user.password_hash:
        _hasher.hash(password)  # as slow as a real check: no probing for password-less accounts
        return False
    try:
        return bool(_hasher.verify(user.password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def normalize_email(email: str) -> str:
    """A valid e-mail address, lower-cased; ValidationFailed when it is not one."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValidationFailed({"email": [_("Not a valid e-mail address.")]}) from exc


def _check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed({"password": [_("At least %(n)d characters.", n=MIN_PASSWORD)]})


def check_new_user(
    email: str,
    *,
    role: str,
    password: str | None = None,
    name: str = "",
    team_id: int | None = None,
) -> str:
    """The values of a new user, every bad one reported at once (ValidationFailed); the
    normalised e-mail address. Reads nothing: the form runs it before it refuses."""
    errors: dict[str, list[str]] = {}
    try:
        email = normalize_email(email)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if role not in {r.value for r in Role}:
        errors["role"] = [_("Unknown role %(role)s.", role=role)]
    if role == Role.MEMBER and team_id is None:
        errors["team_id"] = [_("A team member needs a team.")]
    if password is not None and len(password) < MIN_PASSWORD:
        errors["password"] = [_("At least %(n)d characters.", n=MIN_PASSWORD)]
    elif password is not None and len(password) > MAX_PASSWORD:
        errors["password"] = [_("At most %(n)d characters.", n=MAX_PASSWORD)]
    if len(name) > MAX_NAME:
        errors["name"] = [_("At most %(n)d characters.", n=MAX_NAME)]
    elif problem := text_problem(name):
        errors["name"] = [problem]
    if errors:
        raise ValidationFailed(errors)
    return email


@retrying
def create_user(
    email: str,
    *,
    role: str,
    password: str | None = None,
    name: str = "",
    team_id: int | None = None,
    actor: Any = None,
) -> User:
    """Create a user of a role (a member with its team, which the caller has checked).

    Domains react to `user_created` in the same transaction (opc.compute adds a provider
    user's provider record); opc.users assigns staff to parks.
    """
    email = check_new_user(email, role=role, password=password, name=name, team_id=team_id)
    with transaction(actor) as session:
        if session.scalar(select(User.id).where(User.email == email)):
            raise RuleViolation("email_taken", _("A user with this e-mail exists already."))
        user = User(
            email=email,
            name=name or email.split("@")[0],
            role=role,
            team_id=team_id if role == Role.MEMBER else None,
            password_hash=hash_password(password) if password else None,
            password_changed_at=utcnow() if password else None,
        )
        session.add(user)
        session.flush()
        user_created.send(user, actor=actor)
    return user


@retrying
def set_password(
    user: User, password: str, *, actor: Any = None, revoke_tokens: bool = False
) -> None:
    """Change a password and end every login session of the user; with `revoke_tokens`, end
    the user's API tokens too (else they keep working: machines hold them, not the person)."""
    _check_password_strength(password)
    with transaction(actor):
        user.password_hash = hash_password(password)
        user.password_changed_at = utcnow()
        end_logins(user, revoke_tokens=revoke_tokens)


@retrying
def set_preferences(user: User, *, notify_by_email: bool, locale: str, actor: Any) -> None:
    """One's notification mail (opc.notifications) and language: of one's e-mails, and of
    the pages until the language switch is used."""
    languages = current_app.config["LANGUAGES"]
    if locale not in languages:
        message = _("Must be one of: %(known)s.", known=", ".join(languages))
        raise ValidationFailed({"locale": [message]})
    with transaction(actor):
        user.notify_by_email = bool(notify_by_email)
        user.locale = locale


def end_logins(user: User, *, revoke_tokens: bool = False) -> None:
    """End every login session of the user, and with `revoke_tokens` their API tokens
    (joins the caller's transaction: a password change or reset)."""
    now = utcnow()
    with transaction() as session:
        if revoke_tokens:
            live = select(ApiToken).where(
                ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)
            )
            for token in session.scalars(live):  # through the ORM: the audit logs each
                token.revoked_at = now
        session.execute(
            update(UserSession)
            .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )


# --- login sessions -------------------------------------------------------------------


# Throttled per account and address and per address (opc.auth.throttling). Not @retrying
# as a whole: its two writes retry themselves, and a retry of it would count the attempt twice.
def authenticate(email: str, password: str, address: str) -> User:
    """The user with these credentials, with a new login session; RuleViolation otherwise
    (RateLimited, 429, while this account and address or this address must wait).

    API-only accounts (providers) are refused with the same message as a wrong password:
    they have no pages, and the refusal does not confirm that the password was right.
    """
    email = email.strip().lower()
    check_texts({"email": email})  # NUL and other controls never reach a query (422)
    attempt = throttling.begin_attempt(email, address)
    user = db.session.scalar(select(User).where(User.email == email))
    # Exactly one Argon2 computation whatever the outcome, so that the time taken does not
    # tell unknown, password-less, deactivated and API-only accounts from a wrong password.
    if user is None:
        _hasher.hash(password)
        ok = False
    else:
        ok = check_password(user, password) and can_use_pages(user)
    if not ok:
        raise RuleViolation("login_failed", _("Wrong e-mail or password."))
    return _log_in(user, attempt)  # type: ignore[arg-type]


@retrying
def _log_in(user: User, attempt: int) -> User:
    with transaction(user):
        throttling.succeeded(attempt)
        user.session_token = _open_session(user)
    return user


def confirm_password(user: User, password: str, address: str) -> bool:
    """Whether `password` is the user's own (the account page asks before a change),
    throttled like a login of the user from `address` (RateLimited while it must wait)."""
    attempt = throttling.begin_attempt(user.email, address)
    if not check_password(user, password):
        return False
    throttling.succeeded(attempt)
    return True


def _open_session(user: User) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, token_hash=hash_secret(token)))
    return token


# Relationships of User that every request reads, by name: domains above add theirs
# (opc.parks: a staff member's parks, which the permission checks ask for), and they are
# joined into the statement that finds the request's user instead of a query each.
_request_user_loads: list[str] = []


def load_with_user(relationship: str) -> None:
    """Load `User.<relationship>` in the statement that finds a request's user."""
    if relationship not in _request_user_loads:
        _request_user_loads.append(relationship)


def _user_loads(names: tuple[str, ...]) -> list[Any]:
    relationships = inspect(User).relationships  # configures the mappers: backrefs exist
    return [joinedload(relationships[name].class_attribute) for name in names]


# The two statements that find a request's user run on every request: they are built once
# (per set of loads) and run with the token's hash, as building one cost more than running it.
@functools.cache
def _session_user_statement(loads: tuple[str, ...]) -> Select[Any]:
    return (
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .options(*_user_loads(loads))
        .where(UserSession.token_hash == bindparam("hash"), UserSession.revoked_at.is_(None))
    )


@functools.cache
def _token_statement(loads: tuple[str, ...]) -> Select[Any]:
    return (
        select(ApiToken)
        .join(ApiToken.user)
        .options(contains_eager(ApiToken.user).options(*_user_loads(loads)))
        .where(ApiToken.token_hash == bindparam("hash"), ApiToken.revoked_at.is_(None))
    )


def load_session_user(token: str) -> User | None:
    """The user of a live login session token, or None when ended, expired or unknown, or
    when its user may not use the pages (an API-only account's session from before that).

    A session lasts SESSION_LIFETIME_HOURS from login, then the user logs in again.
    """
    lifetime = timedelta(hours=current_app.config["SESSION_LIFETIME_HOURS"])
    statement = _session_user_statement(tuple(_request_user_loads))
    row = (
        db.session.execute(statement, {"hash": hash_secret(token)})
        .unique()  # a joined collection gives a row per item: all of them, one user
        .one_or_none()
    )
    if row is None:
        return None
    login, user = row
    if not can_use_pages(user) or login.created_at < utcnow() - lifetime:
        return None  # (can_use_pages is false for inactive users too)
    user.session_token = token
    return user


@retrying
def end_session(token: str | None) -> None:
    """Log out: the session token can never be used again."""
    if not token:
        return
    with transaction() as session:
        session.execute(
            update(UserSession)
            .where(UserSession.token_hash == hash_secret(token))
            .values(revoked_at=utcnow())
        )


# --- API tokens -----------------------------------------------------------------------


@retrying
def issue_token(user: User, *, scope: str = "all", name: str = "", actor: Any = None) -> str:
    """A new API token for `user`; returns the secret, which is shown once and kept hashed."""
    scopes = scope.split()
    bad = [s for s in scopes if s not in TOKEN_SCOPES]
    if not scopes or bad:
        raise ValidationFailed(
            {"scope": [_("Unknown scope. Known: %(known)s.", known=", ".join(TOKEN_SCOPES))]}
        )
    check_texts({"name": name})
    secret = "opc_" + secrets.token_urlsafe(32)
    with transaction(actor) as session:
        session.add(
            ApiToken(
                user_id=user.id,
                name=name,
                prefix=secret[:12],
                token_hash=hash_secret(secret),
                scope=" ".join(scopes),
            )
        )
    return secret


@retrying
def revoke_token(token: ApiToken, *, actor: Any = None) -> None:
    with transaction(actor):
        token.revoked_at = utcnow()


def load_token(secret: str) -> ApiToken | None:
    """The live token with this secret, or None."""
    statement = _token_statement(tuple(_request_user_loads))
    row = db.session.execute(statement, {"hash": hash_secret(secret)}).unique().one_or_none()
    if row is None:
        return None
    token = row[0]
    if not token.user.is_active:
        return None
    note_token_use(token)
    return token


# How precisely a token's last use is kept: reading it must not make every request a write.
TOKEN_USE_RESOLUTION = timedelta(minutes=1)


def note_token_use(token: ApiToken) -> None:
    """Set the token's last_used_at, at most once per TOKEN_USE_RESOLUTION.

    On a connection of its own, committed at once: never part of the caller's write (which may
    roll back), never retried, and a failure to note it never fails the request. A reading,
    not a change anyone made: not audited (ApiToken.__audit_exclude__). It runs when a token
    authenticates, before the route writes anything.
    """
    now = utcnow()
    if token.last_used_at is not None and now - token.last_used_at < TOKEN_USE_RESOLUTION:
        return
    table = ApiToken.__table__
    stale = or_(table.c.last_used_at.is_(None), table.c.last_used_at <= now - TOKEN_USE_RESOLUTION)
    try:
        with db.engine.begin() as connection:
            connection.execute(
                update(table).where(table.c.id == token.id, stale).values(last_used_at=now)
            )
    except SQLAlchemyError as exc:
        log.warning("could not note the use of API token %s: %s", token.id, exc)
        return
    set_committed_value(token, "last_used_at", now)
