"""The Chinese catalogue is complete and sound, and pages speak the session's language.

A fresh extraction of the source (the command CONTRIBUTING.md gives) must find every message
translated in zh/LC_MESSAGES/messages.po, so a new untranslated string fails here rather than
showing up in English on a Chinese page. The page checks also look for English words that
reach a Chinese page without going through the catalogue (bare text in a template).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from tests.conftest import ROOT, csrf_token, login

PO_FILE = ROOT / "opc" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def _read(path: Path) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh)


@pytest.fixture(scope="module")
def zh() -> Catalog:
    return _read(PO_FILE)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The messages of the source as it is now (pybabel extract, as CONTRIBUTING.md says)."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    command = [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg"]
    command += ["-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "."]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
    return _read(pot)


def _forms(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple | list) else [message.string]


def _ids(message: Message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple | list) else [message.id]


def _where(message: Message) -> str:
    return " ".join(f"{path}:{line}" for path, line in message.locations[:2])


# --- the catalogue ---------------------------------------------------------------------


def test_every_message_of_a_fresh_extraction_is_translated(extracted, zh):
    missing, untranslated, fuzzy = [], [], []
    for message in extracted:
        if not message.id:
            continue
        entry = zh.get(message.id)
        if entry is None:
            missing.append(f"{message.id!r} ({_where(message)})")
        elif entry.fuzzy:
            fuzzy.append(repr(message.id))
        elif not all(form.strip() for form in _forms(entry)):
            untranslated.append(f"{message.id!r} ({_where(message)})")
    hint = "run pybabel extract + update (CONTRIBUTING.md, i18n) and translate"
    assert not missing, f"not in the zh catalogue ({hint}): " + "; ".join(missing)
    assert not untranslated, f"no Chinese translation ({hint}): " + "; ".join(untranslated)
    assert not fuzzy, "fuzzy (unchecked) translations: " + "; ".join(fuzzy)


def test_the_catalogue_has_no_fuzzy_or_duplicate_entries():
    text = PO_FILE.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text.split("\n\n", 1)[1], "fuzzy entries are not used at runtime"
    # A msgid added twice by hand: read_po silently keeps the last one.
    ids = re.findall(r'^msgid ((?:".*"\n)+)', text, flags=re.MULTILINE)
    seen = [i for i in ids if i != '""\n']
    assert len(seen) == len(set(seen)), "duplicate msgids in messages.po"


def test_plural_entries_have_the_forms_of_the_language(zh):
    assert zh.num_plurals == 1  # Chinese: one form for every number
    for message in zh:
        if message.pluralizable:
            assert len(_forms(message)) == zh.num_plurals, message.id


def test_every_placeholder_of_the_msgid_is_in_the_translation(zh):
    wrong = []
    for message in zh:
        if not message.id:
            continue
        wanted = set().union(*(PLACEHOLDER.findall(i) for i in _ids(message)))
        for form in _forms(message):
            if set(PLACEHOLDER.findall(form)) != wanted:
                wrong.append(f"{message.id!r} -> {form!r}")
    assert not wrong, "placeholders differ: " + "; ".join(wrong)


def test_babel_finds_no_format_errors(zh):
    problems = [
        f"{message.id!r}: {'; '.join(str(e) for e in errors)}"
        for message, errors in zh.check()
        if errors
    ]
    assert not problems, problems


# --- pages in the session's language ---------------------------------------------------


class _Visible(HTMLParser):
    """The text people read: text nodes, a few attributes, and the labels of charts."""

    ATTRS = ("aria-label", "title", "placeholder", "alt", "data-confirm")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        values = dict(attrs)
        self.parts += [values[a] or "" for a in self.ATTRS if a in values]
        if tag == "input" and values.get("type") in ("submit", "button"):
            self.parts.append(values.get("value") or "")
        if values.get("data-series"):
            series = json.loads(values["data-series"] or "{}")
            self.parts += [str(label) for label in series.get("labels", [])]
            self.parts += [str(d.get("label", "")) for d in series.get("datasets", [])]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = _Visible()
    parser.feed(page)
    return " ".join(parser.parts)


# Words that stay as they are on a Chinese page: the product, the language switch, formats.
# Kept as they are: names, formats, and the terms Chinese offices write in Latin letters.
KEEP = {"OPC", "Ops", "English", "AIGC", "CSV", "XLSX", "API", "UTF", "BOM", "GB18030", "ID"}
KEEP |= {"KPI", "Webhook"}


def english_words(page: str, *data: str) -> set[str]:
    """Latin words on a page that are neither kept as they are nor the test's own data."""
    text = visible_text(page)
    for value in data:
        text = text.replace(value, " ")
    return {w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in KEEP}


def choose(client: Any, lang: str, path: str = "/login") -> None:
    """Pick the page language with the switch in the header (POST /lang)."""
    response = client.post(
        "/lang", data={"lang": lang, "csrf_token": csrf_token(client, path), "next": path}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(path)


def page(client: Any, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


@pytest.fixture
def park_with_teams(make: Any) -> Any:
    park = make.park(name_zh="成都科幻园", name_en="Chengdu Sci-Fi Hub", team_cap=10)
    resident = make.team(park, name_en="Nebula Studio", status="resident", track="aigc_film")
    make.team(park, name_en="Future Theatre", status="applicant", track="games")
    unit = make.unit(park, code="A101", floor=2)
    make.allocation(resident, unit, date(2020, 1, 1))
    return park


@pytest.fixture
def staff(as_user: Any, park_with_teams: Any) -> Any:
    return as_user("staff", parks=[park_with_teams])


def _pages(park: Any) -> dict[str, str]:
    """The staff pages checked, by the name of their expected words."""
    return {
        "dashboard": f"/parks/{park.id}",
        "teams": "/teams/",
        "occupancy": f"/parks/{park.id}/occupancy",
    }


def _data(staff: Any) -> tuple[str, ...]:
    """What a page shows in any language: the test's own names, e-mail and zone."""
    return (staff.name, staff.email, "Nebula Studio", "Future Theatre", "Asia/Shanghai")


CHINESE = {
    "/login": ["登录 OPC Ops", "电子邮箱", "密码"],
    "dashboard": ["关键指标", "剩余名额", "各状态团队", "已入驻", "数据看板", "园区工作人员"],
    "teams": ["等候名单", "新建团队", "赛道", "AIGC 影视", "申请人", "游戏"],
    "occupancy": ["占用率", "楼层视图", "按楼层", "已分配", "2 层", "空间单元"],
}
ENGLISH = {
    "/login": ["Log in to OPC Ops", "E-mail", "Password"],
    "dashboard": ["Key figures", "Free places", "Teams by status", "Resident", "Park staff"],
    "teams": ["Waitlist", "New team", "Track", "AIGC film", "Applicant", "Games"],
    "occupancy": ["Occupancy", "Floor view", "By floor", "Allocated", "Floor 2", "Units"],
}


def test_the_login_page_follows_the_switch(client):
    choose(client, "zh")
    html = page(client, "/login")
    assert '<html lang="zh-CN">' in html
    assert all(word in html for word in CHINESE["/login"])
    assert english_words(html) == set()
    choose(client, "en")
    html = page(client, "/login")
    assert '<html lang="en">' in html
    assert all(word in html for word in ENGLISH["/login"])
    assert "登录" not in visible_text(html).replace("中文", "")


def test_staff_pages_in_chinese(client, staff, park_with_teams):
    choose(client, "zh", f"/parks/{park_with_teams.id}")
    for name, path in _pages(park_with_teams).items():
        html = page(client, path)
        missing = [w for w in CHINESE[name] if w not in html]
        assert not missing, f"{path}: {missing}"
        leaked = english_words(html, *_data(staff))
        assert not leaked, f"{path} shows English on the Chinese page: {sorted(leaked)}"


def test_staff_pages_in_english(client, staff, park_with_teams):
    choose(client, "en", f"/parks/{park_with_teams.id}")
    for name, path in _pages(park_with_teams).items():
        html = page(client, path)
        missing = [w for w in ENGLISH[name] if w not in html]
        assert not missing, f"{path}: {missing}"
        shown = visible_text(html).replace("中文", "")
        assert not any(w in shown for w in CHINESE[name]), path


def test_the_session_language_wins_over_the_browser(client, staff, park_with_teams):
    path = f"/parks/{park_with_teams.id}"
    choose(client, "zh", path)
    html = client.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "剩余名额" in html and "Free places" not in html
    choose(client, "en", path)
    html = client.get(path, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "Free places" in html and "剩余名额" not in html


def test_the_language_outlives_logging_in_and_out(client, staff, park_with_teams):
    choose(client, "zh")
    assert login(client, staff.email).status_code == 302
    assert "剩余名额" in page(client, f"/parks/{park_with_teams.id}")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    html = client.get("/login").get_data(as_text=True)
    assert "您已退出登录。" in html and "登录 OPC Ops" in html


def test_an_unknown_language_is_ignored(client):
    choose(client, "zh")
    choose(client, "fr")
    assert "登录 OPC Ops" in page(client, "/login")


def test_role_names_are_translated(client, as_user, make):
    admin = as_user("admin")
    make.user("reviewer", email="expert@example.cn")
    choose(client, "zh", "/users")
    html = page(client, "/users")
    assert "(管理员)" in html  # the header
    assert "<td>评审专家</td>" in html  # the list
    assert ">服务商</option>" in html  # the form's choices
    assert english_words(html, admin.name, admin.email, "reviewer", "expert@example.cn") == set()
    choose(client, "en", "/users")
    html = page(client, "/users")
    assert "(Administrator)" in html and "<td>Reviewer</td>" in html


# --- money and dates -------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_money_shows_in_yuan_with_fen(client, as_user, make, lang):
    park = make.park()
    unit = make.unit(park, code="B201", rent_fen_per_m2=123450)
    as_user("staff", parks=[park])
    choose(client, lang, f"/units/{unit.id}")
    assert "¥1,234.50" in page(client, f"/units/{unit.id}")
    assert "¥1,234.50" in page(client, f"/parks/{park.id}/units")


def test_times_show_in_the_park_zone(client, as_user, make):
    """17:30 UTC is 23:30 the same day in Urumqi (UTC+6), 01:30 the next day in Shanghai."""
    park = make.park(timezone="Asia/Urumqi", team_cap=0)
    make.team(
        park,
        name_zh="候补团队",
        status="admitted",
        waitlisted_at=datetime(2026, 3, 1, 17, 30, tzinfo=UTC),
    )
    as_user("staff", parks=[park])
    choose(client, "zh", "/teams/waitlist")
    html = page(client, "/teams/waitlist")
    assert "候补团队" in html
    assert "2026年3月1日 23:30" in html
    assert "2026年3月2日 01:30" not in html
