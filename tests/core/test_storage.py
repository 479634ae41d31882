"""Uploaded files are kept by opc.core.storage: streamed under random keys, held to their
size limit exactly, moved into place whole (a refusal leaves nothing), never found by a key
of another shape; a route that takes files takes a body of UPLOAD_MAX_BYTES and no more;
stored files go out as private downloads (opc.core.export.send_stored)."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask import Flask, jsonify, request
from werkzeug.http import parse_options_header

from opc.config import ConfigError, check_settings, load_settings
from opc.core.errors import FileTooLarge, NotFound
from opc.core.export import send_stored
from opc.core.filetypes import KINDS, safe_download_name, save_upload
from opc.core.limits import FORM_OVERHEAD, accept_files
from opc.core.security import public
from opc.core.storage import CHUNK, LocalStorage, StoredFile, register_backend, storage
from tests.conftest import csrf_token, make_app
from tests.core.helpers import error_of
from tests.core.test_filetypes import PDF

LIMIT = 200_000


def files_under(root: Path) -> list[Path]:
    """Every file below `root`, temporary ones included."""
    return sorted(p for p in root.rglob("*") if p.is_file())


class Trickle(io.RawIOBase):
    """A stream that hands out `size` bytes a little at a time, then fails when `fail` says."""

    def __init__(self, size: int, *, fail: bool = False) -> None:
        self.left, self.fail = size, fail

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if not self.left:
            if self.fail:
                raise ConnectionResetError("the client went away")
            return b""
        part = min(self.left, 1000, n if n > 0 else self.left)
        self.left -= part
        return b"x" * part


# --- LocalStorage ----------------------------------------------------------------------------


def test_a_file_is_stored_whole_under_a_random_key(tmp_path):
    store = LocalStorage(tmp_path)
    data = os.urandom(3 * CHUNK + 17)  # several chunks and a piece
    stored = store.save(io.BytesIO(data), max_bytes=LIMIT)
    assert stored == StoredFile(stored.key, len(data), hashlib.sha256(data).hexdigest())
    shard, name = stored.key.split("/")
    assert len(name) == 32 and name.startswith(shard)
    with store.open(stored.key) as stream:
        assert stream.read() == data
    assert files_under(tmp_path) == [tmp_path / stored.key]  # no temporary file left
    assert (tmp_path / stored.key).stat().st_mode & 0o077 == 0  # the app's user only


def test_a_file_exactly_at_the_limit_is_kept(tmp_path):
    stored = LocalStorage(tmp_path).save(Trickle(LIMIT), max_bytes=LIMIT)
    assert stored.size == LIMIT == (tmp_path / stored.key).stat().st_size


def test_one_byte_over_the_limit_is_refused_and_nothing_is_left(tmp_path):
    with pytest.raises(FileTooLarge) as refused:
        LocalStorage(tmp_path).save(Trickle(LIMIT + 1), max_bytes=LIMIT)
    assert refused.value.status == 413 and refused.value.code == "file_too_large"
    assert refused.value.extra == {"limit": LIMIT, "setting": "UPLOAD_MAX_BYTES"}
    assert files_under(tmp_path) == []


def test_a_refusal_stops_reading_at_the_limit(tmp_path):
    stream = Trickle(50 * LIMIT)
    with pytest.raises(FileTooLarge):
        LocalStorage(tmp_path).save(stream, max_bytes=LIMIT)
    assert stream.left > 40 * LIMIT


def test_an_upload_broken_off_leaves_nothing(tmp_path):
    with pytest.raises(ConnectionResetError):
        LocalStorage(tmp_path).save(Trickle(5000, fail=True), max_bytes=LIMIT)
    assert files_under(tmp_path) == []


def test_concurrent_saves_get_distinct_keys_and_keep_their_own_bytes(tmp_path):
    store = LocalStorage(tmp_path)
    contents = [os.urandom(CHUNK + n) for n in range(24)]
    with ThreadPoolExecutor(8) as pool:
        stored = list(pool.map(lambda data: store.save(io.BytesIO(data), LIMIT), contents))
    assert len({s.key for s in stored}) == len(contents)
    for data, found in zip(contents, stored, strict=True):
        assert (tmp_path / found.key).read_bytes() == data
    assert len(files_under(tmp_path)) == len(contents)


def test_delete_forgets_the_file_and_a_second_delete_is_no_error(tmp_path):
    store = LocalStorage(tmp_path)
    stored = store.save(io.BytesIO(b"abc"), LIMIT)
    store.delete(stored.key)
    store.delete(stored.key)
    with pytest.raises(NotFound):
        store.open(stored.key)


@pytest.mark.parametrize(
    "key",
    [
        "../secret.txt",
        "ab/../../secret.txt",
        "/etc/passwd",
        "..",
        "",
        "ab",
        "ab/abc",  # too short to be one of ours
        "xy/ab" + "c" * 30,  # a shard that is not its name's
        "ab/ab" + "c" * 30 + "/..",
        "ab\\ab" + "c" * 30,
        "ab/ab" + "c" * 29 + ".",
        "ab/ab" + "c" * 30 + "\n",
    ],
)
def test_a_key_of_another_shape_is_no_file(tmp_path, key):
    store = LocalStorage(tmp_path / "files")
    secret = tmp_path / "secret.txt"
    secret.write_text("do not serve")
    for use in (store.open, store.delete):
        with pytest.raises(NotFound):
            use(key)
    assert secret.exists()


def test_a_link_planted_in_the_folder_is_not_followed(tmp_path):
    store = LocalStorage(tmp_path / "files")
    secret = tmp_path / "secret.txt"
    secret.write_text("do not serve")
    key = "ab/ab" + "c" * 30
    (tmp_path / "files" / "ab").mkdir(parents=True)
    (tmp_path / "files" / key).symlink_to(secret)
    with pytest.raises(NotFound):
        store.open(key)


# --- settings ----------------------------------------------------------------------------


def test_files_live_in_the_instance_folder_unless_a_site_says_where(tmp_path, monkeypatch):
    monkeypatch.delenv("OPC_STORAGE_DIR", raising=False)
    assert load_settings(str(tmp_path))["STORAGE_DIR"] == str(tmp_path / "files")
    assert load_settings(str(tmp_path), {"STORAGE_DIR": "uploads"})["STORAGE_DIR"] == str(
        tmp_path / "uploads"
    )
    monkeypatch.setenv("OPC_STORAGE_DIR", "/srv/opc/files")
    assert load_settings(str(tmp_path))["STORAGE_DIR"] == "/srv/opc/files"


def test_a_storage_folder_in_the_web_root_is_refused():
    static = Path(__file__).resolve().parents[2] / "opc" / "static" / "files"
    with pytest.raises(ConfigError, match="outside the web root"):
        check_settings({"STORAGE_DIR": str(static)}, debug=True)


# --- the app's storage, uploads and downloads ---------------------------------------------


@pytest.fixture
def site(database_url, tmp_path) -> Iterator[Flask]:
    """An app with small limits, files in tmp_path, and a page that takes a PDF."""
    app = make_app(
        database_url, STORAGE_DIR=str(tmp_path), UPLOAD_MAX_BYTES=LIMIT, MAX_CONTENT_LENGTH=50_000
    )

    @app.post("/_files", endpoint="_files_upload")
    @public
    def upload():
        stored, kind = save_upload(request.files["file"].stream, ("pdf",))
        return jsonify(key=stored.key, size=stored.size, kind=kind), 201

    @app.post("/_other", endpoint="_files_other")
    @public
    def other():
        return jsonify(fields=len(request.form))

    @app.get("/_files/<path:key>", endpoint="_files_download")
    @public
    def download(key: str):
        name = safe_download_name(request.args["name"], "pdf")
        return send_stored(key, name, KINDS["pdf"].mimetype)

    accept_files("_files_upload")
    yield app


def post_file(app: Flask, path: str, data: bytes, name: str = "申请书.pdf"):
    client = app.test_client()
    return client.post(
        path,
        data={"csrf_token": csrf_token(client), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
    )


def pdf_of(size: int) -> bytes:
    return PDF + b"%" * (size - len(PDF))


def test_the_app_keeps_one_storage_where_its_settings_say(site, tmp_path):
    with site.app_context():
        assert storage() is storage()
        assert isinstance(storage(), LocalStorage) and storage().root == tmp_path


def test_another_backend_is_chosen_by_its_name(database_url, tmp_path):
    register_backend("elsewhere", lambda app: LocalStorage(tmp_path / "elsewhere"))
    app = make_app(database_url, STORAGE_BACKEND="elsewhere")
    with app.app_context():
        assert storage().root == tmp_path / "elsewhere"
    unknown = make_app(database_url, STORAGE_BACKEND="s4")
    with unknown.app_context(), pytest.raises(RuntimeError, match="'s4' is unknown"):
        storage()


def test_a_route_that_takes_files_takes_one_of_the_limit_beyond_max_content_length(site, tmp_path):
    response = post_file(site, "/_files", pdf_of(LIMIT))
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["size"] == LIMIT and response.get_json()["kind"] == "pdf"
    assert len(files_under(tmp_path)) == 1


def test_a_file_one_byte_over_the_limit_is_413_naming_it(site, tmp_path):
    response = post_file(site, "/_files", pdf_of(LIMIT + 1))
    assert response.status_code == 413
    error = error_of(response)
    assert error["code"] == "file_too_large" and error["limit"] == LIMIT
    assert error["setting"] == "UPLOAD_MAX_BYTES"
    assert f"{LIMIT} bytes" in error["message"]
    assert files_under(tmp_path) == []


def test_a_body_past_the_file_and_its_form_is_refused_before_the_view(site, tmp_path):
    response = post_file(site, "/_files", pdf_of(LIMIT + FORM_OVERHEAD + 1))
    assert response.status_code == 413
    error = error_of(response)
    assert error["code"] == "body_too_large" and error["setting"] == "UPLOAD_MAX_BYTES"
    assert error["limit"] == LIMIT and f"{LIMIT} bytes" in error["message"]
    assert files_under(tmp_path) == []


def test_other_routes_keep_max_content_length(site):
    response = post_file(site, "/_other", pdf_of(60_000))
    assert response.status_code == 413
    assert error_of(response)["setting"] == "MAX_CONTENT_LENGTH"


def test_a_disguised_upload_is_422_and_not_kept(site, tmp_path):
    response = post_file(site, "/_files", b"<html><script>alert(1)</script></html>", "cv.pdf")
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "file_type_refused" and error["detected"] == "html"
    assert error["allowed"] == ["pdf"] and error["fields"] == {"file": [error["message"]]}
    assert files_under(tmp_path) == []


def test_a_stored_file_goes_out_as_a_private_download(site):
    key = post_file(site, "/_files", pdf_of(5000)).get_json()["key"]
    response = site.test_client().get(f"/_files/{key}", query_string={"name": "../申请书.exe"})
    assert response.status_code == 200
    assert response.get_data() == pdf_of(5000)
    assert response.mimetype == "application/pdf" and response.content_length == 5000
    disposition, options = parse_options_header(response.headers["Content-Disposition"])
    assert disposition == "attachment" and options["filename"] == "申请书.pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]
    assert "sandbox" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("key", ["ab/ab" + "c" * 30, "../../etc/passwd", "..%2f..%2fetc/passwd"])
def test_downloading_a_key_that_names_no_file_is_404(site, key):
    response = site.test_client().get(
        f"/_files/{key}", query_string={"name": "x.pdf"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 404
    assert error_of(response)["code"] == "file_not_found"
