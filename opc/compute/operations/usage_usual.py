"""The usual shape of a usage batch, checked a column at a time (SQLite's way through a
batch, opc.compute.operations.usage_staged).

Every record a dict of the seven fields; texts printable and not padded, within their
lengths; job ids once each; decimal strings of the usual pattern (HOURS, COST); start and
end written to the second with an offset or Z, on real days of MIN_DATE … MAX_DATE; no job
ending in the future. Each is a C function mapped over a column of the whole batch: no
Python runs per record. Two rules are left to the table's CHECKs (ends_after_start,
hours_positive), which refuse the batch in SQL. Otherwise it accepts no record that
check_record refuses (a narrower pattern of the same rules: tests/compute/
test_usage_staged.py); what it does not accept takes the record-by-record path, which
names the problems.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter
from typing import Any, NamedTuple

from opc.compute.operations.usage_input import (
    CLOCK_SKEW,
    COST,
    FIELDS,
    HOURS,
    MAX_EXTERNAL_ID,
    MAX_GPU_TYPE,
)
from opc.core.dates import MAX_DATE, MIN_DATE
from opc.core.values import MAX_ID

# A batch whose start days span more than this is not a usual one (zones are checked day by day).
MAX_SPAN = timedelta(days=800)
# The usual date and time: DATETIME_PATTERN's to the second, with an offset or Z; the time
# and offset in range here, the date a real one when `usual` has read each day once.
_HOUR, _MINUTE = "(?:[01][0-9]|2[0-3])", "[0-5][0-9]"
INSTANT = re.compile(
    rf"[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}T{_HOUR}:{_MINUTE}:{_MINUTE}(?:Z|[+-]{_HOUR}:{_MINUTE})"
)
_DAY, OFFSET = itemgetter(slice(0, 10)), itemgetter(slice(19, None))


class Usual(NamedTuple):
    """A usual batch: its teams, the days its records start (as written), its columns."""

    team_ids: list[int]
    first: date
    last: date
    columns: dict[str, list[Any]]


def usual(records: list[Any]) -> Usual | None:
    """The batch when every record has the usual shape, checked a column at a time (as
    check_record would, accepting no record it refuses), else None."""
    if set(map(type, records)) != {dict} or set(map(len, records)) != {len(FIELDS)}:
        return None
    try:  # seven keys, these seven names: exactly the fields
        columns = {name: list(map(itemgetter(name), records)) for name in FIELDS}
    except KeyError:
        return None
    teams = columns["team_id"]
    if set(map(type, teams)) != {int} or min(teams) < 1 or max(teams) > MAX_ID:
        return None
    if any(set(map(type, columns[name])) != {str} for name in FIELDS if name != "team_id"):
        return None
    for name, limit in (("external_id", MAX_EXTERNAL_ID), ("gpu_type", MAX_GPU_TYPE)):
        texts = columns[name]
        if not (min(map(len, texts)) > 0 and max(map(len, texts)) <= limit):
            return None
        # Printable (no control character, no lone surrogate) and not padded: CLEAN's texts.
        if not all(map(str.isprintable, texts)) or list(map(str.strip, texts)) != texts:
            return None
    if len(set(columns["external_id"])) != len(records):
        return None  # a job id twice in the batch: a duplicate or a refusal
    if not (all(map(HOURS.fullmatch, columns["gpu_hours"]))):
        return None
    if not (all(map(COST.fullmatch, columns["cost_yuan"]))):
        return None
    return _times(columns, sorted(set(teams)))


def _times(columns: dict[str, list[Any]], team_ids: list[int]) -> Usual | None:
    starts, ends = columns["start"], columns["end"]
    if not (all(map(INSTANT.fullmatch, starts)) and all(map(INSTANT.fullmatch, ends))):
        return None
    days = set(map(_DAY, starts)) | set(map(_DAY, ends))
    if not MIN_DATE.isoformat() <= min(days) <= max(days) <= MAX_DATE.isoformat():
        return None
    try:
        for day in days:
            date.fromisoformat(day)  # a real date
    except ValueError:
        return None
    offsets = set(map(OFFSET, ends))  # the latest end: by its text when in one offset
    latest = (
        datetime.fromisoformat(max(ends))
        if len(offsets) == 1
        else max(map(datetime.fromisoformat, ends))
    )
    if latest > datetime.now(UTC) + CLOCK_SKEW:
        return None
    first, last = date.fromisoformat(min(starts)[:10]), date.fromisoformat(max(starts)[:10])
    if last - first > MAX_SPAN:
        return None
    return Usual(team_ids, first, last, columns)
