"""Lifecycle steps in staff's words: refusing an applicant is a refusal with a reason the
history keeps; steps that cannot be undone ask first on a page of their own and look
destructive; the message after a step says what changed."""

from __future__ import annotations

import re
from datetime import date

import pytest

from opc.teams.models import Team, TeamStatusChange
from tests.conftest import csrf_token
from tests.core.helpers import text
from tests.teams.helpers import one, post_form, rows

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh"}


@pytest.fixture
def applicant(make, as_user):
    park = make.park()
    team = make.team(park, status="applicant", name_zh="星云工作室", name_en="Nebula Studio")
    as_user("staff", parks=[park])
    return team


def test_an_applicant_is_refused_not_ended(client, applicant):
    html = text(client.get(f"/teams/{applicant.id}", headers=EN))
    step = re.search(
        r'<a class="button danger" href="([^"]+)" data-step="exited">([^<]+)</a>', html
    )
    assert step, html
    assert step.group(1) == f"/teams/{applicant.id}/steps/exited"
    assert step.group(2) == "Refuse…"
    assert "end this team" not in html and "stay" not in html
    zh = text(client.get(f"/teams/{applicant.id}", headers=ZH))
    assert ">拒绝申请…</a>" in zh


def test_a_refusal_asks_for_its_reason_and_the_history_shows_it(app, client, applicant):
    page = f"/teams/{applicant.id}/steps/exited"
    form = text(client.get(page, headers=EN))
    assert (
        "Reason for the refusal" in form and "The application of Nebula Studio is refused" in form
    )
    assert re.search(r'<textarea[^>]*name="note"[^>]*required', form)
    assert '<button type="submit" class="danger">Refuse</button>' in form

    no_reason = post_form(client, page, {"on": "", "note": "  "}, headers=EN)
    assert no_reason.status_code == 422
    assert "Give the reason for the refusal: the team&#39;s history keeps it." in text(no_reason)
    assert one(app, Team, applicant.id).status == "applicant"

    refused = post_form(
        client, page, {"on": "", "note": "赛道不符"}, headers=EN, follow_redirects=True
    )
    assert [r.status_code for r in refused.history] == [302]
    html = text(refused)
    assert "星云工作室: Applicant → Exited" in html  # what changed, not "Status changed."
    assert one(app, Team, applicant.id).status == "exited"
    history = re.search(r'<tr data-history="exited">.*?</tr>', html, re.S).group(0)
    assert "赛道不符" in history and "data-refused" in history


def test_the_message_after_a_step_says_what_changed(app, client, make, as_user):
    park = make.park()
    team = make.team(park, status="admitted", name_zh="星云工作室")
    as_user("staff", parks=[park])
    token = csrf_token(client, f"/teams/{team.id}")
    response = client.post(
        f"/teams/{team.id}/transition",
        data={"csrf_token": token, "step-to": "resident"},
        headers=ZH,
        follow_redirects=True,
    )
    assert [r.status_code for r in response.history] == [302]
    assert "星云工作室：已录取 → 已入驻" in text(response)


@pytest.mark.parametrize(
    ("status", "to", "button", "danger"),
    [
        ("resident", "exited", "Exit", True),
        ("suspended", "exited", "Exit", True),
        ("admitted", "exited", "Withdraw the admission", True),
        ("resident", "graduated", "Graduate", False),
    ],
)
def test_steps_that_cannot_be_undone_ask_first(
    app, client, make, as_user, status, to, button, danger
):
    park = make.park()
    team = make.team(park, status=status, status_since=date(2026, 1, 1), name_zh="星云工作室")
    as_user("staff", parks=[park])
    # The one-click form does not take them: it leads to the page that asks.
    token = csrf_token(client, f"/teams/{team.id}")
    direct = client.post(f"/teams/{team.id}/transition", data={"csrf_token": token, "step-to": to})
    assert direct.status_code == 302
    assert direct.headers["Location"].endswith(f"/teams/{team.id}/steps/{to}")
    assert one(app, Team, team.id).status == status

    page = f"/teams/{team.id}/steps/{to}"
    form = text(client.get(page, headers=EN))
    assert "This cannot be undone." in form
    style = "danger" if danger else "primary"
    assert f'<button type="submit" class="{style}">{button}</button>' in form
    done = post_form(client, page, {"on": "", "note": ""}, headers=EN)
    assert done.status_code == 302
    assert one(app, Team, team.id).status == to
    [change] = rows(app, TeamStatusChange)
    assert (change.from_status, change.to_status) == (status, to)


def test_a_step_the_team_cannot_take_is_not_found(client, applicant):
    for to in ("graduated", "resident", "nonsense", "exited\x00"):
        assert client.get(f"/teams/{applicant.id}/steps/{to}").status_code == 404


def test_post_only_addresses_answer_a_get_with_their_page(client, make, as_user):
    """A reload or a language switch after a refused form never lands on 405."""
    park = make.park()
    applicant = make.team(park)
    as_user("staff", parks=[park])
    unit = make.unit(park)
    held = make.allocation(make.team(park, status="resident"), unit, date(2026, 1, 1))
    expected = {
        f"/teams/{applicant.id}/transition": f"/teams/{applicant.id}",
        f"/teams/{applicant.id}/invite": f"/teams/{applicant.id}",
        f"/teams/{applicant.id}/invitations/1/revoke": f"/teams/{applicant.id}",
        f"/units/{unit.id}/allocate": f"/units/{unit.id}",
        f"/units/{unit.id}/delete": f"/units/{unit.id}",
        f"/allocations/{held.id}/move": f"/units/{unit.id}",
    }
    for path, page in expected.items():
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].endswith(page), path
