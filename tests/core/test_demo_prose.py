"""The demo's team descriptions are written prose, in Chinese and in English: sentences that
name the team, in varied shapes, never "Nebula Studio: aigc film"."""

from __future__ import annotations

import re
from datetime import date

import pytest

from opc.demo.parks import plan_park
from opc.demo.specs import PARKS
from opc.teams.models import Track

TRACK_CODES = {t.value for t in Track}


@pytest.fixture(scope="module")
def teams():
    return [t.profile for spec in PARKS for t in plan_park(spec, date(2026, 12, 1), set()).teams]


def test_each_description_is_a_paragraph_in_each_language(teams):
    for team in teams:
        chinese, english = team.description.split("\n")
        assert team.name_zh in chinese and chinese.endswith("。")
        assert chinese.count("。") >= 2
        assert not re.search(r"[,;:.!?()]| ", chinese), chinese  # full-width, no stray spaces
        assert team.name_en in english and english.endswith(".")
        assert len(re.findall(r"[.!?](?: |$)", english)) >= 2, english
        assert english[0].isupper()
        assert not any(code in team.description for code in TRACK_CODES if "_" in code)
        assert f"{team.name_en}:" not in english and f"{team.name_zh}：" not in chinese


def test_descriptions_vary(teams):
    def shape(team):
        chinese = team.description.split("\n")[0]
        return chinese.replace(team.name_zh, "{name}")[:8]

    assert len({t.description for t in teams}) == len(teams)
    assert len({shape(t) for t in teams}) >= 5


def test_the_member_logins_team_reads_well(teams):
    [nebula] = [t for t in teams if t.name_zh == "星云工作室"]

    assert nebula.description.startswith("星云工作室")
    assert "Nebula Studio" in nebula.description.split("\n")[1]
