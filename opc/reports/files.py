"""The report's files, written in one pass over its rows: CSV (UTF-8 with BOM) and XLSX
(openpyxl's write-only mode: rows go to a temporary file as they come, so memory stays flat
however long the report; a bold, frozen header row, ¥ number formats, the totals in bold).

Each file is written to a temporary file, then handed to storage (opc.core.storage), which
links it into place complete; the caller records the keys and marks the run done last.
"""

from __future__ import annotations

import contextlib
import csv
import io
import tempfile
from collections.abc import Iterable
from decimal import Decimal
from typing import IO, Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from opc.core.export import YUAN_FORMAT, Money, csv_cell
from opc.core.storage import StoredFile, storage
from opc.reports.monthly_subsidy import Row

HOURS_FORMAT = "#,##0.00"
MAX_FILE_BYTES = 2 * 1024**3  # far beyond any park's month: a guard, not a limit in practice
_BOLD = Font(bold=True)


def headers() -> list[str]:
    return [
        _("Section"),
        _("Team"),
        _("Source"),
        _("GPU-hours"),
        _("Amount (¥)"),
        _("Budget (¥)"),
    ]


def cells(row: Row) -> list[Any]:
    """A row's values: money as Money (¥ in XLSX, 1234.50 in CSV), hours with 2 decimals."""
    team = row.team_name if row.level == "team" else _("Total")
    if row.level == "section":
        source = _("All")
    else:
        source = row.source_name or (
            _("No policy") if row.section.key == "rent_waived" else str(row.source_id)
        )
    hours = None if row.hours_hundredths is None else Decimal(row.hours_hundredths) / 100
    budget = None if row.budget_fen is None else Money(row.budget_fen)
    return [str(row.section.label), team, source, hours, Money(row.amount_fen), budget]


class _Sheet:
    def __init__(self, title: str) -> None:
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet(title=title[:31])
        self.sheet.freeze_panes = "A2"

    def header(self, texts: list[str]) -> None:
        self.sheet.append([self._cell(t, bold=True) for t in texts])

    def append(self, values: list[Any], *, bold: bool) -> None:
        self.sheet.append([self._cell(v, bold=bold) for v in values])

    def _cell(self, value: Any, *, bold: bool) -> WriteOnlyCell:
        if isinstance(value, Money):
            cell = WriteOnlyCell(self.sheet, value=Decimal(value.fen) / 100)
            cell.number_format = YUAN_FORMAT
        elif isinstance(value, Decimal):
            cell = WriteOnlyCell(self.sheet, value=value)
            cell.number_format = HOURS_FORMAT
        else:
            cell = WriteOnlyCell(self.sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text, never a formula
        if bold:
            cell.font = _BOLD
        return cell


def write(rows: Iterable[Row], title: str, csv_out: IO[bytes], xlsx_out: IO[bytes]) -> int:
    """Write both files from one pass over `rows`; the number of rows written."""
    text = io.TextIOWrapper(csv_out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    sheet = _Sheet(title)
    names = headers()
    writer.writerow(names)
    sheet.header(names)
    count = 0
    try:
        for row in rows:
            values = cells(row)
            writer.writerow([csv_cell(v) for v in values])
            sheet.append(values, bold=row.level != "team")
            count += 1
    except BaseException:
        with contextlib.suppress(Exception):
            sheet.sheet.close()  # end openpyxl's writer and its temporary file now
        raise
    text.flush()
    text.detach()  # leave csv_out open for the caller
    sheet.book.save(xlsx_out)
    return count


def produce_files(rows: Iterable[Row], title: str) -> dict[str, StoredFile]:
    """Write the files to temporary files and store them; the stored files by format.

    Nothing is stored unless both files were written whole; a failure after the first was
    stored deletes it again."""
    stored: dict[str, StoredFile] = {}
    with tempfile.TemporaryFile() as csv_tmp, tempfile.TemporaryFile() as xlsx_tmp:
        write(rows, title, csv_tmp, xlsx_tmp)
        try:
            for fmt, handle in (("csv", csv_tmp), ("xlsx", xlsx_tmp)):
                handle.seek(0)
                stored[fmt] = storage().save(handle, MAX_FILE_BYTES)
        except BaseException:
            discard(stored.values())
            raise
    return stored


def discard(files: Iterable[StoredFile]) -> None:
    for file in files:
        with contextlib.suppress(OSError):
            storage().delete(file.key)
