"""The public "apply to join" form."""

from __future__ import annotations

from opc.teams.models import Team, TeamStatusChange
from tests.conftest import csrf_token
from tests.teams.helpers import VALID_USCC, count, rows

EN = {"Accept-Language": "en"}


def application(park, **kw):
    data = {
        "park_id": park.id,
        "name_zh": "未来剧场",
        "name_en": "Future Theatre",
        "track": "aigc_film",
        "kind": "solo",
        "uscc": "",
        "description": "AIGC 短剧",
        "contact_name": "王导",
        "contact_email": "wang@example.cn",
        "contact_phone": "138 0000 0000",
    }
    data.update(kw)
    return data


def test_anyone_can_apply_and_becomes_an_applicant(client, make, app):
    park = make.park()
    page = client.get("/apply", headers=EN)
    assert page.status_code == 200 and "Apply to join" in page.get_data(as_text=True)
    token = csrf_token(client, "/apply")
    response = client.post("/apply", data={"csrf_token": token, **application(park)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/apply/thanks")
    thanks = client.get("/apply/thanks", headers=EN)
    assert thanks.status_code == 200 and "Thank you" in thanks.get_data(as_text=True)
    [team] = rows(app, Team)
    assert (team.status, team.park_id, team.name_pinyin) == ("applicant", park.id, "weilaijuchang")
    [step] = rows(app, TeamStatusChange)
    assert (step.to_status, step.actor_id) == ("applicant", None)


def test_the_form_needs_its_csrf_token(client, make, app):
    park = make.park()
    response = client.post("/apply", data=application(park))
    assert response.status_code == 400
    assert count(app, Team) == 0


def test_errors_keep_the_input_and_create_nothing(client, make, app):
    park = make.park()
    token = csrf_token(client, "/apply")
    response = client.post(
        "/apply",
        data={
            "csrf_token": token,
            **application(park, uscc="91510100MA6CGUGA1X", contact_email=""),
        },
        headers=EN,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="未来剧场"' in html and "AIGC 短剧" in html
    assert "This field is required" in html  # contact e-mail
    assert count(app, Team) == 0
    # The credit code is checked by the operation once the form itself is complete.
    response = client.post(
        "/apply",
        data={"csrf_token": token, **application(park, uscc="91510100MA6CGUGA1X")},
        headers=EN,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "check character" in html and 'value="91510100MA6CGUGA1X"' in html
    assert count(app, Team) == 0


def test_an_unknown_park_is_refused(client, make, app):
    park = make.park()
    token = csrf_token(client, "/apply")
    response = client.post(
        "/apply", data={"csrf_token": token, **application(park, park_id=park.id + 99)}
    )
    assert response.status_code == 422
    assert count(app, Team) == 0


def test_a_taken_name_or_code_is_refused_on_the_form(client, make, app):
    park = make.park()
    make.team(park, name_zh="未来剧场")
    make.team(park, uscc=VALID_USCC)
    token = csrf_token(client, "/apply")
    html = client.post(
        "/apply", data={"csrf_token": token, **application(park)}, headers=EN
    ).get_data(as_text=True)
    assert "The park has a team named" in html
    assert count(app, Team) == 2
