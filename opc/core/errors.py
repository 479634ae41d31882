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
