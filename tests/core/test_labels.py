"""Labels for people in both languages: the system as the one who made a change, timezones,
API token scopes."""

from __future__ import annotations

import re

import pytest

from opc.core.zones import zone_label
from tests.core.helpers import post_form, text

EN, ZH = {"Accept-Language": "en"}, {"Accept-Language": "zh-CN"}


@pytest.mark.parametrize(("headers", "system"), [(EN, "System"), (ZH, "系统")])
def test_a_change_made_by_nobody_is_the_systems(app, client, make, as_user, headers, system):
    park = make.park()
    as_user("staff", parks=[park])
    apply = {
        "park_id": park.id,
        "name_zh": "未来剧场",
        "track": "aigc_film",
        "kind": "solo",
        "contact_name": "王导",
        "contact_email": "wang@example.cn",
    }
    assert post_form(app.test_client(), "/apply", apply).status_code == 302  # by nobody
    team_id = int(re.search(r'data-team="(\d+)"', text(client.get("/teams/"))).group(1))

    html = text(client.get(f"/teams/{team_id}", headers=headers))

    assert re.search(rf"<td>{system}</td>", html)


@pytest.mark.parametrize(
    ("lang", "zone", "label"),
    [
        ("en", "Asia/Shanghai", "China (Shanghai) Time"),
        ("zh", "Asia/Shanghai", "中国（上海）时间"),
        ("zh", "Asia/Urumqi", "中国（乌鲁木齐）时间"),
        ("en", "UTC", "Coordinated Universal Time (UTC)"),
        ("zh", "UTC", "协调世界时（UTC）"),
        ("en", "Not/AZone", "Not/AZone"),
    ],
)
def test_timezones_are_named_for_people(app, lang, zone, label):
    with app.test_request_context(headers={"Accept-Language": lang}):
        assert zone_label(zone) == label


@pytest.mark.parametrize(("headers", "label"), [(EN, "Read only"), (ZH, "只读")])
def test_token_scopes_are_labelled(client, make, as_user, headers, label):
    user = as_user("staff")
    make.token(user, scope="read")

    html = text(client.get("/account", headers=headers))

    assert f"<td>{label}</td>" in html
    assert re.search(rf'<option value="read">{label}</option>', html)
