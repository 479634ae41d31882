"""Statement pages: a park's month (every team's gross, waived, net, status; totals; the
issue button) and a team's statements. Thin: the computation is opc.rent.compute."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from opc.core.dates import local_today
from opc.core.errors import DomainError
from opc.core.forms import BaseForm
from opc.core.pagination import paginate
from opc.core.permissions import get_or_404
from opc.core.sorting import sorted_rows
from opc.core.values import arg_text
from opc.extensions import db
from opc.parks.models import Park
from opc.rent import queries, statements
from opc.rent.balances import balances
from opc.rent.models import Statement
from opc.rent.operations.statements import clean_month, issue_month
from opc.rent.pdf import statement_pdf
from opc.rent.schedule import month_of, previous_month
from opc.teams.models import Team

bp = Blueprint("rent_statements", __name__)


def _month(park: Park) -> str:
    """?month=YYYY-MM, else the month before the park's today (422 when malformed)."""
    raw = arg_text("month", max_length=7)
    return clean_month(raw, local_today(park.timezone)) if raw else _last_month(park)


def _last_month(park: Park) -> str:
    return previous_month(month_of(local_today(park.timezone)))


def _month_page(park: Park, month: str, status: int = 200) -> Any:
    views = statements.month_of_park(park, month)
    settled: dict[int, int] = {}
    for found in balances(db.session, local_today(park.timezone), park_id=park.id).values():
        settled.update(found.settled)
    teams = {t.id: t for t in statements.teams_of(park.id)}
    totals = {
        key: sum(getattr(v, key) for v in views)
        for key in ("gross_fen", "waived_fen", "adjustments_fen", "net_fen")
    }
    rows = [
        statements.MonthRow(v, teams[v.team_id], settled.get(v.id, 0) if v.id else None)
        for v in views
    ]
    sort = statements.MONTH_SORTING.chosen()
    page = render_template(
        "rent/month.html",
        park=park,
        month=month,
        rows=sorted_rows(sort, rows),
        sort=sort,
        totals=totals,
        drafts=sum(1 for v in views if v.status == "draft"),
        form=BaseForm(),
    )
    return page, status


@bp.route("/parks/<int:park_id>/rent/statements")
def month(park_id: int) -> Any:
    """A park's statements for a month, issued or draft, with totals."""
    park = g.park = get_or_404(Park, park_id, current_user, "statements.issue")
    return _month_page(park, _month(park))


@bp.route("/parks/<int:park_id>/rent/statements/issue", methods=["POST"])
def issue(park_id: int) -> Any:
    """Issue the park's month: all or nothing, safe to click twice."""
    park = g.park = get_or_404(Park, park_id, current_user, "statements.issue")
    month = request.form.get("month", "")
    try:
        count = issue_month(park.id, month, actor=current_user._get_current_object())
    except DomainError as err:
        flash(err.message, "error")
        return _month_page(park, _last_month(park), 422)
    flash(_("%(n)d statements issued.", n=count), "success")
    return redirect(url_for("rent_statements.month", park_id=park.id, month=month))


@bp.route("/teams/<int:team_id>/rent")
def team(team_id: int) -> Any:
    """A team's statements: this month's draft, then every issued one."""
    team = get_or_404(Team, team_id, current_user, "statements.view")
    g.park = team.park
    current = month_of(local_today(team.park.timezone))
    draft = [v for v in statements.month_of_park(team.park, current, team.id) if v.id is None]
    page = paginate(statements.issued_of(current_user, team_id=team.id))
    today = local_today(team.park.timezone)
    balance = balances(db.session, today, team_id=team.id).get(team.id)
    return render_template(
        "rent/team.html",
        team=team,
        draft=draft[0] if draft else None,
        page=page,
        issued=[statements.issued_view(s) for s in page.items],
        balance=balance,
        payments=statements.payments_of(team.id),
        waivers=queries.team_waivers(team.id),
    )


@bp.route("/statements/<int:statement_id>/print")
def printable(statement_id: int) -> Any:
    """An issued statement as a page to print: the park, the team's names, every line with
    the policy it cites."""
    statement = get_or_404(Statement, statement_id, current_user)
    g.park = statement.team.park
    return render_template(
        "rent/print.html",
        statement=statement,
        view=statements.issued_view(statement),
        policies={line.policy_id: line.policy for line in statement.lines if line.policy},
    )


@bp.route("/statements/<int:statement_id>.pdf")
def download(statement_id: int) -> Any:
    """An issued statement as a PDF (Chinese and English), downloaded."""
    statement = get_or_404(Statement, statement_id, current_user)
    name = f"statement-{statement.month}-{statement.team_id}.pdf"
    return Response(
        statement_pdf(statement),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
