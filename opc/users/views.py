"""Admins list, create and look at users."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from opc.auth.models import User
from opc.auth.permissions import can_manage_users
from opc.core.errors import DomainError
from opc.core.pagination import paginate
from opc.core.permissions import get_or_404, require
from opc.users import operations as ops
from opc.users import queries
from opc.users.forms import UserForm

bp = Blueprint("users", __name__, url_prefix="/users")


@bp.route("", methods=["GET", "POST"])
def index() -> Any:
    """Admins list and create users."""
    require(can_manage_users(current_user))
    form = UserForm()
    form.team_id.choices = [("", "—"), *queries.team_choices()]
    form.park_ids.choices = queries.park_choices()
    if form.validate_on_submit():
        try:
            ops.create_user(
                form.email.data,
                role=form.role.data,
                password=form.password.data,
                name=form.name.data or "",
                team_id=form.team_id.data,
                park_ids=form.park_ids.data,
                actor=current_user._get_current_object(),
            )
        except DomainError as err:
            form.show_error(err)
        else:
            flash(_("User %(email)s created.", email=form.email.data), "success")
            return redirect(url_for("users.index"))
    page = paginate(queries.users())
    return render_template("users/index.html", form=form, page=page), form.status


@bp.route("/<int:user_id>")
def detail(user_id: int) -> Any:
    require(can_manage_users(current_user))
    return render_template("users/detail.html", user=get_or_404(User, user_id, current_user))
