"""How the audit log shows parks and their settings (opc.audit.registry)."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from opc.audit.registry import RecordKind, register
from opc.parks.models import Park
from opc.parks.settings.models import ParkSetting


def register_kinds() -> None:
    register(
        RecordKind(
            Park,
            _l("Park"),
            url=lambda park: url_for("overview.dashboard", park_id=park.id),
            fields={
                "total_area_m2": _l("Total area"),
                "team_cap": _l("Team cap"),
                "currency": _l("Currency"),
            },
        )
    )
    register(
        RecordKind(
            ParkSetting,
            _l("Park setting"),
            name=lambda setting: setting.key,
            fields={"key": _l("Setting"), "value": _l("Value")},
        )
    )
