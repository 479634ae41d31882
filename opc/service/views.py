"""The service pages (blueprint "service"): a member's requests of their team and the form
to open one; the staff queue with its filters in the URL, SLA badges, sorting and paging;
a request's page with its timeline (internal notes marked, and never loaded for members)
and the actions the reader may take; the dashboard of volumes, times and ratings. Thin:
parse, call the operation, redirect; a refused form re-renders with status 422."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select
from wtforms import SelectChoice

from opc.auth.models import User
from opc.core import nav
from opc.core.db import utcnow
from opc.core.errors import DomainError, NotFound
from opc.core.forms import BaseForm
from opc.core.i18n import locale_code
from opc.core.pagination import page_number
from opc.core.permissions import Role, get_or_404, require, visible
from opc.core.security import acting_user
from opc.core.sorting import Sort
from opc.core.values import arg_id, arg_text, parse_id
from opc.extensions import db
from opc.parks.models import Park, staff_parks
from opc.service import figures
from opc.service import queries as q
from opc.service.forms import (
    AssignForm,
    AttachmentForm,
    CommentForm,
    ConfirmForm,
    RateForm,
    ReopenForm,
    RequestForm,
    ResolveForm,
    TriageForm,
    WaitForm,
)
from opc.service.labels import CATEGORIES, SLA_STATES, STATUSES
from opc.service.models import DONE, ServiceRequest, Status
from opc.service.operations import requests as ops
from opc.service.operations import team as team_ops
from opc.service.operations.transitions import may_move
from opc.service.permissions import can_handle_request, can_open_request

bp = Blueprint("service", __name__)


class ListPage(Pagination):
    """A page of a list computed in full (the queue filtered by SLA state)."""

    def _query_items(self) -> list[Any]:
        items: list[Any] = self._query_args["items"]
        return items[self._query_offset : self._query_offset + self.per_page]

    def _query_count(self) -> int:
        return len(self._query_args["items"])


def is_member(user: Any) -> bool:
    return user.role == Role.MEMBER and user.team_id is not None


def is_staff(user: Any) -> bool:
    return user.role in (Role.STAFF, Role.ADMIN)


def _page(items: list[Any]) -> ListPage:
    per_page = 50
    page = ListPage(page=page_number(), per_page=per_page, error_out=False, items=items)
    if page.page > 1 and not page.items and page.pages:
        page = ListPage(page=page.pages, per_page=per_page, error_out=False, items=items)
    return page


def _sort() -> Sort:
    """The reader's order; a link from the former sort menu (?sort=oldest) keeps its own."""
    former = q.FORMER_SORTS.get(request.args.get("sort", ""))
    if former and "dir" not in request.args:
        return q.SORTING.chosen({"sort": former[0], "dir": former[1]})
    return q.SORTING.chosen()


def _choice(name: str, known: Any) -> str | None:
    value = arg_text(name, max_length=40)
    return value if value in known else None


@bp.route("/service/requests")
def mine() -> Any:
    """A member: their team's requests with their states and SLA."""
    if not is_member(current_user):
        raise NotFound("not_found", _("Not found."))
    filters = q.Filters(
        team_id=current_user.team_id, status=_choice("status", STATUSES), sort=_sort()
    )
    found, states = q.with_sla(current_user, filters, utcnow())
    return render_template(
        "service/mine.html",
        page=_page(found),
        states=states,
        statuses=STATUSES,
        filters=filters,
        sort=filters.sort,
    )


@bp.route("/service/requests/new", methods=["GET", "POST"])
def new() -> Any:
    """A member opens a request for their team."""
    if not is_member(current_user):
        raise NotFound("not_found", _("Not found."))
    form = RequestForm()
    if form.validate_on_submit():
        try:
            opened = ops.open_request(
                actor=acting_user(), team_id=current_user.team_id, **form.values()
            )
        except DomainError as err:
            form.show_error(err)
        else:
            flash(_("Request sent. The park answers within its service times."), "success")
            return redirect(url_for("service.detail", request_id=opened.id))
    return render_template("service/new.html", form=form), form.status


@bp.route("/service/queue")
def queue() -> Any:
    """Staff: the requests of their parks, filtered, sorted and paged by the URL."""
    require(can_handle_request(current_user))
    filters = q.Filters(
        park_id=arg_id("park_id"),
        team_id=arg_id("team_id"),
        status=_choice("status", STATUSES),
        category=_choice("category", CATEGORIES),
        sla=_choice("sla", SLA_STATES),
        sort=_sort(),
    )
    found, states = q.with_sla(current_user, filters, utcnow())
    parks = db.session.scalars(select(Park).where(visible(current_user, Park)).order_by(Park.id))
    return render_template(
        "service/queue.html",
        page=_page(found),
        states=states,
        filters=filters,
        parks={str(p.id): p.display_name(locale_code()) for p in parks},
        statuses=STATUSES,
        categories=CATEGORIES,
        sla_states=SLA_STATES,
        sort=filters.sort,
        filtered=any(
            (filters.park_id, filters.team_id, filters.status, filters.category, filters.sla)
        ),
    )


def _park_staff(park_id: int) -> list[User]:
    stmt = (
        select(User)
        .join(staff_parks, staff_parks.c.user_id == User.id)
        .where(staff_parks.c.park_id == park_id, User.role == Role.STAFF, User.is_active.is_(True))
        .order_by(User.name)
    )
    return list(db.session.scalars(stmt))


def page_of(r: ServiceRequest, forms: dict[str, BaseForm] | None = None, status: int = 200) -> Any:
    """The request's page with the forms the reader may use (`forms` replace the blank ones)."""
    user = current_user
    staff = can_handle_request(user, r)
    team = can_open_request(user, r)
    shown: dict[str, BaseForm] = {"comment": CommentForm()}
    if staff and r.status not in DONE:
        shown["triage"] = TriageForm(data={"category": r.category})
        shown["assign"] = AssignForm(data={"assignee_id": str(r.assignee_id or "")})
    if staff and may_move(r, Status.WAITING):
        shown["wait"] = WaitForm()
    if staff and may_move(r, Status.RESOLVED):
        shown["resolve"] = ResolveForm()
    if team and may_move(r, Status.CLOSED):
        shown["confirm"] = ConfirmForm()
        shown["reopen"] = ReopenForm()
    if team and r.status in DONE and r.rating is None:
        shown["rate"] = RateForm()
    if r.status == Status.CLOSED:
        shown.pop("comment")
    else:
        shown["attach"] = AttachmentForm()
    shown.update(forms or {})
    if "assign" in shown:  # the blank form and a refused one alike: the staff to choose from
        shown["assign"].assignee_id.choices = [
            SelectChoice(str(u.id), u.name) for u in _park_staff(r.park_id)
        ]
    sla = q.sla_states([r], utcnow())[r.id]
    page = render_template(
        "service/detail.html",
        r=r,
        sla=sla,
        timeline=q.timeline(r, user),
        forms=shown,
        staff=staff,
    )
    return page, status


@bp.route("/service/requests/<int:request_id>")
def detail(request_id: int) -> Any:
    """A request, its SLA and timeline, and the actions the reader may take."""
    return page_of(get_or_404(ServiceRequest, request_id, current_user))


def _act(request_id: int, name: str, form: BaseForm, run: Any, done: str, action: str) -> Any:
    """Run one action's form against its operation: redirect on success, else the page
    again (422) with the form's errors."""
    r = get_or_404(ServiceRequest, request_id, current_user, action)
    if form.validate_on_submit():
        try:
            run(r.id, form)
        except DomainError as err:
            form.show_error(err)
            db.session.rollback()
            return page_of(get_or_404(ServiceRequest, request_id, current_user), {name: form}, 422)
        flash(done, "success")
        return redirect(url_for("service.detail", request_id=r.id))
    return page_of(r, {name: form}, form.status)


@bp.route("/service/requests/<int:request_id>/comment", methods=["POST"])
def comment(request_id: int) -> Any:
    """Write on the timeline (staff: in public or an internal note; the team: its answer)."""

    def run(rid: int, f: Any) -> Any:
        return ops.comment(
            rid, actor=acting_user(), body=f.body.data or "", internal=f.internal.data
        )

    return _act(
        request_id, "comment", CommentForm(), run, _("Comment added."), "service_requests.view"
    )


@bp.route("/service/requests/<int:request_id>/triage", methods=["POST"])
def triage(request_id: int) -> Any:
    """Staff set the category."""

    def run(rid: int, f: Any) -> Any:
        return ops.triage(rid, actor=acting_user(), category=f.category.data)

    return _act(
        request_id, "triage", TriageForm(), run, _("Category set."), "service_requests.handle"
    )


@bp.route("/service/requests/<int:request_id>/assign", methods=["POST"])
def assign(request_id: int) -> Any:
    """Staff give the request to one of the park's staff."""

    def run(rid: int, f: Any) -> Any:
        # The select posts text; the operation takes an id (None: no one it could be).
        return ops.assign(rid, actor=acting_user(), assignee_id=parse_id(f.assignee_id.data))

    form = AssignForm()
    return _act(request_id, "assign", form, run, _("Assigned."), "service_requests.handle")


@bp.route("/service/requests/<int:request_id>/wait", methods=["POST"])
def wait(request_id: int) -> Any:
    """Staff ask the team for information; the clock stands still."""

    def run(rid: int, f: Any) -> Any:
        return ops.ask_team(rid, actor=acting_user(), question=f.question.data or "")

    done = _("The team is asked; the clock stands still until it answers.")
    return _act(request_id, "wait", WaitForm(), run, done, "service_requests.handle")


@bp.route("/service/requests/<int:request_id>/resolve", methods=["POST"])
def resolve(request_id: int) -> Any:
    """Staff resolve the request."""

    def run(rid: int, f: Any) -> Any:
        return ops.resolve(rid, actor=acting_user(), note=f.note.data or "")

    return _act(
        request_id, "resolve", ResolveForm(), run, _("Resolved."), "service_requests.handle"
    )


@bp.route("/service/requests/<int:request_id>/confirm", methods=["POST"])
def confirm(request_id: int) -> Any:
    """The team confirms the resolution."""

    def run(rid: int, _f: Any) -> Any:
        return team_ops.confirm(rid, actor=acting_user())

    done = _("Thank you: the request is closed.")
    return _act(request_id, "confirm", ConfirmForm(), run, done, "service_requests.open")


@bp.route("/service/requests/<int:request_id>/reopen", methods=["POST"])
def reopen(request_id: int) -> Any:
    """The team reopens a resolved request."""

    def run(rid: int, f: Any) -> Any:
        return team_ops.reopen(rid, actor=acting_user(), reason=f.reason.data or "")

    return _act(request_id, "reopen", ReopenForm(), run, _("Reopened."), "service_requests.open")


@bp.route("/service/requests/<int:request_id>/rate", methods=["POST"])
def rate(request_id: int) -> Any:
    """The team rates the service, once."""

    def run(rid: int, f: Any) -> Any:
        raw = f.rating.data or ""
        rating = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 3 else raw
        return team_ops.rate(rid, actor=acting_user(), rating=rating, comment=f.comment.data or "")

    return _act(
        request_id, "rate", RateForm(), run, _("Thank you for rating."), "service_requests.open"
    )


@bp.route("/service/dashboard")
def dashboard() -> Any:
    """Staff: a park's volumes, median working hours to respond and resolve, and ratings,
    by category and by month."""
    require(can_handle_request(current_user))
    parks = list(
        db.session.scalars(select(Park).where(visible(current_user, Park)).order_by(Park.id))
    )
    wanted = arg_id("park_id")
    park = next(
        (p for p in parks if p.id == wanted), parks[0] if parks and wanted is None else None
    )
    if park is None:
        raise NotFound("not_found", _("Not found."))
    by_category, by_month = figures.dashboard(park, utcnow())
    return render_template(
        "service/dashboard.html",
        park=park,
        parks=parks,
        by_category=by_category,
        by_month=by_month,
        bars=figures.bars(by_month),
    )


def may_see_queue(user: Any) -> bool:
    """Staff (and admins): the queue and the dashboard are theirs."""
    return is_staff(user)


def register(app: Flask) -> None:
    """The blueprint and its navigation entries."""
    app.register_blueprint(bp)
    nav.add("service.mine", _l("Service requests"), is_member, order=48)
    nav.add("service.queue", _l("Service queue"), may_see_queue, order=48)
    nav.add("service.dashboard", _l("Service dashboard"), may_see_queue, order=49)
