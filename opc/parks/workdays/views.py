"""The working calendar page of a park: its staff read it, admins change it (overrides,
complete years, working hours). In December it warns when next year is not known yet."""

from __future__ import annotations

import calendar as months
from typing import Any

import chinese_calendar
from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from opc.core.dates import MAX_DATE, MIN_DATE, local_today
from opc.core.errors import DomainError
from opc.core.forms import BaseForm
from opc.core.i18n import locale_code
from opc.core.permissions import get_or_404, require
from opc.core.values import arg_int
from opc.extensions import db
from opc.parks.models import Park
from opc.parks.permissions import can_manage_parks, can_view_park
from opc.parks.queries import parks_for
from opc.parks.settings import values_of
from opc.parks.workdays import operations as ops
from opc.parks.workdays.calendar import Day, WorkingCalendar
from opc.parks.workdays.forms import KIND_LABELS, HoursForm, OverrideForm, YearForm
from opc.parks.workdays.hours import KEYS, clock
from opc.parks.workdays.queries import (
    calendar_of,
    december_warnings,
    overrides_of,
    unknown_next_year,
    year_row,
)

bp = Blueprint("workdays", __name__, url_prefix="/parks")


def holiday_name(name: str | None) -> str:
    """The package's holiday name in the page's language."""
    if not name:
        return ""
    if locale_code().startswith("zh"):
        try:
            return str(chinese_calendar.Holiday(name).chinese)
        except ValueError:
            return name
    return name


def month_grid(calendar: WorkingCalendar, year: int) -> list[tuple[int, list[list[Day | None]]]]:
    """Each month of `year` as weeks from Monday; None pads the days of other months."""
    grid = []
    for month in range(1, 13):
        weeks = months.Calendar().monthdatescalendar(year, month)
        grid.append(
            (
                month,
                [[calendar.describe(d) if d.month == month else None for d in w] for w in weeks],
            )
        )
    return grid


def _page(
    park: Park,
    year: int,
    *,
    override_form: OverrideForm | None = None,
    hours_form: HoursForm | None = None,
    status: int = 200,
) -> Any:
    calendar = calendar_of(park)
    today = local_today(park.timezone)
    row = year_row(park.id, year)
    hours = dict(values_of(park.id))
    return render_template(
        "parks/calendar.html",
        park=park,
        year=year,
        today=today,
        calendar=calendar,
        grid=month_grid(calendar, year) if MIN_DATE.year < year < MAX_DATE.year else [],
        known=calendar.knows(year),
        from_package=calendar.knows(year) and year not in calendar.complete_years,
        complete=bool(row and row.complete),
        overrides=overrides_of(park.id, year),
        next_unknown=unknown_next_year(calendar, today),
        may_change=can_manage_parks(current_user, park),
        override_form=override_form or OverrideForm(formdata=None),
        year_form=YearForm(formdata=None, complete=not (row and row.complete)),
        hours_form=hours_form or HoursForm(formdata=None, data={k: hours[k] for k in KEYS}),
        delete_form=BaseForm(formdata=None),
        kind_labels=KIND_LABELS,
        holiday_name=holiday_name,
        clock=clock,
    ), status


def _to_page(park: Park, year: int) -> Any:
    return redirect(url_for("workdays.show", park_id=park.id, year=year))


@bp.route("/calendars")
def index() -> Any:
    """Staff of one park: its calendar; admins and staff of several: a card per park, with
    the parks whose next year is unknown in their December."""
    require(can_view_park(current_user))
    parks = list(db.session.scalars(parks_for(current_user)))
    if len(parks) == 1:
        return redirect(url_for("workdays.show", park_id=parks[0].id))
    warnings = december_warnings(parks, lambda park: local_today(park.timezone))
    return render_template("parks/calendar_index.html", parks=parks, warnings=warnings)


@bp.route("/<int:park_id>/calendar")
def show(park_id: int) -> Any:
    """A year of the park's working calendar as a month grid, with its overrides."""
    park = g.park = get_or_404(Park, park_id, current_user)
    year = arg_int("year", MIN_DATE.year + 1, MAX_DATE.year - 1)
    return _page(park, year or local_today(park.timezone).year)


@bp.route("/<int:park_id>/calendar/overrides", methods=["POST"])
def add_override(park_id: int) -> Any:
    park = g.park = get_or_404(Park, park_id, current_user, "parks.manage")
    form = OverrideForm()
    year = form.day.data.year if form.day.data else local_today(park.timezone).year
    if form.validate_on_submit():
        try:
            ops.add_override(park, actor=current_user._get_current_object(), **form.values())
        except DomainError as err:
            form.show_error(err)
        else:
            flash(_("Override saved."), "success")
            return _to_page(park, year)
    return _page(park, year, override_form=form, status=form.status)


@bp.route("/<int:park_id>/calendar/overrides/<int:override_id>/delete", methods=["POST"])
def remove_override(park_id: int, override_id: int) -> Any:
    park = g.park = get_or_404(Park, park_id, current_user, "parks.manage")
    form = BaseForm()
    year = arg_int("year", MIN_DATE.year + 1, MAX_DATE.year - 1) or local_today(park.timezone).year
    if form.validate_on_submit():
        ops.remove_override(park, override_id, actor=current_user._get_current_object())
        flash(_("Override removed."), "success")
    return _to_page(park, year)


@bp.route("/<int:park_id>/calendar/years/<int:year>", methods=["POST"])
def mark_year(park_id: int, year: int) -> Any:
    park = g.park = get_or_404(Park, park_id, current_user, "parks.manage")
    form = YearForm()
    if form.validate_on_submit():
        ops.mark_year(
            park, year, actor=current_user._get_current_object(), complete=form.complete.data
        )
        flash(
            _("The year %(y)s is marked complete.", y=year)
            if form.complete.data
            else _("The year %(y)s is no longer marked complete.", y=year),
            "success",
        )
    return _to_page(park, year)


@bp.route("/<int:park_id>/calendar/hours", methods=["POST"])
def set_hours(park_id: int) -> Any:
    park = g.park = get_or_404(Park, park_id, current_user, "parks.manage")
    form = HoursForm()
    year = local_today(park.timezone).year
    if form.validate_on_submit():
        try:
            ops.set_hours(park, actor=current_user._get_current_object(), values=form.values())
        except DomainError as err:
            form.show_error(err)
        else:
            flash(_("Working hours saved."), "success")
            return _to_page(park, year)
    return _page(park, year, hours_form=form, status=form.status)
