"""Space pages: units of a park, occupancy, the floor view (filtered like a team's search
for space, and keeping a team in hand), units and their import. A unit's page and its
allocations are in opc.space.allocation_views, on the same blueprint.

Thin: parse the form, call the operation, redirect on success, the page again with 422.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from opc.core.errors import DomainError, NotFound
from opc.core.pagination import paginate
from opc.core.permissions import Role, get_or_404, get_visible
from opc.core.sorting import sorted_rows
from opc.core.values import arg_date, arg_id, arg_int
from opc.parks.models import Park
from opc.space import importing, queries
from opc.space import occupancy as occupancy_reads
from opc.space import operations as ops
from opc.space.forms import ImportForm, UnitForm
from opc.space.labels import KINDS, STATES
from opc.space.models import Unit
from opc.space.operations.units import FLOORS, MAX_AREA, MAX_SEATS
from opc.space.permissions import can_see_space
from opc.teams.labels import track_label
from opc.teams.models import Team

bp = Blueprint("space", __name__)


def acting_user() -> Any:
    """The logged-in user, as the operations take their actor."""
    return current_user._get_current_object()


def _park(park_id: int, action: str = "space.view") -> Park:
    """The park, when the user may see its space; else 404 (its staff, and admins)."""
    park = g.park = queries.space_of(current_user, park_id, action)
    return park


def load_unit(unit_id: int, action: str | None = None) -> Unit:
    """The unit, when the user may see it (and act, with `action`); else 404 (or 403)."""
    unit = get_or_404(Unit, unit_id, current_user, action)
    g.park = unit.park
    return unit


def _day(park: Park) -> date:
    """?on=YYYY-MM-DD, else the park's today (a date out of the calendar: 422)."""
    return arg_date("on") or queries.today(park)


def error_text(err: DomainError) -> str:
    """A refusal for a flash message: with field validation, the fields' reasons too."""
    if err.code != "invalid_fields":
        return err.message
    details = [str(r) for reasons in err.fields.values() for r in reasons]
    return " ".join([err.message, *details])


@bp.route("/space/")
def index() -> Any:
    """Staff: the occupancy of their park (a list when they have several); members: theirs."""
    if current_user.role == Role.MEMBER:
        return redirect(url_for("space.mine"))
    if not can_see_space(current_user):
        raise NotFound("not_found", _("Not found."))
    parks = queries.parks_with_space(current_user)
    if len(parks) == 1:
        return redirect(url_for("space.occupancy", park_id=parks[0].id))
    return render_template("space/index.html", parks=parks)


@bp.route("/space/mine")
def mine() -> Any:
    """A member: their own team's space."""
    if current_user.role != Role.MEMBER or current_user.team_id is None:
        raise NotFound("not_found", _("Not found."))
    return redirect(url_for("space.team_space", team_id=current_user.team_id))


# --- occupancy and the floor view ------------------------------------------------------


def _chart(labels: list[str], values: list[Any], **extra: Any) -> str:
    return json.dumps({"labels": labels, "values": values, **extra}, ensure_ascii=False)


@bp.route("/parks/<int:park_id>/occupancy")
def occupancy(park_id: int) -> Any:
    """Area, units and residents on a day, by floor and by track, with charts."""
    park = _park(park_id)
    occ = occupancy_reads.occupancy(park, _day(park))
    area_chart = _chart(
        [str(_("Allocated")), str(_("Free in units")), str(_("Not in units"))],
        [float(occ.allocated_m2), float(occ.free_m2), float(occ.outside_units_m2)],
    )
    floor_chart = json.dumps(
        {
            "labels": [_("Floor %(n)d", n=f.floor) for f in occ.floors],
            "datasets": [
                {"label": _("Allocated m²"), "data": [float(f.allocated_m2) for f in occ.floors]},
                {"label": _("Free m²"), "data": [float(f.free_m2) for f in occ.floors]},
            ],
        },
        ensure_ascii=False,
    )
    track_chart = json.dumps(
        {
            "labels": [track_label(t.track) for t in occ.tracks],
            "datasets": [
                {"label": _("Resident teams"), "data": [t.residents for t in occ.tracks]},
                {"label": _("Teams with space"), "data": [t.teams_with_space for t in occ.tracks]},
            ],
        },
        ensure_ascii=False,
    )
    sort = occupancy_reads.FLOOR_SORTING.chosen()
    return render_template(
        "space/occupancy.html",
        park=park,
        occ=occ,
        sort=sort,
        floors=sorted_rows(sort, occ.floors),
        area_chart=area_chart,
        floor_chart=floor_chart,
        track_chart=track_chart,
    )


def unit_search(today: date, *, free_by_default: bool) -> queries.UnitSearch:
    """The unit filters of the floor view and a team's search for space, from the query
    string: floor, kind, min_area (m²), seats, free_from, last_day (opc.core.values: a value
    that is no number or date is no filter; one out of range answers 422). Free from
    `today` when `free_by_default`, or when only a last day is given."""
    kind = request.args.get("kind")
    search = queries.UnitSearch(
        floor=arg_int("floor", *FLOORS),
        kind=kind if kind in KINDS else None,
        min_area=arg_int("min_area", 0, int(MAX_AREA)),
        min_seats=arg_int("seats", 0, MAX_SEATS),
        free_from=arg_date("free_from"),
        last_day=arg_date("last_day"),
    )
    if search.free_from is None and (free_by_default or search.last_day is not None):
        search.free_from = today
    return search


def search_args(search: queries.UnitSearch) -> dict[str, str]:
    """The query string of a search, as unit_search reads it (for links that keep it)."""
    values = {
        "floor": search.floor,
        "kind": search.kind,
        "min_area": search.min_area,
        "seats": search.min_seats,
        "free_from": search.free_from,
        "last_day": search.last_day,
    }
    return {k: str(v) for k, v in values.items() if v is not None}


def team_in_hand(park: Park) -> Team | None:
    """?team_id=: the team staff are finding space for, when it is one of this park's."""
    team = get_visible(Team, arg_id("team_id"), current_user) if arg_id("team_id") else None
    return team if team is not None and team.park_id == park.id else None


def pick_query(team: Team | None, search: queries.UnitSearch) -> str:
    """What a unit chosen with a team in hand carries to its page: the team, the period."""
    if team is None:
        return ""
    args = {"team_id": team.id, "start": search.free_from, "last_day": search.last_day}
    return "?" + urlencode({k: str(v) for k, v in args.items() if v is not None})


@bp.route("/parks/<int:park_id>/floors")
def floors(park_id: int) -> Any:
    """Each unit a box coloured by who holds it on the day: free, taken, ending soon; only
    the units that meet the filters; with a team in hand, a unit's link preselects it."""
    park = _park(park_id)
    day = _day(park)
    search = unit_search(day, free_by_default=False)
    plan = occupancy_reads.floor_plan(park, day)
    if search.active:
        ids = queries.fitting_ids(park.id, search)
        plan = [(f, kept) for f, cells in plan if (kept := [c for c in cells if c.unit.id in ids])]
    team = team_in_hand(park)
    return render_template(
        "space/floors.html",
        park=park,
        on=day,
        plan=plan,
        search=search,
        team=team,
        pick=pick_query(team, search),
        kinds=KINDS,
        floors=queries.floors(park.id),
        states=STATES,
        soon=queries.ENDING_SOON_DAYS,
    )


# --- units -----------------------------------------------------------------------------


def unit_filters() -> queries.UnitFilters:
    """The unit list's filters, for the page and its export (no number, no filter)."""
    kind = request.args.get("kind")
    return queries.UnitFilters(floor=arg_int("floor"), kind=kind if kind in KINDS else None)


@bp.route("/parks/<int:park_id>/units")
def units(park_id: int) -> Any:
    """The park's units, paged, each with the team that holds it today."""
    park = _park(park_id)
    filters = unit_filters()
    sort = queries.UNIT_SORTING.chosen()
    page = paginate(queries.units_of(current_user, park.id, filters, sort=sort))
    day = queries.today(park)
    return render_template(
        "space/units.html",
        park=park,
        page=page,
        sort=sort,
        holders=queries.holders(page.items, day),
        filters=filters,
        kinds=KINDS,
        floors=queries.floors(park.id),
    )


@bp.route("/parks/<int:park_id>/units/new", methods=["GET", "POST"])
def create_unit(park_id: int) -> Any:
    park = _park(park_id, "space.manage")
    form = UnitForm()
    if form.validate_on_submit():
        try:
            unit = ops.create_unit(park.id, actor=acting_user(), **form.values())
        except DomainError as err:
            form.show_error(err)
        else:
            flash(_("Unit %(code)s added.", code=unit.code), "success")
            return redirect(url_for("space.unit", unit_id=unit.id))
    return render_template("space/unit_form.html", form=form, park=park, unit=None), form.status


@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
def edit_unit(unit_id: int) -> Any:
    unit = load_unit(unit_id, "units.manage")
    form = UnitForm(obj=unit)
    if form.validate_on_submit():
        try:
            ops.update_unit(unit, actor=acting_user(), **form.values())
        except DomainError as err:
            form.show_error(err)
        else:
            flash(_("Unit %(code)s saved.", code=unit.code), "success")
            return redirect(url_for("space.unit", unit_id=unit.id))
    page = render_template("space/unit_form.html", form=form, park=unit.park, unit=unit)
    return page, form.status


@bp.route("/units/<int:unit_id>/delete", methods=["GET", "POST"])
def delete_unit(unit_id: int) -> Any:
    if request.method == "GET":  # a reload or a language switch: no dead end
        return redirect(url_for("space.unit", unit_id=unit_id))
    unit = load_unit(unit_id, "units.manage")
    park_id, code = unit.park_id, unit.code
    try:
        ops.delete_unit(unit, actor=acting_user())
    except DomainError as err:
        flash(err.message, "error")
        return redirect(url_for("space.unit", unit_id=unit_id))
    flash(_("Unit %(code)s deleted.", code=code), "success")
    return redirect(url_for("space.units", park_id=park_id))


@bp.route("/parks/<int:park_id>/units/import", methods=["GET", "POST"])
def import_units(park_id: int) -> Any:
    """Units from a CSV file: all rows or none, every bad row reported."""
    park = _park(park_id, "space.manage")
    form = ImportForm()
    problems = None
    status = 200
    if form.validate_on_submit():
        try:
            imported = importing.import_units(park.id, form.file.data.read(), actor=acting_user())
        except DomainError as err:
            problems = err.fields.get("rows")
            flash(err.message, "error")
            status = 422
        else:
            flash(
                ngettext("%(num)d unit imported.", "%(num)d units imported.", len(imported)),
                "success",
            )
            return redirect(url_for("space.units", park_id=park.id))
    elif request.method == "POST":
        status = 422
    return render_template(
        "space/import.html",
        form=form,
        park=park,
        problems=problems,
        columns=importing.SHEET.describe(),
    ), status


@bp.route("/parks/<int:park_id>/units/template.csv")
def import_template(park_id: int) -> Any:
    _park(park_id, "space.manage")
    return Response(
        importing.template_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=units-template.csv"},
    )
