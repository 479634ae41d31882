"""Rent's per-park settings (stored by opc.parks.settings): defined when rent is imported."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from opc.parks.settings import Setting, define

FOUR_EYES = define(
    Setting(
        "rent_four_eyes",
        _l("Waivers need a second person to approve them"),
        "bool",
        False,
        hint=_l("The approver of a waiver must be another person than its proposer."),
        order=10,
    )
)
DUE_DAY = define(
    Setting(
        "rent_due_day",
        _l("Statements are due on day"),
        "int",
        15,
        low=1,
        high=28,
        hint=_l("Day of the month after the statement's month (1–28)."),
        order=20,
    )
)
ROUNDING = define(
    Setting(
        "rent_rounding",
        _l("Net due rounded to"),
        "choice",
        "fen",
        choices={
            "fen": _l("the fen (0.01 yuan)"),
            "jiao": _l("the jiao (0.10 yuan)"),
            "yuan": _l("the yuan"),
        },
        hint=_l("Each line is rounded half-up to the fen; the net due then to this unit."),
        order=30,
    )
)
