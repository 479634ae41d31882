"""Lists as files: what a page shows, its filters applied, as CSV or XLSX.

CSV is UTF-8 with the BOM Excel needs to read Chinese; XLSX (openpyxl) keeps numbers and
dates as numbers and dates (money in yuan with a ¥ format, areas with two decimals), a
bold, frozen header row. A text cell that a spreadsheet would run as a formula (=, +, -, @
first) is written as text: in CSV with a leading apostrophe (OWASP's advice), in XLSX as a
string cell. A list longer than MAX_EXPORT_ROWS is refused (422): narrow the filters.

Stored files (attachments, opc.core.storage) go out through `send_stored`, after the owning
domain's permission check. Every download names its file with
opc.core.filetypes.content_disposition.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Response, request
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy import Select, func, select
from werkzeug.wsgi import wrap_file

from opc.core.errors import ValidationFailed
from opc.core.filetypes import content_disposition
from opc.core.storage import storage
from opc.extensions import db

FORMATS = ("csv", "xlsx")
MAX_EXPORT_ROWS = 50_000
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
YUAN_FORMAT = '"¥"#,##0.00'
AREA_FORMAT = "#,##0.00"
MIME = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Money:
    """An amount in fen, exported as yuan (a ¥ number in XLSX, "1234.50" in CSV)."""

    fen: int


@dataclass(frozen=True)
class Area:
    """An area in m², exported with two decimals."""

    m2: Decimal


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Money):
        sign = "-" if value.fen < 0 else ""
        return f"{sign}{abs(value.fen) // 100}.{abs(value.fen) % 100:02d}"
    if isinstance(value, Area):
        return f"{value.m2:.2f}"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int | float | Decimal):  # a number, negative too, is no formula
        return str(value)
    if isinstance(value, datetime | date):
        return (
            value.isoformat(sep=" ", timespec="minutes")
            if isinstance(value, datetime)
            else (value.isoformat())
        )
    text = str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """The table as CSV, UTF-8 with BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_cell(sheet: Any, value: Any) -> WriteOnlyCell:
    if isinstance(value, Money):
        cell = WriteOnlyCell(sheet, value=Decimal(value.fen) / 100)
        cell.number_format = YUAN_FORMAT
        return cell
    if isinstance(value, Area):
        cell = WriteOnlyCell(sheet, value=value.m2)
        cell.number_format = AREA_FORMAT
        return cell
    if isinstance(value, bool):
        return WriteOnlyCell(sheet, value=_("Yes") if value else _("No"))
    if isinstance(value, datetime):  # spreadsheets know no zones: the local time as shown
        value = value.replace(tzinfo=None)
    if value is not None and not isinstance(value, int | float | Decimal | date):
        value = str(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith(_FORMULA):
        cell.data_type = "s"  # text, never a formula
    if isinstance(value, date) and not isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd"
    return cell


def xlsx_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]], title: str) -> bytes:
    """The table as an XLSX workbook of one sheet named `title`."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_sheet_title(title))
    sheet.freeze_panes = "A2"
    header = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=str(text))
        cell.font = Font(bold=True)
        cell.data_type = "s"
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    # Excel refuses these characters in a sheet's name, and names past 31 characters.
    cleaned = "".join(" " if c in "[]:*?/\\" else c for c in title).strip()
    return cleaned[:31] or "Sheet1"


def check_size(stmt: Select[Any]) -> None:
    """Refuse (422) a list too long to export at once (one count)."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    if (total or 0) > MAX_EXPORT_ROWS:
        message = _(
            "The list has %(n)d rows, more than the %(max)d one file takes: narrow the filters.",
            n=total,
            max=MAX_EXPORT_ROWS,
        )
        raise ValidationFailed({"format": [message]}, message)


def export_response(
    fmt: str, filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Response:
    """A download of the table as `fmt` (csv or xlsx), named `filename` plus the extension
    (Chinese names kept, per RFC 6266 / 5987)."""
    body = xlsx_bytes(headers, rows, filename) if fmt == "xlsx" else csv_bytes(headers, rows)
    disposition = content_disposition(f"{filename}.{fmt}")
    return Response(body, mimetype=MIME[fmt], headers={"Content-Disposition": disposition})


# A stored file is never shown in the page's origin, whatever it holds: no scripts, no frames.
DOWNLOAD_POLICY = "default-src 'none'; sandbox"


def send_stored(stored_key: str, download_name: str, mimetype: str) -> Response:
    """The stored file as a download named `download_name` (opc.core.filetypes.
    safe_download_name makes one), streamed; call it after the domain's permission check.

    Always an attachment, never sniffed or rendered inline, and never cached (a private
    file may not stay in a shared or the browser's cache). A key that names no file: 404.
    """
    stream = storage().open(stored_key)
    size = stream.seek(0, 2)
    stream.seek(0)
    response = Response(
        wrap_file(request.environ, stream), mimetype=mimetype, direct_passthrough=True
    )
    response.content_length = size
    response.headers["Content-Disposition"] = content_disposition(download_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOWNLOAD_POLICY
    response.headers["Cache-Control"] = "private, no-store"
    return response
