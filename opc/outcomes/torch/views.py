"""The Torch survey's page (staff): the years the mapping has, each form's columns as printed,
and the download of a park's table of resident enterprises for a year."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_login import current_user

from opc.core.errors import NotFound, ValidationFailed
from opc.core.values import arg_id, arg_int
from opc.extensions import db
from opc.outcomes.torch.download import forms, respond
from opc.outcomes.torch.mapping import FIRST_YEAR, LAST_YEAR
from opc.outcomes.torch.permissions import can_export
from opc.parks.queries import parks_for

bp = Blueprint("torch", __name__, url_prefix="/outcomes")


def may_export(user: Any) -> bool:
    return bool(can_export(user))


def _staff_only() -> None:
    if not can_export(current_user):
        raise NotFound("not_found", _("Not found."))


@bp.route("/torch")
def index() -> Any:
    _staff_only()
    parks = db.session.scalars(parks_for(current_user)).all()
    return render_template("outcomes/torch.html", parks=parks, forms=forms())


@bp.route("/torch.xlsx")
def export() -> Any:
    _staff_only()
    park_id = arg_id("park_id")
    year = arg_int("year", FIRST_YEAR, LAST_YEAR)
    errors = {}
    if park_id is None:
        errors["park_id"] = [_("Choose a park.")]
    if year is None:
        errors["year"] = [_("Choose a survey year.")]
    if errors or park_id is None or year is None:
        raise ValidationFailed(errors)
    return respond(current_user, park_id, year)
