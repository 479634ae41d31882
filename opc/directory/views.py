"""Directory pages (blueprint "directory"): the park's residents, a team's profile and its
matches, staff's introductions with the park's synergy figures, and the skills list
(admins). Thin: parse, call the operation or query, render or redirect."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from opc.core.errors import DomainError, NotFound, ValidationFailed
from opc.core.i18n import locale_code
from opc.core.pagination import paginate
from opc.core.permissions import Role, get_or_404, require
from opc.core.security import acting_user, safe_next
from opc.core.values import arg_id, arg_text
from opc.directory import operations as ops
from opc.directory import queries
from opc.directory.forms import IntroductionForm, OutcomeForm, ProfileForm, SkillForm
from opc.directory.labels import OUTCOMES, explain
from opc.directory.models import Introduction
from opc.directory.permissions import (
    can_edit_profile,
    can_introduce,
    can_manage_skills,
    can_use_directory,
)
from opc.parks.models import Park
from opc.teams.choices import team_choices
from opc.teams.labels import TRACKS
from opc.teams.models import Team

bp = Blueprint("directory", __name__)


def _filters(skills: dict[str, str]) -> queries.DirectoryFilters:
    """The filters in the URL; a value that is not among the choices is no filter."""
    track, offers, needs = arg_text("track"), arg_text("offers"), arg_text("needs")
    return queries.DirectoryFilters(
        park_id=arg_id("park_id"),
        track=track if track in TRACKS else None,
        offers=offers if offers in skills else None,
        needs=needs if needs in skills else None,
        q=arg_text("q", max_length=100),
    )


@bp.route("/directory/")
def index() -> Any:
    """The residents of the user's park (staff: of their parks), filtered, searched, paged."""
    if not can_use_directory(current_user):
        raise NotFound("not_found", _("Not found."))
    locale = locale_code()
    skills = {s.code: s.display_name(locale) for s in queries.skills()}
    filters = _filters(skills)
    parks = queries.directory_parks(current_user)
    if filters.park_id is not None:
        if filters.park_id not in {p.id for p in parks}:
            raise NotFound("not_found", _("Not found."))
        g.park = next(p for p in parks if p.id == filters.park_id)
    sort = queries.DIRECTORY.requested()
    page = paginate(queries.directory(current_user, filters, sort))
    return render_template(
        "directory/index.html",
        page=page,
        sort=sort or queries.DIRECTORY.chosen(),
        profiles=queries.profiles_of([t.id for t in page.items]),
        filters=filters,
        parks=parks,
        skills=skills,
        tracks=TRACKS,
        own_team=current_user.team if current_user.role == Role.MEMBER else None,
    )


def _team(team_id: int) -> Team:
    team: Team = get_or_404(Team, team_id, current_user)
    require(can_edit_profile(current_user, team))
    g.park = team.park
    return team


@bp.route("/directory/teams/<int:team_id>/profile", methods=["GET", "POST"])
def profile(team_id: int) -> Any:
    """The team's profile: what it offers and needs, and whether it hides itself."""
    team = _team(team_id)
    current = queries.profile_of(team)
    # Not obj=current: the profile's Skill objects would win over these codes, and no box
    # would show as checked.
    form = ProfileForm(
        offers=[s.code for s in current.offers] if current else [],
        needs=[s.code for s in current.needs] if current else [],
        offers_text=current.offers_text if current else "",
        needs_text=current.needs_text if current else "",
        hidden=current.hidden if current else False,
    )
    choices = [SelectChoice(s.code, s.display_name(locale_code())) for s in queries.skills()]
    form.offers.choices = form.needs.choices = choices
    if form.validate_on_submit():
        try:
            ops.save_profile(team, actor=acting_user(), **form.values())
        except DomainError as err:
            form.show_error(err)
        else:
            flash(_("The team's profile is saved."), "success")
            return redirect(url_for("directory.matches", team_id=team.id))
    return render_template("directory/profile.html", form=form, team=team), form.status


@bp.route("/directory/teams/<int:team_id>/matches")
def matches(team_id: int) -> Any:
    """The residents whose offers meet the team's needs, ranked and explained, and the
    team's introductions with their outcomes."""
    team = _team(team_id)
    to_team = current_user.role == Role.MEMBER
    found = queries.matches(team, current_user)
    return render_template(
        "directory/matches.html",
        team=team,
        profile=queries.profile_of(team),
        matches=[(m, explain(m, team, to_team=to_team)) for m in found],
        introductions=queries.team_introductions(team),
        outcome_form=OutcomeForm(),
        may_introduce=can_introduce(current_user, team.park),
    )


@bp.route("/directory/introductions")
def introductions_index() -> Any:
    """Staff: the introductions of their park (a choice of parks when they have several)."""
    parks = queries.managed_parks(current_user)
    if not parks:
        raise NotFound("not_found", _("Not found."))
    if len(parks) == 1:
        return redirect(url_for("directory.introductions", park_id=parks[0].id))
    return render_template("directory/parks.html", parks=parks)


def _chart(figures: queries.Figures) -> str:
    """Introductions made and those that led to a collaboration, by month."""
    labels = sorted(figures.months)
    return json.dumps(
        {
            "labels": labels,
            "datasets": [
                {"label": _("Introductions"), "data": [figures.months[m][0] for m in labels]},
                {"label": _("Collaborations"), "data": [figures.months[m][1] for m in labels]},
            ],
        },
        ensure_ascii=False,
    )


@bp.route("/parks/<int:park_id>/introductions", methods=["GET", "POST"])
def introductions(park_id: int) -> Any:
    """Staff: introduce two residents; the park's introductions and its synergy figures."""
    park = g.park = get_or_404(Park, park_id, current_user)
    require(can_introduce(current_user, park))
    form = (
        IntroductionForm(team_a_id=arg_id("team_a"), team_b_id=arg_id("team_b"))
        if request.method == "GET"
        else IntroductionForm()
    )
    choices = team_choices(queries.residents(current_user, park), blank="")
    form.team_a_id.choices = form.team_b_id.choices = choices
    if form.validate_on_submit():
        try:
            ops.introduce(actor=acting_user(), **form.values())
        except DomainError as err:
            form.show_error(err)
        else:
            flash(_("Introduced; both teams are told."), "success")
            return redirect(url_for("directory.introductions", park_id=park.id))
    figures = queries.figures(park)
    sort = queries.INTRODUCTIONS.chosen()
    page = render_template(
        "directory/introductions.html",
        park=park,
        form=form,
        page=paginate(queries.introductions(current_user, park.id, sort)),
        sort=sort,
        figures=figures,
        chart=_chart(figures) if figures.made else None,
        outcomes=OUTCOMES,
        outcome_form=OutcomeForm(),
    )
    return page, form.status


@bp.route("/directory/introductions/<int:introduction_id>/outcome", methods=["POST"])
def outcome(introduction_id: int) -> Any:
    """Record how an introduction turned out (staff, or either team), then back."""
    intro = get_or_404(Introduction, introduction_id, current_user, "introductions.outcome")
    form = OutcomeForm()
    if not form.validate_on_submit():
        raise ValidationFailed({k: list(v) for k, v in form.errors.items()})
    ops.record_outcome(intro, form.outcome.data or "", actor=acting_user())
    flash(_("Outcome recorded."), "success")
    back = url_for("directory.introductions", park_id=intro.park_id)
    if current_user.role == Role.MEMBER:
        back = url_for("directory.matches", team_id=current_user.team_id)
    return redirect(safe_next(request.form.get("next"), back))


@bp.route("/directory/skills", methods=["GET", "POST"])
def skills() -> Any:
    """Admins: the shared list of skills, and a form to add one."""
    require(can_manage_skills(current_user))
    form = SkillForm()
    if form.validate_on_submit():
        try:
            skill = ops.add_skill(actor=acting_user(), **form.values())
        except DomainError as err:
            form.show_error(err)
        else:
            flash(_("Skill %(code)s added.", code=skill.code), "success")
            return redirect(url_for("directory.skills"))
    page = render_template("directory/skills.html", form=form, skills=queries.skills())
    return page, form.status
