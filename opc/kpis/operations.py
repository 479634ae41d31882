"""Filing a team's quarterly KPI report, and reminding the teams that owe theirs.

Filing checks everything before it writes, in the transaction that writes: the figures
(whole, not negative, within sane bounds, the graduates among the headcount), the quarter
(begun in the park's time zone) and the team (resident or suspended on some day of the
quarter up to today). It locks the team's row, so that filings of one team queue: each
supersedes the current version and adds the next, in one transaction. The partial unique
index on current versions holds should the lock be missed: a race then answers 409
`kpi_report_changed`, never two current versions.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opc.core.constraints import rule_for_integrity_error
from opc.core.dates import local_today
from opc.core.db import lock, retrying, transaction, utcnow
from opc.core.errors import NotFound, RuleViolation, ValidationFailed
from opc.core.permissions import require_actor
from opc.core.values import is_id, text_problem
from opc.extensions import db
from opc.kpis import notify
from opc.kpis.models import FIGURES, MONEY_FIELDS, KpiReport
from opc.kpis.permissions import can_file_kpis, can_remind_kpis
from opc.kpis.quarters import Quarter
from opc.kpis.queries import park_quarter
from opc.kpis.residency import Residency, residency_of
from opc.parks.models import Park
from opc.teams.models import Team

# Bounds far beyond any resident team, well within the columns and their sums: a figure
# past them is a typo (or an attack), refused on its field rather than overflowing.
MAX_MONEY_FEN = 99_999_999_999_999  # ¥999,999,999,999.99
MAX_MONEY_YUAN = Decimal(MAX_MONEY_FEN) / 100
MAX_COUNT = 999_999
MAX_NOTE = 2000


def check_figures(figures: Mapping[str, Any]) -> dict[str, int]:
    """Every figure of FIGURES (missing ones 0) as a whole number within its bounds, the
    graduates hired no more than the headcount; 422 naming each field that is not."""
    errors: dict[str, list[str]] = {}
    for name in figures:
        if name not in FIGURES:
            errors[str(name)[:100]] = [_("Not a figure of a KPI report.")]
    values: dict[str, int] = {}
    for name in FIGURES:
        value = figures.get(name, 0)
        high = MAX_MONEY_FEN if name in MONEY_FIELDS else MAX_COUNT
        if isinstance(value, bool) or not isinstance(value, int):
            errors[name] = [_("Must be a whole number.")]
        elif value < 0:
            errors[name] = [_("Must not be negative.")]
        elif value > high:
            if name in MONEY_FIELDS:
                limit = f"{MAX_MONEY_YUAN:,.2f}"
                errors[name] = [_("At most ¥%(amount)s.", amount=limit)]
            else:
                errors[name] = [_("At most %(n)d.", n=high)]
        else:
            values[name] = value
    headcount, graduates = values.get("headcount"), values.get("graduates_hired")
    if headcount is not None and graduates is not None and graduates > headcount:
        errors["graduates_hired"] = [
            _("The graduates hired are among the headcount: no more than it.")
        ]
    if errors:
        raise ValidationFailed(errors)
    return values


def check_note(note: Any) -> str:
    """The note: text of at most MAX_NOTE characters, lines allowed, no control characters."""
    if not isinstance(note, str):
        raise ValidationFailed({"note": [_("Must be text.")]})
    problem = text_problem(note, multiline=True)
    if problem is None and len(note) > MAX_NOTE:
        problem = _("At most %(n)d characters.", n=MAX_NOTE)
    if problem:
        raise ValidationFailed({"note": [problem]})
    return note.strip()


def check_quarter(quarter: Quarter, today: date) -> None:
    """A report is filed for a quarter that has begun (during it, or after: corrections)."""
    if quarter.start > today:
        raise ValidationFailed({"quarter": [_("The quarter has not begun yet.")]})


def check_resident(team: Team, quarter: Quarter, stay: Residency, today: date) -> None:
    """The team was resident (or suspended) on some day of the quarter up to today; 409
    `team_not_resident` otherwise, naming its move-in and exit days."""
    if stay.overlaps(quarter.start, min(quarter.end, date.fromordinal(today.toordinal() + 1))):
        return
    message = _(
        "%(team)s was not resident during %(quarter)s: it owes no KPI report for it.",
        team=team.name_zh,
        quarter=quarter.label,
    )
    raise RuleViolation(
        "team_not_resident",
        message,
        conflict={
            "team_id": team.id,
            "quarter": str(quarter),
            "move_in": stay.move_in.isoformat() if stay.move_in else None,
            "exit": stay.left.isoformat() if stay.left else None,
        },
    )


def _next_version(session: Session, team_id: int, quarter: Quarter) -> int:
    stmt = select(func.max(KpiReport.version)).where(
        KpiReport.team_id == team_id,
        KpiReport.year == quarter.year,
        KpiReport.quarter == quarter.quarter,
    )
    return (session.scalar(stmt) or 0) + 1


@retrying
def file_report(
    team_id: int, quarter: Quarter, figures: Mapping[str, int], note: str = "", *, actor: Any
) -> KpiReport:
    """File the team's report for `quarter`: version 1, or the next version superseding the
    current one (kept). Members file their own team's, staff any team's of their parks;
    anyone else finds no team (404)."""
    values = check_figures(figures)
    note = check_note(note)
    try:
        with transaction(actor) as session:
            team = lock(Team, team_id) if is_id(team_id) else None
            if team is None:
                raise NotFound("not_found", _("Not found."))
            if actor is not None and not can_file_kpis(actor, team):
                raise NotFound("not_found", _("Not found."))
            today = local_today(team.park.timezone)
            check_quarter(quarter, today)
            check_resident(team, quarter, residency_of(session, team), today)
            now = utcnow()
            version = _next_version(session, team.id, quarter)
            current = session.scalar(
                select(KpiReport)
                .where(
                    KpiReport.team_id == team.id,
                    KpiReport.year == quarter.year,
                    KpiReport.quarter == quarter.quarter,
                    KpiReport.superseded_at.is_(None),
                )
                .with_for_update()
            )
            if current is not None:
                current.superseded_at = now
                session.flush()  # before the next version: one current version at every moment
            report = KpiReport(
                team_id=team.id,
                year=quarter.year,
                quarter=quarter.quarter,
                version=version,
                note=note,
                filed_by_id=getattr(actor, "id", None),
                **values,
            )
            session.add(report)
            session.flush()
    except IntegrityError as exc:  # a race past the lock: the index refuses it
        raise rule_for_integrity_error(exc) from exc
    return report


@retrying
def remind(park_id: int, quarter: Quarter, *, actor: Any) -> int:
    """Notify the members of each team of the park that owes its report for `quarter` (an
    ended quarter); how many teams were reminded."""
    with transaction(actor) as session:
        park = db.session.get(Park, park_id) if is_id(park_id) else None
        if park is None:
            raise NotFound("not_found", _("Not found."))
        require_actor(can_remind_kpis, actor, park)
        if quarter.end > local_today(park.timezone):
            raise ValidationFailed({"quarter": [_("The quarter is not over yet.")]})
        owing = [team for team, report in park_quarter([park.id], quarter) if report is None]
        for team in owing:
            notify.tell_team(session, team, quarter)
        return len(owing)
