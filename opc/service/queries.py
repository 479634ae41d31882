"""Read models of service requests for the pages and the API: the lists a user may see with
their filters, each row's SLA state (on the park's calendar, loaded once per park and
request: a page of 200 costs the same few queries as a page of 2), and the timeline, which
shows internal notes to the park's staff only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, false, func, select
from sqlalchemy.orm import joinedload

from opc.auth.models import User
from opc.core.permissions import visible
from opc.core.sorting import Sort, Sorting
from opc.extensions import db
from opc.parks.workdays import calendar_of
from opc.service.models import ServiceEvent, ServiceRequest
from opc.service.permissions import can_handle_request
from opc.service.sla import Sla, sla_of
from opc.teams.models import Team

SORTING = Sorting(
    {
        "title": ServiceRequest.title,
        "team": select(Team.name_pinyin).where(Team.id == ServiceRequest.team_id).scalar_subquery(),
        "category": ServiceRequest.category,
        "status": ServiceRequest.status,
        "assignee": (
            select(func.nullif(User.name, ""))
            .where(User.id == ServiceRequest.assignee_id)
            .scalar_subquery()
        ),
        "opened": ServiceRequest.created_at,
        "response_due": ServiceRequest.first_response_due,
        "resolution_due": ServiceRequest.resolution_due,  # paused or done: last
    },
    default="opened",
    tiebreak=ServiceRequest.id,
    descending=True,  # the newest first
    first_desc=frozenset({"opened"}),
)
# The queue's sort menu before its headings sorted (old links keep their order).
FORMER_SORTS = {"newest": ("opened", "desc"), "oldest": ("opened", "asc")}


@dataclass(frozen=True)
class Filters:
    park_id: int | None = None
    team_id: int | None = None
    status: str | None = None
    category: str | None = None
    sla: str | None = None  # applied after the query: SLA states are working-time arithmetic
    sort: Sort | None = None  # None: the newest first


def requests_of(user: Any, filters: Filters) -> Select[Any]:
    """The requests `user` may see that match the filters (all but `sla`), with their team,
    park and assignee loaded."""
    stmt = (
        select(ServiceRequest)
        .options(
            joinedload(ServiceRequest.team),
            joinedload(ServiceRequest.park),
            joinedload(ServiceRequest.assignee),
        )
        .where(visible(user, ServiceRequest))
    )
    for column, value in (
        (ServiceRequest.park_id, filters.park_id),
        (ServiceRequest.team_id, filters.team_id),
        (ServiceRequest.status, filters.status),
        (ServiceRequest.category, filters.category),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt.order_by(*(filters.sort or SORTING.chosen({})).order_by())


def sla_states(requests: list[ServiceRequest], now: datetime) -> dict[int, Sla]:
    """Each request's SLA at `now` (its park's calendar read once for the lot)."""
    return {r.id: sla_of(calendar_of(r.park), r, now) for r in requests}


def with_sla(
    user: Any, filters: Filters, now: datetime
) -> tuple[list[ServiceRequest], dict[int, Sla]]:
    """Every request that matches, the `sla` filter included, and their SLA states: the
    queue filtered by SLA is computed in full, then paged (paged_items)."""
    found = list(db.session.scalars(requests_of(user, filters)).unique())
    states = sla_states(found, now)
    if filters.sla:
        found = [r for r in found if states[r.id].state == filters.sla]
    return found, states


@dataclass(frozen=True)
class Entry:
    """A timeline entry as a reader sees it."""

    id: int
    kind: str
    internal: bool
    from_status: str | None
    to_status: str | None
    body: str
    at: datetime
    by: str | None


def timeline(request: ServiceRequest, viewer: Any) -> list[Entry]:
    """The request's timeline; internal entries only for those who handle it (staff of the
    park), filtered in the query so that no other reader ever loads them."""
    stmt = (
        select(ServiceEvent)
        .options(joinedload(ServiceEvent.by))
        .where(ServiceEvent.request_id == request.id)
        .order_by(ServiceEvent.id)
    )
    if viewer is not None and not can_handle_request(viewer, request):
        stmt = stmt.where(ServiceEvent.internal == false())
    return [
        Entry(e.id, e.kind, e.internal, e.from_status, e.to_status, e.body, e.at,
              e.by.name if e.by is not None else None)
        for e in db.session.scalars(stmt)
    ]  # fmt: skip
