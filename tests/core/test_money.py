"""Money is exact: integer fen inside, decimal yuan strings at the edges, half-up to the fen."""

from __future__ import annotations

from decimal import Decimal

import pytest

from opc.core.money import format_money, parse_yuan, round_fen, yuan_str


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("1234.50", 123450),
        ("1234.5", 123450),
        ("1234", 123400),
        ("1,234.56", 123456),
        ("1,234,567.89", 123456789),
        ("0.01", 1),
        ("0.1", 10),
        (".5", 50),
        ("-5", -500),
        ("-0.05", -5),
        ("+7.00", 700),
        ("  12.30 ", 1230),
        ("1.100", 110),  # trailing zeros are still whole fen
        ("１２３４．５", 123450),  # full-width digits, as Chinese input methods type them
        ("3000000000", 300000000000),  # the 3-billion-yuan fund, exactly
        ("12345678901234.56", 1234567890123456),  # far beyond a float's exact digits
        (Decimal("2.68"), 268),
        (Decimal("-0.5"), -50),
        (42, 4200),
    ],
)
def test_parse_yuan_is_exact(text, fen):
    result = parse_yuan(text)
    assert result == fen
    assert type(result) is int


def test_parse_yuan_adds_up_where_floats_do_not():
    assert 0.1 + 0.2 != 0.3
    assert parse_yuan("0.1") + parse_yuan("0.2") == parse_yuan("0.3")


@pytest.mark.parametrize(
    "text", ["1.234", "0.001", "2.675", "-1.005", "1,234.567", Decimal("0.125"), Decimal("1E-3")]
)
def test_parse_yuan_refuses_a_third_decimal(text):
    with pytest.raises(ValueError, match="two decimals"):
        parse_yuan(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "abc",
        "12abc",
        "¥-",
        "1.2.3",
        "1 2",
        "1,2,3",  # not thousands
        "12,34",
        "1_000",  # Python's digit separators are not people's
        "1e3",  # nor is scientific notation
        "0x10",
        "-",
        ".",
        "--5",
    ],
)
def test_parse_yuan_refuses_garbage(text):
    with pytest.raises(ValueError, match="not an amount"):
        parse_yuan(text)


@pytest.mark.parametrize(
    "text",
    ["NaN", "nan", "-NaN", "sNaN", "Infinity", "-Infinity", "inf", Decimal("NaN"), Decimal("Inf")],
)
def test_parse_yuan_refuses_nan_and_infinity(text):
    with pytest.raises(ValueError, match="not an amount"):
        parse_yuan(text)


@pytest.mark.parametrize("value", [0.1, 2.675, True, None, [1]])
def test_parse_yuan_refuses_floats_and_other_types(value):
    with pytest.raises(ValueError):
        parse_yuan(value)


@pytest.mark.parametrize(
    ("yuan", "fen"),
    [
        ("0.005", 1),  # half a fen rounds up
        ("0.004", 0),
        ("0.0049999", 0),
        ("2.675", 268),  # a float would say 2.67499999… and round down
        ("2.665", 267),  # half-up, not banker's rounding (which gives 266)
        ("2.685", 269),
        ("1.2345", 123),
        ("-0.005", -1),  # half away from zero
        ("-2.675", -268),
        ("100", 10000),
        ("0", 0),
    ],
)
def test_round_fen_is_half_up(yuan, fen):
    assert round_fen(Decimal(yuan)) == fen


def test_round_fen_of_a_prorated_rent():
    # 31 days' rent of 8,000.00 for 17 days: 4387.0967… -> 4387.10
    assert round_fen(Decimal("8000.00") * 17 / 31) == 438710


def test_round_fen_refuses_a_float():
    with pytest.raises(TypeError):
        round_fen(2.675)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (123450, "1234.50"),
        (0, "0.00"),
        (5, "0.05"),
        (50, "0.50"),
        (100, "1.00"),
        (-5, "-0.05"),
        (-123450, "-1234.50"),
        (300000000000, "3000000000.00"),
    ],
)
def test_yuan_str(fen, text):
    assert yuan_str(fen) == text


@pytest.mark.parametrize("fen", [0, 1, -1, 99, 100, -101, 123456789, 10**15 + 7])
def test_yuan_str_and_parse_yuan_round_trip(fen):
    assert parse_yuan(yuan_str(fen)) == fen


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (123450, "¥1,234.50"),
        (0, "¥0.00"),
        (7, "¥0.07"),
        (100000, "¥1,000.00"),
        (99999, "¥999.99"),
        (123456789, "¥1,234,567.89"),
        (300000000000, "¥3,000,000,000.00"),
        (-123450, "-¥1,234.50"),
        (-5, "-¥0.05"),
        (None, "—"),
    ],
)
def test_format_money(fen, text):
    assert format_money(fen) == text


def test_format_money_reads_back():
    assert parse_yuan(format_money(-123456).replace("¥", "")) == -123456
