"""The team list as a file: the rows the list shows with its filters (search, park,
status, track and the contributed ones), every page of them, with the contact person and
the contributed columns (the space held today, the current lease's last day)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_login import current_user

from opc.core.csvio import chunks
from opc.core.export import check_size, export_response
from opc.core.i18n import locale_code
from opc.extensions import db
from opc.teams import queries
from opc.teams.labels import kind_label, status_label, track_label
from opc.teams.pages import CONTRIBUTIONS
from opc.teams.views import bp, listing


def _headers() -> list[str]:
    return [
        _("Name (Chinese)"),
        _("Name (English)"),
        _("Park"),
        _("Track"),
        _("Kind"),
        _("Status"),
        _("Since"),
        _("Contact person"),
        _("Contact e-mail"),
        _("Contact phone"),
        *[str(c.label) for c in CONTRIBUTIONS.columns],
    ]


def _rows(teams: list[Any]) -> list[list[Any]]:
    locale = locale_code()
    rows: list[list[Any]] = []
    for some in chunks(teams):  # contributed columns query by team ids: bounded lists
        extra = [column.values(list(some)) for column in CONTRIBUTIONS.columns]
        for t in some:
            rows.append(
                [
                    t.name_zh,
                    t.name_en,
                    t.park.display_name(locale),
                    track_label(t.track),
                    kind_label(t.kind),
                    status_label(t.status),
                    t.status_since,
                    t.contact_name,
                    t.contact_email,
                    t.contact_phone,
                    *[values.get(t.id, "") for values in extra],
                ]
            )
    return rows


@bp.route("/teams/export.<any(csv, xlsx):fmt>")
def export(fmt: str) -> Any:
    """The filtered team list as CSV (UTF-8 with BOM) or XLSX."""
    filters, _parks, _facets = listing()
    sort = queries.SORTING.requested()
    stmt = queries.teams_for(current_user, filters, sort=sort)
    check_size(stmt)
    teams = list(db.session.scalars(stmt))
    return export_response(fmt, _("Teams"), _headers(), _rows(teams))
