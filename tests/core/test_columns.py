"""opc.core.columns: a choice takes its codes and its labels in every language, ignoring case,
width and spaces; an alias two codes share is no value; cleaners of what pages show."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from opc.core.columns import Choice, Column, Sheet, date_text, fold, number_text
from opc.core.csvio import ImportErrors
from opc.teams.labels import KINDS, TRACKS


def test_fold_ignores_case_width_and_spaces():
    assert fold(" ＡＩＧＣ 影视 ") == fold("aigc影视") == "aigc影视"
    assert fold("个人（超级个体）") == "个人(超级个体)"


def test_a_choice_takes_codes_and_labels_in_both_languages(ctx):
    track = Choice.of(TRACKS)
    for written in (
        "aigc_film",
        "AIGC_FILM",
        "AIGC 影视",
        "aigc影视",
        "AIGC film",
        "ａｉｇｃ film",
    ):
        assert track.parse(written) == "aigc_film", written
    kind = Choice.of(KINDS)
    assert kind.parse("个人") == kind.parse("个人（超级个体）") == kind.parse("Solo") == "solo"
    assert kind.parse("") == ""
    assert kind.parse("企业（公司）") is None and kind.parse("cooking") is None


def test_an_alias_shared_by_two_codes_is_no_value(ctx):
    labels = {"a": _l("Office"), "b": _l("Office (shared)"), "office": _l("Lab")}
    choice = Choice.of(labels)
    assert choice.parse("Office (shared)") == "b"
    # "Office" is a's label and b's label without its gloss: not guessed.
    assert choice.parse("Office") == "office"  # a code wins over a shared label
    assert Choice.of({"a": _l("Office"), "b": _l("Office (shared)")}).parse("Office") is None


def test_allowed_values_are_listed_in_the_page_language(ctx):
    kind = Choice.of(KINDS)
    with force_locale("zh"):
        assert kind.allowed() == "个人（超级个体）（solo）、企业（company）"
    with force_locale("en"):
        assert kind.allowed() == "Solo (super-individual) (solo), Company (company)"


def test_a_sheet_reads_headers_and_values_in_either_language(ctx):
    sheet = Sheet(
        Column("name", _l("Name (Chinese)"), required=True),
        Column("kind", _l("Kind"), choice=Choice.of(KINDS)),
        Column("since", _l("Since"), clean=date_text),
    )
    errors = ImportErrors()
    data = "中文名称,Kind,状态起始日\n甲,企业,2025/3/1\n乙,团体,\n".encode()
    assert sheet.read(data, errors) == [
        (2, {"name": "甲", "kind": "company", "since": "2025-03-01"})
    ]
    (problem,) = errors.errors
    assert (problem.row, problem.column) == (3, "Kind")


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("2025/3/1", "2025-03-01"),
        ("2025-03-01", "2025-03-01"),
        ("2025年3月1日", "2025-03-01"),
        ("2025.12.31", "2025-12-31"),
        ("3/1/2025", "3/1/2025"),
        ("", ""),
    ],
)
def test_dates_as_spreadsheets_write_them(written, iso):
    assert date_text(written) == iso


def test_numbers_lose_their_units():
    clean = number_text("¥", "元", "m²")
    assert clean("¥80.00") == "80.00" and clean("80元") == "80" and clean("30 m²") == "30"
    assert clean("80") == "80" and clean("abc") == "abc"
