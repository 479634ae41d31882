"""Reports' per-park settings (stored by opc.parks.settings): defined when reports is imported."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from opc.parks.settings import Setting, define

RECIPIENTS = define(
    Setting(
        "report_recipients",
        _l("Report recipients"),
        "emails",
        "",
        hint=_l(
            "E-mail addresses, separated by commas, that receive the monthly subsidy report's "
            "files once each run is done."
        ),
        order=80,
    )
)


def recipients(text: str) -> list[str]:
    """The addresses of the setting's stored text."""
    return [part.strip() for part in text.split(",") if part.strip()]
