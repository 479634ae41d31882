"""Admins see the runs of the scheduled jobs, newest first."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from opc.core.pagination import paginate
from opc.core.permissions import is_admin, require
from opc.jobs import registry
from opc.jobs.models import JobRun

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

STATES = {
    "claimed": _l("Claimed"),
    "running": _l("Running"),
    "succeeded": _l("Succeeded"),
    "failed": _l("Failed"),
}


@bp.route("/")
def index() -> Any:
    """The declared jobs and a page of their runs."""
    require(is_admin(current_user))
    page = paginate(select(JobRun).order_by(JobRun.id.desc()))
    return render_template("jobs/index.html", jobs=registry.all_jobs(), page=page, states=STATES)
