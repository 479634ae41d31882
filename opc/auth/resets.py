"""Forgotten passwords: a one-time link sets a new password. Its user asks for it by e-mail
("forgot password"), or an administrator forces a reset (the old password stops working).

The link carries a random token; only its SHA-256 hash is kept. It works once, until it
expires (PASSWORD_RESET_LINK_MINUTES, or PASSWORD_RESET_ADMIN_LINK_HOURS for an
administrator's), and a newer link of the same user replaces it. Setting the password ends
every login session of the user (and, when asked, their API tokens).

Asking for a link never tells whether an account exists (OWASP Forgot Password): an unknown
address, an API-only or deactivated account and a known one get the same answer, and the
mail goes out from a thread of its own, so the answer does not wait for the mail server
either. Requests are limited per client address (429) and per e-mail address (more get the
same answer and no mail), whether the address is known or not.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from opc.auth import ratelimit, throttling
from opc.auth.models import PasswordReset, User
from opc.auth.operations import end_logins, hash_secret, normalize_email, set_password
from opc.auth.permissions import can_manage_users, can_use_pages
from opc.core import mail
from opc.core.db import lock, retrying, transaction, utcnow
from opc.core.errors import NotFound, RateLimited, RuleViolation
from opc.core.links import external_url, has_external_url
from opc.core.permissions import require_actor
from opc.core.values import check_texts
from opc.extensions import db

log = logging.getLogger(__name__)

MAX_TOKEN = 200  # a link's token is 43 characters; longer is no token of ours


@dataclass(frozen=True)
class ResetMail:
    """A message with a reset link, to be sent."""

    to: str
    subject: str
    body: str


@dataclass
class IssuedReset:
    """An administrator's reset: the link, and whether it was mailed (else it is shown)."""

    reset: PasswordReset
    link: str
    mailed: bool
    mail_error: str | None = None


def reset_link(token: str) -> str:
    """The link to open: EXTERNAL_URL's, never the request's Host (opc.core.links)."""
    return external_url("auth.reset_password", token=token)


def _issue(user: User, lifetime: timedelta, *, requested_by: Any) -> tuple[PasswordReset, str]:
    """A new link for `user` (in the caller's transaction); earlier pending links end."""
    session = db.session
    now = utcnow()
    pending = select(PasswordReset).where(
        PasswordReset.user_id == user.id,
        PasswordReset.used_at.is_(None),
        PasswordReset.revoked_at.is_(None),
    )
    for earlier in session.scalars(pending):  # through the ORM: the audit logs each
        earlier.revoked_at = now
    token = secrets.token_urlsafe(32)
    reset = PasswordReset(
        user_id=user.id,
        token_hash=hash_secret(token),
        expires_at=now + lifetime,
        requested_by_id=getattr(requested_by, "id", None),
    )
    session.add(reset)
    session.flush()
    return reset, token


def _mail(user: User, link: str, lifetime: timedelta, *, forced: bool) -> ResetMail:
    minutes = int(lifetime.total_seconds() // 60)
    if forced:
        subject = _("An administrator reset your OPC Ops password")
        intro = _(
            "An administrator has reset the password of %(email)s on OPC Ops.", email=user.email
        )
    else:
        subject = _("Set a new OPC Ops password")
        intro = _(
            "Someone (we hope you) asked to reset the password of %(email)s on OPC Ops.",
            email=user.email,
        )
    body = "\n\n".join(
        [
            intro,
            _("Choose a new password here (the link works once, for %(n)d minutes):", n=minutes)
            + "\n"
            + link,
            _("If you did not ask for this, ignore this message: your password stays as it is.")
            if not forced
            else _("Your old password no longer works; ask the administrator if in doubt."),
        ]
    )
    return ResetMail(user.email, subject, body + "\n")


def request_reset(email: str, address: str) -> ResetMail | None:
    """Someone at `address` asks for a link for `email`: the mail to send, or None when none
    goes out (no such account, or none that logs in with a password, too many requests for
    the address, mail not configured). The caller answers the same either way.

    ValidationFailed (422) for what is no e-mail address; RateLimited (429) when `address`
    asked too often — for any e-mail address, so neither says whether an account exists.
    """
    email = normalize_email(email)
    config = current_app.config
    window = timedelta(minutes=config["PASSWORD_RESET_WINDOW_MINUTES"])
    limit = config["PASSWORD_RESET_LIMIT_PER_ADDRESS"]
    ratelimit.hit("password-reset", address, limit=limit, window=window)
    try:  # keyed by a hash: 64 characters whatever the address's length
        limit = config["PASSWORD_RESET_LIMIT_PER_ACCOUNT"]
        ratelimit.hit("password-reset-account", hash_secret(email), limit=limit, window=window)
    except RateLimited:
        log.info("password reset for an address not mailed: asked too often")
        return None
    if not mail.configured():
        return None
    return _issue_requested(email)


@retrying
def _issue_requested(email: str) -> ResetMail | None:
    lifetime = timedelta(minutes=current_app.config["PASSWORD_RESET_LINK_MINUTES"])
    with transaction(None) as session:
        user = session.scalar(select(User).where(User.email == email))
        if user is None or not can_use_pages(user):  # (false for deactivated accounts too)
            return None
        _reset, token = _issue(user, lifetime, requested_by=None)
        return _mail(user, reset_link(token), lifetime, forced=False)


@retrying
def force_reset(user: User, *, actor: Any, revoke_tokens: bool = False) -> IssuedReset:
    """An administrator resets `user`'s password: the old one stops working at once, every
    login session ends (and the API tokens with `revoke_tokens`), and a link lets the user
    choose a new one. The link is mailed when mail is configured, else returned to be shown."""
    require_actor(can_manage_users, actor)
    lifetime = timedelta(hours=current_app.config["PASSWORD_RESET_ADMIN_LINK_HOURS"])
    with transaction(actor):
        user = lock(User, user.id)  # type: ignore[assignment]
        if user is None:
            raise NotFound("not_found", _("Not found."))
        if actor is not None and user.id == actor.id:
            raise RuleViolation(
                "own_password",
                _("Change your own password on your account page."),
                conflict={"user_id": user.id},
            )
        if not can_use_pages(user):
            raise RuleViolation(
                "no_password_login",
                _("This account does not log in with a password (API only, or deactivated)."),
                conflict={"user_id": user.id, "role": user.role, "is_active": user.is_active},
            )
        user.password_hash = None  # no password matches: check_password refuses every one
        user.password_changed_at = utcnow()
        end_logins(user, revoke_tokens=revoke_tokens)
        reset, token = _issue(user, lifetime, requested_by=actor)
        recipient, locale = user.email, user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    link = reset_link(token)
    if not mail.configured():
        return IssuedReset(reset, link, mailed=False)
    if not has_external_url():  # debug or testing only: a deployment refuses to start so
        return IssuedReset(reset, link, mailed=False, mail_error="EXTERNAL_URL is not set")
    with force_locale(locale):  # the user's language, not the administrator's
        message = _mail(user, link, lifetime, forced=True)
    try:
        mail.send(recipient, message.subject, message.body)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("password reset mail to %s failed: %s", recipient, exc)
        return IssuedReset(reset, link, mailed=False, mail_error=str(exc))
    return IssuedReset(reset, link, mailed=True)


def find_reset(token: str) -> PasswordReset | None:
    """The reset a link's token names (in any state), or None."""
    if len(token) > MAX_TOKEN:
        return None
    check_texts({"token": token})
    return db.session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == hash_secret(token))
    )


def check_usable(reset: PasswordReset | None) -> PasswordReset:
    """The reset, if its link may still be used; otherwise the refusal saying why."""
    if reset is None or not can_use_pages(reset.user):
        raise NotFound("reset_unknown", _("This password link is not valid."))
    state = reset.state
    if state == "used":
        raise RuleViolation("reset_used", _("This password link has been used already."))
    if state == "revoked":
        raise RuleViolation(
            "reset_replaced", _("A newer password link was made; this one no longer works.")
        )
    if state == "expired":
        raise RuleViolation("reset_expired", _("This password link has expired."))
    return reset


@retrying
def complete_reset(token: str, password: str, *, address: str, revoke_tokens: bool = False) -> User:
    """Set the new password through a link: the link is used up, every login session of the
    user ends (and the API tokens with `revoke_tokens`); the user then logs in afresh.

    The user's failed logins from `address` are forgiven (they proved they hold the
    mailbox), so they are not kept waiting by the guesses that made them ask.
    """
    user = check_usable(find_reset(token)).user
    with transaction(user) as session:
        reset = session.scalar(
            select(PasswordReset)
            .where(PasswordReset.token_hash == hash_secret(token))
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        reset = check_usable(reset)  # again, under the lock: two tabs cannot both use it
        set_password(reset.user, password, actor=user, revoke_tokens=revoke_tokens)
        reset.used_at = utcnow()
        throttling.forgive(reset.user.email, address)
    return user
