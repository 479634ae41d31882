"""Demo service requests (opc.service) in a park: the stories of opc.demo.service_stories,
played through the operations by the teams' members and the demo staff, then dated back
to when they would have happened, in working time on the park's calendar.

The operations stamp every step with the present; once a request's steps are done, each
step's timeline entries get the instant of its story, and the request's clock fields
(opened, first response, waits, resolution, closing, rating and the due instants) are
counted again from that timeline as the operations count them. So the staff queue shows
what the stories need now: one request breached, one due soon, two waiting on their team.

A team in a story gets a member login (no password: the team's contact) to act as; the
member login's team acts as the member login. When the park's calendar cannot count the
deadlines of a request opened now (late December, next year not yet known: the calendar
page and the dashboard warn of it), the park gets no service requests rather than a guess.
"""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opc.auth.models import User
from opc.auth.operations import create_user
from opc.core.db import utcnow
from opc.demo.service_stories import STORIES, Story
from opc.notifications.models import Notification
from opc.parks.models import Park
from opc.parks.workdays import UnknownYear, WorkingCalendar, calendar_of
from opc.service.models import EventKind, ServiceEvent, ServiceRequest, Status
from opc.service.operations import requests as ops
from opc.service.operations import team as team_ops
from opc.service.operations.attachments import add_attachment
from opc.service.settings import targets
from opc.service.tasks import warn_breaches
from opc.teams.models import Team, TeamStatus

# A small PDF: the creation notes the member's team attaches to its copyright request.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def seed_service(session: Session, park: Park, staff: User, member: User | None) -> None:
    """The park's service requests, in every state, dated back (see the module's doc)."""
    stories = STORIES.get(park.code, ())
    cal = calendar_of(park)
    now = utcnow()
    longest = max((max(targets(park.id, s.category)) for s in stories), default=0)
    try:
        cal.add_working_minutes(now, longest)
    except UnknownYear:
        return  # requests opened now could not be given their deadlines
    teams = _teams(session, park)
    for n, story in enumerate(stories):
        team = teams[story.team]
        actor = member if member is not None and member.team_id == team.id else None
        actor = actor or _member_of(session, team)
        opened = _opened(cal, now, story, n)
        told = session.scalar(select(func.max(Notification.id))) or 0
        request = ops.open_request(
            actor=actor,
            team_id=team.id,
            category=story.category,
            title=story.title,
            description=story.description,
        )
        seen = _stamp(session, request, opened, (0, told))
        for kind, after, *args in story.steps:
            when = min(cal.add_working_minutes(opened, after), now - timedelta(minutes=1))
            _play(request, kind, args, story, staff, actor)
            seen = _stamp(session, request, when, seen)
        if story.category == "ip_copyright" and actor is member:
            add_attachment(request.id, io.BytesIO(PDF), "创作过程说明.pdf", actor=actor)
        _settle(cal, request, staff.id)
    session.flush()
    warn_breaches(now)  # what the scheduler's job would have sent by now


def _teams(session: Session, park: Park) -> dict[str | int, Team]:
    """The park's residents by name, and the others (not named in the demo) by number."""
    residents = list(
        session.scalars(
            select(Team)
            .where(Team.park_id == park.id, Team.status == TeamStatus.RESIDENT)
            .order_by(Team.id)
        )
    )
    named = {s.team for stories in STORIES.values() for s in stories if isinstance(s.team, str)}
    found: dict[str | int, Team] = {t.name_zh: t for t in residents if t.name_zh in named}
    others = [t for t in residents if t.name_zh not in named]
    found.update(enumerate(others))
    return found


def _member_of(session: Session, team: Team) -> User:
    """The team's contact as a member login (no password), made once."""
    user = session.scalar(select(User).where(User.team_id == team.id).order_by(User.id))
    return user or create_user(
        team.contact_email, role="member", password=None, name=team.contact_name, team_id=team.id
    )


def _opened(cal: WorkingCalendar, now: datetime, story: Story, n: int) -> datetime:
    """When the story's request opened: a working morning `days` ago (earlier when a long
    holiday leaves too little working time since for its steps), or exactly `work` working
    minutes before now."""
    how, amount = story.ago
    if how == "work":
        return _working_ago(cal, now, amount)
    day = (now.astimezone(cal.tz) - timedelta(days=amount)).date()
    morning = cal.add_working_minutes(datetime.combine(day, time(), cal.tz), 20 + 37 * n % 150)
    steps = max((step[1] for step in story.steps), default=0)
    return min(morning, _working_ago(cal, now, steps + 60))


def _working_ago(cal: WorkingCalendar, now: datetime, minutes: int) -> datetime:
    """The latest instant `minutes` of working time before now, to the minute (by halving:
    the working minutes since an instant shrink as it comes closer)."""
    low, high = now - timedelta(days=60), now
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        if cal.working_minutes(middle, now) >= minutes:
            low = middle
        else:
            high = middle
    return low.replace(second=0, microsecond=0)


def _play(
    request: ServiceRequest, kind: str, args: list, story: Story, staff: User, team: User
) -> None:
    rid = request.id
    if kind == "triage":
        ops.triage(rid, actor=staff, category=story.filed_as or story.category)
    elif kind == "assign":
        ops.assign(rid, actor=staff, assignee_id=staff.id)
    elif kind in ("note", "say"):
        ops.comment(rid, actor=staff, body=args[0], internal=kind == "note")
    elif kind == "ask":
        ops.ask_team(rid, actor=staff, question=args[0])
    elif kind == "answer":
        ops.comment(rid, actor=team, body=args[0])
    elif kind == "resolve":
        ops.resolve(rid, actor=staff, note=args[0])
    elif kind == "confirm":
        team_ops.confirm(rid, actor=team)
    elif kind == "reopen":
        team_ops.reopen(rid, actor=team, reason=args[0])
    elif kind == "rate":
        team_ops.rate(rid, actor=team, rating=args[0], comment=args[1])
    else:
        raise ValueError(kind)


def _stamp(
    session: Session, request: ServiceRequest, when: datetime, seen: tuple[int, int]
) -> tuple[int, int]:
    """Date what the step wrote at `when`: the timeline entries and notifications after the
    ids in `seen` (those of more than a week ago were read then). The last ids now."""
    session.flush()
    events = session.scalars(
        select(ServiceEvent).where(ServiceEvent.request_id == request.id, ServiceEvent.id > seen[0])
    ).all()
    for event in events:
        event.at = when
    told = session.scalars(select(Notification).where(Notification.id > seen[1])).all()
    for notification in told:
        notification.created_at = when
        if utcnow() - when > timedelta(days=7):
            notification.read_at = when + timedelta(hours=2)
    return max([seen[0], *(e.id for e in events)]), max([seen[1], *(n.id for n in told)])


def _settle(cal: WorkingCalendar, request: ServiceRequest, staff_id: int) -> None:
    """The request's clock fields counted from its dated timeline, as the operations do."""
    events = list(request.events)
    opened = events[0].at
    clock_from, waited, since = opened, 0, None
    responded = resolved = closed = rated = None
    for e in events:
        if e.kind == EventKind.COMMENT and e.by_id == staff_id and responded is None:
            responded = e.at
        if e.kind == EventKind.RATED:
            rated = e.at
        if e.kind != EventKind.STATUS:
            continue
        if e.from_status == Status.WAITING and since is not None:
            waited += cal.working_minutes(since, e.at)
            since = None
        if e.to_status in (Status.WAITING, Status.RESOLVED):
            responded = responded or e.at
        if e.to_status == Status.WAITING:
            since = e.at
        elif e.to_status == Status.RESOLVED:
            resolved = e.at
        elif e.to_status == Status.CLOSED:
            closed = e.at
        elif e.to_status == Status.REOPENED:
            clock_from, waited, resolved = e.at, 0, None
    request.created_at = opened
    request.clock_from = clock_from
    request.first_response_due = cal.add_working_minutes(opened, request.response_minutes)
    request.first_responded_at = responded
    request.waited_minutes, request.waiting_since = waited, since
    request.resolution_due = (
        None
        if since is not None
        else cal.add_working_minutes(clock_from, request.resolution_minutes + waited)
    )
    request.resolved_at, request.closed_at, request.rated_at = resolved, closed, rated
