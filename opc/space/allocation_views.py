"""Allocation pages, on the space blueprint (opc.space.views.bp): a unit's page with its
timeline and allocate form, allocating from a team's page (the free units that fit), ending
an allocation on its last day, cancelling one that has not begun, moving, a team's space.

Pages take and show the last day held; the operations keep [start, end) (LastDayField
converts). Thin: parse, call the operation, redirect on success (post/redirect/get), the
page again with 422 and the refusal on a refusal. A POST-only address answers a GET (a
reload, a language switch) with the page it belongs to, never 405.
"""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from opc.core.dates import format_day, last_day
from opc.core.errors import DomainError, ValidationFailed
from opc.core.forms import BaseForm
from opc.core.permissions import get_or_404, require
from opc.core.values import arg_date, arg_id
from opc.space import operations as ops
from opc.space import queries
from opc.space.forms import AllocateForm, EndForm, MoveForm, TeamAllocateForm
from opc.space.labels import KINDS
from opc.space.models import Allocation, Unit
from opc.space.permissions import can_allocate, can_see_space
from opc.space.views import acting_user, bp, error_text, load_unit, search_args, unit_search
from opc.teams.choices import team_choices
from opc.teams.models import Team, TeamStatus

# The most free units a team's search lists (narrow the filters for more).
MAX_LISTED = 200


def allocated_message(allocation: Allocation) -> str:
    """What a success says: the unit, the team, the first and the last day."""
    names = {
        "unit": allocation.unit.code,
        "team": allocation.team.name_zh,
        "start": format_day(allocation.start),
    }
    if allocation.end is None:
        return _("%(unit)s allocated to %(team)s from %(start)s, open-ended.", **names)
    last = last_day(allocation.end)
    assert last is not None
    return _(
        "%(unit)s allocated to %(team)s from %(start)s through %(last)s.",
        last=format_day(last),
        **names,
    )


# --- a unit's page -----------------------------------------------------------------------


def _team_choices(park_id: int) -> list[SelectChoice]:
    """Only resident teams hold space: the allocation form offers them alone, after a blank
    first choice (no team is allocated by default), in pinyin order, each saying whether it
    holds space already (opc.teams.choices)."""
    return team_choices(queries.resident_teams(park_id), blank=_("Choose a team"))


def _unit_page(unit: Unit, allocate_form: AllocateForm | None = None, status: int = 200) -> Any:
    park = unit.park
    day = queries.today(park)
    history = queries.unit_history(unit)
    manage = can_allocate(current_user, unit)
    # ?team_id=&start=&last_day=: a unit chosen on the floor view with a team in hand.
    form = allocate_form or AllocateForm(
        formdata=None,
        team_id=arg_id("team_id"),
        start=arg_date("start") or day,
        last_day=arg_date("last_day"),
    )
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
        has_teams=len(form.team_id.choices) > 1,
        move_choices=other_units,
        manage=manage,
    ), status


@bp.route("/units/<int:unit_id>")
def unit(unit_id: int) -> Any:
    """A unit: its facts, the timeline of its allocations, and allocating it."""
    return _unit_page(load_unit(unit_id))


@bp.route("/units/<int:unit_id>/allocate", methods=["GET", "POST"])
def allocate(unit_id: int) -> Any:
    if request.method == "GET":
        return redirect(url_for("space.unit", unit_id=unit_id))
    unit = load_unit(unit_id, "allocations.manage")
    form = AllocateForm()
    form.team_id.choices = _team_choices(unit.park_id)
    if form.validate_on_submit():
        try:
            allocation = ops.allocate(
                actor=acting_user(),
                team_id=form.team_id.data,
                unit_id=unit.id,
                start=form.start.data,
                end=form.last_day.end,
            )
        except DomainError as err:
            form.show_error(err)
        else:
            flash(allocated_message(allocation), "success")
            return redirect(url_for("space.unit", unit_id=unit.id))
    return _unit_page(load_unit(unit_id), form, 422)


# --- one allocation: end, cancel, move ---------------------------------------------------


def _allocation(allocation_id: int) -> Allocation:
    allocation = get_or_404(Allocation, allocation_id, current_user, "allocations.manage")
    g.park = allocation.unit.park
    return allocation


def _confirm_page(template: str, allocation: Allocation, form: BaseForm) -> Any:
    day = queries.today(allocation.unit.park)
    page = render_template(template, allocation=allocation, form=form, day=day)
    return page, form.status


@bp.route("/allocations/<int:allocation_id>/end", methods=["GET", "POST"])
def end_allocation(allocation_id: int) -> Any:
    """Ask for the last day the team holds the unit, then set it (shorten or extend)."""
    allocation = _allocation(allocation_id)
    form = EndForm()
    if form.validate_on_submit():
        try:
            ops.end_allocation(allocation, actor=acting_user(), end=form.last_day.end)
        except DomainError as err:
            form.show_error(err)
        else:
            flash(
                _(
                    "%(team)s holds %(unit)s through %(d)s.",
                    team=allocation.team.name_zh,
                    unit=allocation.unit.code,
                    d=format_day(form.last_day.data),
                ),
                "success",
            )
            return redirect(url_for("space.unit", unit_id=allocation.unit_id))
    return _confirm_page("space/end.html", allocation, form)


@bp.route("/allocations/<int:allocation_id>/cancel", methods=["GET", "POST"])
def cancel_allocation(allocation_id: int) -> Any:
    """Withdraw an allocation that has not begun (one that has is ended instead)."""
    allocation = _allocation(allocation_id)
    form = BaseForm()
    if form.validate_on_submit():
        unit_id = allocation.unit_id
        message = _(
            "The allocation of %(unit)s to %(team)s from %(start)s is cancelled.",
            unit=allocation.unit.code,
            team=allocation.team.name_zh,
            start=format_day(allocation.start),
        )
        try:
            ops.cancel_allocation(allocation, actor=acting_user())
        except DomainError as err:
            form.show_error(err)
        else:
            flash(message, "success")
            return redirect(url_for("space.unit", unit_id=unit_id))
    return _confirm_page("space/cancel.html", allocation, form)


@bp.route("/allocations/<int:allocation_id>/move", methods=["GET", "POST"])
def move(allocation_id: int) -> Any:
    allocation = _allocation(allocation_id)
    if request.method == "GET":
        return redirect(url_for("space.unit", unit_id=allocation.unit_id))
    form = MoveForm()
    form.unit_id.choices = [
        SelectChoice(u.id, u.code) for u in queries.units_in(allocation.unit.park_id)
    ]
    if not form.validate_on_submit():
        return _refused(allocation, _("Choose a unit and the day of the move."))
    try:
        moved = ops.move(
            allocation, actor=acting_user(), unit_id=form.unit_id.data, on=form.on.data
        )
    except DomainError as err:
        return _refused(allocation, error_text(err))
    flash(_("The team moves on %(d)s.", d=format_day(form.on.data)), "success")
    return redirect(url_for("space.unit", unit_id=moved.unit_id))


def _refused(allocation: Allocation, message: str) -> Any:
    """The unit page again, the refusal at the top (its row forms have no field to mark)."""
    flash(message, "error")
    return _unit_page(load_unit(allocation.unit_id), status=422)


# --- a team's space ----------------------------------------------------------------------


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


@bp.route("/space/teams/<int:team_id>/allocate", methods=["GET", "POST"])
def allocate_for_team(team_id: int) -> Any:
    """From a team's page: the park's units free for the period that meet the filters, each
    allocated to the team with one click (the period is the search's)."""
    team = get_or_404(Team, team_id, current_user)
    g.park = park = team.park
    require(can_allocate(current_user, park))
    day = queries.today(park)
    search = unit_search(day, free_by_default=True)
    form = TeamAllocateForm()
    if form.validate_on_submit():
        try:
            allocation = _allocate_for(team, form)
        except DomainError as err:
            form.show_error(err)
        else:
            flash(allocated_message(allocation), "success")
            return redirect(url_for("teams.detail", team_id=team.id))
    elif request.method == "POST":
        flash(_("Choose a unit and its first day."), "error")
    return render_template(
        "space/team_allocate.html",
        team=team,
        park=park,
        day=day,
        search=search,
        search_args=search_args(search),
        units=queries.fitting_units(park.id, search, MAX_LISTED),
        max_listed=MAX_LISTED,
        form=form,
        resident=team.status == TeamStatus.RESIDENT,
        kinds=KINDS,
        floors=queries.floors(park.id),
    ), form.status


def _allocate_for(team: Team, form: TeamAllocateForm) -> Allocation:
    unit = queries.unit_in(team.park_id, form.unit_id.data)
    if unit is None:  # a posted id of no unit of the park: as unknown as a missing one
        reason = _("No such unit in the park.")
        raise ValidationFailed({"unit_id": [reason]}, reason)
    return ops.allocate(
        actor=acting_user(),
        team_id=team.id,
        unit_id=unit.id,
        start=form.start.data,
        end=form.last_day.end,
    )
