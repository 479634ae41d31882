"""The columns of a CSV import as staff write them: headers and values in either language.

A `Sheet` is an import's columns. A header may be written as its code (`track`) or as its
label in any of the app's languages ("赛道", "Track"); a `Choice` column takes a value's
code or its label in any language ("AIGC 影视", "AIGC film", "aigc_film"). Matching ignores
case, width (full-width letters and brackets, NFKC) and spaces, and a label with a gloss in
brackets is taken without it too ("个人（超级个体）" or "个人"), unless that is ambiguous.
A column may also `clean` a value first (a floor written "2 层", an area "30 m²").

The template's headers and example row are in the page's language, and `describe()` lists
each column with its allowed values, for the import page. Problems name the row, the
column as the file wrote it, and for a choice the allowed values. Every import (teams,
units, and every later one) declares its columns here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from opc.core.csvio import ImportErrors, read_all, template

_GLOSS = re.compile(r"^(.+?)\(.*\)$")


def fold(text: str) -> str:
    """A value or header reduced to what identifies it: NFKC (full-width letters and
    brackets as ASCII), case-folded, without spaces."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def _aliases(text: str) -> set[str]:
    """The folded text, and without a trailing gloss in brackets ("个人(超级个体)" -> "个人")."""
    folded = fold(text)
    found = {folded} if folded else set()
    if match := _GLOSS.match(folded):
        found.add(match.group(1))
    return found


def _languages() -> list[str]:
    return list(current_app.config["LANGUAGES"])


def _table(names: Mapping[str, Callable[[], Any]]) -> dict[str, str]:
    """Folded alias -> code, over the codes and their labels in every language. An alias
    two codes share is dropped (unless it is one's own code), so nothing is guessed."""
    exact: dict[str, str] = {fold(code): code for code in names}
    seen: dict[str, set[str]] = {}
    for language in _languages():
        with force_locale(language):
            for code, label in names.items():
                for alias in _aliases(str(label())):
                    seen.setdefault(alias, set()).add(code)
    table = {alias: next(iter(codes)) for alias, codes in seen.items() if len(codes) == 1}
    table.update(exact)
    return table


def listed(items: Iterable[str]) -> str:
    """Items joined as a list in the page's language ("a, b" / "a、b")."""
    return _(", ").join(items)


class Choice:
    """The values a column may take: codes, each named by `label(code)` in the page's
    language (a domain's label function, or `Choice.of(mapping)`)."""

    def __init__(self, codes: Iterable[str], label: Callable[[str], Any]) -> None:
        self.codes = tuple(str(c) for c in codes)
        self.label = label

    @classmethod
    def of(cls, labels: Mapping[str, Any]) -> Choice:
        """A choice of a domain's {code: lazy label}."""
        return cls(labels, lambda code: labels[code])

    def options(self) -> list[tuple[str, str]]:
        """(code, label) of each value, in the page's language."""
        return [(code, str(self.label(code))) for code in self.codes]

    def allowed(self) -> str:
        """The allowed values for a message: "AIGC 影视（aigc_film）、…"."""
        return listed(_("%(label)s (%(code)s)", label=lbl, code=c) for c, lbl in self.options())

    def parse(self, text: str) -> str | None:
        """The code a cell means ("" for an empty cell), or None when it is none of them.

        The alias table depends on the catalogues only: built per call (a few dozen
        gettext lookups), so a catalogue reloaded in development is seen at once."""
        if not text.strip():
            return ""
        names = {code: (lambda code=code: self.label(code)) for code in self.codes}
        return _table(names).get(fold(text))


@dataclass(frozen=True)
class Column:
    """One column of an import: its key (the field it fills, also accepted as its header),
    its header for people, whether it is required, its choices, an example value (a code,
    for a choice), what the page says of its format, and a `clean` that turns what staff
    write into what the operation takes (a floor "2 层" into "2")."""

    key: str
    label: Any
    required: bool = False
    choice: Choice | None = None
    example: str = ""
    hint: Any = ""
    clean: Callable[[str], str] | None = None


@dataclass(frozen=True)
class ColumnHelp:
    """What the import page says of a column."""

    header: str
    key: str
    required: bool
    options: list[tuple[str, str]]
    hint: str


class Sheet:
    """The columns of an import, read, written as a template and described."""

    def __init__(self, *columns: Column) -> None:
        self.columns = columns
        self.by_key = {c.key: c for c in columns}

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns if c.required)

    @property
    def optional(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns if not c.required)

    def header_key(self, header: str) -> str:
        """The key a header written in the file stands for (itself when it is none)."""
        table = _table({c.key: (lambda c=c: c.label) for c in self.columns})
        return table.get(fold(header), header)

    def read(self, data: bytes, errors: ImportErrors) -> list[tuple[int, dict[str, str]]]:
        """The readable rows, {key: value}, choices as their codes and values cleaned.

        A row with a value that is none of its column's choices goes to `errors` (naming
        the row, the column as the file wrote it, and the allowed values) and is left out;
        a file that cannot be read raises ImportRejected (opc.core.csvio.read_all)."""
        table = _table({c.key: (lambda c=c: c.label) for c in self.columns})
        rows = read_all(
            data,
            self.required,
            self.optional,
            errors,
            rename=lambda header: table.get(fold(header), header),
            headers={c.key: str(c.label) for c in self.columns},
        )
        good: list[tuple[int, dict[str, str]]] = []
        for number, row in rows:
            if self._convert(number, row, errors):
                good.append((number, row))
        return good

    def _convert(self, number: int, row: dict[str, str], errors: ImportErrors) -> bool:
        ok = True
        for key, text in row.items():
            column = self.by_key[key]
            if column.clean is not None and text:
                row[key] = text = column.clean(text)
            if column.choice is None:
                continue
            code = column.choice.parse(text)
            if code is None:
                reason = _(
                    "Unknown value “%(value)s”. Allowed: %(allowed)s.",
                    value=text[:60],
                    allowed=column.choice.allowed(),
                )
                errors.add(number, key, reason)
                ok = False
            else:
                row[key] = code
        return ok

    def template(self) -> bytes:
        """The downloadable template: headers and an example row in the page's language."""
        headers = tuple(str(c.label) for c in self.columns)
        example = tuple(
            str(c.choice.label(c.example)) if c.choice and c.example else c.example
            for c in self.columns
        )
        return template(headers, example)

    def describe(self) -> list[ColumnHelp]:
        """Each column for the import page: header, key, required, allowed values, format."""
        return [
            ColumnHelp(
                header=str(c.label),
                key=c.key,
                required=c.required,
                options=c.choice.options() if c.choice else [],
                hint=str(c.hint) if c.hint else "",
            )
            for c in self.columns
        ]


# --- cleaners for what pages show -----------------------------------------------------------

_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def date_text(text: str) -> str:
    """A date as spreadsheets and people write it ("2025/3/1", "2025年3月1日") as
    YYYY-MM-DD; anything else unchanged (the operation refuses it)."""
    match = _DATE.fullmatch(unicodedata.normalize("NFKC", text).strip())
    if match is None:
        return text
    year, month, day = match.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"


def number_text(*units: str) -> Callable[[str], str]:
    """A cleaner that drops a unit written before or after a number ("¥80.00", "30 m²",
    "30平方米"); the number itself is left to the operation's parser."""
    folded = sorted((fold(u) for u in units), key=len, reverse=True)

    def clean(text: str) -> str:
        value = fold(text)
        for unit in folded:
            if value.startswith(unit):
                value = value[len(unit) :]
            if value.endswith(unit):
                value = value[: -len(unit)]
        return value if value != fold(text) else text

    return clean
