"""Rent pages: a park's policies, the waiver approval queue. Thin: parse, call, redirect."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from opc.core.errors import DomainError, NotFound
from opc.core.pagination import paginate
from opc.core.permissions import Role, get_or_404, require
from opc.core.security import acting_user
from opc.parks.models import Park
from opc.rent import operations as ops
from opc.rent import queries
from opc.rent.forms import WAIVER_KINDS, PolicyForm, WaiverForm
from opc.rent.models import Waiver
from opc.rent.permissions import can_manage_policies, can_manage_waivers
from opc.teams.choices import team_choices

bp = Blueprint("rent", __name__)


def _park(park_id: int) -> Park:
    park = g.park = get_or_404(Park, park_id, current_user)
    if current_user.role not in (Role.ADMIN, Role.STAFF):
        raise NotFound("not_found", _("Not found."))
    return park


@bp.route("/rent/")
def index() -> Any:
    """Staff: the approval queue of their park (a list of parks when they have several)."""
    if current_user.role not in (Role.ADMIN, Role.STAFF):
        raise NotFound("not_found", _("Not found."))
    parks = queries.parks_for(current_user)
    if len(parks) == 1:
        return redirect(url_for("rent.waivers", park_id=parks[0].id))
    return render_template("rent/index.html", parks=parks)


@bp.route("/parks/<int:park_id>/rent/policies")
def policies(park_id: int) -> Any:
    """The park's policies, with how many teams each reaches."""
    park = _park(park_id)
    sort = queries.POLICY_SORTING.chosen()
    page = paginate(queries.policies_of(current_user, park.id, sort=sort))
    ids = [p.id for p in page.items]
    covered, waived = queries.teams_covered(ids), queries.waived_to_date(ids)
    return render_template(
        "rent/policies.html",
        park=park,
        page=page,
        sort=sort,
        covered=covered,
        waived=waived,
        may_manage=can_manage_policies(current_user, park),
    )


@bp.route("/parks/<int:park_id>/rent/policies/new", methods=["GET", "POST"])
def create_policy(park_id: int) -> Any:
    park = _park(park_id)
    require(can_manage_policies(current_user, park))
    form = PolicyForm()
    if form.validate_on_submit():
        try:
            policy = ops.create_policy(actor=acting_user(), park_id=park.id, **form.values())
        except DomainError as err:
            form.show_error(err)
        else:
            flash(_("Policy %(code)s added.", code=policy.code), "success")
            return redirect(url_for("rent.policies", park_id=park.id))
    return render_template("rent/policy_form.html", form=form, park=park), form.status


def _waiver_form(park: Park) -> WaiverForm:
    form = WaiverForm()
    form.team_id.choices = team_choices(queries.park_teams(park.id))
    form.policy_id.choices = [SelectChoice("", _("None"))] + [
        SelectChoice(p.id, f"{p.code} {p.name_zh}")
        for p in queries.policy_choices(current_user, park.id)
    ]
    return form


def _queue(park: Park, form: WaiverForm, status: int) -> Any:
    sort = queries.WAIVER_SORTING.chosen()
    page = render_template(
        "rent/waivers.html",
        park=park,
        form=form,
        proposed=queries.proposed_waivers(current_user, park.id),
        decided=paginate(queries.decided_waivers(current_user, park.id, sort=sort)),
        sort=sort,
        may_manage=can_manage_waivers(current_user, park),
        kinds=WAIVER_KINDS,
    )
    return page, status


@bp.route("/parks/<int:park_id>/rent/waivers", methods=["GET", "POST"])
def waivers(park_id: int) -> Any:
    """The approval queue (proposed waivers), the form to propose one, the decided ones."""
    park = _park(park_id)
    form = _waiver_form(park)
    may_manage = can_manage_waivers(current_user, park)
    if may_manage and form.validate_on_submit():
        try:
            ops.propose_waiver(actor=acting_user(), **form.values())
        except DomainError as err:
            form.show_error(err)
        else:
            flash(_("Waiver proposed."), "success")
            return redirect(url_for("rent.waivers", park_id=park.id))
    return _queue(park, form, form.status)


@bp.route("/rent/waivers/<int:waiver_id>/<any(approve, reject):decision>", methods=["POST"])
def decide(waiver_id: int, decision: str) -> Any:
    """Approve or reject a proposed waiver from the queue."""
    waiver = get_or_404(Waiver, waiver_id, current_user, "rent_waivers.manage")
    park = g.park = waiver.team.park
    operation = ops.approve_waiver if decision == "approve" else ops.reject_waiver
    try:
        operation(waiver, actor=acting_user())
    except DomainError as err:
        form = _waiver_form(park)
        form.show_error(err)
        return _queue(park, form, 422)
    flash(_("Waiver approved.") if decision == "approve" else _("Waiver rejected."), "success")
    return redirect(url_for("rent.waivers", park_id=park.id))
