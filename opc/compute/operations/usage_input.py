"""The shape of a usage record, checked record by record before a batch touches the database.

A batch is a list of records as JSON gives them (the API) or as a CSV file holds them (the
upload page, whose rows `read_usage_csv` turns into the same records). Each field is
checked here, once, for both: `external_id` (the provider's job id, 1–100 characters),
`team_id` (an id), `gpu_type` (1–40 characters), `start` and `end` (ISO 8601 with an offset,
the end after the start and not in the future), `gpu_hours` (a decimal string above zero)
and `cost_yuan` (a decimal string, zero or more), both with at most two places. Every bad
field of every record is collected (index, field, reason) and the batch is refused whole.

The same job id twice in one batch: the second is a duplicate when it repeats the first
exactly (a provider's export that overlaps itself), and refused when it differs (which one
is the job?). The checks that need the database (the team, its residency, the job ids
stored already) are opc.compute.operations.usage's, made on the records whose fields are
all right (a record is listed with its field problems, or else with those).

The records are checked in Python, not by a pydantic model per record: a batch is 50,000 of
them, and the API's schema (opc.compute.usage_api) states these same bounds and patterns.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from flask_babel import gettext as _
from flask_babel import ngettext

from opc.core.dates import MAX_DATE, MIN_DATE, format_day
from opc.core.errors import DomainError
from opc.core.values import MAX_ID, text_problem

FIELDS = ("external_id", "team_id", "gpu_type", "start", "end", "gpu_hours", "cost_yuan")
_FIELD_SET = frozenset(FIELDS)
MAX_EXTERNAL_ID = 100  # usage_records.external_id
MAX_GPU_TYPE = 40  # usage_records.gpu_type
# One job's cost and GPU-hours; 50,000 of the largest still sum well within a BIGINT.
MAX_RECORD_YUAN = Decimal("99999999.99")
MAX_GPU_HOURS = Decimal("9999999.99")
# How far a job's end may be ahead of this server's clock (the provider's clock may differ).
CLOCK_SKEW = timedelta(minutes=10)
# ISO 8601 with an offset (Z or ±hh:mm), to the minute, second or microsecond.
DATETIME_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})$"
)
_DATETIME = re.compile(DATETIME_PATTERN)
_DECIMAL = re.compile(r"(-?)(0|[1-9][0-9]*)(?:\.([0-9]+))?")


class Record(NamedTuple):
    """A record whose fields are all acceptable: datetimes aware UTC, integer units."""

    external_id: str
    team_id: int
    gpu_type: str
    started_at: datetime
    ended_at: datetime
    hours: int  # hundredths of a GPU-hour
    cost_fen: int


class InvalidRecords(DomainError):
    """The batch was not stored: 422 `invalid_records`, every problem listed in `records`
    as {"index", "field", "reason"} (index: the record's place in the batch, from 0)."""

    status = 422

    def __init__(self, problems: list[tuple[int, str, str]]) -> None:
        problems.sort(key=lambda p: p[0])
        bad = len({index for index, _field, _reason in problems})
        super().__init__(
            "invalid_records",
            ngettext(
                "Nothing was stored: %(num)d record is not valid.",
                "Nothing was stored: %(num)d records are not valid.",
                bad,
            ),
        )
        self.problems = problems
        self.extra = {"records": [{"index": i, "field": f, "reason": r} for i, f, r in problems]}


class BatchTooLarge(DomainError):
    """More records than one batch takes (USAGE_BATCH_MAX_RECORDS): 413, naming the limit."""

    status = 413

    def __init__(self, given: int, limit: int) -> None:
        super().__init__(
            "too_many_records",
            _(
                "The batch has %(given)d records, more than the limit of %(n)d "
                "(USAGE_BATCH_MAX_RECORDS): send it in smaller batches.",
                given=given,
                n=limit,
            ),
        )
        self.extra = {"limit": limit, "setting": "USAGE_BATCH_MAX_RECORDS"}


Problems = list[tuple[int, str, str]]


def _text(index: int, name: str, value: Any, limit: int, problems: Problems) -> str | None:
    if value is None:
        return None  # missing or null: named already
    if type(value) is not str:
        problems.append((index, name, _("Must be text.")))
        return None
    problem = text_problem(value)
    if problem:
        problems.append((index, name, problem))
        return None
    value = value.strip()
    if not value:
        problems.append((index, name, _("Required.")))
    elif len(value) > limit:
        problems.append((index, name, _("At most %(n)d characters.", n=limit)))
    else:
        return value
    return None


def _instant(index: int, name: str, value: Any, problems: Problems) -> datetime | None:
    if type(value) is not str or not _DATETIME.fullmatch(value):
        reason = _("Must be a date and time with its offset, e.g. 2026-03-01T09:30:00+08:00.")
        problems.append((index, name, reason))
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        problems.append((index, name, _("Not a real date and time.")))
        return None
    if not MIN_DATE <= moment.date() <= MAX_DATE:
        low, high = format_day(MIN_DATE), format_day(MAX_DATE)
        problems.append(
            (index, name, _("Dates from %(low)s to %(high)s only.", low=low, high=high))
        )
        return None
    return moment.astimezone(UTC)


def hundredths(value: Any, maximum: Decimal, *, positive: bool) -> int | str:
    """A decimal string with at most two places as an integer of hundredths (fen, or
    hundredths of an hour), or the reason it is not acceptable. Accepts exactly what the
    API's pattern for it states (no sign, no leading zeros, no exponent)."""
    if type(value) is not str:
        return _('Must be a decimal number written as a string, e.g. "12.50".')
    found = _DECIMAL.fullmatch(value)
    if found is None:
        return _('Must be a decimal number written as a string, e.g. "12.50".')
    sign, whole, places = found.groups()
    if sign:
        return _("Must be greater than zero.") if positive else _("Must not be negative.")
    if places is not None and len(places) > 2:
        return _("At most 2 decimals.")
    if len(whole) > len(str(int(maximum))):
        return _("At most %(n)s.", n=maximum)
    number = int(whole) * 100 + int((places or "0").ljust(2, "0"))
    if positive and number == 0:
        return _("Must be greater than zero.")
    return number


# The usual record, every field as it should be, is taken in a few steps (`_usual`); any
# other is checked field by field (`check_record`), which says what is wrong. Both accept
# exactly the same records (tests/compute/test_usage_input.py holds them to it).
CLEAN = re.compile(r"(?!\s)[^\x00-\x1f\x7f-\x9f\ud800-\udfff]*(?<!\s)")
HOURS = re.compile(rf"([1-9][0-9]{{0,{len(str(int(MAX_GPU_HOURS))) - 1}}}|0)(?:\.([0-9]{{1,2}}))?")
COST = re.compile(rf"([1-9][0-9]{{0,{len(str(int(MAX_RECORD_YUAN))) - 1}}}|0)(?:\.([0-9]{{1,2}}))?")


def _number(value: Any, pattern: re.Pattern[str]) -> int | None:
    if type(value) is not str or (found := pattern.fullmatch(value)) is None:
        return None
    whole, places = found.groups()
    if places is None:
        return int(whole) * 100
    return int(whole) * 100 + int(places) * (10 if len(places) == 1 else 1)


def _usual(raw: Any, now: datetime) -> Record | None:
    if type(raw) is not dict or raw.keys() != _FIELD_SET:
        return None
    external_id, team_id, gpu_type = raw["external_id"], raw["team_id"], raw["gpu_type"]
    start, end = raw["start"], raw["end"]
    if not (
        type(team_id) is int
        and 0 < team_id <= MAX_ID
        and type(external_id) is str
        and 0 < len(external_id) <= MAX_EXTERNAL_ID
        and CLEAN.fullmatch(external_id)
        and type(gpu_type) is str
        and 0 < len(gpu_type) <= MAX_GPU_TYPE
        and CLEAN.fullmatch(gpu_type)
        and type(start) is str
        and _DATETIME.fullmatch(start)
        and type(end) is str
        and _DATETIME.fullmatch(end)
    ):
        return None
    try:
        started, ended = datetime.fromisoformat(start), datetime.fromisoformat(end)
    except ValueError:
        return None
    if not (MIN_DATE <= started.date() <= MAX_DATE and MIN_DATE <= ended.date() <= MAX_DATE):
        return None
    started, ended = started.astimezone(UTC), ended.astimezone(UTC)
    hours = _number(raw["gpu_hours"], HOURS)
    cost = _number(raw["cost_yuan"], COST)
    if not (started < ended <= now + CLOCK_SKEW and hours and cost is not None):
        return None
    return Record(external_id, team_id, gpu_type, started, ended, hours, cost)


def check_record(index: int, raw: Any, now: datetime, problems: Problems) -> Record | None:
    """One record checked field by field: the Record, or None with its problems added."""
    usual = _usual(raw, now)
    if usual is not None:
        return usual
    if type(raw) is not dict:
        problems.append((index, "", _("Must be an object with the record's fields.")))
        return None
    before = len(problems)
    given = {name for name in FIELDS if raw.get(name) is not None}  # null is no value
    for name in FIELDS:
        if name not in given:
            problems.append((index, name, _("Required.")))
    for name in raw:
        if name not in _FIELD_SET:
            problems.append((index, str(name)[:MAX_EXTERNAL_ID], _("Unknown field.")))
    get = raw.get
    external_id = _text(index, "external_id", get("external_id"), MAX_EXTERNAL_ID, problems)
    team_id = get("team_id")
    if "team_id" in given and (type(team_id) is not int or not 1 <= team_id <= MAX_ID):
        problems.append((index, "team_id", _("Must be a team's id (a whole number).")))
    gpu_type = _text(index, "gpu_type", get("gpu_type"), MAX_GPU_TYPE, problems)
    start = _instant(index, "start", get("start"), problems) if "start" in given else None
    end = _instant(index, "end", get("end"), problems) if "end" in given else None
    if start is not None and end is not None:
        if end <= start:
            problems.append((index, "end", _("Must be after the start.")))
        elif end > now + CLOCK_SKEW:
            problems.append((index, "end", _("Must not be in the future.")))
    for name, maximum, positive in (
        ("gpu_hours", MAX_GPU_HOURS, True),
        ("cost_yuan", MAX_RECORD_YUAN, False),
    ):
        if (
            name in given
            and type(value := hundredths(get(name), maximum, positive=positive)) is str
        ):
            problems.append((index, name, value))
    if len(problems) > before:
        return None
    hours = hundredths(raw["gpu_hours"], MAX_GPU_HOURS, positive=True)
    cost = hundredths(raw["cost_yuan"], MAX_RECORD_YUAN, positive=False)
    return Record(external_id, team_id, gpu_type, start, end, hours, cost)  # type: ignore[arg-type]


def check_records(records: list[Any], problems: Problems) -> tuple[list[tuple[int, Record]], int]:
    """Every record checked: [(index, Record)] of the good ones, first sendings only, and how
    many repeated an earlier record of the batch exactly (duplicates)."""
    now = datetime.now(UTC)
    good: list[tuple[int, Record]] = []
    first: dict[str, tuple[int, Record]] = {}
    repeats = 0
    for index, raw in enumerate(records):
        record = _usual(raw, now) or check_record(index, raw, now, problems)
        if record is None:
            continue
        item = (index, record)
        kept = first.setdefault(record.external_id, item)
        if kept is item:
            good.append(item)
        elif kept[1] == record:
            repeats += 1
        else:
            reason = _("Same job id as record %(n)d, with other values.", n=kept[0])
            problems.append((index, "external_id", reason))
    return good, repeats
