"""Pages: one's notifications, newest first; mark one or all read (POST, then back to the list)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from opc.core.pagination import paginate
from opc.notifications import operations as ops
from opc.notifications import queries
from opc.notifications.kinds import render

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


def _back() -> Any:
    """Back to the list as it was shown (only its own filter, page and order are kept)."""
    args = {
        k: v
        for k, v in request.args.items()
        if k in ("unread", "page") and v.isascii() and v.isdigit() and len(v) <= 10
    }
    if request.args.get("sort") in queries.INBOX.columns:
        sort = queries.INBOX.chosen()
        args.update(sort=sort.key, dir=sort.direction)
    return redirect(url_for("notifications.index", **args))


@bp.route("/")
def index() -> Any:
    """The user's notifications, newest first; `?unread=1`: only the unread ones."""
    unread = request.args.get("unread") == "1"
    sort = queries.INBOX.requested()
    page = paginate(queries.inbox(current_user, unread=unread, sort=sort))
    shown = {n.id: render(n.kind, n.params or {}) for n in page.items}
    return render_template(
        "notifications/index.html",
        page=page,
        shown=shown,
        only_unread=unread,  # not `unread`: base.html's badge count has that name
        sort=sort or queries.INBOX.chosen(),
    )


@bp.route("/<int:notification_id>/read", methods=["POST"])
def read(notification_id: int) -> Any:
    """Mark one of one's notifications read."""
    ops.mark_read(notification_id, actor=current_user._get_current_object())
    return _back()


@bp.route("/read", methods=["POST"])
def read_all() -> Any:
    """Mark all of one's notifications read."""
    marked = ops.mark_all_read(actor=current_user._get_current_object())
    if marked:
        flash(_("All notifications are marked read."), "success")
    return _back()
