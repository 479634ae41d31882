"""Balance pages: a park's aging list with the payment form; a member's way to its rent;
the rent card on a team's page (opc.teams.pages)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from opc.core.dates import local_today
from opc.core.errors import DomainError, NotFound
from opc.core.permissions import Role, get_or_404
from opc.core.sorting import sorted_rows
from opc.extensions import db
from opc.parks.models import Park
from opc.rent import operations as ops
from opc.rent import statements
from opc.rent.balances import BUCKETS, balances
from opc.rent.forms import PaymentForm
from opc.rent.permissions import can_issue_statements, can_view_statements
from opc.teams.choices import team_choices
from opc.teams.models import Team
from opc.teams.pages import Section, add_section

bp = Blueprint("rent_balances", __name__)


def _page(park: Park, form: PaymentForm, status: int = 200) -> Any:
    teams = {t.id: t for t in statements.teams_of(park.id)}
    found = balances(db.session, local_today(park.timezone), park_id=park.id)
    totals = {k: sum(b.aging[k] for b in found.values()) for k in BUCKETS}
    sort = statements.BALANCE_SORTING.chosen()
    rows = [statements.BalanceRow(b, teams[b.team_id]) for b in found.values()]
    page = render_template(
        "rent/balances.html",
        park=park,
        form=form,
        rows=sorted_rows(sort, rows),
        sort=sort,
        totals=totals,
        owed=sum(b.balance_fen for b in found.values()),
    )
    return page, status


@bp.route("/parks/<int:park_id>/rent/balances", methods=["GET", "POST"])
def park_balances(park_id: int) -> Any:
    """What each team owes and how long it is overdue; record a payment."""
    park = g.park = get_or_404(Park, park_id, current_user, "statements.issue")
    form = PaymentForm()
    form.team_id.choices = team_choices(statements.teams_of(park.id))
    if form.validate_on_submit():
        try:
            ops.record_payment(actor=current_user._get_current_object(), **form.values())
        except DomainError as err:
            return _page(park, form, form.show_error(err))
        flash(_("Payment recorded."), "success")
        return redirect(url_for("rent_balances.park_balances", park_id=park.id))
    return _page(park, form, form.status)


@bp.route("/rent/mine")
def mine() -> Any:
    """A member: their own team's rent."""
    if current_user.role != Role.MEMBER or current_user.team_id is None:
        raise NotFound("not_found", _("Not found."))
    return redirect(url_for("rent_statements.team", team_id=current_user.team_id))


def _rent_card(team: Team, user: Any) -> Mapping[str, Any] | None:
    if not can_view_statements(user, team):
        return None
    found = balances(db.session, local_today(team.park.timezone), team_id=team.id)
    balance = found.get(team.id)
    return {
        "balance": balance,
        "may_record": can_issue_statements(user, team.park),
    }


def register() -> None:
    add_section(Section("rent", "rent/_team_section.html", _rent_card, order=70))
