"""Park pages: the list of one's parks and each park's dashboard."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from opc.core import nav
from opc.core.errors import DomainError
from opc.core.permissions import can, get_or_404, require
from opc.extensions import db
from opc.parks import operations as ops
from opc.parks import queries
from opc.parks.forms import ParkForm
from opc.parks.models import Park
from opc.teams.labels import track_label

bp = Blueprint("parks", __name__, url_prefix="/parks")

nav.add("parks.index", _l("Dashboard"), lambda u: can(u, "parks.view"), order=10)


@bp.route("/")
def index() -> Any:
    """One's parks; with a single park, straight to its dashboard."""
    parks = db.session.scalars(queries.parks_for(current_user)).all()
    if len(parks) == 1 and not can(current_user, "parks.manage"):
        return redirect(url_for("parks.dashboard", park_id=parks[0].id))
    summaries = [queries.summary(p) for p in parks]
    return render_template("parks/index.html", summaries=summaries)


@bp.route("/<int:park_id>")
def dashboard(park_id: int) -> Any:
    """A park at a glance: residents against the cap, space in use, teams by track."""
    park = g.park = get_or_404(Park, park_id, current_user)
    summary = queries.summary(park)
    tracks = queries.teams_by_track(park)
    chart = {
        "labels": [track_label(track) for track, _n in tracks],
        "values": [n for _t, n in tracks],
    }
    return render_template(
        "parks/dashboard.html", park=park, s=summary, track_chart=json.dumps(chart)
    )


@bp.route("/new", methods=["GET", "POST"])
def create() -> Any:
    require(current_user, "parks.manage")
    form = ParkForm()
    if form.validate_on_submit():
        try:
            park = ops.create_park(
                actor=current_user._get_current_object(),
                **{k: v for k, v in form.data.items() if k != "csrf_token"},
            )
        except DomainError as err:
            form.show_error(err)
        else:
            flash(_("Park created."), "success")
            return redirect(url_for("parks.dashboard", park_id=park.id))
    return render_template("parks/form.html", form=form, park=None)


@bp.route("/<int:park_id>/edit", methods=["GET", "POST"])
def edit(park_id: int) -> Any:
    park = g.park = get_or_404(Park, park_id, current_user, "parks.manage")
    form = ParkForm(obj=park)
    form.code.render_kw = {"readonly": True}
    if form.validate_on_submit():
        values = {k: v for k, v in form.data.items() if k not in ("csrf_token", "code")}
        try:
            ops.update_park(park, actor=current_user._get_current_object(), **values)
        except DomainError as err:
            form.show_error(err)
        else:
            flash(_("Park saved."), "success")
            return redirect(url_for("parks.dashboard", park_id=park.id))
    return render_template("parks/form.html", form=form, park=park)
