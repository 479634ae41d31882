"""Site-wide safeguards: safe redirects, CSRF, security headers, size limits, and a login
required on every route that is not explicitly public."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from werkzeug.routing import AnyConverter, IntegerConverter

from opc.auth.models import LoginAttempt, UserSession
from opc.parks.models import Park
from tests.auth.helpers import count, is_logged_in, redirects_to_login, text
from tests.conftest import csrf_token, login

# --- redirects after login and language switch ------------------------------------------

HOSTILE_NEXT = [
    "//evil.com",
    "///evil.com",
    "/\\evil.com",
    "\\\\evil.com",
    "/\\/evil.com",
    "https://evil.com",
    "https:/evil.com",
    "http:evil.com",
    "HTTPS://evil.com/parks/",
    "javascript:alert(1)",
    " //evil.com",
    "/\t/evil.com",
    "/\n/evil.com",
    "%2F%2Fevil.com",
    "%2f%2fevil.com",
    "/%5Cevil.com",
    "evil.com",
]
# The same targets as a browser would send them raw in a query string (decoded once).
HOSTILE_QUERY = [
    "%2F%2Fevil.com",
    "%2f%2Fevil.com",
    "/%5Cevil.com",
    "%5C%5Cevil.com",
    "%09//evil.com",
]


def lands_inside(response):
    assert response.status_code == 302
    location = response.headers["Location"]
    parts = urlsplit(location)
    assert not parts.scheme and not parts.netloc, location
    assert location.startswith("/") and not location.startswith("//"), location
    assert "\\" not in location and not any(ord(c) < 32 for c in location), location
    return location


def post_login(client, email, next_):
    token = csrf_token(client)
    return client.post(
        "/login",
        data={
            "email": email,
            "password": "correct-horse-battery",
            "csrf_token": token,
            "next": next_,
        },
    )


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_never_redirects_off_site(target, client, make):
    staff = make.user("staff")

    lands_inside(post_login(client, staff.email, target))


@pytest.mark.parametrize("raw", HOSTILE_QUERY)
def test_login_never_redirects_off_site_with_encoded_next(raw, client, make):
    staff = make.user("staff")
    login(client, staff.email)

    lands_inside(client.get(f"/login?next={raw}"))


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_language_switch_never_redirects_off_site(target, client):
    token = csrf_token(client)

    lands_inside(client.post("/lang", data={"lang": "en", "next": target, "csrf_token": token}))


def test_a_legitimate_next_page_is_honoured(client, make):
    park = make.park()
    staff = make.user("staff", parks=[park])

    assert post_login(client, staff.email, "/parks/").headers["Location"] == "/parks/"


def test_login_returns_to_the_page_that_asked_for_it(client, make):
    park = make.park()
    staff = make.user("staff", parks=[park])
    asked = client.get(f"/parks/{park.id}")
    assert redirects_to_login(asked)

    login_page = client.get(asked.headers["Location"])
    assert f'name="next" value="/parks/{park.id}"' in text(login_page)
    assert post_login(client, staff.email, f"/parks/{park.id}").headers["Location"] == (
        f"/parks/{park.id}"
    )


# --- CSRF -----------------------------------------------------------------------------

CSRF_MESSAGE = "security token is missing or expired"


def test_login_without_csrf_token_is_refused_and_records_nothing(app, client, make):
    staff = make.user("staff")

    response = client.post(
        "/login", data={"email": staff.email, "password": "correct-horse-battery"}
    )

    assert response.status_code == 400
    assert CSRF_MESSAGE in text(response)
    assert count(app, LoginAttempt) == 0
    assert count(app, UserSession) == 0
    assert not is_logged_in(client)


def test_login_with_a_forged_csrf_token_is_refused(app, client, make):
    staff = make.user("staff")
    csrf_token(client)

    response = client.post(
        "/login",
        data={"email": staff.email, "password": "correct-horse-battery", "csrf_token": "forged"},
    )

    assert response.status_code == 400
    assert count(app, LoginAttempt) == 0


def test_language_switch_without_csrf_token_changes_nothing(client):
    response = client.post("/lang", data={"lang": "zh", "next": "/login"})

    assert response.status_code == 400
    assert CSRF_MESSAGE in text(response)
    assert '<html lang="en">' in text(client.get("/login"))


def test_language_switch_with_csrf_token_works(client):
    token = csrf_token(client)

    client.post("/lang", data={"lang": "zh", "next": "/login", "csrf_token": token})

    assert '<html lang="zh-CN">' in text(client.get("/login"))


def test_logout_without_csrf_token_keeps_the_session(app, client, make):
    staff = make.user("staff")
    login(client, staff.email)

    response = client.post("/logout")

    assert response.status_code == 400
    assert CSRF_MESSAGE in text(response)
    assert is_logged_in(client)
    assert count(app, UserSession, UserSession.revoked_at.is_not(None)) == 0


def test_a_bearer_header_does_not_excuse_a_page_from_csrf(app, client, make):
    """Pages authenticate by the cookie only, so a bearer header must not skip the check."""
    staff = make.user("staff")
    login(client, staff.email)

    response = client.post("/logout", headers={"Authorization": f"Bearer {make.token(staff)}"})

    assert response.status_code == 400
    assert is_logged_in(client)


NEW_PARK = {"code": "CD1", "name_zh": "成都园区", "total_area_m2": "1200", "team_cap": 40}


def test_api_write_with_session_cookie_needs_the_csrf_header(app, client, make):
    admin = make.user("admin")
    login(client, admin.email)

    response = client.post("/api/v1/parks", json=NEW_PARK)

    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "csrf_failed"
    assert CSRF_MESSAGE in response.get_json()["error"]["message"]
    assert count(app, Park) == 0
    token = csrf_token(client, "/account")
    created = client.post("/api/v1/parks", json=NEW_PARK, headers={"X-CSRFToken": token})
    assert created.status_code == 201
    assert count(app, Park) == 1


UNSAFE = {"POST", "PATCH", "PUT", "DELETE"}
# Authorization headers that are not a valid bearer token; None sends no header at all.
ODD_AUTHORIZATION = [
    None,
    "",
    " ",
    "Bearer",
    "Bearer ",
    "bearer",
    "Basic YWRtaW46c2VjcmV0",
    "Basic x",
    "garbage",
    "Token opc_abc",
    "Bearer opc_not-a-real-token",
    "Bearer\tBearer",
]


def unsafe_api_routes(app):
    """Every unsafe method of every /api/v1 route that needs a caller, from the URL map."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        for method in sorted(rule.methods & UNSAFE):
            routes.append((rule.endpoint, method, example_url(rule)))
    return routes


def table_counts(app):
    from opc.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        return {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in db.metadata.sorted_tables
        }


def test_the_unsafe_api_route_walk_covers_the_declared_routes(app):
    from opc.api.routing import ENDPOINTS

    declared = {(e.rule, m) for e in ENDPOINTS for m in e.methods if m in UNSAFE and e.scope}
    walked = {(url, m) for _e, m, url in unsafe_api_routes(app)}
    assert len(walked) >= len(declared) > 10


@pytest.mark.parametrize("header", ODD_AUTHORIZATION, ids=repr)
def test_no_unsafe_api_route_acts_on_a_session_without_csrf_token(app, client, make, header):
    """An admin's session cookie, no CSRF token, and an Authorization header that is not a
    valid bearer token (or none): every unsafe API route refuses before it acts."""
    park = make.park()
    make.team(park)
    admin = make.user("admin", parks=[park])
    login(client, admin.email)
    headers = {} if header is None else {"Authorization": header}
    before = table_counts(app)
    failures = []
    for endpoint, method, url in unsafe_api_routes(app):
        response = client.open(url, method=method, json={"email": "x@example.cn"}, headers=headers)
        code = (response.get_json(silent=True) or {}).get("error", {}).get("code")
        expected = (400, "csrf_failed") if header is None else (401, "invalid_token")
        if (response.status_code, code) != expected:
            failures.append(f"{method} {url} ({endpoint}) -> {response.status_code} {code}")
    assert not failures, "\n".join(failures)
    assert table_counts(app) == before  # nothing written: no record, no audit entry
    assert is_logged_in(client)


def test_a_token_request_never_reads_the_session_cookie(app, client, make):
    """A valid bearer token acts as its own user even when an admin's cookie comes along."""
    admin = make.user("admin")
    member = make.user("member")
    login(client, admin.email)

    me = client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {make.token(member)}"})
    refused = client.get("/api/v1/users/me", headers={"Authorization": ""})

    assert me.status_code == 200 and me.get_json()["email"] == member.email
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "invalid_token"
    assert client.get("/api/v1/users/me").get_json()["email"] == admin.email  # the cookie alone


def test_api_write_with_bearer_token_needs_no_csrf_token(app, make, api):
    admin = make.user("admin")

    response = api(admin).post("/parks", json=NEW_PARK)

    assert response.status_code == 201
    assert count(app, Park) == 1


# --- security headers -----------------------------------------------------------------

KINDS_OF_RESPONSE = {
    "html page": ("/login", 200),
    "json": ("/healthz", 200),
    "openapi": ("/api/v1/openapi.json", 200),
    "static file": ("/static/css/app.css", 200),
    "404 page": ("/no-such-page", 404),
    "api error": ("/api/v1/parks", 401),
    "api 404": ("/api/v1/no-such-thing", 404),
    "redirect": ("/parks/", 302),
}


def csp_directives(policy):
    directives = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name.lower()] = values
    return directives


@pytest.mark.parametrize("kind", KINDS_OF_RESPONSE)
def test_security_headers_on_every_kind_of_response(kind, client):
    path, status = KINDS_OF_RESPONSE[kind]

    response = client.get(path)
    response.close()

    assert response.status_code == status
    csp = csp_directives(response.headers["Content-Security-Policy"])
    assert "script-src" in csp
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] in {
        "same-origin",
        "strict-origin-when-cross-origin",
        "no-referrer",
    }


def assert_security_headers(response):
    assert "frame-ancestors 'none'" in response.headers.get("Content-Security-Policy", "")
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("X-Frame-Options") == "DENY"
    assert response.headers.get("Referrer-Policy")


def _failing_view(*_args, **_kwargs):
    raise RuntimeError("a bug")


# Each: how to get the response (a logged-in staff member's client, the app), its status.
MORE_RESPONSES = {
    "csrf 400 page": (lambda c, a: c.post("/logout"), 400),
    "csrf 400 json": (lambda c, a: c.post("/api/v1/parks", json={}), 400),
    "405": (lambda c, a: c.put("/login"), 405),
    "options": (lambda c, a: c.options("/login"), 200),
    "head": (lambda c, a: c.head("/account"), 200),
    "308 slash": (lambda c, a: c.get("/teams"), 308),
    "static 304": (
        lambda c, a: c.get(
            "/static/css/app.css",
            headers={"If-None-Match": c.get("/static/css/app.css").headers["ETag"]},
        ),
        304,
    ),
    "static 404": (lambda c, a: c.get("/static/no-such.css"), 404),
    "413": (
        lambda c, a: c.post(
            "/api/v1/parks", data="x" * (a.config["MAX_CONTENT_LENGTH"] + 1), content_type="a/b"
        ),
        413,
    ),
    "422 page": (
        lambda c, a: c.post(
            "/account",
            data={"pw-csrf_token": csrf_token(c, "/account"), "pw-password": "x"},
        ),
        422,
    ),
    "429 page": (
        lambda c, a: [
            c.post("/apply", data={"csrf_token": csrf_token(c, "/apply")})
            for _ in range(a.config["ANONYMOUS_WRITE_LIMIT"] + 1)
        ][-1],
        429,
    ),
    "500 page": (lambda c, a: c.get("/account"), 500),
    "500 json": (lambda c, a: c.get("/api/v1/users/me"), 500),
}


@pytest.mark.parametrize("kind", MORE_RESPONSES)
def test_security_headers_on_errors_and_odd_responses(kind, app, client, make, monkeypatch):
    get, status = MORE_RESPONSES[kind]
    if kind.startswith("500"):
        endpoint = "auth.account" if kind == "500 page" else "api.users_me"
        monkeypatch.setitem(app.view_functions, endpoint, _failing_view)
    if kind == "429 page":
        monkeypatch.setitem(app.config, "ANONYMOUS_WRITE_LIMIT", 2)
    else:
        login(client, make.user("staff").email)

    response = get(client, app)
    response.close()

    assert response.status_code == status
    assert_security_headers(response)


def test_a_token_response_is_not_stored_by_caches(make, api):
    response = api(make.user("staff")).get("/users/me")

    assert response.status_code == 200
    assert_security_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_security_headers_on_a_domain_error_page(client, as_user):
    as_user("member")

    response = client.get("/users")

    assert response.status_code == 403
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# --- request size limits --------------------------------------------------------------


def test_request_size_limits_are_configured(app):
    assert (
        isinstance(app.config["MAX_CONTENT_LENGTH"], int) and app.config["MAX_CONTENT_LENGTH"] > 0
    )
    assert isinstance(app.config["MAX_FORM_MEMORY_SIZE"], int)
    assert 0 < app.config["MAX_FORM_MEMORY_SIZE"] <= app.config["MAX_CONTENT_LENGTH"]


def test_oversize_api_body_is_refused_with_the_limit(app, make, api):
    admin = make.user("admin")
    limit = app.config["MAX_CONTENT_LENGTH"]
    body = json.dumps({**NEW_PARK, "name_en": "x" * limit})

    response = api(admin).post("/parks", data=body, content_type="application/json")

    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["code"] == "body_too_large"
    assert error["limit"] == limit
    assert str(limit) in error["message"]
    assert "Traceback" not in text(response)
    assert count(app, Park) == 0


def test_oversize_form_is_refused_with_a_page(app, client, make):
    staff = make.user("staff")
    token = csrf_token(client)
    limit = app.config["MAX_CONTENT_LENGTH"]

    response = client.post(
        "/login",
        data={"email": staff.email, "password": "x" * limit, "csrf_token": token},
    )

    assert response.status_code == 413
    assert response.mimetype == "text/html"
    assert "body_too_large" in text(response)
    assert "Traceback" not in text(response)
    assert count(app, LoginAttempt) == 0


def test_form_field_over_the_memory_limit_is_refused(app, client, make):
    """A body under MAX_CONTENT_LENGTH whose one field exceeds MAX_FORM_MEMORY_SIZE."""
    staff = make.user("staff")
    token = csrf_token(client)
    size = app.config["MAX_FORM_MEMORY_SIZE"] + 1
    assert size < app.config["MAX_CONTENT_LENGTH"]

    response = client.post(
        "/login",
        data={"email": staff.email, "password": "x" * size, "csrf_token": token},
        content_type="multipart/form-data",
    )

    assert response.status_code == 413
    assert "Traceback" not in text(response)
    assert count(app, LoginAttempt) == 0


# --- every route needs a login unless it is public ------------------------------------

PUBLIC = {
    "static",
    "core.home",
    "core.healthz",
    "core.set_language",
    "auth.login",
    "api.api_openapi",
}


def example_value(converter):
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    return "x"


def example_url(rule):
    values = {name: example_value(c) for name, c in rule._converters.items()}
    return rule.build(values)[1]


def guarded_routes(app):
    routes = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.endpoint in PUBLIC or getattr(view, "public", False):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, example_url(rule)))
    return routes


def test_the_route_walk_covers_pages_and_api(app):
    endpoints = {endpoint for endpoint, _m, _u in guarded_routes(app)}
    assert {
        "auth.account",
        "auth.logout",
        "overview.dashboard",
        "api.parks_create_park",
    } <= endpoints
    assert not endpoints & PUBLIC


def test_every_non_public_route_refuses_an_anonymous_caller(app, client):
    failures = []
    for endpoint, method, url in guarded_routes(app):
        kwargs = {"json": {}} if url.startswith("/api/") and method != "GET" else {}
        response = client.open(url, method=method, **kwargs)
        if url.startswith("/api/"):
            body = response.get_json(silent=True) or {}
            ok = response.status_code == 401 and body.get("error", {}).get("code") == (
                "unauthenticated"
            )
        else:
            ok = redirects_to_login(response)
        if not ok:
            failures.append(f"{method} {url} ({endpoint}) -> {response.status_code}")
    assert not failures, "\n".join(failures)
