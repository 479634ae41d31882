"""The usage upload page: staff upload a provider's usage file on its behalf (providers
have no pages: their API token writes usage). The same ingest_usage as POST /api/v1/usage:
all rows or none, every bad row listed with its row number (422); stored, it redirects
with what was stored and how many rows were duplicates."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectChoice, SelectField
from wtforms.validators import DataRequired

from opc.compute.models import Provider
from opc.compute.operations.usage import ingest_usage
from opc.compute.operations.usage_input import InvalidRecords
from opc.compute.permissions import can_write_usage
from opc.compute.usage_csv import SHEET, read_usage_csv
from opc.core.errors import DomainError
from opc.core.forms import BaseForm, int_or_none
from opc.core.permissions import Role, require
from opc.extensions import db

bp = Blueprint("compute_upload", __name__)


class UploadForm(BaseForm):
    provider_id = SelectField(_l("Provider"), coerce=int_or_none, validators=[DataRequired()])
    file = FileField(_l("CSV file"), validators=[FileRequired()])


def may_upload(user: Any) -> bool:
    """Staff of a park, and admins (a provider writes through the API)."""
    return user.role in (Role.STAFF, Role.ADMIN) and can_write_usage(user)


def _problems(err: InvalidRecords, rows: list[int]) -> list[dict[str, Any]]:
    """A refused batch's problems by the file's row numbers and column headers."""
    found = []
    for index, field, reason in err.problems:
        column = SHEET.by_key.get(field)
        found.append(
            {"row": rows[index], "column": str(column.label) if column else field, "reason": reason}
        )
    return found


@bp.route("/compute/usage/upload", methods=["GET", "POST"])
def upload() -> Any:
    """Upload a provider's usage file: all rows are stored, or none."""
    require(may_upload(current_user))
    form = UploadForm()
    providers = db.session.scalars(db.select(Provider).order_by(Provider.name, Provider.id))
    form.provider_id.choices = [SelectChoice(p.id, p.name) for p in providers]
    problems = None
    if form.validate_on_submit():
        limit = current_app.config["USAGE_BATCH_MAX_RECORDS"]
        batch = None
        try:
            batch = read_usage_csv(form.file.data.read(), limit)
            done = ingest_usage(
                form.provider_id.data,
                batch.records,
                source="csv",
                actor=current_user._get_current_object(),
                known_problems=batch.problems,
            )
        except InvalidRecords as err:
            problems = _problems(err, batch.rows if batch else [])
            form.show_error(err)
        except DomainError as err:
            problems = err.fields.get("rows")
            form.show_error(err)
        else:
            flash(
                _(
                    "Stored %(stored)d usage records; %(duplicates)d rows were stored before "
                    "(duplicates).",
                    stored=done.stored,
                    duplicates=done.duplicates,
                ),
                "success",
            )
            return redirect(url_for("compute_upload.upload"))
    page = render_template(
        "compute/usage_upload.html", form=form, problems=problems, columns=SHEET.describe()
    )
    return page, form.status


@bp.route("/compute/usage/template.csv")
def template() -> Any:
    """The usage file's template: headers in the page's language, one example row."""
    require(may_upload(current_user))
    return Response(
        SHEET.template(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=usage-template.csv"},
    )
