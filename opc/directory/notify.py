"""The directory's notifications: both teams hear of an introduction, in the app and by mail
(the notifications outbox mails the members who want it).

`notify_introduction` is called by `introduce` inside its transaction, so an introduction
rolled back tells nobody.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from opc import notifications
from opc.directory.models import Introduction
from opc.notifications import local, path_for, sentences
from opc.teams.models import Team
from opc.teams.queries import active_member_ids

INTRODUCED = "introduction.made"


def _params(intro: Introduction, own: Team, other: Team) -> dict[str, Any]:
    return {
        "introduction_id": intro.id,
        "team_id": own.id,
        "other": {"zh": other.name_zh, "en": other.name_en},
        "contact": other.contact_email or "",
        "note": intro.note,
    }


def _body(p: dict[str, Any]) -> str:
    contact = _("Contact: %(email)s", email=p["contact"]) if p.get("contact") else ""
    note = _("The park's note: %(note)s", note=p["note"]) if p.get("note") else ""
    return sentences(note, contact)


def register_kinds() -> None:
    """The kinds of the directory's notifications (called from init_app)."""
    notifications.kind(
        INTRODUCED,
        title=lambda p: _("The park introduces you to %(team)s", team=local(p["other"])),
        body=_body,
        link=lambda p: path_for("directory.matches", team_id=p["team_id"]),
    )


def notify_introduction(session: Session, intro: Introduction) -> None:
    """Tell each team's members whom they are introduced to."""
    a, b = intro.team_a, intro.team_b
    for own, other in ((a, b), (b, a)):
        recipients = active_member_ids(session, own.id)
        notifications.notify(session, recipients, INTRODUCED, _params(intro, own, other))
