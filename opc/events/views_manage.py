"""The staff's event pages: the event form (create and change; the day and times in the
park's timezone, the venue a room of the park or a place outside) and cancelling an event,
asked first with a reason. A refused form keeps its input and shows each error on its field
(a room taken at the venue), with status 422."""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from opc.core.errors import DomainError, NotFound
from opc.core.permissions import get_or_404, require, visible
from opc.core.security import acting_user
from opc.core.values import arg_id
from opc.events import queries as q
from opc.events.forms import CancelEventForm, EventForm, event_data
from opc.events.models import Event, EventStatus
from opc.events.operations import events as ops
from opc.events.permissions import can_manage_events
from opc.events.views import bp
from opc.extensions import db
from opc.parks.models import Park

# Refusals that belong next to a field rather than at the top of the form.
_FIELD_OF_RULE = {"room_taken": "venue_unit_id"}


def _form(park: Park, event: Event | None = None) -> EventForm:
    data = event_data(event, park.timezone) if event is not None else {"public": True}
    rooms = q.bookable_rooms(park.id, event.venue_unit_id if event is not None else None)
    return EventForm(data=data, timezone=park.timezone, rooms=rooms)


def _refused(form: EventForm, err: DomainError) -> None:
    name = _FIELD_OF_RULE.get(err.code)
    if name is not None:
        getattr(form, name).errors = [*getattr(form, name).errors, err.message]
        form.refused = True
    else:
        form.show_error(err)
    db.session.rollback()


def _managed_parks() -> list[Park]:
    parks = db.session.scalars(select(Park).where(visible(current_user, Park)).order_by(Park.id))
    return [p for p in parks if can_manage_events(current_user, p)]


@bp.route("/events/new", methods=["GET", "POST"])
def new() -> Any:
    """Staff add an event to one of their parks (?park_id= when they have several)."""
    require(can_manage_events(current_user))
    parks = _managed_parks()
    wanted = arg_id("park_id")
    park = next((p for p in parks if p.id == wanted), None)
    if park is None and wanted is None and len(parks) == 1:
        park = parks[0]
    if park is None:
        if wanted is not None or not parks:
            raise NotFound("not_found", _("Not found."))
        return render_template("events/choose_park.html", parks=parks)
    g.park = park
    form = _form(park)
    if form.validate_on_submit():
        try:
            event = ops.create_event(actor=acting_user(), park_id=park.id, **form.values())
        except DomainError as err:
            _refused(form, err)
        else:
            flash(_("Event %(title)s added.", title=event.title_zh), "success")
            return redirect(url_for("events.detail", event_id=event.id))
    page = render_template("events/form.html", form=form, park=park, event=None)
    return page, form.status


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
def edit(event_id: int) -> Any:
    """Staff change an event's terms (the room held moves with it)."""
    event = get_or_404(Event, event_id, current_user, "events.manage")
    park = g.park = event.park
    form = _form(park, event)
    if form.validate_on_submit():
        try:
            ops.update_event(event.id, actor=acting_user(), **form.values())
        except DomainError as err:
            _refused(form, err)
            event = get_or_404(Event, event_id, current_user)
        else:
            flash(_("Event %(title)s saved.", title=event.title_zh), "success")
            return redirect(url_for("events.detail", event_id=event.id))
    page = render_template("events/form.html", form=form, park=park, event=event)
    return page, form.status


@bp.route("/events/<int:event_id>/cancel", methods=["GET", "POST"])
def cancel(event_id: int) -> Any:
    """Staff cancel an event, asked first with a reason: every registration ends and the
    room is released."""
    event = get_or_404(Event, event_id, current_user, "events.manage")
    g.park = event.park
    if event.status == EventStatus.CANCELLED:
        flash(_("The event is cancelled already."), "info")
        return redirect(url_for("events.detail", event_id=event.id))
    form = CancelEventForm()
    if form.validate_on_submit():
        try:
            ops.cancel_event(event.id, actor=acting_user(), reason=form.reason.data or "")
        except DomainError as err:
            form.show_error(err)
            db.session.rollback()
            event = get_or_404(Event, event_id, current_user)
        else:
            flash(_("The event is cancelled."), "success")
            return redirect(url_for("events.detail", event_id=event.id))
    return render_template("events/cancel.html", form=form, event=event), form.status
