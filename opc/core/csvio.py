"""All-or-nothing CSV imports: decode what Excel in China writes, check every row, report all.

An import reads the whole file first; if any row is bad nothing is written and the report
lists every bad row (row number as a spreadsheet shows it, column, reason).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from opc.core.errors import ValidationFailed

# UTF-8 (with or without the BOM Excel adds), then GB18030 (a superset of GBK/GB2312,
# which Excel writes for "CSV" on Chinese Windows).
ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass
class RowError:
    row: int  # 1 = the header line, so the first data row is 2, as in a spreadsheet
    column: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class ImportErrors:
    errors: list[RowError] = field(default_factory=list)

    def add(self, row: int, column: str, reason: str) -> None:
        self.errors.append(RowError(row, column, str(reason)))

    def add_fields(
        self, row: int, fields: dict[str, Any], columns: dict[str, str] | None = None
    ) -> None:
        """A row's field errors (ValidationFailed.fields), under their CSV column names."""
        for name, reasons in fields.items():
            for reason in reasons:
                self.add(row, (columns or {}).get(name, name), reason)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        """ImportRejected listing every problem, in row order, if there is any."""
        if self.errors:
            self.errors.sort(key=lambda e: e.row)
            raise ImportRejected(self.errors)


class ImportRejected(ValidationFailed):
    """The file was not imported; `rows` lists every problem."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(
            {"rows": [e.to_dict() for e in errors]},
            ngettext(
                "Nothing was imported: %(num)d problem found.",
                "Nothing was imported: %(num)d problems found.",
                len(errors),
            ),
        )
        self.code = "invalid_rows"
        self.rows = errors


def decode(data: bytes) -> str:
    """The file's text; ImportRejected when it is neither UTF-8 nor GB18030."""
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRejected([RowError(0, "", _("The file is not UTF-8 or GB18030 text."))])


def read_rows(
    data: bytes, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, {column: stripped value}) for each non-blank data row.

    Missing required columns or unknown columns reject the file before any row is read.
    """
    text = decode(data)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    problems = ImportErrors()
    if not header:
        problems.add(1, "", _("The file is empty."))
    for column in required:
        if header and column not in header:
            problems.add(1, column, _("Required column is missing."))
    for column in header:
        if column not in required and column not in optional:
            problems.add(1, column, _("Unknown column."))
    if len(set(header)) != len(header):
        problems.add(1, "", _("A column appears twice."))
    problems.raise_if_any()
    reader.fieldnames = header
    for number, raw in enumerate(reader, start=2):
        if None in raw:  # more cells than columns
            problems.add(number, "", _("The row has more cells than the header."))
            continue
        row = {k: (v or "").strip() for k, v in raw.items()}
        if any(row.values()):
            yield number, row
    problems.raise_if_any()


def read_all(
    data: bytes, required: tuple[str, ...], optional: tuple[str, ...], errors: ImportErrors
) -> list[tuple[int, dict[str, str]]]:
    """Every readable data row; the rows that cannot be read go to `errors`.

    Raises ImportRejected at once when there is nothing more to check: the file or its
    header is unusable, no row is readable, or the file has no data rows.
    """
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for number, row in read_rows(data, required, optional):
            rows.append((number, row))
    except ImportRejected as exc:
        if not rows:
            raise
        errors.errors.extend(exc.rows)
    if not rows and not errors:
        raise ImportRejected([RowError(2, "", _("The file has no data rows."))])
    return rows


def template(columns: tuple[str, ...], example: tuple[str, ...]) -> bytes:
    """A downloadable template: header and one example row, UTF-8 with BOM for Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerow(example)
    return buffer.getvalue().encode("utf-8-sig")
