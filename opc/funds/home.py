"""What funds add to the team home (opc.teams.pages.add_due: drafts to submit before their
call closes, open calls the team may still apply to that close within two weeks) and to the
staff's Today queue (opc.parks.queue.add_queue: submitted applications awaiting screening,
per call, each linking to the call's submitted applications)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from opc.core.db import utcnow
from opc.core.errors import DomainError
from opc.core.i18n import locale_code
from opc.extensions import db
from opc.funds import queries_applications as q
from opc.funds.application_models import Application, ApplicationStatus
from opc.funds.models import Call
from opc.funds.operations.applications import check_eligible
from opc.funds.permissions import can_edit_application
from opc.parks.queue import QueueItem, add_queue
from opc.teams.models import Team
from opc.teams.pages import LATER, SOON, DueItem, add_due

CLOSING_WITHIN_DAYS = 14  # an open call closing within two weeks is worth a reminder


def _closing(call: Call, until: datetime, team: Team) -> bool:
    """The call closes before `until` and the team may apply to it (tracks, statuses)."""
    if call.closes_at > until:
        return False
    try:
        check_eligible(call, team)
    except DomainError:
        return False
    return True


def _due(team: Team, user: Any, today: date) -> list[DueItem]:
    """Two statements: the park's calls not yet closed, the team's live applications."""
    if not can_edit_application(user, team):
        return []
    now, tz, locale = utcnow(), ZoneInfo(team.park.timezone), locale_code()
    calls = q.open_calls(user, team.park_id, now)
    live = q.live_by_call(team.id, [c.id for c in calls])
    soon = today + timedelta(days=CLOSING_WITHIN_DAYS)
    until = now + timedelta(days=CLOSING_WITHIN_DAYS)
    items = []
    for call in calls:
        closes = call.closes_at.astimezone(tz).date()
        urgency = SOON if closes <= soon else LATER
        application = live.get(call.id)
        if application is not None and application.status == ApplicationStatus.DRAFT:
            text = _(
                "Submit your application “%(title)s” to %(call)s",
                title=application.title,
                call=call.title(locale),
            )
            url = url_for("applications.detail", application_id=application.id)
            items.append(DueItem(_("Fund application"), text, url, closes, None, urgency))
        elif application is None and call.opens_at <= now and _closing(call, until, team):
            text = _("%(call)s closes: apply before then", call=call.title(locale))
            url = url_for("applications.new", call_id=call.id)
            items.append(DueItem(_("Fund call"), text, url, closes, None, SOON))
    return items


def _queue(park_ids: list[int], _today: date) -> list[QueueItem]:
    """One statement: submitted applications per call of the parks."""
    counts = (
        select(Application.call_id, func.count().label("n"))
        .where(
            Application.park_id.in_(park_ids),
            Application.status == ApplicationStatus.SUBMITTED,
        )
        .group_by(Application.call_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Call, counts.c.n)
        .join(counts, counts.c.call_id == Call.id)
        .order_by(Call.closes_at, Call.id)
    ).all()
    locale = locale_code()
    return [
        QueueItem(
            ngettext(
                "%(num)d application to screen: %(call)s",
                "%(num)d applications to screen: %(call)s",
                n,
                call=call.title(locale),
            ),
            n,
            url_for("funds.call", call_id=call.id, status=ApplicationStatus.SUBMITTED.value),
        )
        for call, n in rows
    ]


def register() -> None:
    add_due("funds", _due)
    add_queue("funds", _queue, order=30)
