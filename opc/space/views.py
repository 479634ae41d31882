"""Space pages: units of a park, occupancy, the floor view, a unit's timeline, allocations.

Thin: parse the form, call the operation, flash its refusal or redirect.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms import SelectChoice

from opc.core.errors import DomainError, NotFound
from opc.core.i18n import locale_code
from opc.core.pagination import paginate
from opc.core.permissions import Role, get_or_404
from opc.core.values import arg_date, arg_int
from opc.parks.models import Park
from opc.space import importing, queries
from opc.space import occupancy as occupancy_reads
from opc.space import operations as ops
from opc.space.forms import AllocateForm, EndForm, ImportForm, MoveForm, UnitForm
from opc.space.labels import KINDS, STATES
from opc.space.models import Allocation, Unit
from opc.space.permissions import can_allocate, can_see_space
from opc.teams.labels import track_label
from opc.teams.models import Team

bp = Blueprint("space", __name__)


def _actor() -> Any:
    return current_user._get_current_object()


def _park(park_id: int, action: str = "space.view") -> Park:
    """The park, when the user may see its space; else 404 (its staff, and admins)."""
    park = g.park = queries.space_of(current_user, park_id, action)
    return park


def _unit(unit_id: int, action: str | None = None) -> Unit:
    unit = get_or_404(Unit, unit_id, current_user, action)
    g.park = unit.park
    return unit


def _day(park: Park) -> date:
    """?on=YYYY-MM-DD, else the park's today (a date out of the calendar: 422)."""
    return arg_date("on") or queries.today(park)


def _error_text(err: DomainError) -> str:
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
    return render_template(
        "space/occupancy.html",
        park=park,
        occ=occ,
        area_chart=area_chart,
        floor_chart=floor_chart,
        track_chart=track_chart,
    )


@bp.route("/parks/<int:park_id>/floors")
def floors(park_id: int) -> Any:
    """Each unit a box coloured by who holds it on the day: free, taken, ending soon."""
    park = _park(park_id)
    day = _day(park)
    return render_template(
        "space/floors.html",
        park=park,
        on=day,
        plan=occupancy_reads.floor_plan(park, day),
        states=STATES,
        soon=queries.ENDING_SOON_DAYS,
    )


# --- units -----------------------------------------------------------------------------


@bp.route("/parks/<int:park_id>/units")
def units(park_id: int) -> Any:
    """The park's units, paged, each with the team that holds it today."""
    park = _park(park_id)
    filters = queries.UnitFilters()
    filters.floor = arg_int("floor")
    filters.kind = request.args.get("kind") if request.args.get("kind") in KINDS else None
    page = paginate(queries.units_of(current_user, park.id, filters))
    day = queries.today(park)
    return render_template(
        "space/units.html",
        park=park,
        page=page,
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
            unit = ops.create_unit(park.id, actor=_actor(), **form.values())
        except DomainError as err:
            form.show_error(err)
        else:
            flash(_("Unit %(code)s added.", code=unit.code), "success")
            return redirect(url_for("space.unit", unit_id=unit.id))
    return render_template("space/unit_form.html", form=form, park=park, unit=None), form.status


@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
def edit_unit(unit_id: int) -> Any:
    unit = _unit(unit_id, "units.manage")
    form = UnitForm(obj=unit)
    if form.validate_on_submit():
        try:
            ops.update_unit(unit, actor=_actor(), **form.values())
        except DomainError as err:
            form.show_error(err)
        else:
            flash(_("Unit %(code)s saved.", code=unit.code), "success")
            return redirect(url_for("space.unit", unit_id=unit.id))
    page = render_template("space/unit_form.html", form=form, park=unit.park, unit=unit)
    return page, form.status


@bp.route("/units/<int:unit_id>/delete", methods=["POST"])
def delete_unit(unit_id: int) -> Any:
    unit = _unit(unit_id, "units.manage")
    park_id, code = unit.park_id, unit.code
    try:
        ops.delete_unit(unit, actor=_actor())
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
            imported = importing.import_units(park.id, form.file.data.read(), actor=_actor())
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
        required=importing.REQUIRED,
        optional=importing.OPTIONAL,
    ), status


@bp.route("/parks/<int:park_id>/units/template.csv")
def import_template(park_id: int) -> Any:
    _park(park_id, "space.manage")
    return Response(
        importing.template_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=units-template.csv"},
    )


# --- a unit and its allocations --------------------------------------------------------


def _team_choices(park_id: int) -> list[SelectChoice]:
    """Only resident teams hold space: the allocation form offers them alone."""
    locale = locale_code()
    return [SelectChoice(t.id, t.display_name(locale)) for t in queries.resident_teams(park_id)]


def _unit_page(unit: Unit, allocate_form: AllocateForm | None = None, status: int = 200) -> Any:
    park = unit.park
    day = queries.today(park)
    history = queries.unit_history(unit)
    manage = can_allocate(current_user, unit)
    form = allocate_form or AllocateForm(formdata=None, start=day)
    form.team_id.choices = _team_choices(park.id)
    other_units = [(u.id, u.code) for u in queries.free_units(park.id, day) if u.id != unit.id]
    return render_template(
        "space/unit.html",
        park=park,
        unit=unit,
        day=day,
        history=history,
        timeline=queries.timeline(history, day),
        allocate_form=form if manage else None,
        end_form=EndForm(formdata=None),
        move_form=MoveForm(formdata=None),
        move_choices=other_units,
        manage=manage,
    ), status


@bp.route("/units/<int:unit_id>")
def unit(unit_id: int) -> Any:
    """A unit: its facts, the timeline of its allocations, and allocating it."""
    return _unit_page(_unit(unit_id))


@bp.route("/units/<int:unit_id>/allocate", methods=["POST"])
def allocate(unit_id: int) -> Any:
    unit = _unit(unit_id, "allocations.manage")
    form = AllocateForm()
    form.team_id.choices = _team_choices(unit.park_id)
    if form.validate_on_submit():
        try:
            ops.allocate(
                actor=_actor(),
                team_id=form.team_id.data,
                unit_id=unit.id,
                start=form.start.data,
                end=form.end.data,
            )
        except DomainError as err:
            form.show_error(err)
        else:
            flash(_("Unit %(code)s allocated.", code=unit.code), "success")
            return redirect(url_for("space.unit", unit_id=unit.id))
    return _unit_page(_unit(unit_id), form, 422)


def _allocation(allocation_id: int) -> Allocation:
    allocation = get_or_404(Allocation, allocation_id, current_user, "allocations.manage")
    g.park = allocation.unit.park
    return allocation


@bp.route("/allocations/<int:allocation_id>/end", methods=["POST"])
def end_allocation(allocation_id: int) -> Any:
    allocation = _allocation(allocation_id)
    form = EndForm()
    if not form.validate_on_submit():
        return _refused(allocation, _("Give the day the allocation ends."))
    try:
        ops.end_allocation(allocation, actor=_actor(), end=form.end.data)
    except DomainError as err:
        return _refused(allocation, _error_text(err))
    flash(_("The allocation ends on %(d)s.", d=form.end.data.isoformat()), "success")
    return redirect(url_for("space.unit", unit_id=allocation.unit_id))


def _refused(allocation: Allocation, message: str) -> Any:
    """The unit page again, the refusal at the top (its row forms have no field to mark)."""
    flash(message, "error")
    return _unit_page(_unit(allocation.unit_id), status=422)


@bp.route("/allocations/<int:allocation_id>/move", methods=["POST"])
def move(allocation_id: int) -> Any:
    allocation = _allocation(allocation_id)
    form = MoveForm()
    form.unit_id.choices = [
        SelectChoice(u.id, u.code) for u in queries.units_in(allocation.unit.park_id)
    ]
    if not form.validate_on_submit():
        return _refused(allocation, _("Choose a unit and the day of the move."))
    try:
        moved = ops.move(allocation, actor=_actor(), unit_id=form.unit_id.data, on=form.on.data)
    except DomainError as err:
        return _refused(allocation, _error_text(err))
    flash(_("The team moves on %(d)s.", d=form.on.data.isoformat()), "success")
    return redirect(url_for("space.unit", unit_id=moved.unit_id))


@bp.route("/space/teams/<int:team_id>")
def team_space(team_id: int) -> Any:
    """A team's allocations, current and past: its staff and its own members see them."""
    team = get_or_404(Team, team_id, current_user)
    g.park = team.park
    day = queries.today(team.park)
    history = queries.allocations_of(team)  # newest first, units loaded
    return render_template(
        "space/team.html",
        team=team,
        history=history,
        day=day,
        show_units=can_see_space(current_user, team.park),
    )
