"""The unit list as a file: every unit the list shows with its filters (floor, kind), with
the team holding it today and that allocation's last day."""

from __future__ import annotations

from typing import Any

from flask import g
from flask_babel import gettext as _
from flask_login import current_user

from opc.core.csvio import chunks
from opc.core.dates import last_day
from opc.core.export import Area, Money, check_size, export_response
from opc.core.i18n import locale_code
from opc.extensions import db
from opc.space import queries
from opc.space.labels import kind_label
from opc.space.views import bp, unit_filters


def _headers() -> list[str]:
    return [
        _("Code"),
        _("Kind"),
        _("Floor"),
        _("Area m²"),
        _("Seats"),
        _("Rent per m² / month"),
        _("Held today by"),
        _("Last day"),
    ]


@bp.route("/parks/<int:park_id>/units/export.<any(csv, xlsx):fmt>")
def export_units(park_id: int, fmt: str) -> Any:
    """The park's units, as filtered on the list, as CSV (UTF-8 with BOM) or XLSX."""
    park = g.park = queries.space_of(current_user, park_id, "space.view")
    stmt = queries.units_of(
        current_user, park.id, unit_filters(), sort=queries.UNIT_SORTING.chosen()
    )
    check_size(stmt)
    units = list(db.session.scalars(stmt))
    day, locale = queries.today(park), locale_code()
    rows: list[list[Any]] = []
    for some in chunks(units):
        holders = queries.holders(list(some), day)
        for u in some:
            held = holders.get(u.id)
            rows.append(
                [
                    u.code,
                    kind_label(u.kind),
                    u.floor,
                    Area(u.area_m2),
                    u.seats,
                    Money(u.rent_fen_per_m2),
                    held.team.display_name(locale) if held else "",
                    last_day(held.end) if held else None,
                ]
            )
    filename = f"{_('Units')} {park.display_name(locale)}"
    return export_response(fmt, filename, _headers(), rows)
