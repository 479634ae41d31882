"""Team pages: the staff list and waitlist, a team's page, its profile, the CSV import, the
public application form and the invitation link. Lifecycle steps and invitations are in
opc.teams.step_views, on the same blueprint."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms import SelectChoice

from opc.auth.ratelimit import limit_anonymous_writes
from opc.core.dates import format_day
from opc.core.errors import DomainError
from opc.core.i18n import locale_code
from opc.core.pagination import paginate
from opc.core.permissions import Role, get_or_404, require
from opc.core.security import acting_user, public
from opc.core.values import arg_id, arg_text
from opc.teams import importing, members, queries
from opc.teams import operations as ops
from opc.teams.forms import (
    AcceptInvitationForm,
    ApplyForm,
    ImportForm,
    InviteForm,
    NewTeamForm,
    ProfileForm,
    TransitionForm,
)
from opc.teams.home import home_of
from opc.teams.labels import (
    CONFIRMED_STEPS,
    DESTRUCTIVE_STEPS,
    INVITATION_STATES,
    STATUSES,
    TRACKS,
    kind_label,
    status_label,
    step_label,
)
from opc.teams.models import Team, TeamStatus
from opc.teams.pages import CONTRIBUTIONS, sections_for
from opc.teams.permissions import can_manage_teams

bp = Blueprint("teams", __name__)

# Where an invitation issued without mail waits for the redirect that shows its link once.
ISSUED_KEY = "issued_invitation"


def _filters() -> queries.TeamFilters:
    """The list's filters (opc.core.values: unusable values are no filter; control
    characters in the search, or an id out of range, answer 422)."""
    args = request.args
    return queries.TeamFilters(
        park_id=arg_id("park_id"),
        status=args.get("status") if args.get("status") in STATUSES else None,
        track=args.get("track") if args.get("track") in TRACKS else None,
        q=arg_text("q", max_length=200),
        more={f.param: args[f.param] for f in CONTRIBUTIONS.filters if args.get(f.param)},
    )


def listing() -> tuple[queries.TeamFilters, list[Any], list[tuple[Any, Any]]]:
    """The team list's filters as the page and its export apply them, the staff's parks,
    and each contributed filter with its choices."""
    require(can_manage_teams(current_user))
    filters = _filters()
    parks = queries.managed_parks(current_user)
    if filters.park_id is not None and filters.park_id in {p.id for p in parks}:
        g.park = next(p for p in parks if p.id == filters.park_id)
    park_ids = [p.id for p in parks]
    facets = [(f, f.choices(park_ids)) for f in CONTRIBUTIONS.filters]
    # A value that is not among a filter's choices is no filter (no error for old links).
    chosen = filters.more
    filters.more = {f.param: chosen[f.param] for f, ok in facets if chosen.get(f.param) in ok}
    return filters, parks, facets


def _cells(values: Mapping[int, str | date]) -> dict[int, str]:
    """A contributed column's cells as the list shows them: a day in the page's language."""
    return {k: format_day(v) if isinstance(v, date) else v for k, v in values.items()}


@bp.route("/teams/")
def index() -> Any:
    """Staff: the teams of their parks, filtered, searched and paged."""
    filters, parks, facets = listing()
    sort = queries.SORTING.requested()
    page = paginate(queries.teams_for(current_user, filters, sort=sort))
    columns = [(c.label, _cells(c.values(page.items))) for c in CONTRIBUTIONS.columns]
    shown = [p for p in parks if filters.park_id in (None, p.id)]
    waitlists = queries.waitlists_of(shown)
    return render_template(
        "teams/index.html",
        page=page,
        sort=sort or queries.SORTING.chosen(),
        columns=columns,
        facets=facets,
        filters=filters,
        parks=parks,
        # One park on screen (filtered, or the staff's only park): no column repeating it.
        park_column=len(shown) != 1,
        waitlists=waitlists,
        tracks=TRACKS,
        statuses=STATUSES,
    )


@bp.route("/teams/waitlist")
def waitlist() -> Any:
    """Staff: each park's waitlist in order, and who is next when a place is free."""
    require(can_manage_teams(current_user))
    return render_template(
        "teams/waitlist.html", waitlists=queries.waitlists_of(queries.managed_parks(current_user))
    )


@bp.route("/teams/mine")
def mine() -> Any:
    """A member's start page: their own team."""
    if current_user.role != Role.MEMBER or current_user.team_id is None:
        return redirect(url_for("core.home"))
    return redirect(url_for("teams.detail", team_id=current_user.team_id))


@bp.route("/teams/new", methods=["GET", "POST"])
def create() -> Any:
    """Staff add a team to one of their parks: an applicant, or arriving with its past."""
    require(can_manage_teams(current_user))
    form = NewTeamForm()
    form.park_id.choices = _park_choices(queries.managed_parks(current_user))
    if form.validate_on_submit():
        try:
            team = ops.create_team(
                park_id=form.park_id.data, actor=acting_user(), **form.profile(), **form.arrival()
            )
        except DomainError as err:
            form.show_error(err)
        else:
            if team.status == TeamStatus.APPLICANT:
                flash(_("Team %(name)s added as an applicant.", name=team.name_zh), "success")
            else:
                message = _(
                    "Team %(name)s added: %(status)s since %(day)s.",
                    name=team.name_zh,
                    status=status_label(team.status),
                    day=format_day(team.status_since),
                )
                flash(message, "success")
            return redirect(url_for("teams.detail", team_id=team.id))
    return render_template("teams/form.html", form=form, team=None), form.status


def load_team(team_id: int, action: str | None = None) -> Team:
    """The team, when the user may see it (and act, with `action`); else 404 (or 403)."""
    team = get_or_404(Team, team_id, current_user, action)
    g.park = team.park
    return team


@bp.route("/teams/<int:team_id>")
def detail(team_id: int) -> Any:
    """A team: profile, status and its next steps, history, members, space."""
    load_team(team_id)
    # An invitation just issued without mail: its one-time link, shown once after the
    # redirect (opc.teams.step_views.invite).
    issued = session.pop(ISSUED_KEY, None)
    if not isinstance(issued, dict) or issued.get("team_id") != team_id:
        issued = None
    return detail_page(team_id, issued=issued)


def detail_page(
    team_id: int,
    invite_form: InviteForm | None = None,
    issued: Any = None,
    transition_form: TransitionForm | None = None,
) -> str:
    """A team's page, with its forms as given (refused ones keep what was typed)."""
    team = queries.load_team(team_id)
    assert team is not None
    return render_template(
        "teams/detail.html",
        team=team,
        manage=can_manage_teams(current_user, team),
        sections=sections_for(team, current_user),
        home=home_of(team, current_user),  # a member's own cards: what's due, notifications
        transition_form=transition_form or TransitionForm(prefix="step", formdata=None),
        invite_form=invite_form or InviteForm(prefix="invite", formdata=None),
        issued=issued,
        confirmed_steps=CONFIRMED_STEPS,
        destructive_steps=DESTRUCTIVE_STEPS,
    )


@bp.route("/teams/<int:team_id>/edit", methods=["GET", "POST"])
def edit(team_id: int) -> Any:
    """Edit a profile: staff of the park, or a member of the team itself."""
    team = load_team(team_id, "teams.edit_profile")
    form = ProfileForm(obj=team)
    if form.validate_on_submit():
        try:
            ops.update_profile(team, actor=acting_user(), **form.profile())
        except DomainError as err:
            form.show_error(err)
        else:
            flash(_("Profile saved."), "success")
            return redirect(url_for("teams.detail", team_id=team.id))
    return render_template("teams/form.html", form=form, team=team), form.status


@bp.route("/teams/import", methods=["GET", "POST"])
def import_csv() -> Any:
    """Bulk onboarding from a CSV file: all rows or none, with every bad row reported."""
    require(can_manage_teams(current_user))
    form = ImportForm()
    form.park_id.choices = _park_choices(queries.managed_parks(current_user))
    problems = None
    status = 200
    if form.validate_on_submit():
        try:
            teams = importing.import_teams(
                form.park_id.data, form.file.data.read(), actor=acting_user()
            )
        except DomainError as err:
            problems = err.fields.get("rows")
            flash(err.message, "error")
            status = 422
        else:
            flash(
                ngettext("%(num)d team imported.", "%(num)d teams imported.", len(teams)), "success"
            )
            return redirect(url_for("teams.index", park_id=form.park_id.data))
    return render_template(
        "teams/import.html", form=form, problems=problems, columns=importing.SHEET.describe()
    ), status


@bp.route("/teams/import/template.csv")
def import_template() -> Any:
    require(can_manage_teams(current_user))
    return Response(
        importing.template_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=teams-template.csv"},
    )


# --- public pages ----------------------------------------------------------------------


@bp.route("/apply", methods=["GET", "POST"])
@public
@limit_anonymous_writes("apply")
def apply() -> Any:
    """Anyone may apply to join a park: the team is created as an applicant. Submissions
    are rate-limited per address (429 past the limit)."""
    form = ApplyForm()
    form.park_id.choices = _park_choices(queries.all_parks())
    if form.validate_on_submit():
        try:
            ops.apply_to_join(
                park_id=form.park_id.data,
                note=_("Applied through the public form."),
                **form.profile(),
            )
        except DomainError as err:
            form.show_error(err)
        else:
            return redirect(url_for("teams.applied"))
    return render_template("teams/apply.html", form=form), form.status


@bp.route("/apply/thanks")
@public
def applied() -> Any:
    return render_template("teams/applied.html")


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str) -> Any:
    """The one-time link: the invitee chooses a password, then logs in."""
    if len(token) > 200:
        abort(404)
    try:
        invitation = members.check_usable(members.find_invitation(token))
    except DomainError as err:
        return render_template("teams/invitation_invalid.html", message=err.message), err.status
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            members.accept_invitation(token, password=form.password.data, name=form.name.data)
        except DomainError as err:
            if not form.apply_error(err):
                return render_template(
                    "teams/invitation_invalid.html", message=err.message
                ), err.status
        else:
            flash(_("Your password is set. Please log in."), "success")
            return redirect(url_for("auth.login"))
    return render_template("teams/accept.html", form=form, invitation=invitation), (
        422 if form.errors else 200
    )


def _park_choices(parks: Any) -> list[SelectChoice]:
    return [SelectChoice(p.id, p.display_name(locale_code())) for p in parks]


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {
        "step_label": step_label,
        "kind_label": kind_label,
        "invitation_states": INVITATION_STATES,
        "invitation_days": members.INVITATION_DAYS,
    }
