"""How the audit log shows webhooks (opc.audit.registry): by name, else the URL's host.
The secret is never in the log (Webhook.__audit_exclude__)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from opc.audit.registry import RecordKind, register
from opc.webhooks.forms import PRESETS
from opc.webhooks.models import Webhook


def register_kinds() -> None:
    register(
        RecordKind(
            Webhook,
            _l("Webhook"),
            name=lambda h: h.name or urlsplit(h.url).hostname or f"#{h.id}",
            fields={
                "url": _l("URL"),
                "preset": _l("Kind of webhook"),
                "kinds": _l("Events"),
                "all_kinds": _l("Every kind of event"),
                "consecutive_failures": _l("Failures in a row"),
                "disabled_at": _l("Switched off"),
            },
            values={"preset": lambda preset: str(PRESETS.get(preset, preset))},
        )
    )
