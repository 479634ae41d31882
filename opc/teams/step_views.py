"""A team's lifecycle and members from its page, on the teams blueprint (opc.teams.views.bp):
a step with one click, or on a page that asks first for the steps that cannot be undone
(a refusal, an exit, a graduation: opc.teams.labels.CONFIRMED_STEPS); inviting a member;
withdrawing an invitation.

Successes redirect (post/redirect/get) with a message that says what changed; a refusal
shows the page again with 422. A POST-only address answers a GET (a reload, a language
switch) with the team's page, never 405.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from opc.core.errors import DomainError, NotFound
from opc.core.security import acting_user
from opc.teams import members, queries
from opc.teams import operations as ops
from opc.teams.forms import InviteForm, StepForm, TransitionForm
from opc.teams.labels import CONFIRMED_STEPS, DESTRUCTIVE_STEPS, status_label, step_label
from opc.teams.models import Team, TeamStatusChange
from opc.teams.rules import is_refusal
from opc.teams.views import ISSUED_KEY, bp, detail_page, load_team


def _to_team_page(team_id: int) -> Any:
    return redirect(url_for("teams.detail", team_id=team_id))


def changed_message(team: Team, change: TeamStatusChange) -> str:
    """What a step changed, as staff read it: 星云工作室：已录取 → 已入驻."""
    return _(
        "%(team)s: %(from_)s → %(to)s",
        team=team.name_zh,
        from_=status_label(change.from_status or ""),
        to=status_label(change.to_status),
    )


@bp.route("/teams/<int:team_id>/transition", methods=["GET", "POST"])
def transition(team_id: int) -> Any:
    """Move a team one step along its lifecycle (admit, move in, suspend, reinstate); the
    steps that ask first go to their own page."""
    if request.method == "GET":
        return _to_team_page(team_id)
    team = load_team(team_id, "teams.manage")
    form = TransitionForm(prefix="step")
    if not form.validate():
        flash(_("The step was not taken: check the date and note below."), "error")
        return detail_page(team.id, transition_form=form), 422
    to = form.to.data or ""
    if to in CONFIRMED_STEPS and to in team.next_statuses:
        return redirect(url_for("teams.step", team_id=team.id, to=to))
    try:
        change = ops.transition(
            team, to, actor=acting_user(), on=form.on.data, note=form.note.data or ""
        )
    except DomainError as err:
        # Refused: the page again, with the date and note as typed (a cap refusal has put
        # the team on the waitlist, which the page now shows).
        status = form.show_error(err)
        return detail_page(team.id, transition_form=form), status
    flash(changed_message(team, change), "success")
    return _to_team_page(team.id)


@bp.route("/teams/<int:team_id>/steps/<to>", methods=["GET", "POST"])
def step(team_id: int, to: str) -> Any:
    """A step that cannot be undone, asked first: its date and note (a refusal's reason)."""
    team = load_team(team_id, "teams.manage")
    if to not in team.next_statuses:
        raise NotFound("not_found", _("Not found."))
    refusal = is_refusal(team.status, to)
    form = StepForm()
    if refusal:
        form.note.label.text = _("Reason for the refusal")
    if form.validate_on_submit():
        try:
            change = ops.transition(
                team, to, actor=acting_user(), on=form.on.data, note=form.note.data or ""
            )
        except DomainError as err:
            form.show_error(err)
        else:
            flash(changed_message(team, change), "success")
            return _to_team_page(team.id)
    return render_template(
        "teams/step.html",
        team=team,
        to=to,
        form=form,
        title=step_label(team.status, to),
        refusal=refusal,
        danger=to in DESTRUCTIVE_STEPS,
    ), form.status


@bp.route("/teams/<int:team_id>/invite", methods=["GET", "POST"])
def invite(team_id: int) -> Any:
    """Staff invite a member by e-mail; without mail, the team's page shows the link once to
    pass on (after the redirect: only its hash is stored, so it cannot be shown again)."""
    if request.method == "GET":
        return _to_team_page(team_id)
    team = load_team(team_id, "teams.manage")
    form = InviteForm(prefix="invite")
    if form.validate():
        try:
            issued = members.invite_member(team, form.email.data, actor=acting_user())
        except DomainError as err:
            form.show_error(err)
        else:
            if issued.mailed:
                flash(_("Invitation sent to %(email)s.", email=issued.invitation.email), "success")
            else:
                if issued.mail_error:
                    flash(_("The e-mail could not be sent; pass the link on yourself."), "warning")
                # The staff member's own (signed, HttpOnly) session carries it to the page.
                session[ISSUED_KEY] = {
                    "team_id": team.id,
                    "email": issued.invitation.email,
                    "link": issued.link,
                }
            return _to_team_page(team.id)
    return detail_page(team.id, form), form.status


@bp.route("/teams/<int:team_id>/invitations/<int:invitation_id>/revoke", methods=["GET", "POST"])
def revoke_invitation(team_id: int, invitation_id: int) -> Any:
    if request.method == "GET":
        return _to_team_page(team_id)
    team = load_team(team_id, "teams.manage")
    invitation = queries.invitation(team, invitation_id)
    if invitation is None:
        raise NotFound("not_found", _("Not found."))
    try:
        members.revoke_invitation(invitation, actor=acting_user())
    except DomainError as err:
        flash(err.message, "error")
    else:
        flash(_("Invitation to %(email)s withdrawn.", email=invitation.email), "info")
    return _to_team_page(team.id)
