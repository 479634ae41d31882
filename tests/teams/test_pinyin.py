"""Pinyin everywhere: search matches the initials as staff type them ("xygzs"), and every
choice of teams is in pinyin order and says whether the team holds space."""

from __future__ import annotations

import importlib.util
import re
from datetime import date
from pathlib import Path

from opc.core.pinyin import initials_of, matches, pinyin_of, sort_key
from opc.teams.models import Team
from tests.teams.helpers import post_form, rows

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh"}


def test_initials_and_pinyin():
    assert pinyin_of("星云工作室") == "xingyungongzuoshi"
    assert initials_of("星云工作室") == "xygzs"
    assert initials_of("AIGC影视工作室") == "aigcysgzs"
    assert initials_of("成都 Nebula 3号") == "cdnebula3h"
    assert matches("XYGZS", "星云工作室") and matches("xingyun", "星云工作室")
    assert matches("工作", "星云工作室") and not matches("hjyy", "星云工作室")
    assert sorted(["星云", "阿尔法", "幻境", "Beta"], key=sort_key) == [
        "阿尔法",
        "Beta",
        "幻境",
        "星云",
    ]


def test_search_finds_a_team_by_its_initials(client, make, as_user, app):
    park = make.park()
    make.team(park, name_zh="星云工作室", name_en="Nebula Studio")
    make.team(park, name_zh="幻境影业", name_en="Mirage Pictures")
    assert [t.name_initials for t in rows(app, Team, order_by=Team.id)] == ["xygzs", "hjyy"]
    as_user("staff", parks=[park])
    for q, found in [("xygzs", "星云工作室"), ("XY GZS", "星云工作室"), ("hjyy", "幻境影业")]:
        html = client.get("/teams/", query_string={"q": q}, headers=EN).get_data(as_text=True)
        assert found in html, q
        other = ({"星云工作室", "幻境影业"} - {found}).pop()
        assert other not in html, q


def test_a_renamed_team_is_found_by_its_new_initials(client, make, as_user):
    park = make.park()
    team = make.team(park, name_zh="星云工作室")
    as_user("staff", parks=[park])
    data = {"name_zh": "天枢智能", "track": "aigc_film", "kind": "company"}
    assert post_form(client, f"/teams/{team.id}/edit", data).status_code == 302
    assert "天枢智能" in client.get("/teams/?q=tszn").get_data(as_text=True)


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, name
    return [label.strip() for label in re.findall(r"<option[^>]*>([^<]*)</option>", select[1])]


def test_the_allocation_form_lists_teams_by_pinyin_saying_who_holds_space(client, make, as_user):
    park = make.park()
    held, free = make.unit(park, code="2-O01"), make.unit(park, code="2-O02")
    xingyun = make.team(park, name_zh="星云工作室", name_en="Nebula", status="resident")
    make.team(park, name_zh="阿尔法", name_en="Alpha", status="resident")
    make.team(park, name_zh="幻境影业", name_en="Mirage", status="resident")
    make.team(park, name_zh="白鹭", status="applicant")  # no space for applicants
    make.allocation(xingyun, held, date(2020, 1, 1))
    as_user("staff", parks=[park])
    html = client.get(f"/units/{free.id}", headers=ZH).get_data(as_text=True)
    assert _options(html, "team_id")[1:] == [
        "阿尔法（暂无空间）",
        "幻境影业（暂无空间）",
        "星云工作室（已有空间：2-O01）",
    ]
    html = client.get(f"/units/{free.id}", headers=EN).get_data(as_text=True)
    assert _options(html, "team_id")[1:] == [
        "Alpha (no space)",
        "Mirage (no space)",
        "Nebula (holds 2-O01)",
    ]


def test_rent_and_user_forms_list_teams_by_pinyin(client, make, as_user):
    park = make.park()
    make.team(park, name_zh="星云工作室", status="resident")
    make.team(park, name_zh="阿尔法", status="resident")
    as_user("admin")
    for page in (f"/parks/{park.id}/rent/waivers", f"/parks/{park.id}/rent/balances", "/users"):
        html = client.get(page, headers=ZH).get_data(as_text=True)
        teams = [o for o in _options(html, "team_id") if "（" in o]
        assert teams == ["阿尔法（暂无空间）", "星云工作室（暂无空间）"], page


def test_the_migration_computes_the_initials_as_the_model_does():
    path = Path(__file__).parents[2] / "migrations/versions/0012_search_keys.py"
    spec = importlib.util.spec_from_file_location("search_keys", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in ("星云工作室", "AIGC影视工作室", "成都 Nebula 3号", ""):
        assert module._initials(name) == initials_of(name)
