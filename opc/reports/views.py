"""The reports page (staff): runs by park and period with their status, version, files and
who produced them; a form to produce any past month, or a new version of it."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import BooleanField, SelectField, StringField

from opc.auth.models import User
from opc.compute.usage_queries import MONTH_PATTERN
from opc.core.errors import DomainError
from opc.core.export import MIME, send_stored
from opc.core.forms import BaseForm, int_or_none
from opc.core.pagination import paginate
from opc.core.permissions import get_or_404, require
from opc.core.values import arg_id, arg_text
from opc.extensions import db
from opc.parks.models import Park
from opc.parks.queries import parks_for
from opc.reports import mailing
from opc.reports.models import ReportRun
from opc.reports.operations import produce_report
from opc.reports.permissions import can_view_reports
from opc.reports.queries import RUNS, runs_of

bp = Blueprint("reports", __name__, url_prefix="/reports")


class ProduceForm(BaseForm):
    park_id = SelectField(_l("Park"), coerce=int_or_none, validate_choice=False)
    period = StringField(_l("Month (YYYY-MM)"))
    new_version = BooleanField(_l("As a new version (the earlier kept)"))


def may_see_reports(user: Any) -> bool:
    return bool(can_view_reports(user))


def _page(form: ProduceForm, status: int = 200) -> Any:
    parks = db.session.scalars(parks_for(current_user)).all()
    form.park_id.choices = [(p.id, p.name_zh) for p in parks]
    park_id = arg_id("park_id")
    period = arg_text("period", max_length=7)
    if period and not re.fullmatch(MONTH_PATTERN, period):
        period = ""
    sort = RUNS.requested()
    page = paginate(runs_of(current_user, park_id=park_id, period=period or None, sort=sort))
    people = {
        u.id: u.email
        for u in db.session.scalars(
            select(User).where(User.id.in_({r.created_by_id for r in page.items} - {None}))
        )
    }
    return render_template(
        "reports/index.html",
        form=form,
        page=page,
        sort=sort or RUNS.chosen(),
        parks={p.id: p for p in parks},
        park_id=park_id,
        period=period,
        people=people,
    ), status


@bp.route("", methods=["GET", "POST"])
def index() -> Any:
    require(can_view_reports(current_user))
    form = ProduceForm()
    if request.method == "POST" and form.validate_on_submit():
        if form.park_id.data is None:
            abort(404)
        park = get_or_404(Park, form.park_id.data, current_user, "report_runs.produce")
        try:
            run, created = produce_report(
                park_id=park.id,
                period=form.period.data or "",
                actor=current_user._get_current_object(),
                new_version=bool(form.new_version.data),
            )
        except DomainError as err:
            return _page(form, form.show_error(err))
        if created:
            mailing.mail_run(run.id)
            flash(_("Report produced: version %(v)d.", v=run.version), "success")
        else:
            flash(_("This report exists already: version %(v)d.", v=run.version), "info")
        return redirect(url_for("reports.index", park_id=run.park_id, period=run.period))
    return _page(form, form.status)


@bp.route("/<int:run_id>/<any(csv, xlsx):fmt>")
def download(run_id: int, fmt: str) -> Any:
    run = get_or_404(ReportRun, run_id, current_user)
    park = get_or_404(Park, run.park_id, current_user)
    found = next((f for f in run.files if f.format == fmt), None)
    if run.status != "done" or found is None:
        abort(404)
    return send_stored(found.storage_key, mailing.file_name(run, park, fmt), MIME[fmt])
