"""The usage explorer: a park's usage for its staff, a team's for its members (and the
park's staff). Filters in the URL (team, provider, GPU type, month), the totals over them,
the records a page at a time, and a chart of the twelve months to the month shown.

The totals and the chart are read from the monthly rollup, the page of records through an
index that ends with the id (opc.compute.usage_queries): their cost follows neither a
month's usage nor the length of the history. A provider has no pages: it reads GET /usage.
"""

from __future__ import annotations

import functools
from typing import Any

from flask import Blueprint, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select, bindparam, select

from opc.compute import usage_queries as uq
from opc.compute.models import Provider
from opc.compute.permissions import can_view_usage
from opc.compute.views import bar_chart
from opc.core.dates import local_today
from opc.core.errors import NotFound
from opc.core.i18n import locale_code
from opc.core.pagination import page_number
from opc.core.permissions import Role, get_or_404
from opc.core.values import arg_id, arg_text
from opc.extensions import db
from opc.parks.models import Park
from opc.teams.models import Team

bp = Blueprint("compute_usage", __name__)

PER_PAGE = 50


def _month(park: Park) -> str:
    """?month=YYYY-MM; absent or not a month: the park's current month."""
    raw = arg_text("month", max_length=7)
    return raw if uq.is_month(raw) else uq.month_of(local_today(park.timezone))


@functools.cache
def _statements() -> tuple[Select[Any], Select[Any]]:
    """The filters' choices: a park's team names and the providers' (built once, run with
    the park as a parameter, as opc.compute.usage_queries' statements)."""
    teams = (
        select(Team.id, Team.name_zh, Team.name_en)
        .where(Team.park_id == bindparam("park_id"))
        .order_by(Team.name_pinyin, Team.id)
    )
    return teams, select(Provider.id, Provider.name).order_by(Provider.name, Provider.id)


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
    months = uq.by_month(flt, uq.months_to(month, uq.CHART_MONTHS))
    totals = months[month] if flt.gpu_type is None else uq.filter_totals(flt)
    locale = locale_code()
    if team:
        team_choices = {team.id: team.display_name(locale)}
    else:  # the names only, not a hundred Team records
        rows = db.session.execute(_statements()[0], {"park_id": park.id})
        team_choices = {row.id: Team.display_name(row, locale) for row in rows}  # type: ignore[arg-type]
    providers = db.session.execute(_statements()[1])
    return render_template(
        "compute/usage_explorer.html",
        park=park,
        team=team,
        flt=flt,
        totals=totals,
        page=uq.paginate_records(flt, totals.records, page_number(), PER_PAGE),
        months=months,
        chart=bar_chart([(m, t.subsidy_fen) for m, t in months.items()]),
        team_choices=team_choices,
        provider_choices=dict(providers.tuples().all()),
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
