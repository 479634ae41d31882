"""Programme and voucher pages: a park's programmes (admins add and change them), a
programme's pool with its teams and subsidy by month, the park's vouchers with the grant
form (staff), a team's vouchers with balance, alerts and forecast. Thin: parse, call,
redirect."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from opc.compute import queries, sortings
from opc.compute.forms import ProgrammeForm, VoucherForm
from opc.compute.models import Programme
from opc.compute.operations.programmes import create_programme, update_programme
from opc.compute.operations.vouchers import grant_voucher
from opc.compute.permissions import can_grant_vouchers, can_manage_programmes
from opc.core.dates import local_today
from opc.core.errors import DomainError, NotFound
from opc.core.pagination import paginate
from opc.core.permissions import Role, get_or_404, require
from opc.core.security import acting_user
from opc.core.values import arg_id, arg_text
from opc.parks.models import Park
from opc.teams.models import Team

bp = Blueprint("compute", __name__)


def _park(park_id: int) -> Park:
    """A park whose compute pages the user may see: its staff, admins (others: 404)."""
    park = g.park = get_or_404(Park, park_id, current_user)
    if not can_grant_vouchers(current_user, park):
        raise NotFound("not_found", _("Not found."))
    return park


@bp.route("/compute/")
def index() -> Any:
    """Staff: their park's vouchers (a card per park when they have several); members: their
    team's vouchers."""
    if current_user.role == Role.MEMBER and current_user.team_id is not None:
        return redirect(url_for("compute.team_vouchers", team_id=current_user.team_id))
    if current_user.role not in (Role.ADMIN, Role.STAFF):
        raise NotFound("not_found", _("Not found."))
    parks = queries.parks_for(current_user)
    if len(parks) == 1:
        return redirect(url_for("compute.vouchers", park_id=parks[0].id))
    return render_template("compute/index.html", parks=parks)


# --- programmes ------------------------------------------------------------------------


@bp.route("/parks/<int:park_id>/compute/programmes")
def programmes(park_id: int) -> Any:
    """The park's programmes with their pools."""
    park = _park(park_id)
    sort = sortings.PROGRAMMES.chosen()
    page = paginate(queries.programmes_of(current_user, park.id, sort=sort))
    return render_template(
        "compute/programmes.html",
        park=park,
        page=page,
        sort=sort,
        pools=queries.pools(list(page.items)),
        may_manage=can_manage_programmes(current_user, park),
    )


def _programme_form(park: Park, programme: Programme | None = None) -> ProgrammeForm:
    data = None
    if programme is not None:
        data = {
            "code": programme.code,
            "name_zh": programme.name_zh,
            "name_en": programme.name_en,
            "document": programme.document,
            "budget_yuan": programme.budget_fen,
            "rate_percent": f"{programme.rate_percent.normalize():f}",
            "team_cap_yuan": programme.team_cap_fen,
            "valid_from": programme.valid_from,
            "valid_to": programme.valid_to,
            "provider_ids": [str(p.id) for p in programme.providers],
            "tracks": list(programme.tracks or []),
        }
    return ProgrammeForm(data=data, providers=queries.providers())


@bp.route("/parks/<int:park_id>/compute/programmes/new", methods=["GET", "POST"])
def new_programme(park_id: int) -> Any:
    """Add a programme (admins)."""
    park = _park(park_id)
    require(can_manage_programmes(current_user, park))
    form = _programme_form(park)
    if form.validate_on_submit():
        try:
            programme = create_programme(actor=acting_user(), park_id=park.id, **form.values())
        except DomainError as err:
            form.show_error(err)
        else:
            flash(_("Programme %(code)s added.", code=programme.code), "success")
            return redirect(url_for("compute.programme", programme_id=programme.id))
    page = render_template("compute/programme_form.html", form=form, park=park, programme=None)
    return page, form.status


@bp.route("/compute/programmes/<int:programme_id>/edit", methods=["GET", "POST"])
def edit_programme(programme_id: int) -> Any:
    """Change a programme's terms (admins); what was granted stays within them."""
    programme = get_or_404(Programme, programme_id, current_user, "programmes.manage")
    park = g.park = programme.park
    form = _programme_form(park, programme)
    if form.validate_on_submit():
        try:
            update_programme(programme, actor=acting_user(), **form.values())
        except DomainError as err:
            form.show_error(err)
        else:
            flash(_("Programme %(code)s saved.", code=programme.code), "success")
            return redirect(url_for("compute.programme", programme_id=programme.id))
    page = render_template("compute/programme_form.html", form=form, park=park, programme=programme)
    return page, form.status


@dataclass(frozen=True)
class Bar:
    label: str
    value_fen: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    """A bar chart drawn on the server (inline SVG, no script): the bars in the viewBox's
    units, and an optional horizontal line (`line_y`) such as the budget's monthly pace."""

    width: int
    height: int
    bars: list[Bar]
    line_y: float | None = None


def bar_chart(
    points: list[tuple[str, int]], line_fen: int | None = None, width: int = 720, height: int = 220
) -> Chart:
    """Bars of `points` (label, fen) scaled to the largest of them and of `line_fen`; the
    bottom 24 units hold the labels."""
    plot = height - 34  # room for labels below and the value above the tallest bar
    top = max([v for _label, v in points] + [line_fen or 0, 1])
    slot = width / max(len(points), 1)
    bars = []
    for i, (label, value) in enumerate(points):
        h = round(plot * value / top, 1)
        bars.append(
            Bar(
                label,
                value,
                round(i * slot + slot * 0.15, 1),
                plot + 10 - h,
                round(slot * 0.7, 1),
                h,
            )
        )
    line_y = None if not line_fen else round(plot + 10 - plot * line_fen / top, 1)
    return Chart(width, height, bars, line_y)


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


@bp.route("/compute/programmes/<int:programme_id>")
def programme(programme_id: int) -> Any:
    """A programme's pool (granted against budget, drawn against granted), its teams, and
    the subsidy it paid by month against the budget's monthly pace."""
    programme = get_or_404(Programme, programme_id, current_user, "vouchers.grant")
    g.park = programme.park
    months = queries.subsidy_by_month(programme)
    pace = programme.budget_fen // _months_between(programme.valid_from, programme.valid_to)
    return render_template(
        "compute/programme.html",
        programme=programme,
        park=programme.park,
        pool=queries.pools([programme])[programme.id],
        teams=queries.programme_teams(programme.id),
        months=months,
        chart=bar_chart([(m.month, m.subsidy_fen) for m in months], pace) if months else None,
        pace_fen=pace,
        may_manage=can_manage_programmes(current_user, programme),
    )


# --- vouchers --------------------------------------------------------------------------


def _voucher_form(park: Park) -> VoucherForm:
    programmes = queries.park_programmes(park.id)
    designated = {p.id: p for prog in programmes for p in prog.providers}
    form = VoucherForm(data={"team_id": arg_id("team_id")}, providers=list(designated.values()))
    form.programme_id.choices = [SelectChoice(p.id, f"{p.code} {p.name_zh}") for p in programmes]
    form.team_id.choices = [SelectChoice(t.id, t.name_zh) for t in queries.eligible_teams(park.id)]
    return form


def _vouchers_page(park: Park, form: VoucherForm, status: int) -> Any:
    today = local_today(park.timezone)
    valid = arg_text("valid", max_length=3) == "yes"
    filters = queries.VoucherFilters(
        park_id=park.id,
        programme_id=arg_id("programme_id"),
        team_id=arg_id("team_id"),
        valid_on=today if valid else None,
    )
    sort = sortings.VOUCHERS.chosen()
    page = render_template(
        "compute/vouchers.html",
        park=park,
        form=form,
        page=paginate(queries.vouchers_of(current_user, filters, sort=sort)),
        sort=sort,
        filters=filters,
        filtered=valid or filters.programme_id is not None or filters.team_id is not None,
        valid=valid,
        today=today,
        state_of=queries.state_of,
        programmes={p.id: p.code for p in queries.park_programmes(park.id)},
        teams={t.id: t.name_zh for t in queries.teams_with_vouchers(park.id)},
    )
    return page, status


@bp.route("/parks/<int:park_id>/compute/vouchers", methods=["GET", "POST"])
def vouchers(park_id: int) -> Any:
    """The park's vouchers (filters: programme, team, valid today), and the grant form."""
    park = _park(park_id)
    form = _voucher_form(park)
    if form.validate_on_submit():
        try:
            voucher = grant_voucher(actor=acting_user(), **form.values())
        except DomainError as err:
            form.show_error(err)
        else:
            flash(_("Voucher granted to %(team)s.", team=voucher.team.name_zh), "success")
            return redirect(url_for("compute.vouchers", park_id=park.id))
    return _vouchers_page(park, form, form.status)


@bp.route("/teams/<int:team_id>/vouchers")
def team_vouchers(team_id: int) -> Any:
    """A team's vouchers: amount, used, remaining, validity, providers, alerts, forecast."""
    team = get_or_404(Team, team_id, current_user, "vouchers.view")
    g.park = team.park
    today = local_today(team.park.timezone)
    return render_template(
        "compute/team.html",
        team=team,
        views=queries.voucher_views(team, today),
        today=today,
        state_of=queries.state_of,
        may_grant=can_grant_vouchers(current_user, team),
    )


@bp.route("/compute/mine")
def mine() -> Any:
    """A member: their own team's vouchers."""
    if current_user.role != Role.MEMBER or current_user.team_id is None:
        raise NotFound("not_found", _("Not found."))
    return redirect(url_for("compute.team_vouchers", team_id=current_user.team_id))
