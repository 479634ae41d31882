"""What domains above add to the team pages, so that teams never import them.

A *section* is a card on a team's page (opc.space adds the team's space); a *facet* is a
filter and a column of the staff's team list (opc.space adds the floor, "has space" and
the units held today); a *note* is what a choice of teams says of each beside its name
(opc.space: whether it holds space, opc.teams.choices). Each registers from its init_app;
the pages show them in order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import LazyString
from sqlalchemy import Select

from opc.teams.models import Team


@dataclass(frozen=True)
class Section:
    """A card on a team's page: `context(team, user)` gives the template's values, or None
    when the card has nothing to show this user."""

    name: str
    template: str
    context: Callable[[Team, Any], Mapping[str, Any] | None]
    order: int = 50


@dataclass(frozen=True)
class Filter:
    """A filter of the team list: its query parameter, label and choices by park ids;
    `narrow(stmt, value, day)` applies a chosen value (already one of the choices)."""

    param: str
    label: LazyString
    choices: Callable[[list[int]], Mapping[str, str]]
    narrow: Callable[[Select[Any], str, date], Select[Any]]


@dataclass(frozen=True)
class Column:
    """A column of the team list: `values(teams)` gives each shown team's cell: text, or a
    day (shown in the page's language, exported as a date)."""

    label: LazyString
    values: Callable[[list[Team]], Mapping[int, str | date]]


# A note on teams in a choice: `note(teams)` gives the note of each team it has one for.
Note = Callable[[list[Team]], Mapping[int, str]]


@dataclass
class Contributions:
    sections: list[Section] = field(default_factory=list)
    filters: list[Filter] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


CONTRIBUTIONS = Contributions()


def add_section(section: Section) -> None:
    """Add a card to the team page (idempotent per name)."""
    if all(s.name != section.name for s in CONTRIBUTIONS.sections):
        CONTRIBUTIONS.sections.append(section)
        CONTRIBUTIONS.sections.sort(key=lambda s: s.order)


def add_facet(filters: list[Filter], column: Column | None = None) -> None:
    """Add filters (and a column) to the team list (idempotent per parameter)."""
    known = {f.param for f in CONTRIBUTIONS.filters}
    if any(f.param in known for f in filters):
        return
    CONTRIBUTIONS.filters.extend(filters)
    if column is not None:
        CONTRIBUTIONS.columns.append(column)


def add_column(column: Column) -> None:
    """Add a column to the team list (and its export) without a filter (idempotent)."""
    if all(c.label != column.label for c in CONTRIBUTIONS.columns):
        CONTRIBUTIONS.columns.append(column)


def add_note(note: Note) -> None:
    """Add a note to every choice of teams (idempotent)."""
    if note not in CONTRIBUTIONS.notes:
        CONTRIBUTIONS.notes.append(note)


def sections_for(team: Team, user: Any) -> list[tuple[Section, Mapping[str, Any]]]:
    """The cards of this team's page that have something for this user."""
    shown = []
    for section in CONTRIBUTIONS.sections:
        values = section.context(team, user)
        if values is not None:
            shown.append((section, values))
    return shown


# --- What's due: the first card of a member's team home ----------------------------------

OVERDUE, SOON, LATER = "overdue", "soon", "later"  # a due item's urgency, most urgent first
_URGENCY = {OVERDUE: 0, SOON: 1, LATER: 2}
NOTIFICATIONS_SHOWN = 3  # the latest notifications on the team home


@dataclass(frozen=True)
class DueItem:
    """One thing the team owes or must do: `kind` names the domain's thing (Rent, Fund
    call…), `text` says what, `url` where to do it; `due` the day it is due (None: no date,
    listed last), `amount_fen` what it costs or is left, `urgency` one of OVERDUE, SOON,
    LATER."""

    kind: str
    text: str
    url: str
    due: date | None = None
    amount_fen: int | None = None
    urgency: str = LATER


# What a domain says is due: `due(team, user, today)` with `today` the park's date; its own
# few bounded queries, never one per item; [] when nothing (or nothing this user may see).
Due = Callable[[Team, Any, date], list[DueItem]]

_due: dict[str, Due] = {}


def add_due(name: str, due: Due) -> None:
    """Add a domain's due items to the team home (registering a name again replaces it)."""
    _due[name] = due


def _order(item: DueItem) -> tuple[int, date, int, str]:
    """By date (undated last), then the most urgent, then by kind."""
    return (item.due is None, item.due or date.max, _URGENCY.get(item.urgency, 9), item.kind)


def due_for(team: Team, user: Any, today: date) -> list[DueItem]:
    """Everything due for the team, from every domain, soonest first."""
    items = [item for due in _due.values() for item in due(team, user, today)]
    return sorted(items, key=_order)
