"""Members: invited by staff, the invitee sets a password through a one-time link."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from opc.auth.models import User
from opc.core import mail
from opc.core.db import utcnow
from opc.teams.models import Invitation
from tests.conftest import csrf_token, login
from tests.teams.helpers import LINK, count, rows

EN = {"Accept-Language": "en"}
PASSWORD = "stars-and-nebulae-2026"


def invite_through_page(client, team, email="newbie@example.cn"):
    """Invite through the team page; the answer is the page the redirect leads to."""
    token = csrf_token(client, f"/teams/{team.id}")
    return client.post(
        f"/teams/{team.id}/invite",
        data={"csrf_token": token, "invite-email": email},
        headers=EN,
        follow_redirects=True,
    )


def accept(client, link, password=PASSWORD, confirm=None):
    path = link.split("localhost", 1)[-1]
    token = csrf_token(client, path)
    return client.post(
        path,
        data={
            "csrf_token": token,
            "name": "新成员",
            "password": password,
            "confirm": confirm or password,
        },
        headers=EN,
    )


def test_invitation_end_to_end(app, client, make, as_user):
    park = make.park()
    team = make.team(park, status="resident")
    as_user("staff", parks=[park])
    response = invite_through_page(client, team)
    html = response.get_data(as_text=True)
    # Post/redirect/get: a reload of the page never invites again.
    assert [r.status_code for r in response.history] == [302]
    assert response.status_code == 200
    link = LINK.search(html).group(0)  # no mail configured: the link is shown to staff
    # Only once: its hash alone is stored, and the session forgets it after showing it.
    assert LINK.search(client.get(f"/teams/{team.id}").get_data(as_text=True)) is None
    [invitation] = rows(app, Invitation)
    token = link.rsplit("/", 1)[1]
    assert token not in invitation.token_hash and len(invitation.token_hash) == 64
    assert invitation.expires_at - utcnow() > timedelta(days=6, hours=23)

    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    page = client.get(link.split("localhost", 1)[-1], headers=EN)
    assert page.status_code == 200 and "newbie@example.cn" in page.get_data(as_text=True)
    assert accept(client, link).status_code == 302
    [member] = rows(app, User, User.email == "newbie@example.cn")
    assert (member.role, member.team_id, member.name) == ("member", team.id, "新成员")
    assert rows(app, Invitation)[0].accepted_at is not None

    assert login(client, "newbie@example.cn", PASSWORD).status_code == 302
    own = client.get(f"/teams/{team.id}")
    assert own.status_code == 200

    # The link works once.
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    again = client.get(link.split("localhost", 1)[-1], headers=EN)
    assert again.status_code == 409 and "used already" in again.get_data(as_text=True)
    assert count(app, User, User.email == "newbie@example.cn") == 1


def test_link_expires_after_seven_days(app, client, make, as_user):
    park = make.park()
    team = make.team(park)
    as_user("staff", parks=[park])
    link = LINK.search(invite_through_page(client, team).get_data(as_text=True)).group(0)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    path = link.split("localhost", 1)[-1]
    with time_machine.travel(utcnow() + timedelta(days=7, minutes=1)):
        page = client.get(path, headers=EN)
        assert page.status_code == 409 and "expired" in page.get_data(as_text=True)
    assert count(app, User, User.email == "newbie@example.cn") == 0


def test_a_posted_password_on_a_used_link_is_refused(app, ctx, make):
    from opc.teams import members

    team = make.team(make.park())
    issued = members.invite_member(team, "twice@example.cn", actor=None)
    token = issued.link.rsplit("/", 1)[1]
    members.accept_invitation(token, password=PASSWORD)
    from opc.core.errors import RuleViolation

    with pytest.raises(RuleViolation) as err:
        members.accept_invitation(token, password="another-password-1")
    assert err.value.code == "invitation_used"


def test_a_new_invitation_replaces_the_pending_one(app, client, make, as_user):
    park = make.park()
    team = make.team(park)
    as_user("staff", parks=[park])
    old = LINK.search(invite_through_page(client, team).get_data(as_text=True)).group(0)
    new = LINK.search(invite_through_page(client, team).get_data(as_text=True)).group(0)
    assert old != new
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    assert client.get(old.split("localhost", 1)[-1]).status_code == 409
    assert client.get(new.split("localhost", 1)[-1]).status_code == 200


def test_weak_password_keeps_the_link_usable(app, client, make, ctx):
    from opc.teams import members

    team = make.team(make.park())
    issued = members.invite_member(team, "weak@example.cn", actor=None)
    response = accept(client, issued.link, password="short")
    assert response.status_code == 422
    assert count(app, User, User.email == "weak@example.cn") == 0
    assert rows(app, Invitation)[0].accepted_at is None


def test_unknown_link_is_404(client):
    assert client.get("/invitations/not-a-real-token").status_code == 404


def test_inviting_an_existing_user_is_refused(app, client, make, as_user):
    park = make.park()
    team = make.team(park)
    make.user("member", team=team, email="taken@example.cn")
    as_user("staff", parks=[park])
    response = invite_through_page(client, team, email="taken@example.cn")
    assert response.status_code == 422
    assert "exists already" in response.get_data(as_text=True)
    assert count(app, Invitation) == 0


def test_only_staff_of_the_park_invite(app, client, make, as_user):
    park = make.park()
    team = make.team(park)
    as_user("member", team=team)
    response = invite_through_page(client, team)
    assert response.status_code == 403
    assert count(app, Invitation) == 0


# --- mail through a real SMTP server ---------------------------------------------------


# smtp_server: the shared fixture of tests/fixtures/smtp.py (offered by tests/conftest.py).


def test_mail_send_delivers_to_an_smtp_server(ctx, smtp_server):
    assert mail.configured()
    mail.send("someone@example.cn", "测试 subject", "你好, body")
    [(to, content)] = smtp_server.messages
    assert to == ["someone@example.cn"]
    assert "Subject:" in content and "noreply@opc.local" in content


def test_with_mail_configured_the_link_is_mailed_not_shown(app, api, make, smtp_server):
    park = make.park()
    team = make.team(park, name_zh="星云工作室")
    staff = make.user("staff", parks=[park])
    response = api(staff).post(f"/teams/{team.id}/members", json={"email": "new@example.cn"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["mailed"] is True and body["link"] is None
    [(to, content)] = smtp_server.messages
    assert to == ["new@example.cn"]
    import email

    message = email.message_from_string(content)
    text = message.get_payload(decode=True).decode()
    link = LINK.search(text).group(0)
    client = app.test_client()
    assert accept(client, link).status_code == 302
    assert login(client, "new@example.cn", PASSWORD).status_code == 302


def test_without_mail_the_api_returns_the_link(app, api, make):
    park = make.park()
    team = make.team(park)
    staff = make.user("staff", parks=[park])
    body = api(staff).post(f"/teams/{team.id}/members", json={"email": "x@example.cn"}).get_json()
    assert body["mailed"] is False and "/invitations/" in body["link"]


def test_staff_withdraw_a_pending_invitation(app, client, make, as_user):
    park = make.park()
    team = make.team(park)
    as_user("staff", parks=[park])
    link = LINK.search(invite_through_page(client, team).get_data(as_text=True)).group(0)
    [invitation] = rows(app, Invitation)
    token = csrf_token(client, f"/teams/{team.id}")
    path = f"/teams/{team.id}/invitations/{invitation.id}/revoke"
    assert client.post(path, data={"csrf_token": token}).status_code == 302
    assert rows(app, Invitation)[0].revoked_at is not None
    other = make.team(park)
    wrong_team = f"/teams/{other.id}/invitations/{invitation.id}/revoke"
    assert client.post(wrong_team, data={"csrf_token": token}).status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    page = client.get(link.split("localhost", 1)[-1], headers=EN)
    assert page.status_code == 409 and "withdrawn" in page.get_data(as_text=True)


# --- the link's address --------------------------------------------------------------------


def invite_by_api(app, make, team, staff, host):
    """POST an invitation with a bearer token, the request naming `host` as its Host."""
    return app.test_client().post(
        f"/api/v1/teams/{team.id}/members",
        json={"email": "newbie@example.cn"},
        headers={"Authorization": f"Bearer {make.token(staff)}", "Host": host},
    )


def test_a_forged_host_header_does_not_change_the_link(app, make, monkeypatch):
    """The link is EXTERNAL_URL's: a request's Host cannot send the invitee elsewhere."""
    monkeypatch.setitem(app.config, "EXTERNAL_URL", "https://ops.example.org/")
    park = make.park()
    team = make.team(park)
    staff = make.user("staff", parks=[park])

    response = invite_by_api(app, make, team, staff, "evil.example")

    assert response.status_code == 201, response.get_json()
    link = response.get_json()["link"]
    assert link.startswith("https://ops.example.org/invitations/"), link
    assert "evil.example" not in response.get_data(as_text=True)


def test_the_mailed_link_ignores_a_forged_host_too(app, make, smtp_server, monkeypatch):
    monkeypatch.setitem(app.config, "EXTERNAL_URL", "https://ops.example.org")
    park = make.park()
    staff = make.user("staff", parks=[park])

    assert invite_by_api(app, make, make.team(park), staff, "evil.example").status_code == 201

    [(_to, content)] = smtp_server.messages
    assert "https://ops.example.org/invitations/" in content
    assert "evil.example" not in content


def test_without_external_url_the_link_is_a_path_and_is_not_mailed(
    app, make, smtp_server, monkeypatch
):
    """Allowed in debug and testing only (a deployment with mail refuses to start)."""
    monkeypatch.setitem(app.config, "EXTERNAL_URL", "")
    park = make.park()
    staff = make.user("staff", parks=[park])

    body = invite_by_api(app, make, make.team(park), staff, "evil.example").get_json()

    assert body["mailed"] is False
    assert body["link"].startswith("/invitations/")
    assert smtp_server.messages == []
