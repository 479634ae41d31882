"""Review pages (blueprint "reviews"): a reviewer's own reviews (their start page), the
score form and the declaration of a conflict of interest; for staff, screening and
assignment from an application's review panel, a call's assignment (propose, adjust,
accept) and its ranking with its exports. Thin: parse, call the operation, redirect; a
refused form re-renders with status 422 and its input."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from opc.core.errors import DomainError, NotFound
from opc.core.export import FORMATS, export_response
from opc.core.forms import BaseForm
from opc.core.i18n import locale_code
from opc.core.pagination import paginate
from opc.core.permissions import Role, get_or_404
from opc.core.security import acting_user
from opc.core.values import arg_text, parse_id
from opc.core.views import ROLE_HOMES
from opc.extensions import db
from opc.funds import queries_reviews as q
from opc.funds import rankings
from opc.funds.application_models import Application
from opc.funds.forms_reviews import AssignForm, ConflictForm, ScreeningForm, review_form
from opc.funds.labels import application_status_label
from opc.funds.models import Call
from opc.funds.operations import reviews as ops
from opc.funds.operations import scoring
from opc.funds.operations.screening import screen
from opc.funds.review_models import Review, ReviewStatus

bp = Blueprint("reviews", __name__)
MANAGE = "applications.manage"


# --- the reviewer's pages ----------------------------------------------------------------


@bp.route("/reviews/")
def mine() -> Any:
    """The reviewer's reviews: to do first, then submitted; each with its call and when
    the call closed. Also the reviewer's start page (opc.core.views.ROLE_HOMES)."""
    if current_user.role != Role.REVIEWER:
        raise NotFound("not_found", _("Not found."))
    sort = q.MY_REVIEWS.requested()
    page = paginate(q.my_reviews(current_user, sort))
    return render_template("funds/reviews.html", page=page, sort=sort or q.MY_REVIEWS.chosen())


def _own(review_id: int) -> Review:
    """The reviewer's own review, not recused (anything else: 404, blind)."""
    review = db.session.get(Review, review_id)
    if (
        review is None
        or review.reviewer_id != current_user.id
        or review.status == ReviewStatus.RECUSED
    ):
        raise NotFound("not_found", _("Not found."))
    g.park = review.application.call.fund.park
    return review


def _review_page(review: Review, form: Any, status: int = 200) -> Any:
    page = render_template(
        "funds/review.html",
        review=review,
        application=review.application,
        call=review.application.call,
        form=form,
        frozen=review.status == ReviewStatus.SUBMITTED,
        given={s.criterion_id: s for s in review.scores},
    )
    return page, status


@bp.route("/reviews/<int:review_id>", methods=["GET", "POST"])
def review(review_id: int) -> Any:
    """Score each criterion 0–10 with a comment; save, or submit (once, then frozen)."""
    found = _own(review_id)
    criteria = list(found.application.call.criteria)
    data = {"comment": found.comment}
    for s in found.scores:
        data[f"score_{s.criterion_id}"] = str(s.score)
        data[f"comment_{s.criterion_id}"] = s.comment
    form = review_form(criteria, data=data)
    if request.method == "POST" and form.validate_on_submit():
        submit = "submit" in request.form
        try:
            scoring.save_review(
                found.id,
                actor=acting_user(),
                scores=form.scores(),
                comment=form.comment.data,
                submit=submit,
            )
        except DomainError as err:
            db.session.rollback()
            for message in err.fields.get("scores", []):  # no field of its own: on top
                flash(message, "error")
            return _review_page(_own(review_id), form, form.show_error(err))
        flash(_("Your review is submitted.") if submit else _("Your scores are saved."), "success")
        return redirect(url_for("reviews.review", review_id=found.id))
    return _review_page(found, form, form.status)


@bp.route("/reviews/<int:review_id>/conflict", methods=["GET", "POST"])
def conflict(review_id: int) -> Any:
    """Declare a conflict of interest (confirmed with its reason): the review is recused."""
    found = _own(review_id)
    form = ConflictForm()
    if form.validate_on_submit():
        try:
            scoring.declare_conflict(found.id, actor=acting_user(), reason=form.reason.data)
        except DomainError as err:
            form.show_error(err)
        else:
            flash(
                _("Your conflict of interest is recorded: staff will assign another reviewer."),
                "success",
            )
            return redirect(url_for("reviews.mine"))
    page = render_template("funds/review_conflict.html", review=found, form=form)
    return page, form.status


# --- staff: screening and assignment of one application --------------------------------


def _managed(application_id: int) -> Application:
    application = get_or_404(Application, application_id, current_user, MANAGE)
    g.park = application.call.fund.park
    return application


def _panel_page(application: Application, status: int = 200, **forms: Any) -> Any:
    panel = q.review_panel(application, current_user)
    page = render_template(
        "funds/review_application.html",
        application=application,
        review_panel_data=panel,
        screening_form=forms.get("screening_form") or ScreeningForm(),
        assign_form=forms.get("assign_form"),
    )
    return page, status


def _back(application: Application) -> Any:
    return redirect(url_for("applications.detail", application_id=application.id))


@bp.route("/applications/<int:application_id>/reviews")
def application(application_id: int) -> Any:
    """An application's screening and reviews (staff): the review panel on a page."""
    return _panel_page(_managed(application_id))


@bp.route("/applications/<int:application_id>/screening", methods=["POST"])
def screening(application_id: int) -> Any:
    """A screening step from the panel: start, eligible, or not eligible with a reason."""
    found = _managed(application_id)
    form = ScreeningForm()
    if not form.validate_on_submit():
        flash(_("The form expired: please try again."), "error")
        return _panel_page(found, 422, screening_form=form)
    try:
        done = screen(
            found.id, form.action.data or "", actor=acting_user(), reason=form.reason.data
        )
    except DomainError as err:
        db.session.rollback()
        status = form.show_error(err)
        return _panel_page(_managed(application_id), status, screening_form=form)
    label = application_status_label(done.status)
    flash(_("Screening recorded: the application is now “%(s)s”.", s=label), "success")
    return _back(found)


@bp.route("/applications/<int:application_id>/reviews", methods=["POST"])
def assign(application_id: int) -> Any:
    """Assign a reviewer of the call's pool (a conflict of interest is refused, named)."""
    found = _managed(application_id)
    form = AssignForm()
    if not form.validate_on_submit():
        flash(_("The form expired: please try again."), "error")
        return _panel_page(found, 422, assign_form=form)
    try:
        review = ops.assign_reviewer(found.id, form.reviewer_id.data, actor=acting_user())
    except DomainError as err:
        db.session.rollback()
        return _panel_page(_managed(application_id), form.show_error(err), assign_form=form)
    flash(_("%(name)s is assigned.", name=review.reviewer.name or review.reviewer.email), "success")
    return _back(found)


@bp.route("/reviews/<int:review_id>/unassign", methods=["POST"])
def unassign(review_id: int) -> Any:
    """Take an assignment back before the review is submitted."""
    found = db.session.get(Review, review_id)
    if found is None:
        raise NotFound("not_found", _("Not found."))
    application = _managed(found.application_id)
    form = BaseForm()
    if not form.validate_on_submit():
        flash(_("The form expired: please try again."), "error")
        return _panel_page(application, 422)
    try:
        ops.unassign_reviewer(found.id, actor=acting_user())
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return _panel_page(_managed(application.id), 422)
    flash(_("The assignment is taken back."), "success")
    return _back(application)


# --- staff: a call's assignment and ranking --------------------------------------------


def _call(call_id: int) -> Call:
    found = get_or_404(Call, call_id, current_user, MANAGE)
    g.park = found.fund.park
    return found


def _assignment_page(
    call: Call, proposal: Any = None, chosen: Any = None, status: int = 200
) -> Any:
    page = render_template(
        "funds/review_assignment.html",
        call=call,
        rows=q.call_assignments(call),
        proposal=proposal,
        chosen=chosen or {},
        pool=ops.pool_of(call),
        form=BaseForm(),
    )
    return page, status


@bp.route("/calls/<int:call_id>/assignment")
def assignment(call_id: int) -> Any:
    """The call's applications and their reviewers; `?propose=1` adds a proposal to accept
    as is or adjust (proposing writes nothing)."""
    found = _call(call_id)
    if arg_text("propose", max_length=1) != "1":
        return _assignment_page(found)
    try:
        proposal = ops.propose(found.id, actor=acting_user())
    except DomainError as err:
        flash(err.message, "error")
        return _assignment_page(found, status=409)
    return _assignment_page(found, proposal)


def _slots() -> tuple[list[Any], dict[str, str]]:
    """The pairs chosen in the proposal's table (slot_<application>_<n> = reviewer id;
    empty: none), and the choices as sent, to show again after a refusal."""
    pairs: list[Any] = []
    chosen: dict[str, str] = {}
    for key, value in request.form.items():
        if not key.startswith("slot_"):
            continue
        chosen[key] = value
        parts = key.split("_")
        application_id = parse_id(parts[1]) if len(parts) == 3 else None
        if value:
            pairs.append([application_id or parts[1], parse_id(value) or value])
    return pairs, chosen


@bp.route("/calls/<int:call_id>/assignment", methods=["POST"])
def accept(call_id: int) -> Any:
    """Accept the proposal with the staff's adjustments: all pairs in one transaction."""
    found = _call(call_id)
    form = BaseForm()
    pairs, chosen = _slots()
    if form.validate_on_submit():
        try:
            created = ops.accept_proposal(found.id, pairs, actor=acting_user())
        except DomainError as err:
            db.session.rollback()
            flash(err.message, "error")
        else:
            flash(_("%(n)d assignments made.", n=len(created)), "success")
            return redirect(url_for("reviews.assignment", call_id=found.id))
    else:
        flash(_("The form expired: please try again."), "error")
    found = _call(call_id)
    try:
        proposal = ops.propose(found.id, actor=acting_user())
    except DomainError:
        proposal = None
    return _assignment_page(found, proposal, chosen, 422)


@bp.route("/calls/<int:call_id>/ranking")
def ranking(call_id: int) -> Any:
    """The call's ranking: figures of the submitted reviews, best first."""
    found = _call(call_id)
    return render_template("funds/ranking.html", call=found, rows=rankings.call_ranking(found))


@bp.route("/calls/<int:call_id>/ranking.<fmt>")
def ranking_export(call_id: int, fmt: str) -> Any:
    """The ranking as XLSX or CSV (UTF-8 with BOM)."""
    if fmt not in FORMATS:
        raise NotFound("not_found", _("Not found."))
    found = _call(call_id)
    rows = rankings.export_rows(rankings.call_ranking(found))
    name = _("Ranking") + f" {found.title(locale_code())}"
    return export_response(fmt, name, rankings.headers(), rows)


# --- registration ------------------------------------------------------------------------


def register(app: Any) -> None:
    """The blueprint, the panel's template globals, and the reviewer's start page."""
    app.register_blueprint(bp)
    app.add_template_global(lambda a: q.review_panel(a, current_user), "review_panel")
    app.add_template_global(ScreeningForm, "review_screening_form")
    app.add_template_global(lambda _panel: AssignForm(), "review_assign_form")
    ROLE_HOMES[Role.REVIEWER] = "reviews.mine"
