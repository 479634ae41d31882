"""Choices of teams for the selects of every domain's forms: in pinyin order (as the team
list), each named in the page's language with what domains above note of it (opc.space:
whether it holds space today), so staff pick the team they mean."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from wtforms import SelectChoice

from opc.core.i18n import locale_code
from opc.core.pinyin import sort_key
from opc.teams.models import Team
from opc.teams.pages import CONTRIBUTIONS


def sorted_teams(teams: Iterable[Team]) -> list[Team]:
    """Teams in pinyin order of the name the page shows."""
    locale = locale_code()
    return sorted(teams, key=lambda t: (sort_key(t.display_name(locale)), t.id))


def team_label(team: Team, notes: list[str]) -> str:
    """星云工作室（已有空间：2-O01）"""
    name = team.display_name(locale_code())
    if not notes:
        return name
    return _("%(name)s (%(note)s)", name=name, note=_("; ").join(notes))


def team_choices(teams: Iterable[Team], blank: str | None = None) -> list[SelectChoice]:
    """The teams as choices in pinyin order, noted (one query per note for all of them);
    after a first empty choice labelled `blank` when given."""
    ordered = sorted_teams(teams)
    noted = [note(ordered) for note in CONTRIBUTIONS.notes] if ordered else []
    choices = [SelectChoice("", blank)] if blank is not None else []
    for team in ordered:
        notes = [n[team.id] for n in noted if team.id in n]
        choices.append(SelectChoice(team.id, team_label(team, notes)))
    return choices
