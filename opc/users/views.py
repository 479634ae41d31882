"""Admins list, create and look at users."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from opc.auth import resets
from opc.auth.forms import ForceResetForm
from opc.auth.labels import ROLES
from opc.auth.models import User
from opc.auth.permissions import can_manage_users
from opc.core.errors import DomainError
from opc.core.pagination import paginate
from opc.core.permissions import get_or_404, require
from opc.core.values import arg_text
from opc.users import operations as ops
from opc.users import queries
from opc.users.forms import UserForm

bp = Blueprint("users", __name__, url_prefix="/users")
RESET_LINK_KEY = "users.reset_link"


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
    filters = queries.UserFilters(
        q=arg_text("q", max_length=100).strip(),
        role=role if (role := request.args.get("role")) in ROLES else None,
    )
    sort = queries.SORTING.chosen()
    page = paginate(queries.users(filters, sort=sort))
    return render_template(
        "users/index.html", form=form, page=page, filters=filters, sort=sort, roles=ROLES
    ), form.status


@bp.route("/<int:user_id>")
def detail(user_id: int) -> Any:
    require(can_manage_users(current_user))
    user = get_or_404(User, user_id, current_user)
    # A reset just made without mail: its one-time link, shown once after the redirect.
    shown = session.pop(RESET_LINK_KEY, None)
    link = (
        shown.get("link") if isinstance(shown, dict) and shown.get("user_id") == user_id else None
    )
    return render_template(
        "users/detail.html", user=user, reset_form=ForceResetForm(), reset_link=link
    )


@bp.route("/<int:user_id>/reset-password", methods=["POST"])
def reset_password(user_id: int) -> Any:
    """Force a reset: the old password stops working, the user's sessions end, and a link
    to set a new one is mailed (or, without mail, shown here to pass on)."""
    require(can_manage_users(current_user))
    user = get_or_404(User, user_id, current_user)
    form = ForceResetForm()
    status = 200
    if form.validate_on_submit():
        try:
            issued = resets.force_reset(
                user,
                actor=current_user._get_current_object(),
                revoke_tokens=bool(form.revoke_tokens.data),
            )
        except DomainError as err:
            status = form.show_error(err)
        else:
            if issued.mailed:
                flash(
                    _("A link to set a new password was sent to %(email)s.", email=user.email),
                    "success",
                )
            else:  # shown on the user's page after the redirect, once
                session[RESET_LINK_KEY] = {"user_id": user.id, "link": issued.link}
            return redirect(url_for("users.detail", user_id=user.id))
    page = render_template("users/detail.html", user=user, reset_form=form)
    return page, max(status, form.status)
