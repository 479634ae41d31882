"""A settlement as files for the provider's accountant: CSV (UTF-8 with the BOM Excel
needs to read Chinese) and XLSX (openpyxl: a frozen header row, ¥ number formats, the
totals row). Both hold the same table: a line per team (and per earlier month settled
late), then the totals."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from opc.compute.settlements import SettlementView
from opc.compute.usage_queries import Totals
from opc.teams.models import Team

YUAN_FORMAT = '"¥"#,##0.00'
HOURS_FORMAT = "#,##0.00"
COUNT_FORMAT = "#,##0"
# Column formats after the three text columns: records, GPU-hours, cost, subsidy, share.
NUMBER_FORMATS = (COUNT_FORMAT, HOURS_FORMAT, YUAN_FORMAT, YUAN_FORMAT, YUAN_FORMAT)
WIDTHS = (28, 28, 10, 10, 12, 16, 16, 16)


def _header() -> list[str]:
    return [
        _("Team"),
        _("Team (English)"),
        _("Month of usage"),
        _("Records"),
        _("GPU-hours"),
        _("Cost (¥)"),
        _("Subsidy (¥)"),
        _("Team share (¥)"),
    ]


def _numbers(totals: Totals) -> list[Any]:
    hundredth = Decimal("0.01")
    return [
        totals.records,
        Decimal(totals.gpu_hours_hundredths) * hundredth,
        Decimal(totals.cost_fen) * hundredth,
        Decimal(totals.subsidy_fen) * hundredth,
        Decimal(totals.team_share_fen) * hundredth,
    ]


def rows(view: SettlementView, teams: dict[int, Team]) -> list[list[Any]]:
    """The header, a row per line, the totals row: text and exact numbers."""
    table: list[list[Any]] = [_header()]
    for line in view.lines:
        team = teams.get(line.team_id)
        table.append(
            [
                team.name_zh if team else str(line.team_id),
                team.name_en if team else "",
                line.corrects_month or view.month,
                *_numbers(line.totals),
            ]
        )
    table.append([_("Total"), "", view.month, *_numbers(view.totals)])
    return table


def settlement_csv(view: SettlementView, teams: dict[int, Team]) -> bytes:
    """The settlement as CSV, UTF-8 with a BOM; amounts as plain decimals (1234.50)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows(view, teams):
        writer.writerow([f"{v:.2f}" if isinstance(v, Decimal) else v for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def settlement_xlsx(view: SettlementView, teams: dict[int, Team], title: str) -> bytes:
    """The settlement as an XLSX workbook: the table on its first sheet (header frozen,
    amounts in ¥, totals in bold), what it is on a second."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Settlement")
    table = rows(view, teams)
    for values in table:
        sheet.append(values)
    bold = Font(bold=True)
    last = len(table)
    for column, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
        sheet.cell(row=1, column=column).font = bold
        sheet.cell(row=last, column=column).font = bold
    for row in sheet.iter_rows(min_row=2, max_row=last, min_col=4, max_col=8):
        for cell, number_format in zip(row, NUMBER_FORMATS, strict=True):
            cell.number_format = number_format
    sheet.freeze_panes = "A2"
    about = book.create_sheet(_("About"))
    for label, value in (
        (_("Settlement"), title),
        (_("Month"), view.month),
        (_("Status"), _("Issued") if view.status == "issued" else _("Draft")),
        (_("Issued at (UTC)"), view.issued_at.strftime("%Y-%m-%d %H:%M") if view.issued_at else ""),
        (_("Number"), view.id or ""),
    ):
        about.append([label, value])
    about.column_dimensions["A"].width = 20
    about.column_dimensions["B"].width = 60
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
