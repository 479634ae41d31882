"""How the audit log shows the directory's records: skills by code, profiles and
introductions by their teams, outcomes by their labels."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from opc.audit.registry import RecordKind, register
from opc.core.i18n import locale_code
from opc.directory.labels import outcome_label
from opc.directory.models import Introduction, Profile, Skill


def register_kinds() -> None:
    register(
        RecordKind(
            Skill,
            _l("Skill"),
            name=lambda s: f"{s.code} {s.display_name(locale_code())}",
            fields={"code": _l("Code")},
        )
    )
    register(
        RecordKind(
            Profile,
            _l("Directory profile"),
            url=lambda p: url_for("directory.profile", team_id=p.team_id),
            name=lambda p: str(p.team.display_name(locale_code())),
            load=(joinedload(Profile.team),),
            fields={
                "hidden": _l("Hidden from the directory"),
                "offers_text": _l("What the team offers"),
                "needs_text": _l("What the team needs"),
            },
        )
    )
    register(
        RecordKind(
            Introduction,
            _l("Introduction"),
            url=lambda i: url_for("directory.introductions", park_id=i.park_id),
            name=lambda i: " ↔ ".join(t.display_name(locale_code()) for t in (i.team_a, i.team_b)),
            load=(joinedload(Introduction.team_a), joinedload(Introduction.team_b)),
            values={"outcome": outcome_label},
        )
    )
