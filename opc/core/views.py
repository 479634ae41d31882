"""Site-wide pages: home, the language switch, the health check."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import text

from opc.core.paths import nearest_page
from opc.core.permissions import Role
from opc.core.security import public
from opc.extensions import db

bp = Blueprint("core", __name__)

# Roles without a dashboard of parks (reviewers score fund applications): "/" is their start
# page, with Home in the navigation: the page a domain gives the role (ROLE_HOMES), else
# one that says what will appear there.
LITTLE_TO_SEE_YET = frozenset({Role.REVIEWER})
# A role's start page given by a domain above (funds: a reviewer's reviews), by endpoint;
# core cannot import the domains above it, so they register here from their init_app.
ROLE_HOMES: dict[str, str] = {}


@bp.route("/")
@public
def home() -> Any:
    """Staff land on their dashboard; others on their own start page."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if current_user.role == Role.MEMBER:
        return redirect(url_for("teams.mine"))
    if (endpoint := ROLE_HOMES.get(current_user.role)) is not None:
        return current_app.view_functions[endpoint]()
    if current_user.role in LITTLE_TO_SEE_YET:
        # No dead end: a start page with the navigation, saying what will appear here.
        return render_template("home.html")
    return redirect(url_for("overview.index"))


@bp.route("/lang", methods=["POST"])
@public
def set_language() -> Any:
    """Switch the page language for this session (and remember it for the user)."""
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    # Back to a page a GET answers, never to a form's POST-only address (a 405).
    return redirect(nearest_page(request.form.get("next"), url_for("core.home")))


@bp.route("/healthz")
@public
def healthz() -> Any:
    """200 when the app and its database answer; 503 when the database does not."""
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except Exception:
        return jsonify({"status": "error", "db": "error"}), 503
    return jsonify({"status": "ok", "db": "ok"})
