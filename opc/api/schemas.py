"""Field types shared by the API's schemas.

Each type validates exactly what its JSON schema in /api/v1/openapi.json says, so the
document can be trusted by clients and fuzzers: every integer has its bounds (ids 1 …
2^31-1), decimals travel as strings whose pattern states sign, digits and places, dates
are ISO dates (YYYY-MM-DD, never a timestamp) within the calendar the app accepts, and
codes and e-mail addresses carry their format. The bounds themselves live beside the
operations that enforce them; these types only state them.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, ClassVar
from zoneinfo import available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from opc.core.dates import MAX_DATE, MIN_DATE
from opc.core.values import MAX_ID, MAX_NUMBER_TEXT, MAX_PAGE, text_problem

# --- integers --------------------------------------------------------------------------

_INTEGER = re.compile(r"[+-]?[0-9]+")


def _whole_number(value: Any, info: ValidationInfo) -> Any:
    """Query strings hold integers as ASCII digits with an optional sign, nothing else
    ("1_000", " 3", "2.0" and "٣" are refused); JSON's integers are checked by pydantic."""
    if isinstance(value, str) and info.mode == "python":
        if not _INTEGER.fullmatch(value):
            raise PydanticCustomError("int_parsing", "Input should be a whole number")
        if len(value) > MAX_NUMBER_TEXT:  # far outside every bound: refused by it, not int()
            return -(10**MAX_NUMBER_TEXT) if value.startswith("-") else 10**MAX_NUMBER_TEXT
        return int(value)
    return value


def whole(ge: int, le: int) -> Any:
    """An integer from `ge` to `le` (both stated in the document)."""
    return Annotated[int, Field(ge=ge, le=le), BeforeValidator(_whole_number)]


Id = whole(1, MAX_ID)


# --- decimal strings -------------------------------------------------------------------


def _decimal_pattern(maximum: Decimal, places: int, *, signed: bool, positive: bool) -> str:
    whole_digits = len(str(int(maximum)))
    if maximum != Decimal("9" * whole_digits + ("." + "9" * places if places else "")):
        raise ValueError(f"a decimal string's maximum is all nines, not {maximum}")
    frac = rf"(\.[0-9]{{1,{places}}})?" if places else ""
    body = rf"(0|[1-9][0-9]{{0,{whole_digits - 1}}}){frac}"
    if positive:  # any such number but zero: a non-zero whole part, or 0.<non-zero places>
        small = "|".join(f"0\\.{'0' * n}[1-9][0-9]{{0,{places - n - 1}}}" for n in range(places))
        body = rf"([1-9][0-9]{{0,{whole_digits - 1}}}{frac}{'|' + small if places else ''})"
    return f"^{'-?' if signed else ''}{body}$"


def decimal_text(
    maximum: Decimal, *, places: int = 2, signed: bool = False, positive: bool = False
) -> Any:
    """A decimal travelling as a JSON string ("1234.50"): exact, never a float. The pattern
    says everything the server accepts (digits up to `maximum`, at most `places` places,
    a sign when `signed`, no zero when `positive`); a number, "1e3", " 5" or "+5" is refused.
    Read back, it is written with exactly `places` places."""
    pattern = _decimal_pattern(maximum, places, signed=signed, positive=positive)
    compiled = re.compile(pattern)
    example = f"{maximum / 2:.{places}f}"

    def validate(value: Any, info: ValidationInfo) -> Decimal:
        if isinstance(value, Decimal) and info.mode == "python":
            return value  # read from a record (responses)
        if not isinstance(value, str):
            raise PydanticCustomError(
                "decimal_string_type", "Input should be a decimal number written as a string"
            )
        if not compiled.fullmatch(value):
            raise PydanticCustomError(
                "decimal_pattern",
                "Input should be a decimal string like {example} "
                "(at most {places} decimal places, at most {maximum})",
                {"example": example, "places": places, "maximum": str(maximum)},
            )
        return Decimal(value)

    schema = {"type": "string", "pattern": pattern, "examples": [example]}
    return Annotated[
        Decimal,
        PlainValidator(validate),
        PlainSerializer(lambda v: f"{v:.{places}f}", return_type=str, when_used="json"),
        WithJsonSchema(schema),
    ]


def area_up_to(maximum: Decimal) -> Any:
    """Areas (m²) travel as decimal strings with two places, like money: exact, never float.
    `maximum` is the owning domain's bound (its column's precision), stated in one place."""
    return decimal_text(maximum, positive=True)


def yuan_up_to(maximum: Decimal, *, signed: bool = False) -> Any:
    """Money in yuan as a decimal string with at most two places (fen)."""
    return decimal_text(maximum, signed=signed)


Area = area_up_to(Decimal("9999999999.99"))  # as read back: the widest column, Numeric(12, 2)

# A percentage over 0 and at most 100 with at most two places, as a string ("50", "12.5"):
# a programme's subsidy rate, a waiver's share of the rent.
PERCENT_PATTERN = r"^(100(\.00?)?|[1-9][0-9]?(\.[0-9]{1,2})?|0\.(0[1-9]|[1-9][0-9]?))$"


def _percent(value: Any, info: ValidationInfo) -> Decimal:
    if isinstance(value, Decimal) and info.mode == "python":
        return value
    if not isinstance(value, str) or not re.fullmatch(PERCENT_PATTERN, value):
        raise PydanticCustomError(
            "percent_pattern", 'Input should be a percentage over 0 and at most 100, like "12.5"'
        )
    return Decimal(value)


Percent = Annotated[
    Decimal,
    PlainValidator(_percent),
    WithJsonSchema({"type": "string", "pattern": PERCENT_PATTERN, "examples": ["50", "12.5"]}),
]


# --- dates -----------------------------------------------------------------------------


def _range_pattern(low: int, high: int, width: int) -> str:
    """A regular expression for the `width`-digit numbers from `low` to `high`."""
    if low > high:
        return ""
    if width == 1:
        return f"[{low}-{high}]" if low != high else str(low)
    unit = 10 ** (width - 1)
    lo_head, lo_rest = divmod(low, unit)
    hi_head, hi_rest = divmod(high, unit)
    rest = rf"[0-9]{{{width - 1}}}"
    if lo_head == hi_head:
        return f"{lo_head}({_range_pattern(lo_rest, hi_rest, width - 1)})"
    parts = []
    if lo_rest == 0:
        first_full = lo_head
    else:
        parts.append(f"{lo_head}({_range_pattern(lo_rest, unit - 1, width - 1)})")
        first_full = lo_head + 1
    last_full = hi_head if hi_rest == unit - 1 else hi_head - 1
    if first_full <= last_full:
        heads = f"[{first_full}-{last_full}]" if first_full != last_full else str(first_full)
        parts.append(heads + rest)
    if hi_rest != unit - 1:
        parts.append(f"{hi_head}({_range_pattern(0, hi_rest, width - 1)})")
    return "(" + "|".join(parts) + ")"


def _date_pattern(low: date, high: date) -> str:
    years = _range_pattern(low.year, high.year, 4)
    return rf"^{years}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


DATE_PATTERN = _date_pattern(MIN_DATE, MAX_DATE)
_DATE = re.compile(DATE_PATTERN)


def _iso_date(value: Any, info: ValidationInfo) -> date:
    if isinstance(value, date) and not isinstance(value, datetime) and info.mode == "python":
        return value  # read from a record (responses)
    if not isinstance(value, str):
        raise PydanticCustomError("date_type", "Input should be a date written YYYY-MM-DD")
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise PydanticCustomError("date_parsing", "Input should be a date written YYYY-MM-DD")
    try:
        parsed = date.fromisoformat(value)
    except ValueError as exc:
        raise PydanticCustomError("date_parsing", "Input should be a real date") from exc
    if not (MIN_DATE <= parsed <= MAX_DATE and _DATE.fullmatch(value)):
        raise PydanticCustomError(
            "date_range",
            "Input should be a date from {low} to {high}",
            {"low": MIN_DATE.isoformat(), "high": MAX_DATE.isoformat()},
        )
    return parsed


# An ISO date (2026-03-01) from MIN_DATE to MAX_DATE, in bodies and query strings alike:
# "0", "1700000000", "20260301" and "2026-03-01T00:00" are refused.
IsoDate = Annotated[
    date,
    PlainValidator(_iso_date),
    PlainSerializer(lambda d: d.isoformat(), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN}),
]


# --- formats ---------------------------------------------------------------------------


def email(max_length: int = 254, *, blank: bool = False) -> Any:
    """An e-mail address (the operation checks and normalises it); `blank` allows ""."""
    extra: dict[str, Any] = {"format": "email"}
    if blank:
        extra = {"anyOf": [{"const": ""}, {"format": "email"}]}
    low = 0 if blank else 3
    return Annotated[str, Field(min_length=low, max_length=max_length, json_schema_extra=extra)]


# A Unified Social Credit Code (GB 32100-2015): 8 digits, then 10 of the code's 31 digits
# and capitals (no I, O, S, V or Z), the last a check character the operation verifies;
# lower case is read as upper case. "" means none.
_USCC_CHAR = "0-9A-HJ-NP-RTUWXYa-hj-np-rtuwxy"
USCC_PATTERN = rf"^([0-9]{{8}}[{_USCC_CHAR}]{{10}})?$"
Uscc = Annotated[str, Field(max_length=18, pattern=USCC_PATTERN)]


@cache
def timezones() -> tuple[str, ...]:
    """The IANA zone names this server knows, in order (what a park's timezone may be)."""
    return tuple(sorted(available_timezones()))


def _known_zone(value: str) -> str:
    if value not in timezones():
        raise PydanticCustomError("timezone", "Input should be an IANA zone, e.g. Asia/Shanghai")
    return value


Timezone = Annotated[
    str,
    AfterValidator(_known_zone),
    WithJsonSchema({"type": "string", "enum": list(timezones())}),
]


# --- models ----------------------------------------------------------------------------


# What free text may hold, as the document states it: no control characters (opc.core.values
# refuses them); multi-line fields may hold tabs and line breaks.
TEXT_PATTERN = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"
MULTILINE_PATTERN = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"


def _whole_floats(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_whole_floats(v) for v in value]
    return value


def _state_text(schema: dict[str, Any], pattern: str) -> None:
    """Give a string schema with no format of its own the text pattern."""
    for option in schema.get("anyOf", []):
        _state_text(option, pattern)
    if schema.get("type") == "string" and not {"pattern", "format", "enum", "const"} & set(schema):
        schema["pattern"] = pattern
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        _state_text(schema["items"], pattern)


class In(BaseModel):
    """Request bodies and query strings: unknown fields are an error, strings are stripped
    and hold no control characters (tabs and line breaks only in the fields named in
    `multiline`). A JSON number with a zero fraction (2.0) is the integer it equals, as
    JSON Schema says."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    multiline: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _integral_floats(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: _whole_floats(v) for k, v in data.items()}
        return data

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any, info: ValidationInfo) -> Any:
        texts = value if isinstance(value, list) else [value]
        for text in texts:
            if isinstance(text, str):
                problem = text_problem(text, multiline=info.field_name in cls.multiline)
                if problem:
                    raise PydanticCustomError("control_characters", "{reason}", {"reason": problem})
        return value

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> Any:
        json_schema = handler(core_schema)
        schema = handler.resolve_ref_schema(json_schema)
        for name, prop in schema.get("properties", {}).items():
            _state_text(prop, MULTILINE_PATTERN if name in cls.multiline else TEXT_PATTERN)
        return json_schema


class Out(BaseModel):
    """Response bodies, read from model attributes."""

    model_config = ConfigDict(from_attributes=True)


class Patch(In):
    """PATCH bodies: fields left out stay as they are; an explicit null is refused for the
    fields that cannot be empty (all but those named in `nullable`)."""

    nullable: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _no_nulls(self) -> Patch:
        nulls = [f for f in self.model_fields_set if getattr(self, f) is None]
        if bad := sorted(set(nulls) - self.nullable):
            raise ValueError(f"may not be null: {', '.join(bad)}")
        return self


class PageArgs(In):
    """?page=&per_page= of every list route: the largest per_page is the deployment's
    MAX_PER_PAGE (the document states it), 200 at most."""

    page: whole(1, MAX_PAGE) = 1  # type: ignore[valid-type]
    per_page: whole(1, 200) | None = None  # type: ignore[valid-type]


INSTANT_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})$"
)
_INSTANT = re.compile(INSTANT_PATTERN)


def _instant(value: Any, info: ValidationInfo) -> datetime:
    if isinstance(value, datetime) and info.mode == "python":
        return value
    if not isinstance(value, str):
        raise PydanticCustomError("datetime_type", "Input should be a date and time as a string")
    if not _INSTANT.fullmatch(value):
        raise PydanticCustomError(
            "datetime_pattern",
            "Input should be ISO 8601 with an offset, like 2026-03-01T09:30+08:00",
        )
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise PydanticCustomError(
            "datetime_parsing", "Input should be a real date and time"
        ) from exc
    if not MIN_DATE <= moment.date() <= MAX_DATE:
        raise PydanticCustomError(
            "datetime_range",
            "Input should be a date from {low} to {high}",
            {"low": MIN_DATE.isoformat(), "high": MAX_DATE.isoformat()},
        )
    return moment


# An instant: ISO 8601 with its offset (Z or ±hh:mm), within the calendar the app accepts.
Instant = Annotated[
    datetime,
    PlainValidator(_instant),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": INSTANT_PATTERN}),
]
