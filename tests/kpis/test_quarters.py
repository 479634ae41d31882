"""Quarters: written "2026-Q3", their days, the day their report is due, the one to file."""

from __future__ import annotations

from datetime import date

import pytest

from opc.kpis.quarters import Quarter, parse_or_none, to_file


def test_a_quarter_reads_and_writes_itself():
    q = Quarter.parse("2026-Q3")
    assert (q.year, q.quarter, str(q)) == (2026, 3, "2026-Q3")
    assert (q.start, q.end, q.due_on) == (date(2026, 7, 1), date(2026, 10, 1), date(2026, 10, 15))


def test_the_fourth_quarter_ends_and_falls_due_in_the_next_year():
    q = Quarter(2026, 4)
    assert (q.start, q.end, q.due_on) == (date(2026, 10, 1), date(2027, 1, 1), date(2027, 1, 15))
    assert q.next() == Quarter(2027, 1) and Quarter(2027, 1).previous() == q


@pytest.mark.parametrize(
    "text",
    ["2026-Q5", "2026-Q0", "2026Q3", "2026-q3", " 2026-Q3", "2026-Q3\n", "26-Q3", "1999-Q4",
     "2101-Q1", "２０２６-Q3", "2026-Q3\x00", "", "2026-03", None, 2026],
)  # fmt: skip
def test_anything_else_is_no_quarter(text):
    with pytest.raises(ValueError):
        Quarter.parse(text)
    assert parse_or_none(text if isinstance(text, str) else None) is None


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 10, 1), Quarter(2026, 3)),
        (date(2026, 9, 30), Quarter(2026, 2)),
        (date(2027, 1, 1), Quarter(2026, 4)),
        (date(2026, 3, 31), Quarter(2025, 4)),
    ],
)
def test_a_team_files_the_quarter_before_todays(today, expected):
    assert to_file(today) == expected


def test_quarters_order_by_time():
    assert sorted([Quarter(2026, 1), Quarter(2025, 4), Quarter(2026, 3)]) == [
        Quarter(2025, 4), Quarter(2026, 1), Quarter(2026, 3)
    ]  # fmt: skip


def test_the_label_is_in_the_readers_language(app):
    from flask_babel import force_locale

    with app.test_request_context():
        with force_locale("zh_CN"):
            assert Quarter(2026, 3).label == "2026年第3季度"
        with force_locale("en"):
            assert Quarter(2026, 3).label == "Q3 2026"
