"""/api/v1/audit: the audit log for admins and BI tools."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from flask import current_app
from pydantic import Field

from opc.api.pagination import paged
from opc.api.routing import endpoint
from opc.api.schemas import Id, In, IsoDate, Out
from opc.audit import queries
from opc.audit.permissions import can_read_audit


class AuditOut(Out):
    id: int
    at: datetime
    actor_id: int | None
    actor_label: str
    action: str
    entity: str
    entity_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditQuery(In):
    entity: str | None = Field(None, max_length=64)
    entity_id: Id | None = None  # type: ignore[valid-type]
    actor_id: Id | None = None  # type: ignore[valid-type]
    action: Literal["create", "update", "delete"] | None = None
    on: IsoDate | None = None


@endpoint(
    "/audit",
    scope="audit:read",
    allow=can_read_audit,
    query=AuditQuery,
    response=AuditOut,
    paged=True,
)
def list_audit(user: Any, query: AuditQuery) -> dict[str, Any]:
    """Audit entries, newest first (admins)."""
    filters = query.model_dump()
    stmt = queries.entries(**filters, tz=current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return paged(stmt, lambda e: AuditOut.model_validate(e).model_dump(mode="json"))
