"""The service workstation's per-park settings (stored by opc.parks.settings): for each
category, the SLA targets in working minutes (to the first response and to resolution), and
how many days after resolution the team may reopen a request."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from opc.parks.settings import Setting, define, values_of
from opc.service.labels import CATEGORIES

# Defaults: 4 working hours to a first response, 3 working days (of 7.5 hours) to resolve.
RESPONSE_DEFAULT = 4 * 60
RESOLUTION_DEFAULT = 3 * 450
MAX_MINUTES = 60 * 450  # sixty working days

RESPONSE: dict[str, Setting] = {}
RESOLUTION: dict[str, Setting] = {}
for _order, (_code, _label) in enumerate(CATEGORIES.items()):
    RESPONSE[_code] = define(
        Setting(
            f"service_{_code}_response",
            _l("%(category)s: first response within (working minutes)", category=_label),
            "int",
            RESPONSE_DEFAULT,
            low=1,
            high=MAX_MINUTES,
            order=70 + 2 * _order,
        )
    )
    RESOLUTION[_code] = define(
        Setting(
            f"service_{_code}_resolution",
            _l("%(category)s: resolved within (working minutes)", category=_label),
            "int",
            RESOLUTION_DEFAULT,
            low=1,
            high=MAX_MINUTES,
            order=71 + 2 * _order,
        )
    )

REOPEN_DAYS = define(
    Setting(
        "service_reopen_days",
        _l("A resolved service request may be reopened for (days)"),
        "int",
        14,
        low=1,
        high=365,
        hint=_l("After this, the team opens a new request."),
        order=90,
    )
)


def targets(park_id: int, category: str) -> tuple[int, int]:
    """(first response, resolution) targets of a category in the park, in working minutes."""
    values: dict[str, Any] = values_of(park_id)
    return values[RESPONSE[category].key], values[RESOLUTION[category].key]


def reopen_days(park_id: int) -> int:
    return int(values_of(park_id)[REOPEN_DAYS.key])
