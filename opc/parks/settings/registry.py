"""Typed per-park settings: each domain defines its keys, the parks domain stores the values.

A domain above parks (rent: four-eyes approval, statement due day, rounding) calls
`define(Setting(...))` when it is imported; the parks domain keeps one row per park and key
(opc.parks.settings.models) and knows nothing of what the keys mean. A key that a park has
never set reads as its default. Values travel as JSON booleans, integers or strings and are
stored as their canonical text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import LazyString
from flask_babel import gettext as _

from opc.core.values import text_problem, whole_number

KINDS = ("bool", "int", "choice", "emails")
MAX_KEY = 60
MAX_VALUE = 100  # the stored text of a value (ParkSetting.value)


@dataclass(frozen=True)
class Setting:
    """A per-park setting: its key, label, type (bool, int from low to high, or one of
    `choices`) and default."""

    key: str
    label: LazyString
    kind: str
    default: Any
    low: int = 0
    high: int = 0
    choices: Mapping[str, LazyString] = field(default_factory=dict)
    hint: LazyString | None = None
    order: int = 50

    def parse(self, raw: Any) -> Any:
        """The typed value of `raw` (a JSON value or a form's text); ValueError with the
        reason when it is not one."""
        if self.kind == "bool":
            if isinstance(raw, bool):
                return raw
            if isinstance(raw, str) and raw.strip().lower() in ("true", "y", "on", "1"):
                return True
            if isinstance(raw, str) and raw.strip().lower() in ("false", "n", "off", "0", ""):
                return False
            raise ValueError(_("Must be true or false."))
        if self.kind == "int":
            return whole_number(raw, self.low, self.high)
        if self.kind == "emails":
            return _emails(raw)
        if not isinstance(raw, str) or text_problem(raw) or raw not in self.choices:
            known = ", ".join(self.choices)
            raise ValueError(_("Must be one of: %(known)s.", known=known))
        return raw

    def dump(self, value: Any) -> str:
        """The stored text of a typed value."""
        if self.kind == "bool":
            return "true" if value else "false"
        return str(value)

    def load(self, text: str | None) -> Any:
        """The typed value of a stored text; the default when none is stored (or a stored
        value no longer fits the definition)."""
        if text is None:
            return self.default
        try:
            return self.parse(text)
        except ValueError:
            return self.default


def _emails(raw: Any) -> str:
    """A list of e-mail addresses (comma, semicolon or space between), kept as "a, b"."""
    if not isinstance(raw, str) or text_problem(raw):
        raise ValueError(_("Must be e-mail addresses separated by commas."))
    found = []
    for part in raw.replace(";", ",").replace(" ", ",").split(","):
        if part.strip():
            try:
                found.append(validate_email(part.strip(), check_deliverability=False).normalized)
            except EmailNotValidError as exc:
                raise ValueError(_("Not a valid e-mail address: %(a)s", a=part.strip())) from exc
    text = ", ".join(found)
    if len(text) > MAX_VALUE:
        raise ValueError(_("At most %(n)d characters.", n=MAX_VALUE))
    return text


_SETTINGS: dict[str, Setting] = {}


def define(setting: Setting) -> Setting:
    """Make a key known (idempotent per key); domains call it when imported."""
    if setting.kind not in KINDS or len(setting.key) > MAX_KEY:
        raise ValueError(f"not a valid setting definition: {setting!r}")
    _SETTINGS.setdefault(setting.key, setting)
    return _SETTINGS[setting.key]


def definitions() -> list[Setting]:
    """Every known setting, in display order."""
    return sorted(_SETTINGS.values(), key=lambda s: (s.order, s.key))


def definition(key: str) -> Setting | None:
    return _SETTINGS.get(key)
