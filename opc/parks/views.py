"""Park pages: admins add and change parks (the dashboards are opc.overview's)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from opc.core.errors import DomainError
from opc.core.permissions import get_or_404, require
from opc.parks import operations as ops
from opc.parks.forms import ParkForm
from opc.parks.models import Park
from opc.parks.permissions import can_manage_parks

bp = Blueprint("parks", __name__, url_prefix="/parks")


@bp.route("/new", methods=["GET", "POST"])
def create() -> Any:
    require(can_manage_parks(current_user))
    form = ParkForm()
    if form.validate_on_submit():
        try:
            park = ops.create_park(actor=current_user._get_current_object(), **form.values())
        except DomainError as err:
            form.show_error(err)
        else:
            flash(_("Park created."), "success")
            return redirect(url_for("overview.dashboard", park_id=park.id))
    return render_template("parks/form.html", form=form, park=None), form.status


@bp.route("/<int:park_id>/edit", methods=["GET", "POST"])
def edit(park_id: int) -> Any:
    park = g.park = get_or_404(Park, park_id, current_user, "parks.manage")
    form = ParkForm(obj=park)
    form.code.render_kw = {"readonly": True}
    if form.validate_on_submit():
        values = {k: v for k, v in form.values().items() if k != "code"}
        try:
            ops.update_park(park, actor=current_user._get_current_object(), **values)
        except DomainError as err:
            form.show_error(err)
        else:
            flash(_("Park saved."), "success")
            return redirect(url_for("overview.dashboard", park_id=park.id))
    return render_template("parks/form.html", form=form, park=park), form.status
