"""Request bodies are held to their limits whatever shape they come in (opc.core.limits):
MAX_CONTENT_LENGTH for bodies with or without a Content-Length (chunked transfer encoding),
MAX_FORM_MEMORY_SIZE for multipart fields and urlencoded forms, MAX_FORM_PARTS; each 413
names the limit it crossed. JSON nested thousands deep is refused before it is parsed.

The slow tests send real chunked requests to a real gunicorn process."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from decimal import Decimal

import pytest
from flask import Flask

from opc.extensions import db
from tests.conftest import csrf_token, make_app
from tests.core.gunicorn import Gunicorn
from tests.core.helpers import error_of

# The multipart parser reads 64 KiB at a time and holds each read to the field limit too:
# the field limit stays above that, as the default (1 MiB) is.
BODY_LIMIT, FORM_LIMIT, PARTS_LIMIT = 400_000, 100_000, 20


@pytest.fixture
def small(database_url, app) -> Iterator[Flask]:
    """The app with small limits (the test database, migrated by `app`)."""
    small = make_app(
        database_url,
        MAX_CONTENT_LENGTH=BODY_LIMIT,
        MAX_FORM_MEMORY_SIZE=FORM_LIMIT,
        MAX_FORM_PARTS=PARTS_LIMIT,
    )
    yield small
    with small.app_context():
        db.session.remove()
        db.engine.dispose()


def chunked(client, path: str, body: bytes, content_type: str, **kw):
    """A request whose body has no Content-Length, as a server hands a chunked one on."""
    return client.post(
        path,
        input_stream=io.BytesIO(body),
        content_type=content_type,
        headers={"Transfer-Encoding": "chunked", **kw.pop("headers", {})},
        environ_overrides={"wsgi.input_terminated": True},
        **kw,
    )


def too_large(response, setting: str, limit: int) -> dict:
    assert response.status_code == 413, response.get_data(as_text=True)[-500:]
    error = error_of(response)
    assert error["code"] == "body_too_large"
    assert error["limit"] == limit and error["setting"] == setting
    return error


URLENCODED = "application/x-www-form-urlencoded"


def test_a_chunked_form_over_the_body_limit_is_refused_not_cut(small):
    boundary = "b0undary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n'
        f"Content-Type: text/csv\r\n\r\n{'x' * (BODY_LIMIT * 2)}\r\n--{boundary}--\r\n"
    ).encode()
    response = chunked(
        small.test_client(),
        "/login",
        body,
        f"multipart/form-data; boundary={boundary}",
        headers={"Accept": "application/json"},
    )
    error = too_large(response, "MAX_CONTENT_LENGTH", BODY_LIMIT)
    assert error["message"] == f"The request is larger than the limit of {BODY_LIMIT} bytes."


def test_a_chunked_json_body_over_the_limit_is_refused(small, make):
    token = make.token(make.user("admin"))
    body = json.dumps({"code": "P1", "name_zh": "x" * BODY_LIMIT}).encode()  # over, by a bit
    response = chunked(
        small.test_client(),
        "/api/v1/parks",
        body,
        "application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    too_large(response, "MAX_CONTENT_LENGTH", BODY_LIMIT)


def test_a_chunked_body_within_the_limit_is_read_whole(small, make):
    user = make.user("staff", email="li@opc.cn")
    client = small.test_client()
    token = csrf_token(client)
    body = f"email={user.email}&password=correct-horse-battery&csrf_token={token}".encode()
    response = chunked(client, "/login", body, URLENCODED)
    assert response.status_code == 302  # logged in: the whole form arrived


def test_a_body_that_declares_more_than_the_limit_is_refused_before_the_view(small):
    # The route would answer 401 without reading the body: the body is refused first.
    response = small.test_client().post(
        "/api/v1/parks", data=b"x" * (BODY_LIMIT + 1), content_type="application/json"
    )
    too_large(response, "MAX_CONTENT_LENGTH", BODY_LIMIT)


def test_an_urlencoded_form_over_the_form_memory_limit_is_refused(small):
    client = small.test_client()
    token = csrf_token(client)
    data = {"email": "a" * (FORM_LIMIT + 1), "password": "x", "csrf_token": token}
    response = client.post("/login", data=data, headers={"Accept": "application/json"})
    error = too_large(response, "MAX_FORM_MEMORY_SIZE", FORM_LIMIT)
    assert error["message"] == f"A form field is larger than the limit of {FORM_LIMIT} bytes."
    chunked_form = f"email={'a' * (FORM_LIMIT + 1)}".encode()
    response = chunked(
        client, "/login", chunked_form, URLENCODED, headers={"Accept": "application/json"}
    )
    too_large(response, "MAX_FORM_MEMORY_SIZE", FORM_LIMIT)


def test_a_multipart_field_over_the_limit_names_the_field_limit(small):
    client = small.test_client()
    response = client.post(
        "/login",
        data={"email": "a" * (FORM_LIMIT + 1), "password": "x"},
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert f"A form field is larger than the limit of {FORM_LIMIT} bytes." in page
    assert str(BODY_LIMIT) not in page


def test_a_multipart_form_with_too_many_fields_names_that_limit(small):
    fields = {f"f{n}": "x" for n in range(PARTS_LIMIT + 5)}
    response = small.test_client().post(
        "/login",
        data=fields,
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
    )
    error = too_large(response, "MAX_FORM_PARTS", PARTS_LIMIT)
    assert error["message"] == f"The form has more than {PARTS_LIMIT} fields."


def test_a_file_within_the_body_limit_is_not_held_to_the_field_limit(small, make):
    park = make.park(total_area_m2=Decimal("100000"))
    user = make.user("staff", parks=[park])
    upload = b"code,kind,floor,area_m2\n" + b"".join(
        f"U{n:05d}{'-' * 20},office,1,1\n".encode() for n in range(5000)
    )
    assert FORM_LIMIT < len(upload) < BODY_LIMIT - 500
    response = small.test_client().post(
        f"/api/v1/parks/{park.id}/units/import",
        data={"file": (io.BytesIO(upload), "units.csv")},
        content_type="multipart/form-data",
        headers={"Authorization": f"Bearer {make.token(user)}"},
    )
    assert response.status_code == 201, response.get_json()


# --- JSON nested thousands deep -------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"code": ' + '{"a": ' * 50_000 + "1" + "}" * 50_000 + "}",
        '{"code": "P1", "extra": ' + "[" * 5000,  # deep and broken: refused for its depth
    ],
)
def test_json_nested_thousands_deep_is_refused_before_parsing(api, make, body):
    response = api(make.user("admin")).post("/parks", data=body, content_type="application/json")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "json_too_deep"
    assert error["message"] == "The JSON body is nested deeper than 32 levels."


def test_json_of_ordinary_depth_is_read(api, make):
    response = api(make.user("admin")).post(
        "/parks",
        json={"code": "P1", "name_zh": "园区", "total_area_m2": "100.00", "team_cap": 5},
    )
    assert response.status_code == 201, response.get_json()


# --- a real gunicorn, real chunked requests ---------------------------------------------------


@pytest.fixture
def gunicorn(tmp_path, database_url, app) -> Iterator[Gunicorn]:
    server = Gunicorn(tmp_path, database_url)
    yield server
    server.stop()


@pytest.mark.slow
def test_gunicorn_refuses_a_50_mb_chunked_post_early_and_stays_available(gunicorn):
    results: list[tuple[int, int, float]] = []

    def post() -> None:
        results.append(gunicorn.send_chunked("/login", 50 * 2**20, URLENCODED))

    posts = [threading.Thread(target=post) for _ in range(2)]
    for thread in posts:
        thread.start()
    health = gunicorn.request("GET", "/healthz", timeout=5)
    for thread in posts:
        thread.join(30)
    assert health[0] == 200
    assert len(results) == 2, gunicorn.output()
    for status, sent, seconds in results:
        assert status == 413, gunicorn.output()
        assert sent < 20 * 2**20  # refused after about MAX_CONTENT_LENGTH, not all 50 MB
        assert seconds < 10
    assert "WORKER TIMEOUT" not in gunicorn.output()
