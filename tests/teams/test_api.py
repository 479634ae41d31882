"""/api/v1/teams: the same operations, with the API's status codes."""

from __future__ import annotations

import io

from opc.teams.models import Team
from tests.teams.helpers import VALID_USCC, count, one


def new_team(park, **kw):
    body = {"park_id": park.id, "name_zh": "星云工作室", "track": "aigc_film", "kind": "solo"}
    body.update(kw)
    return body


def test_create_get_and_list(app, api, make):
    park = make.park()
    staff = make.user("staff", parks=[park])
    client = api(staff)
    created = client.post("/teams", json=new_team(park, uscc=VALID_USCC.lower()))
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["status"] == "applicant" and body["park_id"] == park.id
    assert body["uscc"] == VALID_USCC and body["name_pinyin"] == "xingyungongzuoshi"
    assert client.get(f"/teams/{body['id']}").get_json()["name_zh"] == "星云工作室"
    page = client.get(f"/teams?park_id={park.id}&status=applicant&q=xingyun").get_json()
    assert page["total"] == 1 and page["items"][0]["id"] == body["id"]
    assert client.get("/teams?status=resident").get_json()["total"] == 0
    assert client.get("/teams?track=vfx").get_json()["total"] == 0


def test_bad_input(app, api, make):
    park = make.park()
    client = api(make.user("staff", parks=[park]))
    bad_code = client.post("/teams", json=new_team(park, uscc="91510100MA6CGUGA1X"))
    assert bad_code.status_code == 422
    assert "uscc" in bad_code.get_json()["error"]["fields"]
    assert client.post("/teams", json=new_team(park, track="cooking")).status_code == 422
    assert client.post("/teams", json=new_team(park, name_zh=5)).status_code == 400
    assert client.post("/teams", json=new_team(park, color="red")).status_code == 422
    assert client.get("/teams?status=famous").status_code == 422
    assert count(app, Team) == 0
    client.post("/teams", json=new_team(park))
    duplicate = client.post("/teams", json=new_team(park))
    assert duplicate.status_code == 409
    assert duplicate.get_json()["error"]["code"] == "team_name_taken"


def test_staff_cannot_create_in_a_park_they_do_not_run(app, api, make):
    mine, other = make.park(), make.park()
    client = api(make.user("staff", parks=[mine]))
    assert client.post("/teams", json=new_team(other)).status_code == 404
    assert count(app, Team) == 0


def test_transitions_and_history(app, api, make):
    park = make.park(team_cap=1)
    staff = make.user("staff", parks=[park])
    make.team(park, status="resident")
    team = make.team(park, status="applicant")
    client = api(staff)
    step = client.post(
        f"/teams/{team.id}/transitions", json={"to": "admitted", "on": "2026-03-01", "note": "ok"}
    )
    assert step.status_code == 201, step.get_json()
    assert step.get_json()["to_status"] == "admitted" and step.get_json()["actor_id"] == staff.id

    refused = client.post(f"/teams/{team.id}/transitions", json={"to": "graduated"})
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert error["code"] == "invalid_transition"
    assert error["conflict"]["from"] == "admitted" and error["conflict"]["to"] == "graduated"

    full = client.post(f"/teams/{team.id}/transitions", json={"to": "resident"})
    assert full.status_code == 409
    error = full.get_json()["error"]
    assert error["code"] == "team_cap_reached"
    assert error["conflict"]["park_id"] == park.id and error["conflict"]["team_cap"] == 1
    assert one(app, Team, team.id).waitlisted_at is not None

    history = client.get(f"/teams/{team.id}/history").get_json()
    assert [h["to_status"] for h in history["items"]] == ["admitted"]
    assert history["items"][0]["on"] == "2026-03-01"

    assert (
        client.post(f"/teams/{team.id}/transitions", json={"to": "exited", "note": 5}).status_code
        == 400
    )
    assert client.post(f"/teams/{team.id}/transitions", json={"to": "x"}).status_code == 422
    future = client.post(f"/teams/{team.id}/transitions", json={"to": "exited", "on": "2999-01-01"})
    assert future.status_code == 422


def test_patch(app, api, make):
    park = make.park()
    team = make.team(park)
    client = api(make.user("staff", parks=[park]))
    patched = client.patch(f"/teams/{team.id}", json={"name_en": "Nebula", "uscc": VALID_USCC})
    assert patched.status_code == 200 and patched.get_json()["name_en"] == "Nebula"
    assert client.patch(f"/teams/{team.id}", json={"status": "resident"}).status_code == 422
    assert client.patch(f"/teams/{team.id}", json={"uscc": "123"}).status_code == 422
    assert one(app, Team, team.id).status == "applicant"


def test_members_see_only_their_team(app, api, make):
    park = make.park()
    own, other = make.team(park), make.team(park)
    member = make.user("member", team=own)
    client = api(member)
    listing = client.get("/teams").get_json()
    assert [t["id"] for t in listing["items"]] == [own.id]
    assert client.get(f"/teams/{other.id}").status_code == 404
    assert client.get(f"/teams/{other.id}/history").status_code == 404
    assert client.get(f"/teams/{other.id}/members").status_code == 404
    assert client.patch(f"/teams/{other.id}", json={"name_en": "x"}).status_code == 404
    assert client.patch(f"/teams/{own.id}", json={"name_en": "Mine"}).status_code == 200
    assert client.post(f"/teams/{own.id}/transitions", json={"to": "admitted"}).status_code == 403
    assert client.post(f"/teams/{own.id}/members", json={"email": "a@b.cn"}).status_code == 403
    members = client.get(f"/teams/{own.id}/members").get_json()
    assert [m["id"] for m in members["items"]] == [member.id]


def test_scopes_and_authentication(app, api, make):
    park = make.park()
    team = make.team(park)
    staff = make.user("staff", parks=[park])
    reader = api(staff, scope="read")
    assert reader.get(f"/teams/{team.id}").status_code == 200
    assert reader.post("/teams", json=new_team(park)).status_code == 403
    assert app.test_client().get("/api/v1/teams").status_code == 401
    assert api(staff).get("/teams/99999").status_code == 404


def test_invite_member_and_bad_email(app, api, make):
    park = make.park()
    team = make.team(park)
    client = api(make.user("staff", parks=[park]))
    created = client.post(f"/teams/{team.id}/members", json={"email": "new@example.cn"})
    assert created.status_code == 201
    assert created.get_json()["state"] == "pending"
    assert client.post(f"/teams/{team.id}/members", json={"email": "nope"}).status_code == 422


def test_import(app, api, make):
    park = make.park()
    client = api(make.user("staff", parks=[park]))
    good = "name_zh,track,kind\n星云工作室,aigc_film,solo\n幻境影业,vfx,company\n".encode("gb18030")
    response = client.post(
        "/teams/import",
        data={"park_id": str(park.id), "file": (io.BytesIO(good), "t.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["imported"] == 2

    bad = "name_zh,track,kind\n新队,cooking,solo\n星云工作室,vfx,solo\n".encode()
    response = client.post(
        "/teams/import",
        data={"park_id": str(park.id), "file": (io.BytesIO(bad), "t.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_rows"
    assert [(r["row"], r["column"]) for r in error["fields"]["rows"]] == [
        (2, "track"),
        (3, "name_zh"),
    ]
    assert count(app, Team) == 2
    missing = client.post(
        "/teams/import", data={"park_id": str(park.id)}, content_type="multipart/form-data"
    )
    assert missing.status_code == 422


def test_openapi_documents_the_team_routes(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/teams",
        "/api/v1/teams/{team_id}",
        "/api/v1/teams/{team_id}/transitions",
        "/api/v1/teams/{team_id}/history",
        "/api/v1/teams/{team_id}/members",
        "/api/v1/teams/import",
    ):
        assert path in paths
