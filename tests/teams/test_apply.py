"""The public "apply to join" form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from opc.extensions import db
from opc.teams import operations as ops
from opc.teams.models import Team, TeamStatusChange
from tests.conftest import csrf_token, make_app
from tests.teams.helpers import VALID_USCC, count, post_form, rows

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


NOT_ACCEPTED = "We could not accept this application."


def apply(client, park, address="198.51.100.20", **kw):
    client.environ_base["REMOTE_ADDR"] = address
    token = csrf_token(client, "/apply")
    return client.post("/apply", data={"csrf_token": token, **application(park, **kw)}, headers=EN)


@pytest.mark.parametrize("duplicate", ["name in this park", "credit code in another park"])
def test_a_duplicate_is_refused_without_confirming_the_other_team(client, make, app, duplicate):
    """An anonymous visitor learns nothing about which teams exist, in any park."""
    park, other_park = make.park(), make.park()
    make.team(park, name_zh="未来剧场")
    make.team(other_park, name_zh="别的团队", uscc=VALID_USCC)
    kw = {"name_zh": "未来剧场"} if duplicate.startswith("name") else {"uscc": VALID_USCC}
    if not duplicate.startswith("name"):
        kw["name_zh"] = "新团队"

    response = apply(client, park, **kw)

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert NOT_ACCEPTED in html and "contact the park" in html
    for leak in ("has a team named", "registered to another team", "别的团队", "credit code"):
        assert leak not in html, leak
    assert count(app, Team) == 2


def test_a_duplicate_that_reaches_the_database_is_refused_the_same_way(
    client, make, app, monkeypatch
):
    """Two applications racing past the check: the unique constraint refuses the second."""
    park = make.park()
    make.team(park, name_zh="未来剧场")
    monkeypatch.setattr(ops, "check_unique", lambda *a, **kw: None)

    response = apply(client, park)

    assert response.status_code == 422
    assert NOT_ACCEPTED in response.get_data(as_text=True)
    assert count(app, Team) == 1


def test_staff_adding_a_team_see_the_precise_duplicate(client, make, as_user, app):
    park = make.park()
    make.team(park, name_zh="未来剧场")
    as_user("staff", parks=[park])

    response = post_form(
        client,
        "/teams/new",
        {"park_id": park.id, "name_zh": "未来剧场", "track": "aigc_film", "kind": "solo"},
        headers=EN,
    )

    assert response.status_code == 422
    assert "The park has a team named 未来剧场" in response.get_data(as_text=True)


# --- rate limit ---------------------------------------------------------------------------


@pytest.fixture
def three_per_hour(app, monkeypatch):
    monkeypatch.setitem(app.config, "ANONYMOUS_WRITE_LIMIT", 3)
    monkeypatch.setitem(app.config, "ANONYMOUS_WRITE_WINDOW_MINUTES", 60)


def test_applications_from_one_address_are_rate_limited(
    client, make, app, three_per_hour, time_machine
):
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    time_machine.move_to(start, tick=False)
    park = make.park()
    assert apply(client, park, name_zh="一号").status_code == 302
    time_machine.move_to(start + timedelta(minutes=10), tick=False)
    assert apply(client, park, name_zh="二号", contact_email="").status_code == 422  # counts too
    assert apply(client, park, name_zh="三号").status_code == 302

    refused = apply(client, park, name_zh="四号")

    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) == 50 * 60  # when the first one leaves the hour
    assert "Too many submissions from your address" in refused.get_data(as_text=True)
    assert count(app, Team) == 2
    # Another address applies as usual; the page itself still opens.
    assert apply(app.test_client(), park, address="192.0.2.5", name_zh="五号").status_code == 302
    assert client.get("/apply").status_code == 200

    time_machine.move_to(start + timedelta(minutes=60, seconds=1), tick=False)
    assert apply(client, park, name_zh="四号").status_code == 302
    assert count(app, Team) == 4


def test_the_limit_holds_across_worker_processes(client, make, app, database_url):
    """Two app instances on one database stand for two worker processes."""
    limits = {"ANONYMOUS_WRITE_LIMIT": 2}
    workers = [make_app(database_url, **limits), make_app(database_url, **limits)]
    try:
        park = make.park()
        statuses = [
            apply(workers[n % 2].test_client(), park, name_zh=f"团队{n}").status_code
            for n in range(4)
        ]
        assert statuses == [302, 302, 429, 429]
        assert count(app, Team) == 2
    finally:
        for worker in workers:
            with worker.app_context():
                db.engine.dispose()
