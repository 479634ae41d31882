"""The park's outcome dashboard (staff): output and its growth by track, residents and
occupancy by month, graduations, and the subsidy spent against what the teams earned and
paid in taxes, each chart with its table. Denied or unknown parks answer 404."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from opc.core.dates import format_day, local_today
from opc.core.errors import NotFound
from opc.core.money import format_money
from opc.core.permissions import get_visible
from opc.core.values import arg_id, arg_int
from opc.extensions import db
from opc.outcomes.dashboard import charts, figures
from opc.outcomes.dashboard.figures import MAX_YEAR, MIN_YEAR, Dashboard
from opc.outcomes.dashboard.permissions import can_view_outcomes
from opc.parks.models import Park
from opc.parks.queries import parks_for
from opc.teams.labels import track_label

bp = Blueprint("outcomes", __name__, url_prefix="/outcomes")

SOURCE_LABELS = (_l("Rent waived"), _l("Compute subsidised"), _l("Funds disbursed"))


def may_see_outcomes(user: Any) -> bool:
    return bool(can_view_outcomes(user))


def park_or_404(user: Any, park_id: int | None) -> Park:
    """The park asked for, or the user's first when none is: 404 unless the user may see
    its outcomes (an unknown park and another park's look the same)."""
    if park_id is None:
        mine = [p for p in db.session.scalars(parks_for(user)) if can_view_outcomes(user, p)]
        if not mine:
            raise NotFound("not_found", _("Not found."))
        return mine[0]
    park = get_visible(Park, park_id, user)
    if park is None or not can_view_outcomes(user, park):
        raise NotFound("not_found", _("Not found."))
    return park


def _charts(d: Dashboard) -> dict[str, charts.Chart]:
    """The page's four charts from the figures (the tables show the same numbers)."""
    last, this = str(d.year - 1), str(d.year)
    by_track = charts.grouped_bars(
        [
            (
                track_label(t.track),
                [
                    (t.last.revenue_fen, f"{last}: {format_money(t.last.revenue_fen)}"),
                    (t.this.revenue_fen, f"{this}: {format_money(t.this.revenue_fen)}"),
                ],
            )
            for t in d.tracks
        ]
    )
    labels = [f"{m.month}" for m in d.months]
    people = [
        (m.residents, f"{format_day(m.day)}: {m.residents}") if m.residents is not None else None
        for m in d.months
    ]
    occupied = [
        (m.occupancy_pct, f"{format_day(m.day)}: {m.occupancy_pct}%")
        if m.occupancy_pct is not None
        else None
        for m in d.months
    ]
    subsidy = charts.stacked_bars(
        [
            (
                f"Q{q.quarter}",
                [
                    (fen, f"Q{q.quarter} {label}: {format_money(fen)}")
                    for label, fen in zip(SOURCE_LABELS, q.subsidy, strict=True)
                ],
            )
            for q in d.quarters
        ],
        [
            (
                q.output.revenue_and_taxes_fen,
                f"Q{q.quarter}: {format_money(q.output.revenue_and_taxes_fen)}",
            )
            for q in d.quarters
        ],
    )
    graduations = charts.grouped_bars(
        [
            (label, [(m.graduations, f"{label}: {m.graduations}")])
            for label, m in zip(labels, d.months, strict=True)
        ]
    )
    return {
        "tracks": by_track,
        "months": charts.months_lines(labels, people, occupied),
        "subsidy": subsidy,
        "graduations": graduations,
    }


@bp.route("")
def dashboard() -> Any:
    """A park's outcomes for a year (?park_id=&year=, by default the user's first park and
    the park's current year) against the year before."""
    park = g.park = park_or_404(current_user, arg_id("park_id"))
    today = local_today(park.timezone)
    year = arg_int("year", MIN_YEAR, MAX_YEAR) or today.year
    d = figures.dashboard(park, year, today)
    parks = [
        p for p in db.session.scalars(parks_for(current_user)) if can_view_outcomes(current_user, p)
    ]
    return render_template(
        "outcomes/dashboard.html",
        park=park,
        parks=parks,
        d=d,
        headline=figures.headline(d),
        charts=_charts(d),
        sources=SOURCE_LABELS,
        growth=figures.growth,
        ratio=figures.ratio,
        kpi_url=_kpi_url(park),
    )


def _kpi_url(park: Park) -> str | None:
    """The KPI page of the park (who filed, the reminder), where one is mounted."""
    if "kpis.index" not in current_app.view_functions:
        return None
    return url_for("kpis.index", park_id=park.id)
