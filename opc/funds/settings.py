"""Funds' per-park settings (stored by opc.parks.settings): defined when funds is imported."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from opc.parks.settings import Setting, define

TRANCHE_FOUR_EYES = define(
    Setting(
        "funds_tranche_four_eyes",
        _l("Tranches need a second person to approve them"),
        "bool",
        False,
        hint=_l(
            "A tranche proposed by one person is paid only once another approves it; "
            "without this, a tranche is paid when it is proposed."
        ),
        order=50,
    )
)
