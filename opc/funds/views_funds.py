"""Fund and call pages for staff and admins: the funds of their parks with their figures, a
fund with its calls, the call form (create and change) and a call's page with its terms,
figures and applications by state. Thin: parse, call the operation, redirect."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from wtforms import SelectChoice

from opc.core.errors import DomainError, NotFound
from opc.core.i18n import locale_code
from opc.core.pagination import paginate
from opc.core.permissions import get_or_404, require, visible
from opc.core.security import acting_user
from opc.core.values import arg_id, arg_text
from opc.extensions import db
from opc.funds import call_queries as queries
from opc.funds.application_models import Application, ApplicationStatus
from opc.funds.forms_funds import CallForm, FundForm, call_data
from opc.funds.models import Call, Fund
from opc.funds.operations.calls import create_call, update_call
from opc.funds.operations.funds import create_fund, update_fund
from opc.funds.permissions import can_manage_calls, can_manage_funds, can_view_fund
from opc.parks.models import Park

bp = Blueprint("funds", __name__, url_prefix="/funds")


def may_see_funds(user: Any) -> bool:
    """Staff and admins: the nav entry and the list."""
    return can_view_fund(user)


def _parks() -> list[Park]:
    return list(
        db.session.scalars(select(Park).where(visible(current_user, Park)).order_by(Park.id))
    )


def _chart(funds: list[Fund], figures: dict[int, queries.FundFigures]) -> str:
    """The page's funds as grouped bars (yuan): budget, committed, approved, disbursed."""
    locale = locale_code()
    series = [
        (_("Budget"), "budget_fen"),
        (_("Committed by calls"), "committed_fen"),
        (_("Approved"), "approved_fen"),
        (_("Disbursed"), "disbursed_fen"),
    ]
    return json.dumps(
        {
            "labels": [f.display_name(locale) for f in funds],
            "datasets": [
                {"label": label, "data": [getattr(figures[f.id], key) / 100 for f in funds]}
                for label, key in series
            ],
        },
        ensure_ascii=False,
    )


@bp.route("/")
def index() -> Any:
    """The funds of the user's parks (?park_id= narrows) with their figures and a chart."""
    if not may_see_funds(current_user):
        raise NotFound("not_found", _("Not found."))
    park_id = arg_id("park_id")
    parks = _parks()
    if park_id is not None and park_id not in {p.id for p in parks}:
        raise NotFound("not_found", _("Not found."))
    sort = queries.FUND_SORTING.requested()
    page = paginate(queries.funds_of(current_user, park_id, sort=sort))
    funds = list(page.items)
    figures = queries.fund_figures(funds)
    return render_template(
        "funds/funds.html",
        page=page,
        sort=sort or queries.FUND_SORTING.chosen(),
        figures=figures,
        parks={p.id: p for p in parks},
        park_id=park_id,
        chart=_chart(funds, figures) if funds else None,
        may_create=can_manage_funds(current_user),
    )


def _fund_form(fund: Fund | None = None) -> FundForm:
    data = None
    if fund is not None:
        data = {
            "park_id": fund.park_id,
            "name_zh": fund.name_zh,
            "name_en": fund.name_en,
            "description": fund.description,
            "budget_yuan": fund.budget_fen,
        }
    elif (park_id := arg_id("park_id")) is not None:
        data = {"park_id": park_id}
    form = FundForm(data=data)
    locale = locale_code()
    form.park_id.choices = [SelectChoice(p.id, p.display_name(locale)) for p in _parks()]
    return form


@bp.route("/new", methods=["GET", "POST"])
def new_fund() -> Any:
    """Add a fund to a park (admins)."""
    require(can_manage_funds(current_user))
    form = _fund_form()
    if form.validate_on_submit():
        try:
            fund = create_fund(actor=acting_user(), park_id=form.park_id.data, **form.values())
        except DomainError as err:
            form.show_error(err)
        else:
            flash(_("Fund %(name)s added.", name=fund.name_zh), "success")
            return redirect(url_for("funds.fund", fund_id=fund.id))
    return render_template("funds/fund_form.html", form=form, fund=None), form.status


@bp.route("/<int:fund_id>/edit", methods=["GET", "POST"])
def edit_fund(fund_id: int) -> Any:
    """Change a fund's names or budget (admins); its calls' budgets stay within it."""
    fund = get_or_404(Fund, fund_id, current_user, "funds.manage")
    g.park = fund.park
    form = _fund_form(fund)
    del form.park_id  # a fund stays in its park
    if form.validate_on_submit():
        try:
            update_fund(fund, actor=acting_user(), **form.values())
        except DomainError as err:
            form.show_error(err)
        else:
            flash(_("Fund %(name)s saved.", name=fund.name_zh), "success")
            return redirect(url_for("funds.fund", fund_id=fund.id))
    return render_template("funds/fund_form.html", form=form, fund=fund), form.status


def _states() -> dict[str, str]:
    return {"upcoming": _("Upcoming"), "open": _("Accepting applications"), "closed": _("Closed")}


def _application_counts(call_ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(
        select(Application.call_id, func.count(Application.id))
        .where(Application.call_id.in_(call_ids))
        .group_by(Application.call_id)
    )
    return {call_id: n for call_id, n in rows}


@bp.route("/<int:fund_id>")
def fund(fund_id: int) -> Any:
    """A fund's figures and its calls (paged), the latest opened first."""
    found = get_or_404(Fund, fund_id, current_user)
    g.park = found.park
    page = paginate(queries.calls_of(current_user, fund_id=found.id))
    return render_template(
        "funds/fund.html",
        fund=found,
        figures=queries.fund_figures([found])[found.id],
        page=page,
        applications=_application_counts([c.id for c in page.items]),
        state_of=queries.call_state,
        states=_states(),
        may_edit=can_manage_funds(current_user, found),
        may_open_call=can_manage_calls(current_user, found),
    )


def _call_form(park: Park, call: Call | None = None) -> CallForm:
    data = call_data(call, park.timezone) if call is not None else None
    pool = queries.reviewers()
    if call is not None:  # a pool member since deactivated stays listed, so it can be removed
        known = {u.id for u in pool}
        pool += [u for u in call.reviewers if u.id not in known]
    return CallForm(data=data, timezone=park.timezone, reviewers=pool)


@bp.route("/<int:fund_id>/calls/new", methods=["GET", "POST"])
def new_call(fund_id: int) -> Any:
    """Open a call within the fund (staff of its park)."""
    fund = get_or_404(Fund, fund_id, current_user, "calls.manage")
    g.park = fund.park
    form = _call_form(fund.park)
    if form.validate_on_submit():
        try:
            call = create_call(actor=acting_user(), fund_id=fund.id, **form.values())
        except DomainError as err:
            form.show_error(err)
        else:
            flash(_("Call %(title)s opened.", title=call.title_zh), "success")
            return redirect(url_for("funds.call", call_id=call.id))
    page = render_template("funds/call_form.html", form=form, fund=fund, call=None)
    return page, form.status


@bp.route("/calls/<int:call_id>/edit", methods=["GET", "POST"])
def edit_call(call_id: int) -> Any:
    """Change a call's terms (staff of its park)."""
    call = get_or_404(Call, call_id, current_user, "calls.manage")
    g.park = call.fund.park
    form = _call_form(call.fund.park, call)
    if form.validate_on_submit():
        try:
            update_call(call, actor=acting_user(), **form.values())
        except DomainError as err:
            form.show_error(err)
        else:
            flash(_("Call %(title)s saved.", title=call.title_zh), "success")
            return redirect(url_for("funds.call", call_id=call.id))
    page = render_template("funds/call_form.html", form=form, fund=call.fund, call=call)
    return page, form.status


def _links(call: Call) -> dict[str, str]:
    """Other parts' pages about the call, when they are served (reviews, ranking)."""
    endpoints = {
        "reviews.assignment": _("Reviewer assignment"),
        "reviews.ranking": _("Ranking"),
    }
    return {
        url_for(e, call_id=call.id): label
        for e, label in endpoints.items()
        if e in current_app.view_functions
    }


@bp.route("/calls/<int:call_id>")
def call(call_id: int) -> Any:
    """A call for staff: its terms and figures, and its applications by state."""
    found = get_or_404(Call, call_id, current_user, "calls.manage")
    g.park = found.fund.park
    status = arg_text("status", max_length=16) or None
    if status not in {s.value for s in ApplicationStatus}:
        status = None  # no state of an application: no filter
    return render_template(
        "funds/call.html",
        call=found,
        fund=found.fund,
        counts=queries.application_counts(found.id),
        status=status,
        page=paginate(queries.applications_of(found.id, status)),
        state=queries.call_state(found),
        states=_states(),
        detail="applications.detail" in current_app.view_functions,
        links=_links(found),
    )
