"""Request bodies held to their limits, whatever shape they arrive in.

* MAX_CONTENT_LENGTH bounds every body: one that declares a larger Content-Length is refused
  before the view runs, and one sent without a length (chunked transfer encoding) is refused
  as soon as more than the limit has arrived — never silently cut at the limit (Werkzeug
  stops reading there and hands the view the first part, a truncated form or JSON text).
* MAX_FORM_MEMORY_SIZE bounds each field of a multipart form (Werkzeug) and the whole of an
  urlencoded form, which is read into memory at once (Werkzeug applies no limit to it).
* MAX_FORM_PARTS bounds the number of parts of a multipart form.

Each refusal is a 413 that names the setting it crossed (`TooLarge.setting`), so that the
error says which size was too large (opc.core.errorpages).

A route that takes larger bodies than MAX_CONTENT_LENGTH (a batch of usage records) names
its own setting with `allow_larger_body(endpoint, setting, message)`: its body, and only
its, is held to that setting instead, refused the same ways, and the 413 names it.

A route that takes files (attachments, opc.core.storage) opts in with
`accept_files(endpoint)`, once, beside the route: its body may then be UPLOAD_MAX_BYTES plus
FORM_OVERHEAD (the multipart framing and a few short fields), whatever MAX_CONTENT_LENGTH
says, and nothing more; the file itself is held to UPLOAD_MAX_BYTES exactly when it is
stored. Both refusals are a 413 naming UPLOAD_MAX_BYTES.
"""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from typing import IO, Any

from flask import Flask, Request, current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser
from werkzeug.utils import cached_property
from werkzeug.wsgi import LimitedStream

from opc.core.errors import FileTooLarge


class TooLarge(RequestEntityTooLarge):
    """413: the request crossed the limit of the named setting."""

    def __init__(self, setting: str) -> None:
        super().__init__()
        self.setting = setting


# The message of each limit, for people.
LIMITS: dict[str, Callable[[int], str]] = {
    "MAX_CONTENT_LENGTH": lambda n: _("The request is larger than the limit of %(n)d bytes.", n=n),
    "MAX_FORM_MEMORY_SIZE": lambda n: _(
        "A form field is larger than the limit of %(n)d bytes.", n=n
    ),
    "MAX_FORM_PARTS": lambda n: _("The form has more than %(n)d fields.", n=n),
}
# Endpoints whose body limit is another setting than MAX_CONTENT_LENGTH.
_BODY_LIMITS: dict[str, str] = {}
# Bytes a setting's bodies may carry beyond the setting itself (a file's multipart framing).
_OVERHEAD: dict[str, int] = {}
# What a file upload's body holds besides the file: the multipart boundaries and part
# headers, the CSRF token and a few short fields (a document's kind, a note).
FORM_OVERHEAD = 65_536


def allow_larger_body(
    endpoint: str, setting: str, message: Callable[[int], str], *, overhead: int = 0
) -> None:
    """Hold the body of `endpoint`'s requests to the config `setting` (plus `overhead` bytes);
    its 413 names the setting and says `message`."""
    _BODY_LIMITS[endpoint] = setting
    _OVERHEAD[setting] = overhead
    LIMITS[setting] = message


def accept_files(endpoint: str) -> None:
    """Let `endpoint` take a file of up to UPLOAD_MAX_BYTES in a multipart form, however
    small MAX_CONTENT_LENGTH is; a larger body is refused (413 naming UPLOAD_MAX_BYTES)."""
    allow_larger_body(
        endpoint, "UPLOAD_MAX_BYTES", lambda n: FileTooLarge(n).message, overhead=FORM_OVERHEAD
    )


class _HeldTo(LimitedStream):
    """A body without a Content-Length, read up to the limit: one byte more is a 413."""

    def __init__(self, stream: IO[bytes], limit: int, setting: str) -> None:
        super().__init__(stream, limit, is_max=True)
        self.setting = setting

    def on_exhausted(self) -> None:
        # At the limit: the body may end exactly here, or go on (then it is too large).
        if self._stream.read(1):
            raise TooLarge(self.setting)

    def readall(self) -> bytes:
        data = super().readall()
        if self.is_exhausted:
            self.on_exhausted()
        return data


def _read_at_most(stream: IO[bytes], size: int) -> bytes:
    """Up to `size` bytes of a stream (a raw stream's read may return less than asked)."""
    chunks: list[bytes] = []
    left = size
    while left > 0:
        chunk = stream.read(min(left, 64 * 1024))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


class _FormParser(FormDataParser):
    def _parse_urlencoded(
        self, stream: IO[bytes], mimetype: str, content_length: int | None, options: Any
    ) -> Any:
        limit = self.max_form_memory_size
        if limit is not None:
            if content_length is not None and content_length > limit:
                raise TooLarge("MAX_FORM_MEMORY_SIZE")
            data = _read_at_most(stream, limit + 1)
            if len(data) > limit:
                raise TooLarge("MAX_FORM_MEMORY_SIZE")
            stream = BytesIO(data)
        return super()._parse_urlencoded(stream, mimetype, content_length, options)

    def _parse_multipart(
        self, stream: IO[bytes], mimetype: str, content_length: int | None, options: Any
    ) -> Any:
        try:
            return super()._parse_multipart(stream, mimetype, content_length, options)
        except TooLarge:
            raise
        except RequestEntityTooLarge as exc:
            # Werkzeug's multipart parser raises the same error for a field over
            # MAX_FORM_MEMORY_SIZE and for more parts than MAX_FORM_PARTS; the part count
            # is checked where the parser meets a new part (its next_event).
            frame = exc.__traceback__
            while frame is not None and frame.tb_next is not None:
                frame = frame.tb_next
            parts = frame is not None and frame.tb_frame.f_code.co_name == "next_event"
            raise TooLarge("MAX_FORM_PARTS" if parts else "MAX_FORM_MEMORY_SIZE") from exc


class LimitedRequest(Request):
    """The app's request: every body held to MAX_CONTENT_LENGTH, forms to their limits."""

    form_data_parser_class = _FormParser

    @property
    def body_limit(self) -> str:
        """The setting this request's body is held to: its route's, else MAX_CONTENT_LENGTH."""
        return _BODY_LIMITS.get(self.endpoint or "", "MAX_CONTENT_LENGTH")

    @property
    def max_content_length(self) -> int | None:  # type: ignore[override]
        if self._max_content_length is not None or not current_app:
            return super().max_content_length
        setting = self.body_limit
        return current_app.config[setting] + _OVERHEAD.get(setting, 0)  # type: ignore[no-any-return]

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    @cached_property
    def stream(self) -> IO[bytes]:  # type: ignore[override]
        limit = self.max_content_length
        if (
            limit is not None
            and self.content_length is None
            and "wsgi.input_terminated" in self.environ  # the server de-chunks the body
        ):
            return _HeldTo(self.environ["wsgi.input"], limit, self.body_limit)
        try:
            return super().stream
        except TooLarge:
            raise
        except RequestEntityTooLarge as exc:  # a declared Content-Length over the limit
            raise TooLarge(self.body_limit) from exc


def _refuse_declared_excess() -> None:
    """A body that says it is larger than the limit is refused before any view runs, whether
    or not the view would read it."""
    limit = request.max_content_length
    if limit is not None and request.content_length is not None and request.content_length > limit:
        raise TooLarge(request.body_limit)


def init_app(app: Flask) -> None:
    app.request_class = LimitedRequest
    app.before_request(_refuse_declared_excess)
