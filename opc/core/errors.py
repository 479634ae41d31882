"""Domain errors: operations raise them; pages flash them, the API maps them to statuses."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal with a stable code, a message for people and optional field errors."""

    status = 400

    def __init__(
        self,
        code: str,
        message: str,
        *,
        fields: dict[str, Any] | None = None,
        conflict: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.conflict = conflict
        # More members of the error body, beside code and message (a refused usage batch
        # lists its bad records under "records").
        self.extra: dict[str, Any] = {}

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        if self.conflict:
            body["conflict"] = self.conflict
        body.update(self.extra)
        return body


class RuleViolation(DomainError):
    """A domain rule refuses the change (overlap, capacity, budget, deadline, state): 409."""

    status = 409


class ValidationFailed(DomainError):
    """Field values are not acceptable: 422, with `fields`."""

    status = 422

    def __init__(self, fields: dict[str, Any], message: str | None = None) -> None:
        from flask_babel import gettext as _

        super().__init__(
            "invalid_fields", message or _("Some fields are not valid."), fields=fields
        )


class NotFound(DomainError):
    """Missing, or not visible to the caller: 404."""

    status = 404


class Forbidden(DomainError):
    """Visible, but the caller may not act on it: 403."""

    status = 403


class RateLimited(DomainError):
    """Too many requests of a kind from this caller for now: 429, with Retry-After (seconds)."""

    status = 429

    def __init__(self, code: str, message: str, *, retry_after: int) -> None:
        super().__init__(code, message)
        self.retry_after = max(1, int(retry_after))


class ConcurrentUpdate(RuleViolation):
    """Another write held the rows (a deadlock, a serialization failure, SQLite's write lock
    past the busy timeout): nothing was changed, and trying again may well succeed. 409."""

    def __init__(self) -> None:
        from flask_babel import gettext as _

        super().__init__(
            "concurrent_update",
            _("Someone else was changing the same records at the same moment. Please try again."),
        )


def size_label(n: int) -> str:
    """A byte count as people read it: "20 MiB", "512 KiB", "1000 bytes" (exact, never rounded,
    so that a limit reads the same as its setting)."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return f"{n} bytes"


class FileTooLarge(DomainError):
    """An uploaded file is larger than its limit (opc.core.storage): 413 naming the limit,
    like a request body over its own (opc.core.limits). Nothing was kept."""

    status = 413

    def __init__(self, limit: int, *, field: str = "file", setting: str = "UPLOAD_MAX_BYTES"):
        from flask_babel import gettext as _

        message = _(
            "The file is larger than the limit of %(size)s (%(n)d bytes).",
            size=size_label(limit),
            n=limit,
        )
        super().__init__("file_too_large", message, fields={field: [message]})
        self.extra = {"limit": limit, "setting": setting}


class FileTypeRefused(DomainError):
    """A file whose content is not of a type the caller takes, whatever its name says
    (opc.core.filetypes): 422 naming what it is and what is allowed."""

    status = 422

    def __init__(self, detected: str | None, allowed: tuple[str, ...], *, field: str = "file"):
        from flask_babel import gettext as _

        names = ", ".join(a.upper() for a in allowed)
        if detected:
            message = _(
                "The file is a %(kind)s file; allowed are: %(allowed)s.",
                kind=detected.upper(),
                allowed=names,
            )
        else:
            message = _(
                "The file's content is of no allowed type (allowed are: %(allowed)s).",
                allowed=names,
            )
        super().__init__("file_type_refused", message, fields={field: [message]})
        self.extra = {"detected": detected, "allowed": list(allowed)}
