"""Team members: staff invite by e-mail; the invitee sets a password through a one-time link.

The link carries a random token; only its SHA-256 hash is stored. It works once and
expires after INVITATION_DAYS. Without mail (MAIL_SERVER empty) staff are shown the link
to pass on; with mail it is sent to the invitee.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from opc.auth.models import Role, User
from opc.auth.operations import create_user, hash_secret, normalize_email
from opc.core import mail
from opc.core.db import lock, retrying, transaction, utcnow
from opc.core.errors import NotFound, RuleViolation
from opc.core.links import external_url, has_external_url
from opc.core.permissions import require_actor
from opc.extensions import db
from opc.teams.models import Invitation, Team, TeamStatus
from opc.teams.permissions import can_manage_teams

log = logging.getLogger(__name__)

INVITATION_DAYS = 7
_LEFT = (TeamStatus.GRADUATED, TeamStatus.EXITED)


@dataclass
class IssuedInvitation:
    """A new invitation with its link (shown to staff only when it was not mailed)."""

    invitation: Invitation
    link: str
    mailed: bool
    mail_error: str | None = None


def invitation_link(token: str) -> str:
    """The link to pass on: EXTERNAL_URL's, never the request's Host (opc.core.links)."""
    return external_url("teams.accept_invitation", token=token)


@retrying
def invite_member(team: Team, email: str, *, actor: Any) -> IssuedInvitation:
    """Invite a person to a team; an earlier pending invitation of the same address ends."""
    email = normalize_email(email)
    token = secrets.token_urlsafe(32)
    with transaction(actor) as session:
        team = lock(Team, team.id)  # type: ignore[assignment]
        if team is None:
            raise NotFound("not_found", _("Not found."))
        require_actor(can_manage_teams, actor, team)
        if team.status in _LEFT:
            raise RuleViolation(
                "team_not_active",
                _("The team has left the park; it takes no new members."),
                conflict={"team_id": team.id, "status": team.status},
            )
        if session.scalar(select(User.id).where(User.email == email)):
            message = _("A user with this e-mail exists already.")
            raise RuleViolation("email_taken", message, fields={"email": [message]})
        now = utcnow()
        pending = select(Invitation).where(
            Invitation.team_id == team.id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        for earlier in session.scalars(pending):  # through the ORM: the audit logs each
            earlier.revoked_at = now
        invitation = Invitation(
            team_id=team.id,
            email=email,
            token_hash=hash_secret(token),
            expires_at=now + timedelta(days=INVITATION_DAYS),
            invited_by_id=getattr(actor, "id", None),
        )
        session.add(invitation)
        session.flush()
        team_name = team.name_zh
    link = invitation_link(token)
    if not mail.configured():
        return IssuedInvitation(invitation, link, mailed=False)
    if not has_external_url():  # debug or testing only: a deployment refuses to start so
        log.warning("invitation to %s not mailed: EXTERNAL_URL is not set", email)
        return IssuedInvitation(
            invitation, link, mailed=False, mail_error="EXTERNAL_URL is not set"
        )
    try:
        mail.send(
            email,
            _("Invitation to join %(team)s on OPC Ops", team=team_name),
            _(
                "You are invited to join %(team)s on OPC Ops.\n\n"
                "Set your password here (the link works once, for %(days)d days):\n%(link)s\n",
                team=team_name,
                days=INVITATION_DAYS,
                link=link,
            ),
        )
    except (OSError, smtplib.SMTPException) as exc:
        # The invitation stands; staff get the link to pass on themselves.
        log.warning("invitation mail to %s failed: %s", email, exc)
        return IssuedInvitation(invitation, link, mailed=False, mail_error=str(exc))
    return IssuedInvitation(invitation, link, mailed=True)


def find_invitation(token: str) -> Invitation | None:
    """The invitation a link's token names (in any state), or None."""
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == hash_secret(token)))


def check_usable(invitation: Invitation | None) -> Invitation:
    """The invitation, if its link may still be used; otherwise the refusal saying why."""
    if invitation is None:
        raise NotFound("invitation_unknown", _("This invitation link is not valid."))
    state = invitation.state
    if state == "accepted":
        raise RuleViolation("invitation_used", _("This invitation link has been used already."))
    if state == "revoked":
        raise RuleViolation("invitation_revoked", _("This invitation was withdrawn."))
    if state == "expired":
        raise RuleViolation("invitation_expired", _("This invitation link has expired."))
    return invitation


@retrying
def accept_invitation(token: str, *, password: str, name: str = "") -> User:
    """Create the member's account with their password; the link is used up."""
    with transaction(None) as session:
        invitation = session.scalar(
            select(Invitation)
            .where(Invitation.token_hash == hash_secret(token))
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        invitation = check_usable(invitation)
        user = create_user(
            invitation.email,
            role=Role.MEMBER,
            password=password,
            name=name,
            team_id=invitation.team_id,
        )
        invitation.accepted_at = utcnow()
        invitation.user_id = user.id
    return user


@retrying
def revoke_invitation(invitation: Invitation, *, actor: Any) -> None:
    """Withdraw a pending invitation: its link stops working."""
    with transaction(actor):
        invitation = lock(Invitation, invitation.id)  # type: ignore[assignment]
        if invitation is None:
            raise NotFound("not_found", _("Not found."))
        require_actor(can_manage_teams, actor, invitation.team)
        if invitation.state != "pending":
            raise RuleViolation("invitation_not_pending", _("The invitation is not pending."))
        invitation.revoked_at = utcnow()
