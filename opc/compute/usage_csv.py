"""A provider's usage file, as the upload page takes it: read into the records the API takes.

Headers are the codes or the labels the pages show, in Chinese or English (opc.core.columns),
or a few other names providers' systems write; UTF-8 with or without BOM, or GB18030
(opc.core.csvio.decode). Reading only shapes the rows (a team id of digits as a number, a
date and time written with a space, a cost with "¥" or "元"): every value is checked by
`ingest_usage`, which lists every bad row with the others (by its index: `rows` turns it
into the row number a spreadsheet shows).
"""

from __future__ import annotations

import csv
import io
from typing import Any, NamedTuple

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from opc.compute.operations.usage_input import FIELDS, BatchTooLarge, Problems
from opc.core.columns import Column, Sheet, fold, number_text
from opc.core.csvio import ImportRejected, RowError, decode
from opc.core.values import MAX_NUMBER_TEXT

# The columns, headed as the pages name them in either language or by their codes
# (opc.core.columns); a cost may be written "¥1,234.50" or "1234.50元".
SHEET = Sheet(
    Column("external_id", _l("Job id"), True, example="job-20260301-0001",
           hint=_l("The provider's job id, up to 100 characters: sent again, a duplicate.")),
    Column("team_id", _l("Team id"), True, example="12", hint=_l("The team's number in OPC Ops.")),
    Column("gpu_type", _l("GPU type"), True, example="A100-80G"),
    Column("start", _l("Start"), True, example="2026-03-01 09:00:00+08:00",
           hint=_l("Date and time with its offset from UTC (+08:00 in China).")),
    Column("end", _l("End"), True, example="2026-03-01 11:30:00+08:00",
           hint=_l("After the start, not in the future.")),
    Column("gpu_hours", _l("GPU-hours"), True, example="20.00",
           hint=_l("Above zero, at most 2 decimals.")),
    Column("cost_yuan", _l("Cost (yuan)"), True, example="160.00",
           hint=_l("Zero or more, at most 2 decimals."), clean=number_text("¥", "元")),
)  # fmt: skip
# Other headers providers' systems write for them.
ALIASES = {
    fold(alias): key
    for key, aliases in (
        ("external_id", ("作业编号", "作业ID", "任务编号", "job_id")),
        ("team_id", ("团队编号", "团队ID")),
        ("gpu_type", ("GPU型号", "卡型")),
        ("start", ("开始时间",)),
        ("end", ("结束时间",)),
        ("gpu_hours", ("GPU卡时", "卡时")),
        ("cost_yuan", ("费用", "费用(元)")),
    )
    for alias in aliases
}


class CsvBatch(NamedTuple):
    """A usage file read: its rows as records, each row's number (as a spreadsheet counts,
    the header being 1), and the problems of rows that do not fit the header."""

    records: list[dict[str, Any]]
    rows: list[int]
    problems: Problems


def read_usage_csv(data: bytes, max_rows: int) -> CsvBatch:
    """A usage file's rows as records for `ingest_usage` (a team id of digits as a number,
    "2026-03-01 09:00+08:00" as spreadsheets write it as "2026-03-01T09:00+08:00"); every
    value is left to ingest_usage to check. The file is refused at once (ImportRejected)
    when it cannot be read or its header is wrong, and (BatchTooLarge) when it has more than
    `max_rows` rows."""
    reader = csv.reader(io.StringIO(decode(data), newline=""))
    batch = CsvBatch([], [], [])
    try:
        header = [h.strip() for h in next(reader, [])]
        columns = [ALIASES.get(fold(h)) or SHEET.header_key(h) for h in header]
        _check_header(columns, header)
        clean = [(c.key, c.clean) for c in SHEET.columns if c.clean is not None]
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(batch.records) == max_rows:
                raise BatchTooLarge(max_rows + 1, max_rows)
            if len(cells) > len(columns):
                reason = _("The row has more cells than the header.")
                batch.problems.append((len(batch.records), "", reason))
            row: dict[str, Any] = dict.fromkeys(columns, "")
            row.update({column: cell.strip() for column, cell in zip(columns, cells, strict=False)})
            batch.records.append(_as_sent(row, clean))
            batch.rows.append(number)
    except csv.Error as exc:
        reason = _("The row is not valid CSV (check its quotes).")
        raise ImportRejected([RowError(reader.line_num, "", reason)]) from exc
    if not batch.records:
        raise ImportRejected([RowError(2, "", _("The file has no data rows."))])
    return batch


def _as_sent(row: dict[str, Any], clean: list[tuple[str, Any]]) -> dict[str, Any]:
    """A row as the API would carry it."""
    for key, cleaner in clean:
        if row[key]:
            row[key] = cleaner(row[key]).replace(",", "")
    team = row["team_id"]
    if team.isascii() and team.isdigit() and len(team) <= MAX_NUMBER_TEXT:
        row["team_id"] = int(team)
    for name in ("start", "end"):
        if len(row[name]) > 10 and row[name][10] == " ":
            row[name] = row[name][:10] + "T" + row[name][11:]
    return row


def _check_header(columns: list[str], header: list[str]) -> None:
    missing = [name for name in FIELDS if name not in columns]
    unknown = [written for written, name in zip(header, columns, strict=True) if name not in FIELDS]
    problems = [
        RowError(1, str(SHEET.by_key[name].label), _("Required column is missing."))
        for name in missing
    ]
    problems += [RowError(1, name, _("Unknown column.")) for name in unknown]
    if len(set(columns)) != len(columns):
        problems.append(RowError(1, "", _("A column appears twice.")))
    if not header:
        problems = [RowError(1, "", _("The file is empty."))]
    if problems:
        raise ImportRejected(problems)
