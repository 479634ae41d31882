"""The shared list of skills: everyone in the directory reads it; admins add to it (a new,
unique code); nobody else does, and a refusal writes nothing."""

from __future__ import annotations

from opc.directory.models import Skill
from tests.core.helpers import error_of, post_form, rows, text
from tests.directory.helpers import add_skills

NEW = {"code": "puppetry", "name_zh": "木偶戏", "name_en": "puppetry"}


def test_admins_add_a_skill_and_members_read_it(app, api, make):
    add_skills(app)
    created = api(make.user("admin")).post("/skills", json=NEW)
    assert created.status_code == 201 and created.get_json()["code"] == "puppetry"
    member = make.user("member", team=make.team(status="resident"))
    codes = [s["code"] for s in api(member).get("/skills?per_page=100").get_json()["items"]]
    assert codes[-1] == "puppetry" and "motion_capture" in codes


def test_a_taken_code_is_a_409_and_a_bad_one_a_422(app, api, make):
    admin = make.user("admin")
    assert api(admin).post("/skills", json=NEW).status_code == 201
    taken = api(admin).post("/skills", json=NEW)
    assert taken.status_code == 409 and error_of(taken)["code"] == "skill_code_taken"
    assert api(admin).post("/skills", json={**NEW, "code": "Bad Code"}).status_code == 422
    assert len(rows(app, Skill)) == 1


def test_staff_may_not_add_skills(app, api, make, client, as_user):
    assert api(make.user("staff")).post("/skills", json=NEW).status_code == 403
    as_user("staff")
    assert client.get("/directory/skills").status_code == 403
    assert rows(app, Skill) == []


def test_the_admin_page_adds_a_skill_and_keeps_input_on_error(app, client, as_user):
    as_user("admin")
    refused = post_form(client, "/directory/skills", {**NEW, "name_en": ""})
    assert refused.status_code == 422 and "木偶戏" in text(refused)
    assert rows(app, Skill) == []
    assert post_form(client, "/directory/skills", NEW).status_code == 302
    assert [s.code for s in rows(app, Skill)] == ["puppetry"]
