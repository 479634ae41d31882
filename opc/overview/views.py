"""The park dashboards: residents against the cap, space in use, teams by track."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, g, redirect, render_template, url_for
from flask_login import current_user

from opc.core.db import utcnow
from opc.core.permissions import get_or_404
from opc.events.permissions import can_view_event
from opc.events.queries import next_events
from opc.overview import queries
from opc.overview.attention import ENDING_WITHIN_DAYS, attention
from opc.parks.models import Park
from opc.parks.permissions import can_manage_parks, staff_of
from opc.parks.queue import queue_for
from opc.teams.labels import track_label
from opc.teams.models import TeamStatus
from opc.teams.permissions import can_manage_teams

bp = Blueprint("overview", __name__, url_prefix="/parks")


@bp.route("/")
def index() -> Any:
    """One's parks; with a single park, straight to its dashboard."""
    parks = queries.parks_for(current_user)
    if len(parks) == 1 and not can_manage_parks(current_user):
        return redirect(url_for("overview.dashboard", park_id=parks[0].id))
    summaries = [queries.summary(p) for p in parks]
    return render_template("overview/index.html", summaries=summaries)


@bp.route("/<int:park_id>")
def dashboard(park_id: int) -> Any:
    """A park at a glance: what to act on (applicants waiting, allocations ending, residents
    without space, each linking to its teams), residents against the cap, space, tracks."""
    park = g.park = get_or_404(Park, park_id, current_user)
    summary = queries.summary(park)
    # Who applied, whose lease ends: for those who manage the park's teams only.
    todo = None
    if can_manage_teams(current_user, park):
        todo = attention(
            park,
            summary.today,
            summary.teams_by_status[TeamStatus.APPLICANT],
            calendar=can_manage_parks(current_user, park),
        )
    # What waits on the park's own staff today, from every domain (opc.parks.queue).
    today_queue = queue_for([park.id], summary.today) if staff_of(current_user, park.id) else None
    tracks = summary.residents_by_track
    chart = {
        "labels": [track_label(track) for track, _n in tracks],
        "values": [n for _t, n in tracks],
    }
    return render_template(
        "overview/dashboard.html",
        park=park,
        s=summary,
        todo=todo,
        today_queue=today_queue,
        within_days=ENDING_WITHIN_DAYS,
        track_chart=json.dumps(chart),
        # The park's next events, places left (opc.events): for those who see its events.
        upcoming_events=next_events(park.id, utcnow())
        if can_view_event(current_user, park)
        else None,
    )
