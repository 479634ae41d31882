"""Jinja filters and globals: money in ¥ with exact fen, dates in the park's zone, permissions.

Domains add their own filters (labels of their codes) from their init_app.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask, request, url_for
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user

from opc.core import nav
from opc.core.dates import format_datetime, last_day
from opc.core.i18n import locale_code
from opc.core.money import format_money
from opc.core.numbers import format_area, format_number, format_percent, percent_of, share
from opc.core.permissions import can


def _localdt(value: datetime | None, tz: str | None = None) -> str:
    return format_datetime(value, tz or str(get_timezone()))


def _date(value: date | None) -> str:
    return value.isoformat() if value else "—"


def _last_day(end: date | None) -> str:
    """A stored exclusive end as the last day held, for people ("" when open-ended)."""
    day = last_day(end)
    return day.isoformat() if day else ""


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


def init_app(app: Flask) -> None:
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
        return {"nav_items": nav.items_for(current_user)}
