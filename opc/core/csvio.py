"""All-or-nothing CSV imports: decode what Excel in China writes, check every row, report all.

An import reads the whole file first; if any row is bad nothing is written and the report
lists every bad row (row number as a spreadsheet shows it, column, reason). A file holds at
most MAX_IMPORT_ROWS data rows (config; more is refused at once, naming the limit), cells
hold no control characters (line breaks and tabs aside) and no more characters than the
csv module reads in one cell. Imports query and write in chunks of CHUNK rows (`chunks`),
so that no statement exceeds the database's limit on parameters, in one transaction.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from opc.core.errors import ValidationFailed
from opc.core.values import text_problem

T = TypeVar("T")

# UTF-8 (with or without the BOM Excel adds), then GB18030 (a superset of GBK/GB2312,
# which Excel writes for "CSV" on Chinese Windows).
ENCODINGS = ("utf-8-sig", "gb18030")
# Rows per statement of an import (an IN list, a flush): far below every database's limit on
# a statement's parameters (SQLite 32,766; PostgreSQL 65,535).
CHUNK = 500


def chunks(items: Sequence[T], size: int | None = None) -> Iterator[Sequence[T]]:
    """`items` in consecutive slices of at most `size` (CHUNK) items."""
    step = size or CHUNK
    for start in range(0, len(items), step):
        yield items[start : start + step]


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
    # A column's key -> its header as the file wrote it ("赛道" for track), for the report.
    columns: dict[str, str] = field(default_factory=dict)

    def add(self, row: int, column: str, reason: str) -> None:
        self.errors.append(RowError(row, self.columns.get(column, column), str(reason)))

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
    data: bytes,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
    *,
    max_rows: int | None = None,
    rename: Callable[[str], str] | None = None,
    shown: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, {column: stripped value}) for each non-blank data row.

    Missing required columns or unknown columns reject the file before any row is read;
    more than `max_rows` data rows reject it as soon as the row after the last is met.
    `rename` turns a header as written into its column (opc.core.columns: a label in
    either language); `shown` receives column -> header as written, for reports;
    `headers` names a missing column for people (column -> its header in the page's language).
    """
    text = decode(data)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    problems = ImportErrors(columns=shown if shown is not None else {})
    try:
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        raise ImportRejected([RowError(1, "", _csv_reason(exc))]) from exc
    written = [h.strip() for h in (fieldnames or [])]
    header = [rename(h) for h in written] if rename else written
    for column, as_written in zip(header, written, strict=True):
        problems.columns[column] = as_written
    if not header:
        problems.add(1, "", _("The file is empty."))
    for column in required:
        if header and column not in header:
            name = (headers or {}).get(column)
            reason = _("Required column “%(name)s” is missing.", name=name) if name else None
            problems.add(1, column, reason or _("Required column is missing."))
    for column in header:
        if column not in required and column not in optional:
            problems.add(1, column, _("Unknown column."))
    if len(set(header)) != len(header):
        problems.add(1, "", _("A column appears twice."))
    problems.raise_if_any()
    reader.fieldnames = header
    records = iter(reader)
    number = 1
    while True:
        try:
            raw = next(records)
        except StopIteration:
            break
        except csv.Error as exc:  # the reader cannot go on past a cell it cannot read
            problems.add(number + 1, "", _csv_reason(exc))
            break
        number += 1
        if max_rows is not None and number - 1 > max_rows:
            raise ImportTooLarge(number, max_rows)
        if None in raw:  # more cells than columns
            problems.add(number, "", _("The row has more cells than the header."))
            continue
        row = {k: (v or "").strip() for k, v in raw.items()}
        bad = {k: p for k, v in row.items() if (p := text_problem(v, multiline=True))}
        for column, problem in bad.items():
            problems.add(number, column, problem)
        if not bad and any(row.values()):
            yield number, row
    problems.raise_if_any()


def _csv_reason(exc: csv.Error) -> str:
    if "field limit" in str(exc):
        return _("A cell is longer than %(n)d characters.", n=csv.field_size_limit())
    return _("The row is not valid CSV (check its quotes).")


class ImportTooLarge(ImportRejected):
    """The file has more data rows than one import takes (MAX_IMPORT_ROWS): 422, at once."""

    def __init__(self, row: int, limit: int) -> None:
        reason = _(
            "The file has more than %(n)d rows, the most one import takes (MAX_IMPORT_ROWS): "
            "split it into smaller files.",
            n=limit,
        )
        super().__init__([RowError(row, "", reason)])
        self.message = reason
        self.code = "too_many_rows"


def read_all(
    data: bytes,
    required: tuple[str, ...],
    optional: tuple[str, ...],
    errors: ImportErrors,
    *,
    rename: Callable[[str], str] | None = None,
    headers: dict[str, str] | None = None,
) -> list[tuple[int, dict[str, str]]]:
    """Every readable data row; the rows that cannot be read go to `errors` (which learns
    the headers as written, to name columns as the file does).

    Raises ImportRejected at once when there is nothing more to check: the file or its
    header is unusable, no row is readable, or the file has no data rows.
    """
    rows: list[tuple[int, dict[str, str]]] = []
    limit = current_app.config["MAX_IMPORT_ROWS"]
    reading = read_rows(
        data,
        required,
        optional,
        max_rows=limit,
        rename=rename,
        shown=errors.columns,
        headers=headers,
    )
    try:
        for number, row in reading:
            rows.append((number, row))
    except ImportTooLarge:
        raise
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
