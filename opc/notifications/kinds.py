"""The kinds of notification: each domain registers its own from its init_app.

    notifications.kind(
        "voucher.used_80",
        title=lambda p: _("Voucher of %(team)s is 80%% used", team=local(p["team"])),
        body=lambda p: _("%(used)s of %(amount)s used.", ...),
        link=lambda p: path_for("compute.team_vouchers", team_id=p["team_id"]),
    )

A notification stores its kind and its params (JSON), never text: `title` and `body` are
called when it is shown or mailed, in the reader's language. `link` is called once, when
the notification is made, and the path it gives is stored (mail has no request to build a
link in). Records with a Chinese and an English name go into params as both
({"zh": …, "en": …}), and `local()` picks the reader's; `sentences()` joins sentences
as each language writes them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from opc.core.i18n import locale_code

log = logging.getLogger(__name__)

Params = Mapping[str, Any]
MAX_KIND = 60  # the column's width


@dataclass(frozen=True)
class Kind:
    name: str
    title: Callable[[Params], str]  # one line: the list's headline, the mail's subject
    body: Callable[[Params], str] | None = None  # the detail, in the list and the mail
    link: Callable[[Params], str | None] | None = None  # the page it is about (a path)


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str


_kinds: dict[str, Kind] = {}


def kind(
    name: str,
    *,
    title: Callable[[Params], str],
    body: Callable[[Params], str] | None = None,
    link: Callable[[Params], str | None] | None = None,
) -> Kind:
    """Register a kind of notification; registering a name again (another app) replaces it."""
    if not name or len(name) > MAX_KIND:
        raise ValueError(f"a kind's name has 1 to {MAX_KIND} characters: {name!r}")
    registered = _kinds[name] = Kind(name, title, body, link)
    return registered


def get(name: str) -> Kind | None:
    return _kinds.get(name)


def names() -> list[str]:
    """Every registered kind, by name."""
    return sorted(_kinds)


def local(value: Any) -> str:
    """A name stored in both languages ({"zh": …, "en": …}) in the reader's; else as it is."""
    if isinstance(value, Mapping):
        wanted = "en" if locale_code().startswith("en") else "zh"
        return str(value.get(wanted) or value.get("zh") or value.get("en") or "")
    return "" if value is None else str(value)


def sentences(*parts: str) -> str:
    """Sentences one after the other: with a space in English, none in Chinese."""
    return ("" if locale_code().startswith("zh") else " ").join(p for p in parts if p)


def path_for(endpoint: str, **values: Any) -> str:
    """The path of a page, built without a request (notifications are made by jobs too)."""
    return current_app.url_map.bind("").build(endpoint, values)


def render(name: str, params: Params) -> Rendered:
    """A notification's text in the current language.

    Never fails: a kind no longer registered, or params its messages no longer fit (a kind
    changed after the notification was made), show as a plain "Notification".
    """
    found = _kinds.get(name)
    if found is not None:
        try:
            return Rendered(found.title(params), found.body(params) if found.body else "")
        except (KeyError, TypeError, ValueError, AttributeError):
            log.warning("notification of kind %s cannot be shown with %r", name, params)
    return Rendered(_("Notification"), "")
