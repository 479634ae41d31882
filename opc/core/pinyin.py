"""Chinese names as staff type and sort them: toneless pinyin and its initials.

Lists and choices of teams and people are in pinyin order (星云 under x), and a search
matches the full pinyin ("xingyun") or the initials ("xygzs" finds 星云工作室), since that
is how staff type on a Chinese keyboard. Letters and digits that are not Chinese are kept
as written (lower-case), in both.
"""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin

_WORD = re.compile(r"[0-9a-z]+")


def pinyin_of(name: str) -> str:
    """Toneless lower-case pinyin without spaces: 星云工作室 -> xingyungongzuoshi."""
    return "".join("".join(lazy_pinyin(name or "")).lower().split())


def initials_of(name: str) -> str:
    """The first letter of each Chinese character's pinyin, other words kept whole:
    星云工作室 -> xygzs, AIGC影视工作室 -> aigcysgzs."""
    parts = lazy_pinyin(name or "", style=Style.FIRST_LETTER)
    return "".join(word for part in parts for word in _WORD.findall(part.lower()))


def sort_key(name: str) -> tuple[str, str]:
    """Pinyin order, the name itself breaking ties (同音 names stay apart and stable)."""
    return (pinyin_of(name), name or "")


def matches(query: str, name: str) -> bool:
    """Whether `name` matches what was typed: its text, its pinyin or its initials."""
    typed = "".join(query.lower().split())
    if not typed:
        return True
    if typed in "".join((name or "").lower().split()):
        return True
    return typed in pinyin_of(name) or typed in initials_of(name)
