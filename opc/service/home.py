"""What service adds to the team home (opc.teams.pages.add_due: requests waiting on the
team's answer) and to the staff's Today queue (opc.parks.queue.add_queue: open requests due
soon or past their SLA, each count linking to the queue filtered by that SLA state)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from opc.core.db import utcnow
from opc.extensions import db
from opc.parks.queue import SOON, URGENT, QueueItem, add_queue, one_park
from opc.service import queries as q
from opc.service.models import ACTIVE, ServiceRequest, Status
from opc.service.permissions import can_open_request
from opc.service.sla import BREACHED, DUE_SOON
from opc.teams.models import Team
from opc.teams.pages import SOON as DUE_ITEM_SOON
from opc.teams.pages import DueItem, add_due


def _due(team: Team, user: Any, _today: date) -> list[DueItem]:
    """One statement: the team's requests in which staff asked the team something."""
    if not can_open_request(user, team):
        return []
    waiting = db.session.scalars(
        select(ServiceRequest)
        .where(ServiceRequest.team_id == team.id, ServiceRequest.status == Status.WAITING)
        .order_by(ServiceRequest.waiting_since, ServiceRequest.id)
    )
    return [
        DueItem(
            _("Service request"),
            _("The park waits for your answer: %(title)s", title=r.title),
            url_for("service.detail", request_id=r.id),
            urgency=DUE_ITEM_SOON,
        )
        for r in waiting
    ]


def _queue(park_ids: list[int], _today: date) -> list[QueueItem]:
    """The parks' open requests and their SLA states: one statement, then arithmetic on
    each park's calendar (opc.service.sla)."""
    found = list(
        db.session.scalars(
            select(ServiceRequest)
            .options(joinedload(ServiceRequest.park))
            .where(ServiceRequest.park_id.in_(park_ids), ServiceRequest.status.in_(ACTIVE))
        )
    )
    states = [s.state for s in q.sla_states(found, utcnow()).values()]
    park_id = one_park(park_ids)
    soon, late = states.count(DUE_SOON), states.count(BREACHED)
    return [
        QueueItem(
            ngettext("%(num)d request past its SLA", "%(num)d requests past their SLA", late),
            late,
            url_for("service.queue", park_id=park_id, sla=BREACHED, sort="resolution_due"),
            URGENT,
        ),
        QueueItem(
            ngettext("%(num)d request near its SLA", "%(num)d requests near their SLA", soon),
            soon,
            url_for("service.queue", park_id=park_id, sla=DUE_SOON, sort="resolution_due"),
            SOON,
        ),
    ]


def register() -> None:
    add_due("service", _due)
    add_queue("service", _queue, order=10)
