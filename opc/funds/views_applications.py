"""The team's application portal (blueprint "applications"): the open calls of the team's
park, its applications with their states, the draft form, files, submitting and withdrawing
(each asked first), and the application's page for everyone who may see it (staff and
reviewers also see the review and decision panels of opc.funds' other parts). Thin: parse,
call the operation, redirect; a refused form re-renders with status 422 and its input."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from opc.core.db import utcnow
from opc.core.errors import DomainError, NotFound, ValidationFailed, size_label
from opc.core.limits import accept_files
from opc.core.pagination import paginate
from opc.core.permissions import Role, get_or_404, require
from opc.core.security import acting_user
from opc.core.storage import upload_limit
from opc.funds import queries_applications as q
from opc.funds.application_models import Application, Attachment
from opc.funds.forms_applications import (
    ApplicationForm,
    AttachmentForm,
    ConfirmForm,
    WithdrawForm,
    form_data,
)
from opc.funds.models import Call
from opc.funds.operations import applications as ops
from opc.funds.operations import attachments as files
from opc.funds.operations.transitions import may_move
from opc.funds.permissions import can_edit_application
from opc.teams.models import Team

bp = Blueprint("applications", __name__)


def may_apply(user: Any) -> bool:
    """A member of a team: the portal is theirs."""
    return user.role == Role.MEMBER and user.team_id is not None


def _team() -> Team:
    """The member's team (others: 404, the portal is not theirs)."""
    if not may_apply(current_user):
        raise NotFound("not_found", _("Not found."))
    team = g.team = current_user.team
    g.park = team.park
    return team


def _application(application_id: int, action: str | None = None) -> Application:
    application = get_or_404(Application, application_id, current_user, action)
    g.park = application.call.fund.park
    return application


@bp.route("/applications/")
def index() -> Any:
    """A member: the calls of their park not yet closed, and their team's applications."""
    team = _team()
    sort = q.SORTING.requested()
    page = paginate(q.applications_of(current_user, q.Filters(team_id=team.id), sort))
    calls = q.open_calls(current_user, team.park_id, utcnow())
    live = q.live_by_call(team.id, [c.id for c in calls])
    refusals = {c.id: _refusal(c, team) for c in calls}
    return render_template(
        "funds/applications.html",
        team=team,
        calls=calls,
        page=page,
        sort=sort or q.SORTING.chosen(),
        live=live,
        refusals=refusals,
        next_call=next((c for c in calls if c.id not in live and not refusals[c.id]), None),
        now=utcnow(),
    )


def _refusal(call: Call, team: Team) -> str | None:
    """Why the team may not apply to the call (its tracks or statuses), or None."""
    try:
        ops.check_eligible(call, team)
    except DomainError as err:
        return err.message
    return None


@bp.route("/calls/<int:call_id>/apply", methods=["GET", "POST"])
def new(call_id: int) -> Any:
    """Draft an application to a call of the member's park."""
    team = _team()
    call = get_or_404(Call, call_id, current_user)
    require(can_edit_application(current_user, team))
    form = ApplicationForm()
    if form.validate_on_submit():
        try:
            application = ops.create_application(
                actor=acting_user(), call_id=call.id, team_id=team.id, **form.values()
            )
        except DomainError as err:
            form.show_error(err)
        else:
            flash(_("Draft saved. Attach the files, then submit it."), "success")
            return redirect(url_for("applications.detail", application_id=application.id))
    page = render_template("funds/apply_form.html", form=form, call=call, application=None)
    return page, form.status


@bp.route("/applications/<int:application_id>/edit", methods=["GET", "POST"])
def edit(application_id: int) -> Any:
    """Change a draft."""
    application = _application(application_id, "applications.edit")
    form = ApplicationForm(data=None if request.method == "POST" else form_data(application))
    if form.validate_on_submit():
        try:
            ops.update_application(application.id, actor=acting_user(), **form.values())
        except DomainError as err:
            form.show_error(err)
        else:
            flash(_("Draft saved."), "success")
            return redirect(url_for("applications.detail", application_id=application.id))
    page = render_template(
        "funds/apply_form.html", form=form, call=application.call, application=application
    )
    return page, form.status


def _detail(application: Application, upload: AttachmentForm | None, status: int = 200) -> Any:
    editable = not application.frozen and can_edit_application(current_user, application)
    missing = ops.missing_documents(application)
    if upload is None and editable:  # offering the first document still missing
        upload = AttachmentForm(
            data={"document": missing[0] if missing else ""},
            documents=application.call.required_documents or [],
        )
    page = render_template(
        "funds/application.html",
        application=application,
        call=application.call,
        user=current_user,
        history=q.history(application, current_user),
        milestones=q.milestones(application),
        missing=missing,
        editable=editable,
        may_withdraw=can_edit_application(current_user, application)
        and may_move(application, "withdrawn"),
        upload=upload if editable else None,
        upload_limit=size_label(upload_limit()),
        delete_form=ConfirmForm(),
    )
    return page, status


@bp.route("/applications/<int:application_id>")
def detail(application_id: int) -> Any:
    """An application: its content, files and history, for whoever may see it."""
    return _detail(_application(application_id), None)


@bp.route("/applications/<int:application_id>/attachments", methods=["POST"])
def attach(application_id: int) -> Any:
    """Attach a file to a draft."""
    application = _application(application_id, "applications.edit")
    form = AttachmentForm(documents=application.call.required_documents or [])
    if form.validate_on_submit():
        upload = form.file.data
        try:
            if upload is None or not getattr(upload, "filename", None):
                raise ValidationFailed({"file": [_("Choose a file.")]})
            done = files.add_attachment(
                application.id,
                upload.stream,
                upload.filename,
                actor=acting_user(),
                document=form.document.data or "",
            )
        except DomainError as err:
            status = form.show_error(err)
            return _detail(application, form, err.status if err.status == 413 else status)
        flash(_("%(name)s attached.", name=done.filename), "success")
        return redirect(url_for("applications.detail", application_id=application.id))
    return _detail(application, form, form.status)


@bp.route("/attachments/<int:attachment_id>/delete", methods=["POST"])
def delete_attachment(attachment_id: int) -> Any:
    """Remove a file from a draft."""
    attachment = get_or_404(Attachment, attachment_id, current_user)
    application_id, name = attachment.application_id, attachment.filename
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            files.delete_attachment(attachment.id, actor=acting_user())
        except DomainError as err:
            flash(err.message, "error")
            return _detail(_application(application_id), None, 422)
        flash(_("%(name)s removed.", name=name), "success")
    return redirect(url_for("applications.detail", application_id=application_id))


@bp.route("/attachments/<int:attachment_id>/download")
def download(attachment_id: int) -> Any:
    """A file, as a download, to whoever may see its application."""
    return files.download(get_or_404(Attachment, attachment_id, current_user))


@bp.route("/applications/<int:application_id>/submit", methods=["GET", "POST"])
def submit(application_id: int) -> Any:
    """Submit a draft, asked first: its content is frozen from then on."""
    application = _application(application_id, "applications.edit")
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            ops.submit_application(application.id, actor=acting_user())
        except DomainError as err:
            form.show_error(err)
        else:
            flash(_("Application submitted."), "success")
            return redirect(url_for("applications.detail", application_id=application.id))
    page = render_template(
        "funds/application_submit.html",
        form=form,
        application=application,
        call=application.call,
        missing=ops.missing_documents(application),
        closes_at=ops.park_time(application.call, application.call.closes_at),
    )
    return page, form.status


@bp.route("/applications/<int:application_id>/withdraw", methods=["GET", "POST"])
def withdraw(application_id: int) -> Any:
    """Withdraw an application before a decision, asked first."""
    application = _application(application_id, "applications.edit")
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            ops.withdraw_application(application.id, actor=acting_user(), note=form.note.data or "")
        except DomainError as err:
            form.show_error(err)
        else:
            flash(_("Application withdrawn."), "success")
            return redirect(url_for("applications.detail", application_id=application.id))
    page = render_template("funds/application_withdraw.html", form=form, application=application)
    return page, form.status


accept_files("applications.attach")
