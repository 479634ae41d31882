"""The JSON API's authentication: bearer tokens, their scopes, their storage and revocation."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import String, cast

from opc.audit.models import AuditEntry
from opc.auth.models import ApiToken, User
from opc.core.db import transaction
from opc.extensions import db
from opc.parks.models import Park
from tests.auth.helpers import NEW_PASSWORD, count, rows, text
from tests.conftest import csrf_token, login
from tests.fixtures.factories import PASSWORD


def error_code(response):
    return response.get_json()["error"]["code"]


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def issue_on_account_page(client, name="BI export", scope="read"):
    """Create a token on the account page; the page shows the secret once."""
    token = csrf_token(client, "/account")
    response = client.post(
        "/account", data={"tok-csrf_token": token, "tok-name": name, "tok-scope": scope}
    )
    assert response.status_code == 200
    match = re.search(r'<code class="secret">([^<]+)</code>', text(response))
    assert match, "the new token is not shown"
    return match.group(1)


def test_no_credentials_is_unauthenticated(client):
    response = client.get("/api/v1/parks")

    assert response.status_code == 401
    assert error_code(response) == "unauthenticated"


@pytest.mark.parametrize(
    "header",
    ["Basic YWRtaW46c2VjcmV0", "Bearer", "Bearer    ", "Token opc_abc", "opc_abc"],
)
def test_malformed_authorization_header_is_an_invalid_token(client, header):
    response = client.get("/api/v1/parks", headers={"Authorization": header})

    assert response.status_code == 401
    assert error_code(response) == "invalid_token"


def test_unknown_token_is_an_invalid_token(client):
    response = client.get("/api/v1/parks", headers=bearer("opc_made-up-token-value"))

    assert response.status_code == 401
    assert error_code(response) == "invalid_token"


def test_token_of_a_deactivated_user_is_an_invalid_token(app, client, make):
    user = make.user("admin")
    secret = make.token(user)
    with app.app_context(), transaction():
        db.session.get(User, user.id).is_active = False

    response = client.get("/api/v1/parks", headers=bearer(secret))

    assert response.status_code == 401
    assert error_code(response) == "invalid_token"


def test_scope_that_does_not_cover_the_route_is_forbidden(client, make, api):
    admin = make.user("admin")

    response = api(admin, scope="usage:write").get("/parks")

    assert response.status_code == 403
    assert error_code(response) == "insufficient_scope"
    # The same person with a read token may list the parks.
    assert api(admin, scope="read").get("/parks").status_code == 200


def test_read_scope_cannot_write(app, make, api):
    admin = make.user("admin")

    response = api(admin, scope="read").post(
        "/parks", json={"code": "CD", "name_zh": "成都", "total_area_m2": "100", "team_cap": 5}
    )

    assert response.status_code == 403
    assert error_code(response) == "insufficient_scope"
    assert count(app, Park) == 0


def test_tokens_are_stored_hashed_never_in_plain_text(app, client, as_user):
    as_user("staff")

    secret = issue_on_account_page(client)

    [stored] = rows(app, ApiToken)
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {stored.token_hash, stored.prefix, stored.name, stored.scope}
    assert count(app, ApiToken, ApiToken.token_hash.contains(secret[4:])) == 0
    assert count(app, AuditEntry, cast(AuditEntry.after, String).contains(secret[4:])) == 0
    assert client.get("/api/v1/users/me", headers=bearer(secret)).status_code == 200
    # The account page lists the token by its prefix and never shows the secret again.
    assert secret not in text(client.get("/account"))


def test_owner_revokes_a_token_on_the_account_page(app, client, as_user):
    as_user("staff")
    secret = issue_on_account_page(client)
    [stored] = rows(app, ApiToken)
    machine = app.test_client()
    assert machine.get("/api/v1/users/me", headers=bearer(secret)).status_code == 200

    response = client.post(
        f"/account/tokens/{stored.id}/revoke", data={"csrf_token": csrf_token(client, "/account")}
    )

    assert response.status_code == 302
    refused = machine.get("/api/v1/users/me", headers=bearer(secret))
    assert refused.status_code == 401
    assert error_code(refused) == "invalid_token"
    [revoked] = rows(app, ApiToken)
    assert revoked.revoked_at is not None


def test_nobody_else_may_revoke_a_token(app, client, make):
    owner = make.user("staff")
    secret = make.token(owner)
    [stored] = rows(app, ApiToken)
    login(client, make.user("staff").email)

    response = client.post(
        f"/account/tokens/{stored.id}/revoke", data={"csrf_token": csrf_token(client, "/account")}
    )

    assert response.status_code == 404
    [untouched] = rows(app, ApiToken)
    assert untouched.revoked_at is None
    assert client.get("/api/v1/users/me", headers=bearer(secret)).status_code == 200


# --- last use, and the owner's password change ----------------------------------------


def token_updates(statements):
    return [s for s in statements if s.lstrip().upper().startswith("UPDATE API_TOKENS")]


def test_a_token_notes_its_last_use_at_most_once_a_minute(app, make, count_queries, time_machine):
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    time_machine.move_to(start, tick=False)
    secret = make.token(make.user("staff"))
    machine = app.test_client()
    [fresh] = rows(app, ApiToken)
    assert fresh.last_used_at is None

    with count_queries() as statements:
        for seconds in (0, 30, 59):
            time_machine.move_to(start + timedelta(seconds=seconds), tick=False)
            assert machine.get("/api/v1/users/me", headers=bearer(secret)).status_code == 200

    assert len(token_updates(statements)) == 1  # reads do not become a write each
    [used] = rows(app, ApiToken)
    assert used.last_used_at == start
    time_machine.move_to(start + timedelta(seconds=61), tick=False)
    machine.get("/api/v1/users/me", headers=bearer(secret))
    assert rows(app, ApiToken)[0].last_used_at == start + timedelta(seconds=61)
    # A reading, not a change anybody made: no audit entry (and the audit guard agrees).
    assert count(app, AuditEntry, AuditEntry.entity == "api_tokens") == 1  # its creation


def test_the_last_use_is_noted_even_when_the_request_is_refused(app, make, api):
    """Noted on its own connection: a write the route rolls back does not take it along."""
    admin = make.user("admin")

    response = api(admin).post("/parks", json={"code": "", "name_zh": ""})

    assert response.status_code in {400, 422}
    [token] = rows(app, ApiToken)
    assert token.last_used_at is not None
    assert count(app, Park) == 0


def test_the_account_page_shows_when_each_token_was_last_used(app, client, as_user):
    as_user("staff")
    secret = issue_on_account_page(client, name="nightly export")
    assert "never" in text(client.get("/account"))

    assert app.test_client().get("/api/v1/users/me", headers=bearer(secret)).status_code == 200

    page = text(client.get("/account"))
    assert "Last used" in page and "nightly export" in page
    assert "never" not in page


def test_a_password_change_keeps_the_tokens_unless_asked(app, client, make):
    from tests.auth.test_sessions import change_password

    staff = make.user("staff")
    secret = make.token(staff)
    login(client, staff.email)
    assert change_password(client, PASSWORD, NEW_PASSWORD).status_code == 302
    assert client.get("/api/v1/users/me", headers=bearer(secret)).status_code == 200

    login(client, staff.email, NEW_PASSWORD)
    other = make.token(staff)
    response = change_password(client, NEW_PASSWORD, PASSWORD, revoke_tokens=True)

    assert response.status_code == 302
    for gone in (secret, other):
        refused = client.get("/api/v1/users/me", headers=bearer(gone))
        assert refused.status_code == 401 and error_code(refused) == "invalid_token"
    assert all(t.revoked_at is not None for t in rows(app, ApiToken))
    revoked = rows(
        app, AuditEntry, AuditEntry.entity == "api_tokens", AuditEntry.action == "update"
    )
    assert len(revoked) == 2 and all("revoked_at" in e.after for e in revoked)
