"""Admins see the runs of the scheduled jobs, newest first."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from opc.core.pagination import paginate
from opc.core.permissions import is_admin, require
from opc.jobs import queries, registry

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

STATES = {
    "claimed": _l("Claimed"),
    "running": _l("Running"),
    "succeeded": _l("Succeeded"),
    "failed": _l("Failed"),
}


@bp.route("/")
def index() -> Any:
    """The declared jobs and a page of their runs (of a job, in a state: ?job=&state=)."""
    require(is_admin(current_user))
    jobs = registry.all_jobs()
    job = request.args.get("job", "")
    state = request.args.get("state", "")
    filters = {
        "job": job if job in {j.name for j in jobs} else None,
        "state": state if state in STATES else None,
    }
    sort = queries.SORTING.requested()
    page = paginate(queries.runs(**filters, sort=sort))
    return render_template(
        "jobs/index.html",
        jobs=jobs,
        page=page,
        states=STATES,
        filters=filters,
        sort=sort or queries.SORTING.chosen(),
    )
