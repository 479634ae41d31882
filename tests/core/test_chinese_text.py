"""Chinese text reads as Chinese: full-width punctuation in every translation that holds
Chinese (not ", " ": " "." ";" "()"), and no space between Chinese words and the names
put into them (团队星云工作室已添加, not 团队 星云工作室 已添加). Placeholders, addresses,
numbers and code that people type (headers, "12:100, 12:50") keep their ASCII."""

from __future__ import annotations

import re

from babel.messages.pofile import read_po

from tests.conftest import ROOT

CATALOGUE = ROOT / "opc/translations/zh/LC_MESSAGES/messages.po"
CJK = re.compile(r"[\u3400-\u9fff]")
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdfrxX]|%[sdf%]")
# What keeps its ASCII: links, e-mail addresses, numbers with separators or ratios, file
# names and codes (aigc_film, teams-template.csv, U+0000), HTTP headers (Content-Type: …),
# step schedules as typed (12:100, 12:50) and the ellipsis.
CODE = re.compile(
    r"https?://\S+"
    r"|[\w.+-]+@[\w.-]+"
    r"|\b[A-Z][A-Za-z-]+: [\w/<>\u3400-\u9fff-]+"
    r"|\d+:\d+(?:, \d+:\d+)*"
    r"|\b[A-Za-z0-9_]+(?:[.:/_+\-][A-Za-z0-9_]+)+\b"
    r"|\d+(?:[.,]\d+)+"
)
ASCII_PUNCTUATION = re.compile(r"[,;:!?()]|\.(?=\s|$|[\u3400-\u9fff])")
# Placeholders that stand for Chinese text (names of teams, parks, policies; labels of
# tracks and statuses): no space between them and the Chinese around them. (`programme`
# is a programme's code in some messages, its name in others: not checked.)
CHINESE_VALUED = r"(?:team|park|policy|track|status|kind|label|refusal|name)"
WIDE = r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef“”]"
SPACED_NAME = re.compile(rf"{WIDE} +%\({CHINESE_VALUED}\)s|%\({CHINESE_VALUED}\)s +{WIDE}")
# Messages where such a placeholder holds an ASCII word (a query parameter's name).
LATIN_VALUED = {"The filter %(name)s is not valid: %(reason)s"}


def translations():
    with CATALOGUE.open("rb") as f:
        catalogue = read_po(f, locale="zh")
    for message in catalogue:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            if text and CJK.search(text):
                yield msgid, text


def test_chinese_translations_use_full_width_punctuation():
    wrong = []
    for msgid, text in translations():
        rest = CODE.sub("x", PLACEHOLDER.sub("x", text))
        if found := ASCII_PUNCTUATION.findall(rest):
            wrong.append(f"{msgid!r}: {text!r} ({' '.join(found)})")
    assert not wrong, "ASCII punctuation in Chinese text:\n" + "\n".join(wrong)


def test_no_space_between_chinese_words_and_the_names_in_them():
    wrong = [
        f"{msgid!r}: {text!r}"
        for msgid, text in translations()
        if msgid not in LATIN_VALUED and SPACED_NAME.search(text)
    ]
    assert not wrong, "spaces around names in Chinese text:\n" + "\n".join(wrong)


def test_no_space_between_chinese_words():
    wrong = [
        f"{msgid!r}: {text!r}"
        for msgid, text in translations()
        if re.search(rf"{WIDE} +{WIDE}", text)
    ]
    assert not wrong, "\n".join(wrong)


def test_the_checks_catch_what_they_are_for():
    assert ASCII_PUNCTUATION.search(CODE.sub("x", PLACEHOLDER.sub("x", "团队已添加, 请查看.")))
    assert not ASCII_PUNCTUATION.search(
        CODE.sub(
            "x", PLACEHOLDER.sub("x", "请发送（Content-Type: application/json），例如 12.50。")
        )
    )
    assert SPACED_NAME.search("已将团队 %(name)s 添加为申请人。")
    assert not SPACED_NAME.search("%(unit)s 自 %(day)s 起空闲。")  # codes and dates: spaced
