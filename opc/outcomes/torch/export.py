"""The Torch survey's table of resident enterprises for a park and year, as an XLSX workbook.

One row per team resident on any day of the year — those that moved in, graduated or exited
during it included — with the figures the year's form asks for (opc.outcomes.torch.mapping):
the year's KPI reports summed (current versions only; the headcount and graduates hired are
the last filed quarter's, a stock not a flow), the area the team held at the year's end or on
its last day, its move-in (first day resident) and founding dates. Three SQL statements,
whatever the number of teams.

Money is kept in fen to the last step and converted exactly (Decimal, half up) into the
form's unit, 千元 with three decimals: 1,234,567.89 yuan is 1234.568.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import IO, Any

from flask_babel import force_locale
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy import and_, func, or_, select

from opc.extensions import db
from opc.kpis.models import KpiReport
from opc.outcomes.torch.mapping import Column, Form
from opc.parks.models import Park
from opc.space.models import Allocation, Unit
from opc.space.rules import area
from opc.teams.labels import track_label
from opc.teams.models import Team, TeamStatus, TeamStatusChange
from opc.teams.rules import LEFT

SUMMED = (
    "revenue_fen",
    "rnd_fen",
    "taxes_fen",
    "financing_fen",
    "patents_applied",
    "patents_granted",
    "software_copyrights_applied",
    "software_copyrights_granted",
    "trademarks_applied",
    "trademarks_granted",
    "works_released",
)
LAST_QUARTER = ("headcount", "graduates_hired")
# A mapping key, when it differs from the KPI report's column.
_KPI_COLUMN = {"revenue": "revenue_fen", "rnd": "rnd_fen", "taxes": "taxes_fen"}
_KPI_COLUMN |= {"financing": "financing_fen", "employees": "headcount"}
YES, NO = "是", "否"
_FORMATS = {"count": "#,##0", "area": "#,##0.00", "date": "yyyy-mm-dd"}
_BOLD = Font(bold=True)


@dataclass
class Enterprise:
    """A team resident during the year, with what the form asks about it."""

    team_id: int
    name: str
    team_name: str
    uscc: str | None
    track: str
    founded_on: date | None
    moved_in_on: date | None
    left_on: date | None
    graduated: bool
    area_m2: Decimal = Decimal("0.00")
    figures: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SUMMED + LAST_QUARTER, 0))

    def value(self, column: Column) -> Any:
        """The cell's value in the column's unit."""
        key = column.key
        if column.kind == "money":
            fen = self.figures[_KPI_COLUMN[key]]
            return (Decimal(fen) / column.fen_per_unit).quantize(column.quantum, ROUND_HALF_UP)
        if column.kind == "count":
            return self.figures[_KPI_COLUMN.get(key, key)]
        if key == "graduated":
            return YES if self.graduated else NO
        if key == "track":
            with force_locale("zh"):  # the form is filed in Chinese, whoever downloads it
                return track_label(self.track)
        return getattr(self, key)


def enterprises(park_id: int, year: int) -> list[Enterprise]:
    """The park's teams resident on any day of `year`, by move-in then name, with their
    figures: three statements (teams and residency, KPI reports, allocations)."""
    first, after = date(year, 1, 1), date(year + 1, 1, 1)
    found = _residents(park_id, first, after)
    _add_figures(found, park_id, year)
    _add_area(found, park_id, first, after)
    return sorted(found.values(), key=lambda e: (e.moved_in_on or first, e.team_name, e.team_id))


def _residents(park_id: int, first: date, after: date) -> dict[int, Enterprise]:
    change = TeamStatusChange
    moved_in = (
        select(change.team_id, func.min(change.on).label("on"))
        .where(change.to_status == TeamStatus.RESIDENT)
        .group_by(change.team_id)
        .subquery()
    )
    # A team leaves once: graduated and exited are the lifecycle's ends.
    left = (
        select(
            change.team_id, func.min(change.on).label("on"), func.min(change.to_status).label("to")
        )
        .where(change.to_status.in_(LEFT))
        .group_by(change.team_id)
        .subquery()
    )
    during = and_(moved_in.c.on < after, or_(left.c.on.is_(None), left.c.on > first))
    # A resident whose history starts before histories were kept has no move-in: resident now.
    unrecorded = and_(moved_in.c.on.is_(None), Team.status == TeamStatus.RESIDENT)
    stmt = (
        select(Team, moved_in.c.on, left.c.on, left.c.to)
        .outerjoin(moved_in, moved_in.c.team_id == Team.id)
        .outerjoin(left, left.c.team_id == Team.id)
        .where(Team.park_id == park_id, or_(during, unrecorded))
    )
    found = {}
    for team, move_in, left_on, left_as in db.session.execute(stmt).tuples():
        found[team.id] = Enterprise(
            team_id=team.id,
            name=team.legal_name or team.name_zh,
            team_name=team.name_zh,
            uscc=team.uscc,
            track=team.track,
            founded_on=team.founded_on,
            moved_in_on=move_in,
            left_on=left_on,
            graduated=left_as == TeamStatus.GRADUATED and left_on is not None and left_on < after,
        )
    return found


def _add_figures(found: dict[int, Enterprise], park_id: int, year: int) -> None:
    """The year's current KPI versions: flows summed, stocks from the last filed quarter."""
    r = KpiReport
    stmt = (
        select(r.team_id, r.quarter, *(getattr(r, f) for f in SUMMED + LAST_QUARTER))
        .join(Team, Team.id == r.team_id)
        .where(Team.park_id == park_id, r.year == year, r.superseded_at.is_(None))
        .order_by(r.team_id, r.quarter)
    )
    for team_id, _quarter, *values in db.session.execute(stmt).tuples():
        enterprise = found.get(team_id)
        if enterprise is None:
            continue
        figures = enterprise.figures
        for name, value in zip(SUMMED + LAST_QUARTER, values, strict=True):
            figures[name] = figures[name] + value if name in SUMMED else value


def _add_area(found: dict[int, Enterprise], park_id: int, first: date, after: date) -> None:
    """The area each team held on the year's last day, or on its own last day if it left."""
    stmt = (
        select(Allocation.team_id, Allocation.start, Allocation.end, Unit.area_m2)
        .join(Unit, Unit.id == Allocation.unit_id)
        .where(
            Unit.park_id == park_id,
            Allocation.start < after,
            or_(Allocation.end.is_(None), Allocation.end > first),
        )
    )
    held: dict[int, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for team_id, start, end, unit_m2 in db.session.execute(stmt).tuples():
        enterprise = found.get(team_id)
        if enterprise is None:
            continue
        last = min(after, enterprise.left_on or after) - timedelta(days=1)
        if start <= last and (end is None or end > last):
            held[team_id] += area(unit_m2)
    for team_id, total in held.items():
        found[team_id].area_m2 = area(total)


# --- the workbook ----------------------------------------------------------------------


def _cell(sheet: Any, column: Column, value: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if column.kind == "money":
        cell.number_format = "#,##0" + ("." + "0" * column.decimals if column.decimals else "")
    elif column.kind in _FORMATS and value is not None:
        cell.number_format = _FORMATS[column.kind]
    elif isinstance(value, str):
        cell.data_type = "s"  # text, never a formula
    return cell


def title_of(form: Form, park: Park) -> str:
    return f"{park.name_zh} {form.year}年 {form.title}".strip()


def write(form: Form, park: Park, rows: list[Enterprise], out: IO[bytes]) -> None:
    """The workbook: a title row naming the park and year, the header row with units (bold,
    frozen with the title above it), then a row per enterprise."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=f"{form.year}")
    sheet.freeze_panes = "A3"
    title = WriteOnlyCell(sheet, value=title_of(form, park))
    title.font, title.data_type = _BOLD, "s"
    sheet.append([title])
    header = []
    for column in form.columns:
        cell = WriteOnlyCell(sheet, value=column.title)
        cell.font, cell.data_type = _BOLD, "s"
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_cell(sheet, c, row.value(c)) for c in form.columns])
    book.save(out)


def workbook_file(form: Form, park: Park) -> IO[bytes]:
    """The park's workbook of the form's year in a temporary file, rewound (deleted when
    closed): the rows are written as they come, the file never held in memory."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it once sent)
    try:
        write(form, park, enterprises(park.id, form.year), handle)
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    return handle
