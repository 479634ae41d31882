"""What a file is, by its content, never by its name; and the name it is downloaded under.

A file's name and the type its sender declared are the sender's to choose: an HTML page or
a program renamed `.pdf` would be served as what it claims. So the type is read from the
bytes: PDF, PNG and JPEG by their signature; XLSX and DOCX are ZIP packages, opened and
checked for their main part (`xl/workbook.xml`, `word/document.xml`) and for the main
content type in `[Content_Types].xml` (a macro-enabled workbook declares another one).
Any other ZIP, an encrypted or broken one, or one that declares more unpacked bytes or
entries than an office document has (a zip bomb) is no allowed type. Each caller names the
kinds it takes; anything else is `FileTypeRefused` (422 naming what was found and what is
allowed). Nothing is unpacked but `[Content_Types].xml`, read up to its bounded size.

Downloads keep the sender's name where it is safe (no folders, no control or invisible
characters, Chinese kept through RFC 5987's filename*), with the extension of the detected
type: `content_disposition` is the one way every download of the app names its file.
"""

from __future__ import annotations

import logging
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO
from urllib.parse import quote

from opc.core.errors import FileTypeRefused
from opc.core.storage import StoredFile, storage, upload_limit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Kind:
    """A type of file the app takes: its extension and the MIME type it is served as."""

    extension: str
    mimetype: str


KINDS: dict[str, Kind] = {
    "pdf": Kind("pdf", "application/pdf"),
    "png": Kind("png", "image/png"),
    "jpeg": Kind("jpg", "image/jpeg"),
    "xlsx": Kind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "docx": Kind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
}
_SIGNATURES = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"MZ", "exe"),  # named in the refusal, never allowed
)
_ZIP = b"PK\x03\x04"
_HTML = (b"<!doctype html", b"<html", b"<script", b"<svg", b"<?xml")
# An office document's package, generously: more than this is refused unread.
MAX_ENTRIES = 10_000
MAX_UNPACKED_BYTES = 512 * 1024 * 1024
MAX_CONTENT_TYPES_BYTES = 1024 * 1024
_OFFICE = {
    "xlsx": (
        "xl/workbook.xml",
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    ),
    "docx": (
        "word/document.xml",
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    ),
}


def detect(stream: IO[bytes]) -> str | None:
    """The kind of a seekable stream's content (a key of KINDS, or "zip", "html", "exe" for
    a few that are named but never allowed), None when unknown. Leaves it at its start."""
    stream.seek(0)
    head = stream.read(512)
    try:
        if head.startswith(_ZIP):
            return _office_kind(stream)
        for signature, kind in _SIGNATURES:
            if head.startswith(signature):
                return kind
        if head.lstrip(b"\xef\xbb\xbf \t\r\n").lower().startswith(_HTML):
            return "html"
        return None
    finally:
        stream.seek(0)


def _office_kind(stream: IO[bytes]) -> str:
    """ "xlsx" or "docx" for such a package, else "zip" (other, encrypted, broken, a bomb)."""
    try:
        with zipfile.ZipFile(stream) as package:
            entries = package.infolist()
            if (
                len(entries) > MAX_ENTRIES
                or sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES
                or any(e.flag_bits & 0x1 for e in entries)  # encrypted
            ):
                return "zip"
            names = {e.filename for e in entries}
            types = package.getinfo("[Content_Types].xml")
            if types.file_size > MAX_CONTENT_TYPES_BYTES:
                return "zip"
            declared = package.read(types)
    except (zipfile.BadZipFile, zlib.error, KeyError, OSError, EOFError, ValueError) as exc:
        log.info("a ZIP upload was unreadable: %r", exc)
        return "zip"
    except (NotImplementedError, RuntimeError):  # a compression method or encryption unknown
        return "zip"
    found = [
        kind
        for kind, (part, content_type) in _OFFICE.items()
        if part in names and content_type in declared
    ]
    return found[0] if len(found) == 1 else "zip"


def check_type(stream: IO[bytes], allowed: Iterable[str], *, field: str = "file") -> str:
    """The kind of the stream's content when it is one of `allowed`; else FileTypeRefused."""
    allowed = tuple(allowed)
    unknown = [a for a in allowed if a not in KINDS]
    if unknown:
        raise ValueError(f"unknown file kinds {unknown}; known: {list(KINDS)}")
    kind = detect(stream)
    if kind not in allowed:
        raise FileTypeRefused(kind, allowed, field=field)
    return kind  # type: ignore[return-value]


def save_upload(
    stream: IO[bytes], allowed: Iterable[str], *, field: str = "file", max_bytes: int | None = None
) -> tuple[StoredFile, str]:
    """Check an uploaded file's type, then store it (at most `max_bytes`, UPLOAD_MAX_BYTES
    by default): the stored file and its kind. A refused file is not stored. The stream
    must be seekable (an upload's `request.files[...].stream` is)."""
    kind = check_type(stream, allowed, field=field)
    stored = storage().save(stream, upload_limit() if max_bytes is None else max_bytes)
    return stored, kind


# Characters no file name should carry: folders, quoting and what Windows refuses.
_UNSAFE = set('/\\"*:<>?|')
MAX_NAME = 120


def _clean(name: str) -> str:
    """`name` without folders, control or invisible characters (a right-to-left override
    makes "fdp.exe" read as "exe.pdf"), or characters file systems refuse."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(
        " " if c.isspace() else c
        for c in name
        if c not in _UNSAFE and not unicodedata.category(c).startswith("C")
    )
    return " ".join(kept.split()).strip(" .")


def safe_download_name(name: str, kind: str) -> str:
    """A file name to download `name` under: cleaned, its own extension (if any) replaced by
    that of the detected `kind` (a KINDS key), "file" when nothing is left of it."""
    stem = _clean(name)
    base, dot, suffix = stem.rpartition(".")
    if dot and base and suffix.isascii() and suffix.isalnum() and len(suffix) <= 5:
        stem = base.rstrip(" .")
    return f"{stem[:MAX_NAME].rstrip(' .') or 'file'}.{KINDS[kind].extension}"


def content_disposition(name: str) -> str:
    """The Content-Disposition of a download named `name` (RFC 6266): an ASCII `filename`
    for old clients and the name itself, Chinese included, as RFC 5987's `filename*`."""
    name = _clean(name.replace("/", "_").replace("\\", "_")) or "file"
    ascii_name = "".join(c if c.isascii() and c not in "%;" else "_" for c in name)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
