"""opc.core.values: the one home of the bounds every entry point holds input to (ids, whole
numbers, decimals, text without control characters, JSON depth), and the calendar of
opc.core.dates and the amounts of opc.core.money."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from opc.core.dates import MAX_DATE, MIN_DATE, check_dates, date_problem
from opc.core.errors import ValidationFailed
from opc.core.money import MAX_FEN, AmountTooLarge, parse_yuan
from opc.core.values import (
    MAX_ID,
    MAX_JSON_DEPTH,
    check_texts,
    clean_text,
    decimal_number,
    is_id,
    json_too_deep,
    parse_id,
    text_problem,
    whole_number,
)

CONTROLS = ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\x9f"]


@pytest.mark.parametrize("char", CONTROLS)
def test_control_characters_are_refused_in_any_text(char):
    assert text_problem(f"a{char}b")
    assert text_problem(f"a{char}b", multiline=True)
    with pytest.raises(ValueError, match=f"U\\+{ord(char):04X}"):
        clean_text(f"name{char}")


def test_line_breaks_and_tabs_only_in_multi_line_text():
    for char in "\t\n\r":
        assert text_problem(f"a{char}b") == "Must be on one line (no tabs or line breaks)."
        assert text_problem(f"a{char}b", multiline=True) is None


def test_a_lone_surrogate_is_no_text():
    assert text_problem("a\ud800b") == "Not valid text (a lone surrogate code point)."


def test_ordinary_text_passes_unchanged():
    for text in ("星云工作室", "Nebula Studio", "Zoë – “quoted” ½ €", "😀", ""):
        assert clean_text(text) == text


def test_check_texts_names_every_bad_field_and_leaves_the_rest(app):
    with app.test_request_context(), pytest.raises(ValidationFailed) as refused:
        check_texts({"a": "x\x00", "b": "fine", "c": "one\ntwo", "d": None, "e": 5})
    assert set(refused.value.fields) == {"a", "c"}
    with app.test_request_context():
        check_texts({"note": "one\ntwo"}, multiline={"note"})


@pytest.mark.parametrize(
    ("value", "ok"),
    [(1, True), (MAX_ID, True), (MAX_ID + 1, False), (0, False), (-1, False), (True, False)],
)
def test_ids_are_whole_numbers_up_to_postgresqls_integer(value, ok):
    assert is_id(value) is ok


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("42", 42),
        (" 7 ", 7),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("9" * 5000, None),  # refused before int() (which would raise for > 4300 digits)
        ("٣", None),  # a digit, but not ASCII
        ("1_000", None),
        ("0", None),
        ("-3", None),
        ("x", None),
    ],
)
def test_parse_id(text, expected):
    assert parse_id(text) == expected


def test_whole_number_bounds_and_refuses_huge_text(app):
    with app.test_request_context():
        assert whole_number("12", 0, 20) == 12
        for bad in ("21", "1e3", "9" * 5000, True, "2.0"):
            with pytest.raises(ValueError):
                whole_number(bad, 0, 20)


@pytest.mark.parametrize(
    "text", ["1e999999", "1E+10", "9" * 5000, "NaN", "Infinity", "-Infinity", "0x10", "1..2"]
)
def test_decimal_number_refuses_exponents_huge_and_special_values(app, text):
    with app.test_request_context(), pytest.raises(ValueError):
        decimal_number(text, maximum=Decimal("99999999.99"))


def test_decimal_number_reads_and_bounds(app):
    with app.test_request_context():
        assert decimal_number("1,234.5", maximum=Decimal("9999.99")) == Decimal("1234.50")
        assert decimal_number(Decimal("0.01"), maximum=Decimal("1")) == Decimal("0.01")
        for bad, reason in (
            ("10000", "At most 9999.99."),
            ("0", "Must be greater than zero."),
            ("1.001", "At most 2 decimals."),
            (Decimal("1E+999999"), "At most 9999.99."),
            (Decimal("1E-999999"), "At most 2 decimals."),
        ):
            with pytest.raises(ValueError, match=reason.replace(".", r"\.")):
                decimal_number(bad, maximum=Decimal("9999.99"))


def test_amounts_are_bounded_and_huge_text_is_no_amount():
    assert parse_yuan("999999999999999.99") == MAX_FEN
    with pytest.raises(AmountTooLarge):
        parse_yuan("1000000000000000")
    with pytest.raises(AmountTooLarge):
        parse_yuan(Decimal("1E+999999"))
    for bad in ("9" * 5000, "1e999999", "1" * 41):
        with pytest.raises(ValueError):
            parse_yuan(bad)


def test_the_calendar_is_one_pair_of_dates(app):
    assert (date(1900, 1, 1), date(2200, 12, 31)) == (MIN_DATE, MAX_DATE)
    with app.test_request_context():
        assert date_problem(MIN_DATE) is None and date_problem(MAX_DATE) is None
        for day in (date(1, 1, 1), date(1899, 12, 31), date(2201, 1, 1), date(9999, 12, 31)):
            assert date_problem(day) == "Dates from 1 Jan 1900 to 31 Dec 2200 only."
        with pytest.raises(ValidationFailed) as refused:
            check_dates(start=date(1, 1, 1), end=None, on=date(2026, 3, 1))
        assert set(refused.value.fields) == {"start"}


def test_json_depth_is_read_without_parsing():
    assert not json_too_deep(json.dumps({"records": [{"a": [1, 2, {"b": "]]]"}]}]}).encode())
    at_limit = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert not json_too_deep(at_limit.encode())
    assert json_too_deep(("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)).encode())
    assert json_too_deep(b'{"a":' * 100_000)  # a parser would recurse 100,000 times
    # brackets inside strings (escaped quotes too) are text, not levels
    assert not json_too_deep(json.dumps({"x": "[" * 1000 + '\\"' + "{" * 1000}).encode())


def test_the_url_converter_stops_at_the_largest_id(app):
    client = app.test_client()
    for path in (f"/teams/{MAX_ID + 1}", "/units/" + "9" * 50, f"/api/v1/teams/{2**64}"):
        assert client.get(path).status_code == 404, path
    assert client.get(f"/teams/{MAX_ID}").status_code == 302  # a real id: the login first
