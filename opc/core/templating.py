"""Jinja filters and globals: money in ¥ with exact fen, dates in the park's zone, permissions.

Domains add their own filters (labels of their codes) from their init_app.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask, g, request, url_for
from flask_babel import get_timezone, get_translations
from flask_babel import gettext as _
from flask_login import current_user

from opc.core import nav
from opc.core.dates import format_datetime, format_day, last_day
from opc.core.i18n import locale_code
from opc.core.money import format_money
from opc.core.numbers import format_area, format_number, format_percent, percent_of, share
from opc.core.permissions import can


def _localdt(value: datetime | None, tz: str | None = None) -> str:
    """A datetime in the park's zone and the page's language: 2026年11月23日 14:05 /
    23 Nov 2026, 14:05 ("—" when none)."""
    return format_datetime(value, tz or str(get_timezone()), locale_code())


def _date(value: date | None) -> str:
    """A day in the page's language: 2026年11月23日 / 23 Nov 2026 ("—" when none)."""
    return format_day(value, locale_code())


def _last_day(end: date | None) -> str:
    """A stored exclusive end as the last day held, for people ("" when open-ended)."""
    day = last_day(end)
    return format_day(day, locale_code()) if day else ""


def _page_url(page: int) -> str:
    # The URL's own variables win over a query parameter of the same name (?team_id= on
    # /teams/<team_id>/…), which url_for would otherwise be given twice.
    args = {**request.args.to_dict(), **(request.view_args or {}), "page": str(page)}
    return url_for(request.endpoint or "core.home", **args)


def actor_label(user: Any) -> str:
    """Who made a change, for people: the user's name (or e-mail), or the system (None: the
    command line, a scheduled job, a public form)."""
    if user is None:
        return _("System")
    return str(getattr(user, "name", "") or getattr(user, "email", "") or _("System"))


def _export_url(endpoint: str, fmt: str, **values: Any) -> str:
    """The export of the list on screen as `fmt`: its filters (the query string), every page."""
    args = {k: v for k, v in request.args.items() if k not in ("page", "per_page")}
    # The page's own arguments win over a query parameter of the same name (?park_id=).
    return url_for(endpoint, **{**args, **(request.view_args or {}), **values, "fmt": fmt})


def _name(obj: Any) -> str:
    """A record's name in the page's language (records with name_zh / name_en)."""
    return obj.display_name(locale_code()) if obj is not None else "—"


def _translations() -> Any:
    """flask_babel's translations for the locale in force, in fewer steps: a page's
    templates call _() some 50 times, and flask_babel's own lookup walks `g` about ten times
    a call. Kept in flask_babel's own per-request namespace with the locale they are for,
    so force_locale (a mail in its reader's language) still gets its own."""
    ctx = g.get("_flask_babel") if g else None
    locale = getattr(ctx, "babel_locale", None)
    if locale is None:  # not chosen yet, or refreshed: flask_babel chooses
        return get_translations()
    found = getattr(ctx, "opc_translations", None)
    if found is None or found[0] is not locale:
        found = ctx.opc_translations = (locale, get_translations())  # type: ignore[union-attr]
    return found[1]


def init_app(app: Flask) -> None:
    # As flask_babel installs them, through _translations.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.filters.update(
        money=format_money, localdt=_localdt, date=_date, name=_name, last_day=_last_day
    )
    # Numbers read as numbers (opc.core.numbers): {{ x|area }} m², {{ n|number }},
    # {{ part|share(whole) }} and {{ pct|pct }} (0.4%, never a "0%" for something there).
    app.jinja_env.filters.update(
        number=format_number, area=format_area, pct=format_percent, share=share
    )
    app.jinja_env.globals.update(percent_of=percent_of)
    app.jinja_env.globals.update(can=can, page_url=_page_url, export_url=_export_url)

    @app.context_processor
    def _nav() -> dict[str, object]:
        # The user itself, not the proxy: each entry's rule reads it several times.
        return {"nav_items": nav.items_for(current_user._get_current_object())}
