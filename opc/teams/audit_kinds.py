"""How the audit log shows teams and invitations (opc.audit.registry): their names, pages,
field labels and the labels of their codes."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from opc.audit.registry import RecordKind, register
from opc.teams.labels import kind_label, status_label, track_label
from opc.teams.models import Invitation, Team

TEAM_FIELDS = {
    "name_zh": _l("Name"),
    "name_en": _l("Name (English)"),
    "track": _l("Track"),
    "kind": _l("Kind"),
    "legal_name": _l("Legal entity name"),
    "uscc": _l("Unified Social Credit Code"),
    "description": _l("What the team does"),
    "contact_name": _l("Contact person"),
    "contact_email": _l("Contact e-mail"),
    "contact_phone": _l("Contact phone"),
    "status_since": _l("Since"),
    "waitlisted_at": _l("On the waitlist since"),
}


def register_kinds() -> None:
    register(
        RecordKind(
            Team,
            _l("Team"),
            url=lambda team: url_for("teams.detail", team_id=team.id),
            fields=TEAM_FIELDS,
            values={"track": track_label, "status": status_label, "kind": kind_label},
        )
    )
    register(
        RecordKind(
            Invitation,
            _l("Invitation"),
            url=lambda invitation: url_for("teams.detail", team_id=invitation.team_id),
            fields={
                "expires_at": _l("Expires"),
                "invited_by_id": _l("Invited by"),
                "accepted_at": _l("Accepted"),
                "revoked_at": _l("Withdrawn"),
            },
        )
    )
