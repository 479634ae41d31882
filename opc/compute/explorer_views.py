"""The usage explorer: a park's usage for its staff, a team's for its members (and the
park's staff). Filters in the URL (team, provider, GPU type, month), the totals over them,
the records a page at a time, and a chart of the twelve months to the month shown.

The totals and the chart are read from the monthly rollup, the page of records through an
index that ends with the id (opc.compute.usage_queries): their cost follows neither a
month's usage nor the length of the history. A provider has no pages: it reads GET /usage.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from flask import Blueprint, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from opc.compute import sortings
from opc.compute import usage_queries as uq
from opc.compute.explorer_queries import explorer_facts
from opc.compute.permissions import can_view_usage
from opc.compute.views import bar_chart
from opc.core.dates import format_datetime, local_today
from opc.core.errors import NotFound
from opc.core.i18n import locale_code
from opc.core.money import format_money, yuan_str
from opc.core.pagination import page_number
from opc.core.permissions import Role, get_or_404
from opc.core.sorting import Sort
from opc.core.values import arg_id, arg_text
from opc.parks.models import Park
from opc.teams.models import Team

bp = Blueprint("compute_usage", __name__)

PER_PAGE = 50


def _month(park: Park) -> str:
    """?month=YYYY-MM; absent or not a month: the park's current month."""
    raw = arg_text("month", max_length=7)
    return raw if uq.is_month(raw) else uq.month_of(local_today(park.timezone))


class Line(NamedTuple):
    """A record as the page's row shows it: its cells' text, formatted here once (a row's
    filters and lookups in the template cost more than the rest of its page)."""

    id: int
    job: str
    team_href: str
    team: str
    provider: str
    gpu_type: str
    started: str
    gpu_hours: str
    cost: str
    subsidy: str | None  # None: unsubsidised
    share: str
    settled: str


def _lines(
    rows: list[Any], month: str, teams: dict[int, str], providers: dict[int, str], tz: str
) -> list[Line]:
    # Every row's team link from one url_for: /teams/<id>/usage?month=….
    link = url_for("compute_usage.team_usage", team_id=0, month=month)
    before, after = link.split("/0/", 1)
    yes, no = _("yes"), _("no")
    return [
        Line(
            r.id,
            r.external_id,
            f"{before}/{r.team_id}/{after}",
            teams.get(r.team_id, str(r.team_id)),
            providers.get(r.provider_id, str(r.provider_id)),
            r.gpu_type,
            format_datetime(r.started_at, tz),
            "—" if r.gpu_hours_hundredths is None else yuan_str(r.gpu_hours_hundredths),
            format_money(r.cost_fen),
            format_money(r.subsidy_fen) if r.subsidy_fen else None,
            format_money(r.cost_fen - r.subsidy_fen),
            yes if r.settlement_id else no,
        )
        for r in rows
    ]


def _explore(park: Park, team: Team | None) -> Any:
    month = _month(park)
    flt = uq.UsageFilter(
        month=month,
        park_id=park.id,
        team_id=team.id if team else arg_id("team_id"),
        provider_id=arg_id("provider_id"),
        gpu_type=arg_text("gpu_type", max_length=uq.GPU_TYPE_LENGTH).strip() or None,
    )
    # The chart follows team and provider, not the GPU type (see usage_queries.by_month):
    # of every GPU type, its month shown is the totals, else they are summed apart.
    facts = explorer_facts(flt, uq.CHART_MONTHS, with_teams=team is None)
    locale = locale_code()
    if team:
        team_choices = {team.id: team.display_name(locale)}
    else:  # the names only, not a hundred Team records
        team_choices = {row.id: Team.display_name(row, locale) for row in facts.teams}  # type: ignore[arg-type]
    sort = sortings.RECORDS.requested()
    page = uq.paginate_records(flt, facts.totals.records, page_number(), PER_PAGE, sort)
    return render_template(
        "compute/usage_explorer.html",
        park=park,
        team=team,
        flt=flt,
        totals=facts.totals,
        page=page,
        # Without a choice no heading is the order (newest arrivals first).
        sort=sort or Sort(sortings.RECORDS, "", descending=True),
        filtered=bool((flt.team_id and not team) or flt.provider_id or flt.gpu_type),
        lines=_lines(page.items, month, team_choices, facts.providers, park.timezone),
        months=facts.months,
        chart=bar_chart([(m, t.subsidy_fen) for m, t in facts.months.items()]),
        team_options=[(i, name, i == flt.team_id) for i, name in team_choices.items()],
        provider_choices=facts.providers,
        previous=uq.add_months(month, -1),
        following=uq.add_months(month, 1),
        month_url=_month_url,
    )


def _month_url(month: str) -> str:
    """This page for another month, the other filters kept."""
    args = {**request.args.to_dict(), **(request.view_args or {}), "month": month}
    args.pop("page", None)
    return url_for(request.endpoint or "", **args)


@bp.route("/parks/<int:park_id>/compute/usage")
def park_usage(park_id: int) -> Any:
    """The park's usage for its staff: filters, totals, records, the chart by month."""
    park = g.park = get_or_404(Park, park_id, current_user)
    if not can_view_usage(current_user, park):
        raise NotFound("not_found", _("Not found."))
    return _explore(park, None)


@bp.route("/teams/<int:team_id>/usage")
def team_usage(team_id: int) -> Any:
    """A team's usage: its members and the park's staff."""
    team = get_or_404(Team, team_id, current_user, "usage_records.view")
    g.park = team.park
    return _explore(team.park, team)


@bp.route("/compute/usage/mine")
def mine() -> Any:
    """A member: their own team's usage."""
    if current_user.role != Role.MEMBER or current_user.team_id is None:
        raise NotFound("not_found", _("Not found."))
    return redirect(url_for("compute_usage.team_usage", team_id=current_user.team_id))
