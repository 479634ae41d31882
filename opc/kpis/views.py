"""The KPI pages (blueprint "kpis"): a team's reports by quarter, what is due and the
filing form (a correction starts from the current version and files the next); one
quarter's versions side by side; for staff, a park's quarter — every team that owes a
report, filed or not, with its figures and totals — the reminder of those who have not
filed, and the quarter as CSV or XLSX. Thin: parse, call the operation, redirect; a refused
form re-renders with status 422 and keeps what was typed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Blueprint, Flask, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination

from opc.core import nav
from opc.core.dates import local_today, to_local
from opc.core.errors import DomainError, NotFound
from opc.core.export import Money, export_response
from opc.core.i18n import locale_code
from opc.core.pagination import page_number
from opc.core.permissions import Role, get_or_404, require
from opc.core.security import acting_user
from opc.core.sorting import sorted_rows
from opc.core.values import arg_id, arg_text, parse_id
from opc.extensions import db
from opc.kpis import operations, queries, team_section
from opc.kpis.forms import FIGURE_LABELS, KpiForm, RemindForm
from opc.kpis.models import MONEY_FIELDS, KpiReport
from opc.kpis.permissions import can_file_kpis, can_remind_kpis
from opc.kpis.quarters import Quarter, parse_or_none, to_file
from opc.parks.models import Park
from opc.parks.queries import parks_for
from opc.teams.labels import track_label
from opc.teams.models import Team

bp = Blueprint("kpis", __name__)
PER_PAGE = 50
QUARTERS_SHOWN = 8  # the quarters offered on the staff page: the last two years
STATES = {"filed": _l("Filed"), "missing": _l("Not filed")}
IP_APPLIED = ("patents_applied", "software_copyrights_applied", "trademarks_applied")
IP_GRANTED = ("patents_granted", "software_copyrights_granted", "trademarks_granted")


class ListPage(Pagination):
    """A page of a list computed in full (a park's quarter: one statement for all its teams)."""

    def _query_items(self) -> list[Any]:
        items: list[Any] = self._query_args["items"]
        return items[self._query_offset : self._query_offset + self.per_page]

    def _query_count(self) -> int:
        return len(self._query_args["items"])


def _page(items: Sequence[Any]) -> ListPage:
    page = ListPage(page=page_number(), per_page=PER_PAGE, error_out=False, items=list(items))
    if page.page > 1 and not page.items and page.pages:
        page = ListPage(page=page.pages, per_page=PER_PAGE, error_out=False, items=list(items))
    return page


def quarter_of(report: KpiReport) -> Quarter:
    return Quarter(report.year, report.quarter)


def ip_applied(report: KpiReport) -> int:
    return sum(getattr(report, f) for f in IP_APPLIED)


def ip_granted(report: KpiReport) -> int:
    return sum(getattr(report, f) for f in IP_GRANTED)


def _team(team_id: int, action: str) -> Team:
    """The team when the user may see it and do `action` (else 404 or 403)."""
    team: Team = get_or_404(Team, team_id, current_user, action)
    g.park = team.park
    return team


def _quarter(text: str, team: Team) -> Quarter:
    """The quarter of the URL, begun in the park's time; else 404."""
    quarter = parse_or_none(text)
    if quarter is None or quarter.start > local_today(team.park.timezone):
        raise NotFound("not_found", _("Not found."))
    return quarter


@bp.route("/teams/<int:team_id>/kpis")
def team(team_id: int) -> Any:
    """A team's reports, newest quarter first, and the one due now."""
    found = _team(team_id, "kpi_reports.view")
    return render_template(
        "kpis/team.html",
        team=found,
        due=queries.due_for(found),
        reports=queries.team_reports(found.id),
        may_file=can_file_kpis(current_user, found),
        money_fields=MONEY_FIELDS,
        money_labels=[FIGURE_LABELS[f] for f in MONEY_FIELDS],
        quarter_of=quarter_of,
        ip_applied=ip_applied,
        ip_granted=ip_granted,
    )


@bp.route("/teams/<int:team_id>/kpis/<quarter>")
def quarter(team_id: int, quarter: str) -> Any:
    """One quarter of a team: its versions side by side, the current first."""
    found = _team(team_id, "kpi_reports.view")
    shown = _quarter(quarter, found)
    return render_template(
        "kpis/quarter.html",
        team=found,
        quarter=shown,
        versions=queries.versions(found.id, shown),
        labels=FIGURE_LABELS,
        may_file=can_file_kpis(current_user, found),
    )


@bp.route("/teams/<int:team_id>/kpis/<quarter>/file", methods=["GET", "POST"])
def file(team_id: int, quarter: str) -> Any:
    """File the quarter's report, or correct it (the form starts from the current version)."""
    found = _team(team_id, "kpi_reports.file")
    shown = _quarter(quarter, found)
    current = queries.current(found.id, shown)
    form = KpiForm(data=KpiForm.initial(current) if current is not None else None)
    if form.validate_on_submit():
        try:
            filed = operations.file_report(
                found.id,
                shown,
                form.figures(),
                form.note.data or "",
                actor=acting_user(),
            )
        except DomainError as err:
            db.session.rollback()
            form.show_error(err)
        else:
            if filed.version > 1:
                message = _(
                    "Correction filed as version %(n)d; version %(old)d is kept.",
                    n=filed.version,
                    old=filed.version - 1,
                )
            else:
                message = _("%(quarter)s KPI report filed.", quarter=shown.label)
            flash(message, "success")
            return redirect(url_for("kpis.team", team_id=found.id))
    return render_template(
        "kpis/file.html", team=found, quarter=shown, current=current, form=form
    ), form.status


# --- staff: a park's quarter -----------------------------------------------------------


def _parks() -> list[Park]:
    return list(db.session.scalars(parks_for(current_user)))


def _chosen_park(parks: list[Park], wanted: int | None) -> Park | None:
    """The park of ?park_id= (404 when not one of the user's), else the first."""
    if wanted is None:
        return parks[0] if parks else None
    park = next((p for p in parks if p.id == wanted), None)
    if park is None:
        raise NotFound("not_found", _("Not found."))
    return park


def _offered(today_quarter: Quarter, chosen: Quarter) -> list[Quarter]:
    """The quarters to choose from: the current one and the last two years, and the chosen."""
    shown = [today_quarter]
    while len(shown) < QUARTERS_SHOWN + 1:
        shown.append(shown[-1].previous())
    return sorted({*shown, chosen}, reverse=True)


def _park_quarter() -> tuple[Park | None, Quarter, list[tuple[Team, KpiReport | None]]]:
    """The park and quarter of the query string (defaults: the first park, the quarter
    teams file now) and the teams that owe a report for it."""
    require(can_remind_kpis(current_user))
    park = _chosen_park(_parks(), arg_id("park_id"))
    today = local_today(park.timezone) if park is not None else local_today()
    chosen = parse_or_none(arg_text("quarter", max_length=10)) or to_file(today)
    owing = queries.park_quarter([park.id], chosen) if park is not None else []
    return park, chosen, sorted_rows(queries.QUARTER_ROWS.chosen(), owing)


@bp.route("/kpis")
def index() -> Any:
    """Staff: who of a park's teams filed the quarter, their figures, totals; a member is
    sent to their own team's reports."""
    if current_user.role == Role.MEMBER and current_user.team_id is not None:
        return redirect(url_for("kpis.team", team_id=current_user.team_id))
    park, chosen, owing = _park_quarter()
    g.park = park
    state = arg_text("state", max_length=10)
    state = state if state in STATES else ""
    shown = [row for row in owing if not state or (row[1] is not None) == (state == "filed")]
    filed = [report for _owing, report in owing if report is not None]
    today = local_today(park.timezone) if park is not None else local_today()
    return render_template(
        "kpis/index.html",
        park=park,
        sort=queries.QUARTER_ROWS.chosen(),
        parks={str(p.id): p.display_name(locale_code()) for p in _parks()},
        quarter=chosen,
        quarters=_offered(Quarter.of(today), chosen),
        state=state,
        states=STATES,
        page=_page(shown),
        owing=len(owing),
        missing=len(owing) - len(filed),
        labels=FIGURE_LABELS,
        totals={f: sum(getattr(r, f) for r in filed) for f in FIGURE_LABELS},
        remind_form=RemindForm(),
    )


@bp.route("/kpis/remind", methods=["POST"])
def remind() -> Any:
    """Staff: notify the members of every team of the park that has not filed the quarter."""
    require(can_remind_kpis(current_user))
    form = RemindForm()
    park_id = parse_id(request.form.get("park_id", ""))
    chosen = parse_or_none(request.form.get("quarter", ""))
    park = _chosen_park(_parks(), park_id) if park_id is not None else None
    if park is None or chosen is None:
        raise NotFound("not_found", _("Not found."))
    if form.validate_on_submit():
        try:
            reminded = operations.remind(park.id, chosen, actor=acting_user())
        except DomainError as err:
            db.session.rollback()
            # A refused field (the quarter not over yet) says why better than the summary.
            reasons = [str(m) for messages in err.fields.values() for m in messages]
            flash(" ".join(reasons) or err.message, "error")
        else:
            flash(
                ngettext(
                    "%(num)d team that has not filed was reminded.",
                    "%(num)d teams that have not filed were reminded.",
                    reminded,
                ),
                "success" if reminded else "info",
            )
    return redirect(url_for("kpis.index", park_id=park.id, quarter=str(chosen)))


@bp.route("/kpis/<any(csv, xlsx):fmt>")
def export(fmt: str) -> Any:
    """Staff: the park's quarter as a file, one row per team that owes a report."""
    park, chosen, owing = _park_quarter()
    if park is None:
        raise NotFound("not_found", _("Not found."))
    headers = [
        _("Team"),
        _("Team (English)"),
        _("Track"),
        _("State"),
        _("Version"),
        _("Filed at"),
        *[str(label) for label in FIGURE_LABELS.values()],
    ]
    rows = []
    for team_row, r in owing:
        figures: list[Any] = []
        if r is not None:
            figures = [
                Money(getattr(r, f)) if f in MONEY_FIELDS else getattr(r, f) for f in FIGURE_LABELS
            ]
        rows.append(
            [
                team_row.name_zh,
                team_row.name_en,
                track_label(team_row.track),
                str(STATES["filed" if r is not None else "missing"]),
                r.version if r is not None else None,
                to_local(r.created_at, park.timezone) if r is not None else None,
                *figures,
            ]
        )
    return export_response(fmt, f"KPI-{park.code}-{chosen}", headers, rows)


def _cell(report: KpiReport, figure: str) -> Any:
    value = getattr(report, figure)
    return Money(value) if figure in MONEY_FIELDS else value


def may_see_kpis(user: Any) -> bool:
    """Staff see a park's quarter; a member's entry leads to their own team's reports."""
    return bool(can_remind_kpis(user)) or (user.role == Role.MEMBER and user.team_id is not None)


def register(app: Flask) -> None:
    """The blueprint, its navigation entry and the card on the team page."""
    app.register_blueprint(bp)
    nav.add("kpis.index", _l("KPI reports"), may_see_kpis, order=58)
    team_section.register()
