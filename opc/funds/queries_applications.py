"""Read models of the team's application portal, for its pages and the API: the calls a
team may apply to, the applications a user may see (filtered), an application's history as
its viewer may read it (applicants never read a reviewer's name)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload

from opc.core.money import parse_yuan
from opc.core.permissions import Role, visible
from opc.core.sorting import Sort, Sorting
from opc.extensions import db
from opc.funds.application_models import (
    Application,
    ApplicationChange,
    ApplicationStatus,
    Attachment,
)
from opc.funds.models import Call


def open_calls(user: Any, park_id: int, now: datetime) -> list[Call]:
    """The park's calls the user may see that have not closed, the soonest close first (those
    not yet open included: a team prepares its draft)."""
    stmt = (
        select(Call)
        .where(visible(user, Call), Call.park_id == park_id, Call.closes_at > now)
        .options(joinedload(Call.fund))
        .order_by(Call.closes_at, Call.id)
    )
    return list(db.session.scalars(stmt))


def live_by_call(team_id: int, call_ids: list[int]) -> dict[int, Application]:
    """The team's live (not withdrawn) application to each of the calls that has one."""
    if not call_ids:
        return {}
    stmt = select(Application).where(
        Application.team_id == team_id,
        Application.call_id.in_(call_ids),
        Application.status != ApplicationStatus.WITHDRAWN,
    )
    return {a.call_id: a for a in db.session.scalars(stmt)}


@dataclass(frozen=True)
class Milestone:
    title: str
    due: date
    amount_fen: int


def milestones(application: Application) -> list[Milestone]:
    """The application's milestones with their amounts in fen (as stored: checked)."""
    return [
        Milestone(m["title"], date.fromisoformat(m["due"]), parse_yuan(m["amount_yuan"]))
        for m in application.milestones or []
    ]


@dataclass(frozen=True)
class Filters:
    call_id: int | None = None
    team_id: int | None = None
    status: str | None = None


SORTING = Sorting(
    {
        "title": Application.title,
        "amount": Application.amount_fen,
        "status": Application.status,
        "submitted": Application.submitted_at,
    },
    default="submitted",
    tiebreak=Application.id,
    descending=True,
    first_desc=frozenset({"amount", "submitted"}),
)


def applications_of(user: Any, filters: Filters, sort: Sort | None = None) -> Select[Any]:
    """The applications the user may see, in the reader's order (without one: newest
    first), with their call and team."""
    stmt = (
        select(Application)
        .where(visible(user, Application))
        .options(joinedload(Application.call), joinedload(Application.team))
        .order_by(*(sort.order_by() if sort else [Application.id.desc()]))
    )
    if filters.call_id is not None:
        stmt = stmt.where(Application.call_id == filters.call_id)
    if filters.team_id is not None:
        stmt = stmt.where(Application.team_id == filters.team_id)
    if filters.status is not None:
        stmt = stmt.where(Application.status == filters.status)
    return stmt


@dataclass(frozen=True)
class Step:
    """One change of state as its viewer reads it: `by` is None when the name is not theirs
    to read (a reviewer's, to anyone but staff), or for the system."""

    from_status: str | None
    to_status: str
    at: datetime
    by: str | None
    note: str


def _name_shown(viewer: Any, who: Any) -> bool:
    if who is None:
        return False
    return who.role != Role.REVIEWER or viewer.role in (Role.ADMIN, Role.STAFF)


def history(application: Application, viewer: Any) -> list[Step]:
    """The application's changes of state, oldest first: who (where the viewer may know) and
    when. Reviews change no state, so no reviewer appears here in the first place."""
    stmt = (
        select(ApplicationChange)
        .where(ApplicationChange.application_id == application.id)
        .options(selectinload(ApplicationChange.by))
        .order_by(ApplicationChange.id)
    )
    return [
        Step(
            c.from_status,
            c.to_status,
            c.at,
            (c.by.name or c.by.email) if _name_shown(viewer, c.by) else None,
            c.note,
        )
        for c in db.session.scalars(stmt)
    ]


def attachments_of(application_id: int) -> Select[Any]:
    """The files of an application, in the order they came."""
    return (
        select(Attachment)
        .where(Attachment.application_id == application_id)
        .order_by(Attachment.id)
    )
