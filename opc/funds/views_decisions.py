"""Decision and tranche pages for staff (blueprint "disbursements"): the decision panel of
an application's page (approve within what remains, reject with a reason, tranches with
propose / approve / cancel), and each park's tranches, those awaiting approval first.
Thin: parse, call the operation, redirect (422 with the forms kept when refused)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from opc.auth.models import User
from opc.core import nav
from opc.core.errors import DomainError, NotFound
from opc.core.forms import BaseForm
from opc.core.pagination import paginate
from opc.core.permissions import Role, get_or_404, visible
from opc.core.security import acting_user
from opc.extensions import db
from opc.funds import figures
from opc.funds.application_models import Application, Disbursement
from opc.funds.application_models import ApplicationStatus as S
from opc.funds.forms_decisions import ActionForm, ApproveForm, RejectForm, TrancheForm
from opc.funds.operations import decisions, disbursements
from opc.funds.permissions import can_manage_applications
from opc.parks.models import Park

bp = Blueprint("disbursements", __name__)


def may_disburse(user: Any) -> bool:
    """Staff (and admins): the tranches' pages are theirs."""
    return user.role in (Role.STAFF, Role.ADMIN)


def people(ids: set[int | None]) -> dict[int, User]:
    """Users by id, in one query (who proposed and approved the tranches on a page)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(wanted)))}


@dataclass
class DecisionPanel:
    """What the decision panel shows a member of the application's park's staff."""

    application: Application
    tranches: list[Disbursement]
    room_fen: int  # what the approval leaves for new tranches
    four_eyes: bool
    people: dict[int, User]
    forms: dict[str, BaseForm] = field(default_factory=dict)

    @property
    def call(self) -> Any:
        return self.application.call

    @property
    def may_decide(self) -> bool:
        return self.application.status == S.IN_REVIEW

    @property
    def may_pay(self) -> bool:
        return self.application.status == S.APPROVED and self.room_fen > 0

    @property
    def most_fen(self) -> int:
        """The most that may be approved: the request, the ceiling, the call's remainder."""
        call = self.call
        return max(0, min(self.application.amount_fen, call.ceiling_fen, call.remaining_fen))

    @property
    def milestones(self) -> list[str]:
        titles = [str(m.get("title", "")).strip() for m in self.application.milestones or []]
        return [t for t in titles if t]


def decision_panel(application: Application, **forms: BaseForm) -> DecisionPanel | None:
    """The panel's data for the current user: None unless staff of the application's park."""
    if not current_user.is_authenticated or not can_manage_applications(current_user, application):
        return None
    tranches = list(
        db.session.scalars(
            figures.tranches(current_user, application_id=application.id).limit(200)
        ).unique()
    )
    room = figures.tranche_room([application.id]).get(application.id, 0)
    made = {
        "approve": forms.get("approve") or ApproveForm(formdata=None),
        "reject": forms.get("reject") or RejectForm(formdata=None),
        "tranche": forms.get("tranche") or TrancheForm(formdata=None),
        "action": ActionForm(formdata=None),
    }
    ids = {t.proposed_by_id for t in tranches} | {t.approved_by_id for t in tranches}
    ids.add(application.decided_by_id)
    return DecisionPanel(
        application,
        tranches,
        room,
        disbursements.four_eyes(application.park_id),
        people(ids),
        made,
    )


def _application(application_id: int) -> Application:
    application = get_or_404(Application, application_id, current_user, "applications.manage")
    g.park = application.call.fund.park
    return application


def _again(application: Application, **forms: BaseForm) -> Any:
    """The decision page again, with the refused form's input and errors: 422."""
    panel = decision_panel(application, **forms)
    return render_template("funds/decision.html", application=application, panel=panel), 422


def _refused(application: Application, err: DomainError, **forms: BaseForm) -> Any:
    form = next(iter(forms.values()), None)
    if form is not None:
        form.show_error(err)
    else:
        flash(err.message, "error")
    return _again(application, **forms)


def _done(application: Application, message: str) -> Any:
    flash(message, "success")
    return redirect(
        url_for("applications.detail", application_id=application.id, _anchor="decision-panel")
    )


@bp.route("/applications/<int:application_id>/decision")
def decision(application_id: int) -> Any:
    """The decision panel on a page of its own (where refused forms come back)."""
    application = _application(application_id)
    panel = decision_panel(application)
    return render_template("funds/decision.html", application=application, panel=panel)


@bp.route("/applications/<int:application_id>/approve", methods=["POST"])
def approve(application_id: int) -> Any:
    application = _application(application_id)
    form = ApproveForm()
    if not form.validate_on_submit():
        return _again(application, approve=form)
    try:
        decisions.approve_application(application, actor=acting_user(), **form.values())
    except DomainError as err:
        return _refused(application, err, approve=form)
    return _done(application, _("Application approved; the team is notified."))


@bp.route("/applications/<int:application_id>/reject", methods=["POST"])
def reject(application_id: int) -> Any:
    application = _application(application_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return _again(application, reject=form)
    try:
        decisions.reject_application(
            application, actor=acting_user(), reason=form.reason.data or ""
        )
    except DomainError as err:
        return _refused(application, err, reject=form)
    return _done(application, _("Application rejected; the team is notified."))


@bp.route("/applications/<int:application_id>/tranches", methods=["POST"])
def propose(application_id: int) -> Any:
    application = _application(application_id)
    form = TrancheForm()
    if not form.validate_on_submit():
        return _again(application, tranche=form)
    try:
        tranche = disbursements.propose_tranche(
            actor=acting_user(), application_id=application.id, **form.values()
        )
    except DomainError as err:
        return _refused(application, err, tranche=form)
    if tranche.status == "paid":
        return _done(application, _("Tranche paid."))
    return _done(application, _("Tranche proposed: another person approves it."))


@bp.route("/disbursements/<int:tranche_id>/<any(approve, cancel):action>", methods=["POST"])
def tranche_action(tranche_id: int, action: str) -> Any:
    """Approve (pay) or cancel a proposed tranche."""
    tranche = get_or_404(Disbursement, tranche_id, current_user, "applications.manage")
    application = _application(tranche.application_id)
    if not ActionForm().validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return _again(application)
    operation = (
        disbursements.approve_tranche if action == "approve" else disbursements.cancel_tranche
    )
    try:
        operation(tranche, actor=acting_user())
    except DomainError as err:
        return _refused(application, err)
    return _done(
        application, _("Tranche paid.") if action == "approve" else _("Tranche cancelled.")
    )


def _park(park_id: int) -> Park:
    park = g.park = get_or_404(Park, park_id, current_user)
    if not may_disburse(current_user):
        raise NotFound("not_found", _("Not found."))
    return park


@bp.route("/disbursements/")
def index() -> Any:
    """Staff: their park's tranches (a list of parks when they have several)."""
    if not may_disburse(current_user):
        raise NotFound("not_found", _("Not found."))
    parks = list(
        db.session.scalars(select(Park).where(visible(current_user, Park)).order_by(Park.id))
    )
    if len(parks) == 1:
        return redirect(url_for("disbursements.park", park_id=parks[0].id))
    return render_template("funds/disbursements_parks.html", parks=parks)


@bp.route("/parks/<int:park_id>/disbursements")
def park(park_id: int) -> Any:
    """A park's tranches: those awaiting approval first, then the newest; paged."""
    place = _park(park_id)
    sort = figures.TRANCHES.requested()
    page = paginate(figures.tranches(current_user, park_id=place.id, sort=sort))
    items = list(page.items)
    ids = {t.proposed_by_id for t in items} | {t.approved_by_id for t in items}
    return render_template(
        "funds/disbursements.html",
        park=place,
        page=page,
        sort=sort or figures.TRANCHES.chosen(),
        people=people(ids),
        four_eyes=disbursements.four_eyes(place.id),
        may_manage=can_manage_applications(current_user, place),
        action_form=ActionForm(formdata=None),
    )


def register(app: Flask) -> None:
    """The blueprint, the panel's template global and the nav entry."""
    app.register_blueprint(bp)
    app.add_template_global(decision_panel, "decision_panel")
    nav.add("disbursements.index", _l("Disbursements"), may_disburse, order=48)
