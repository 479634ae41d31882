"""A team's founding date (the Torch survey's 注册时间): set by staff on the form, through the
API (POST, PATCH, GET as `founded_on`) and the CSV import, shown on the team's page; never
in the future (the park's today), never malformed, and a refusal writes nothing."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest

from opc.core.dates import local_today
from opc.teams.models import Team
from tests.core.helpers import error_of, post_form
from tests.teams.helpers import count, one, rows

EN = {"Accept-Language": "en"}


def tomorrow() -> str:
    return (local_today("Asia/Shanghai") + timedelta(days=1)).isoformat()


def test_the_api_takes_and_answers_the_founding_date(app, make, api):
    park = make.park()
    client = api(make.user("staff", parks=[park]))
    body = {"park_id": park.id, "name_zh": "星云", "track": "vfx", "founded_on": "2024-11-08"}
    created = client.post("/teams", json=body)
    assert created.status_code == 201, created.get_json()
    team_id = created.get_json()["id"]
    assert client.get(f"/teams/{team_id}").get_json()["founded_on"] == "2024-11-08"
    changed = client.patch(f"/teams/{team_id}", json={"founded_on": "2023-01-02"})
    assert changed.get_json()["founded_on"] == "2023-01-02"
    assert one(app, Team, team_id).founded_on == date(2023, 1, 2)
    cleared = client.patch(f"/teams/{team_id}", json={"founded_on": None})
    assert cleared.status_code == 200 and cleared.get_json()["founded_on"] is None


@pytest.mark.parametrize("value", ["tomorrow", "2024-13-01", "20241108", "1899-12-31"])
def test_the_api_refuses_a_bad_or_future_founding_date(app, make, api, value):
    park = make.park()
    team = make.team(park, founded_on=date(2020, 5, 1))
    client = api(make.user("staff", parks=[park]))
    value = tomorrow() if value == "tomorrow" else value
    body = {"park_id": park.id, "name_zh": "新队", "track": "vfx", "founded_on": value}
    refused = client.post("/teams", json=body)
    assert refused.status_code == 422 and list(error_of(refused)["fields"]) == ["founded_on"]
    assert count(app, Team) == 1
    patched = client.patch(f"/teams/{team.id}", json={"founded_on": value})
    assert patched.status_code == 422 and list(error_of(patched)["fields"]) == ["founded_on"]
    assert one(app, Team, team.id).founded_on == date(2020, 5, 1)


def test_the_form_sets_it_the_page_shows_it_and_a_future_day_keeps_the_input(
    app, client, make, as_user
):
    park = make.park()
    team = make.team(park, name_zh="原名")
    as_user("staff", parks=[park])
    values = {"name_zh": "原名", "track": "vfx", "kind": "company"}
    refused = post_form(client, f"/teams/{team.id}/edit", {**values, "founded_on": tomorrow()})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "may not be in the future" in html and f'value="{tomorrow()}"' in html
    assert one(app, Team, team.id).founded_on is None
    saved = post_form(client, f"/teams/{team.id}/edit", {**values, "founded_on": "2024-11-08"})
    assert saved.status_code == 302
    assert one(app, Team, team.id).founded_on == date(2024, 11, 8)
    assert "8 Nov 2024" in client.get(f"/teams/{team.id}", headers=EN).get_data(as_text=True)


def test_the_csv_import_takes_a_founding_date_column(app, make, api):
    park = make.park()
    client = api(make.user("staff", parks=[park]))

    def send(text: str):
        data = {"park_id": str(park.id), "file": (io.BytesIO(text.encode()), "t.csv")}
        return client.post("/teams/import", data=data, content_type="multipart/form-data")

    bad = f"name_zh,track,kind,founded_on\n甲,vfx,company,2024/11/8\n乙,vfx,company,{tomorrow()}\n"
    refused = send(bad)
    assert refused.status_code == 422
    assert [(r["row"], r["column"]) for r in error_of(refused)["fields"]["rows"]] == [
        (3, "founded_on")
    ]
    assert count(app, Team) == 0
    good = send("name_zh,track,kind,founded_on\n甲,vfx,company,2024/11/8\n乙,vfx,solo,\n")
    assert good.status_code == 201, good.get_json()
    founded = {t.name_zh: t.founded_on for t in rows(app, Team)}
    assert founded == {"甲": date(2024, 11, 8), "乙": None}
