"""Timezones for people: "China (Shanghai) Time" / "中国（上海）时间", not "Asia/Shanghai"."""

from __future__ import annotations

from babel.dates import get_timezone_location
from flask_babel import gettext as _

from opc.core.i18n import locale_code

_UTC = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Zulu", "Etc/Zulu", "Universal"})


def zone_label(name: str | None) -> str:
    """An IANA zone's name in the page's language (CLDR's, by way of Babel): its country
    and city; the zone's own name when Babel does not know it."""
    if not name:
        return ""
    if name in _UTC:
        return _("Coordinated Universal Time (UTC)")
    try:
        return str(get_timezone_location(name, locale=locale_code()))
    except LookupError:
        return name
