"""The bounds of what any entry point accepts, in one place: ids, whole numbers, decimals, text.

Every value that comes from outside (a URL path, a query string, a form, a CSV cell, a JSON
body) is held to these before it reaches a query, so that no input can overflow a column
or a calculation and answer 500. The pages use the helpers here; the API's pydantic
schemas (opc.api.schemas) state the same constants, so the OpenAPI document says what the
server enforces. A domain's own, narrower bounds (a unit's floors, a park's area) live
beside its operation and are checked with these helpers.

* Ids: whole numbers from 1 to MAX_ID (PostgreSQL's `integer`). The app's `<int:…>` URL
  converter stops there (404 beyond); `is_id` and `parse_id` check the rest.
* Page numbers: from 1 to MAX_PAGE; whole numbers stored in an integer column: MIN_INT to
  MAX_INT. Text longer than MAX_NUMBER_TEXT characters is no number at all: it is refused
  before it is converted (int() and Decimal() of a huge string are slow or overflow).
* Decimals (areas; money is opc.core.money, whose MAX_FEN bounds amounts) are refused
  with a clear reason when they have more places than allowed, exponents, or are too large.
* Dates: opc.core.dates MIN_DATE … MAX_DATE (one pair for pages, operations and the API).
* Text: `clean_text` refuses control characters — NUL, the C0 controls, DEL and the C1
  controls — except tab, line feed and carriage return in multi-line text, and lone
  surrogates (not text at all; PostgreSQL refuses NUL and cannot store a surrogate).
* JSON bodies: nested at most MAX_JSON_DEPTH deep (checked on the raw body, before parsing).

Page filters (query strings) follow one rule: a value that is not a number or a date at
all is no filter (old links and typos keep the page usable); a number or date outside the
bounds, or text with control characters, is refused with 422 naming the parameter.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Flask, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter, Map

from opc.core.dates import date_problem, parse_day
from opc.core.errors import ValidationFailed

MAX_ID = 2**31 - 1  # PostgreSQL integer; ids are never larger
MAX_PAGE = MAX_ID
MIN_INT, MAX_INT = -(2**31), 2**31 - 1
MAX_NUMBER_TEXT = 40  # characters: no number the app takes is written longer
MAX_JSON_DEPTH = 32

# C0 controls, DEL, C1 controls, and lone surrogates. Tab, LF and CR are allowed only in
# multi-line text (a textarea sends CR LF).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_MULTILINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why `value` is not acceptable text (a message for people), or None."""
    found = (_CONTROL_MULTILINE if multiline else _CONTROL).search(value)
    if found is None:
        return None
    char = found.group()
    if "\ud800" <= char <= "\udfff":
        return _("Not valid text (a lone surrogate code point).")
    if char in "\t\n\r":
        return _("Must be on one line (no tabs or line breaks).")
    return _("Control characters are not allowed (found U+%(code)04X).", code=ord(char))


def clean_text(value: str, *, multiline: bool = False) -> str:
    """`value` when it holds no control characters; else ValueError with the reason."""
    problem = text_problem(value, multiline=multiline)
    if problem:
        raise ValueError(problem)
    return value


def check_texts(values: Mapping[str, Any], multiline: Collection[str] = ()) -> None:
    """ValidationFailed naming every text of `values` with control characters (others are
    left alone: their own checks say what is wrong with them)."""
    errors = {
        name: [problem]
        for name, value in values.items()
        if isinstance(value, str) and (problem := text_problem(value, multiline=name in multiline))
    }
    if len(errors) == 1:
        raise ValidationFailed(errors, next(iter(errors.values()))[0])
    if errors:
        raise ValidationFailed(errors)


def is_id(value: Any) -> bool:
    """Whether `value` is an int that can be an id (1 … MAX_ID); bools are not ids."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def _digits(text: str) -> str | None:
    """ASCII digits with an optional sign, at most MAX_NUMBER_TEXT long, else None."""
    text = text.strip()
    if len(text) > MAX_NUMBER_TEXT or not re.fullmatch(r"[+-]?[0-9]+", text):
        return None
    return text


def parse_id(value: Any) -> int | None:
    """An id from text or an int (1 … MAX_ID), else None."""
    if isinstance(value, str):
        digits = _digits(value)
        value = int(digits) if digits is not None else None
    return value if is_id(value) else None


def whole_number(value: Any, low: int = MIN_INT, high: int = MAX_INT) -> int:
    """A whole number from `low` to `high`, from an int or text; ValueError with the reason."""
    if isinstance(value, bool):
        raise ValueError(_("Must be a whole number."))
    if isinstance(value, int):
        number = value
    else:
        digits = _digits(str(value))
        if digits is None:
            raise ValueError(_("Must be a whole number."))
        number = int(digits)
    if not low <= number <= high:
        raise ValueError(_("Must be between %(low)d and %(high)d.", low=low, high=high))
    return number


def decimal_number(
    value: Any,
    *,
    maximum: Decimal,
    places: int = 2,
    positive: bool = True,
    message: str | None = None,
) -> Decimal:
    """A decimal with at most `places` places, up to `maximum` (greater than zero when
    `positive`, else not negative), from text, an int or a Decimal; ValueError with the
    reason. "1e5", "NaN" and numbers longer than MAX_NUMBER_TEXT characters are refused."""
    invalid = message or _("Must be a number, e.g. 30.50.")
    if isinstance(value, bool):
        raise ValueError(invalid)
    if isinstance(value, Decimal):
        number = value
    else:
        text = str(value).strip().replace(",", "")
        if len(text) > MAX_NUMBER_TEXT or not re.fullmatch(
            r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)", text
        ):
            raise ValueError(invalid)
        number = Decimal(text)
    if not number.is_finite():
        raise ValueError(invalid)
    if number > maximum:
        raise ValueError(_("At most %(n)s.", n=maximum))
    if positive and number <= 0:
        raise ValueError(_("Must be greater than zero."))
    if not positive and number < 0:
        raise ValueError(_("Must not be negative."))
    step = Decimal(1).scaleb(-places)
    try:
        exact = number == number.quantize(step)
    except InvalidOperation:  # far too many digits for the context's precision
        exact = False
    if not exact:
        raise ValueError(_("At most %(n)d decimals.", n=places))
    return number.quantize(step)


class IdConverter(IntegerConverter):
    """`<int:…>` in every URL rule of the app: ASCII digits from 1 up to MAX_ID by default (0
    or a larger number, which no id can be, matches no rule: 404); `max=` may narrow it."""

    regex = rf"[0-9]{{1,{MAX_NUMBER_TEXT}}}"

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = 1,
        max: int | None = MAX_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, max, signed)
        if max is not None and not fixed_digits and not signed:
            # The path itself must not match beyond `max`: a number refused only after
            # matching counts as a match of the rules of other methods, and the router
            # answers 405 (PATCH /parks/9999999999 beside GET /parks/<id>) instead of 404.
            self.regex = _at_most(max, positive=min is not None and min >= 1)


def _at_most(high: int, *, positive: bool = False) -> str:
    """A regular expression for the whole numbers 0 (1 when `positive`) … `high`, leading
    zeros allowed."""
    text = str(high)
    options = ["[0-9]" if len(text) > 1 else "0"]  # the shorter numbers, then as long
    if positive:
        options = ["[1-9]"] if len(text) > 1 else []
    options += [f"[1-9][0-9]{{{n - 1}}}" for n in range(2, len(text))]
    for i, digit in enumerate(text):
        low = 1 if i == 0 else 0
        if int(digit) > low:
            rest = len(text) - i - 1
            tail = f"[0-9]{{{rest}}}" if rest else ""
            options.append(f"{text[:i]}[{low}-{int(digit) - 1}]{tail}")
    options.append(text)
    return "0*(?:" + "|".join(options) + ")"


def init_app(app: Flask) -> None:
    """Bound `<int:…>` in URL rules; call before any rule is added (opc.core.init_app)."""
    app.url_map.converters["int"] = IdConverter


# --- query strings of pages ------------------------------------------------------------


def _refused(name: str, reason: str) -> ValidationFailed:
    return ValidationFailed(
        {name: [reason]},
        _("The filter %(name)s is not valid: %(reason)s", name=name, reason=reason),
    )


def arg_text(name: str, *, max_length: int = 200) -> str:
    """?name= as text ("" when absent), cut to `max_length`; 422 with control characters."""
    value = request.args.get(name, "")
    problem = text_problem(value)
    if problem:
        raise _refused(name, problem)
    return value[:max_length]


def arg_int(name: str, low: int = MIN_INT, high: int = MAX_INT) -> int | None:
    """?name= as a whole number; None when absent or not a number; 422 outside low … high."""
    raw = request.args.get(name, "").strip()
    if not re.fullmatch(r"[+-]?[0-9]+", raw):
        return None
    if len(raw) > MAX_NUMBER_TEXT or not low <= int(raw) <= high:
        raise _refused(name, _("Must be between %(low)d and %(high)d.", low=low, high=high))
    return int(raw)


def arg_id(name: str) -> int | None:
    """?name= as an id; None when absent or not a number; 422 beyond MAX_ID."""
    return arg_int(name, 1, MAX_ID)


def arg_date(name: str) -> date | None:
    """?name= as a day: ISO as a date input sends it, or as people type it where the browser
    gives a text box (opc.core.dates.parse_day); None when absent or not a date; 422 outside
    the calendar the app accepts (MIN_DATE … MAX_DATE)."""
    try:
        day = parse_day(request.args.get(name, ""))
    except ValueError:
        return None
    problem = date_problem(day)
    if problem:
        raise _refused(name, problem)
    return day


# --- JSON ------------------------------------------------------------------------------

# Strings (skipped whole, escapes included) and the brackets that open or close a level.
_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def json_too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether a JSON text nests arrays and objects deeper than `limit`, read on the raw
    bytes without parsing (a parser recurses per level: thousands of levels exhaust it)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False  # cannot be deeper than its brackets
    depth = 0
    for token in _JSON_TOKENS.finditer(body):
        bracket = token.group()
        if bracket in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif bracket in (b"]", b"}"):
            depth -= 1
    return False
