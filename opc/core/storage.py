"""Files people upload, kept outside the web root under names nobody chose.

A domain keeps a file's key (and size, checksum, detected type, the name it was sent with)
in its own records; the bytes live behind `Storage`, so that where they live is a setting:

* `LocalStorage(root)` writes under a folder (config STORAGE_DIR, instance/files by default)
  as `<2 characters>/<random key>`: each upload streams in chunks into a temporary file
  beside its final place, held to a size limit (`FileTooLarge`, 413, once one byte more
  arrived) and hashed as it goes, then is linked into place at once, so a reader never sees
  half a file and a refused upload leaves nothing behind.
* An object store later is one more class with the same three methods, registered under a
  name with `register_backend` and chosen by config STORAGE_BACKEND; callers do not change.

Keys are made here (`secrets.token_urlsafe`) and checked on every use: a key that is not of
that shape is no file (404), so no path a request supplied is ever followed.

Files are written before the database records that name them: an operation stores first,
then writes its records, and deletes the file when its transaction fails.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from flask import Flask, current_app
from flask_babel import gettext as _

from opc.core.errors import FileTooLarge, NotFound

CHUNK = 64 * 1024
_KEY = re.compile(r"([A-Za-z0-9_-]{2})/([A-Za-z0-9_-]{32})")


@dataclass(frozen=True)
class StoredFile:
    """What a domain keeps of a stored file: its key, size in bytes and SHA-256 (hex)."""

    key: str
    size: int
    sha256: str


class Storage(Protocol):
    """Where uploaded files live. Every backend refuses a file over `max_bytes` and keeps
    nothing of it, and treats a malformed or unknown key as a missing file (NotFound)."""

    def save(self, stream: IO[bytes], max_bytes: int) -> StoredFile:
        """Read `stream` to its end and keep it under a new random key."""
        ...

    def open(self, key: str) -> IO[bytes]:
        """The stored bytes, for reading (the caller closes them)."""
        ...

    def delete(self, key: str) -> None:
        """Forget the file; a file already gone is no error."""
        ...


def new_key() -> str:
    """A fresh random key (192 bits), sharded by its first two characters."""
    token = secrets.token_urlsafe(24)
    return f"{token[:2]}/{token}"


def check_key(key: str) -> str:
    """`key` when it is of the shape `new_key` makes, else NotFound: never a path to follow."""
    match = _KEY.fullmatch(key) if isinstance(key, str) else None
    if match is None or not match.group(2).startswith(match.group(1)):
        raise NotFound("file_not_found", _("The file was not found."))
    return key


class LocalStorage:
    """Files in a folder of this machine (STORAGE_DIR), readable by the app's user only."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def save(self, stream: IO[bytes], max_bytes: int) -> StoredFile:
        key = new_key()
        folder = self._path(key).parent
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".part-")
        try:
            with os.fdopen(handle, "wb") as out:
                size, digest = _copy(stream, out, max_bytes)
                out.flush()
                os.fsync(out.fileno())
            key = self._link(temporary, key)
        finally:
            os.unlink(temporary)
        return StoredFile(key=key, size=size, sha256=digest)

    def _link(self, temporary: str, key: str) -> str:
        """Put the finished file in place under `key` (a fresh one in the astronomically
        unlikely case that it is taken): a link never replaces another file."""
        while True:
            target = self._path(key)
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            try:
                os.link(temporary, target)
                return key
            except FileExistsError:
                key = new_key()

    def open(self, key: str) -> IO[bytes]:
        path = self._path(key)
        try:
            handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError as exc:  # missing, or a link (O_NOFOLLOW): no file of ours
            raise NotFound("file_not_found", _("The file was not found.")) from exc
        return os.fdopen(handle, "rb")

    def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._path(key).unlink()


def _copy(stream: IO[bytes], out: IO[bytes], max_bytes: int) -> tuple[int, str]:
    """Copy in chunks, hashing; refuse as soon as more than `max_bytes` arrived."""
    size, digest = 0, hashlib.sha256()
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise FileTooLarge(max_bytes)
        digest.update(chunk)
        out.write(chunk)
    return size, digest.hexdigest()


# Backends by the name config STORAGE_BACKEND gives, each made from the app's settings.
_BACKENDS: dict[str, Callable[[Flask], Storage]] = {
    "local": lambda app: LocalStorage(app.config["STORAGE_DIR"]),
}


def register_backend(name: str, make: Callable[[Flask], Storage]) -> None:
    """Offer another place to keep files (an object store), chosen by STORAGE_BACKEND."""
    _BACKENDS[name] = make


def storage() -> Storage:
    """The app's configured storage (one per app, made on first use)."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get("opc.storage")
    if found is None:
        name = app.config["STORAGE_BACKEND"]
        if name not in _BACKENDS:
            raise RuntimeError(
                f"STORAGE_BACKEND {name!r} is unknown; known: {', '.join(sorted(_BACKENDS))}."
            )
        found = app.extensions["opc.storage"] = _BACKENDS[name](app)
    return found  # type: ignore[no-any-return]


def upload_limit() -> int:
    """The largest file one upload takes (config UPLOAD_MAX_BYTES)."""
    return int(current_app.config["UPLOAD_MAX_BYTES"])
