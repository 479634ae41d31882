"""The directory in words: outcomes' names, skills' names and why a match is one, in the
page's language ("Offers motion capture, which you need." / "提供动作捕捉，正是你们需要的。")."""

from __future__ import annotations

from collections.abc import Iterable

from babel.lists import format_list
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from opc.core.i18n import locale_code
from opc.directory.models import Skill
from opc.directory.queries import Match
from opc.teams.models import Team

OUTCOMES = {
    "met": _l("Met"),
    "collaborated": _l("Collaborated"),
    "no_fit": _l("No fit"),
}


def outcome_label(outcome: str | None) -> str:
    return str(OUTCOMES.get(outcome, outcome)) if outcome else _("Waiting for the outcome")


def skill_names(skills: Iterable[Skill]) -> str:
    """The skills' names as a list in the page's language: "voice and 3D assets", "配音和3D资产"."""
    locale = locale_code()
    names = [s.display_name(locale) for s in skills]
    return (
        format_list(names, locale="zh_Hans_CN" if locale.startswith("zh") else "en")
        if names
        else ""
    )


def explain(match: Match, team: Team, *, to_team: bool) -> str:
    """Why `match.team` is a match for `team`, addressed to the team's members (`to_team`)
    or to staff, who read it of the team."""
    skills = skill_names(match.shared)
    if to_team:
        text = _("Offers %(skills)s, which you need.", skills=skills)
        track = _("In your track, too.") if match.same_track else ""
    else:
        name = team.display_name(locale_code())
        text = _("Offers %(skills)s, which %(team)s needs.", skills=skills, team=name)
        track = _("In the same track, too.") if match.same_track else ""
    return f"{text}{'' if locale_code().startswith('zh') else ' '}{track}".strip()
