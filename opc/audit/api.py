"""/api/v1/audit: the audit log for admins and BI tools."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from flask import current_app

from opc.api.pagination import paged
from opc.api.routing import endpoint
from opc.api.schemas import In, Out
from opc.audit import queries
from opc.audit.permissions import can_read_audit
from opc.core.permissions import require


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
    entity: str | None = None
    entity_id: int | None = None
    actor_id: int | None = None
    action: Literal["create", "update", "delete"] | None = None
    on: date | None = None
    page: int | None = None
    per_page: int | None = None


@endpoint("/audit", scope="audit:read", query=AuditQuery, response=AuditOut, paged=True)
def list_audit(user: Any, query: AuditQuery) -> dict[str, Any]:
    """Audit entries, newest first (admins)."""
    require(can_read_audit(user))
    filters = query.model_dump(exclude={"page", "per_page"})
    stmt = queries.entries(**filters, tz=current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return paged(stmt, lambda e: AuditOut.model_validate(e).model_dump(mode="json"))
