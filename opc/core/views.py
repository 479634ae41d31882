"""Site-wide pages: home, the language switch, the health check."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, redirect, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from opc.core.permissions import Role
from opc.core.security import public, safe_next
from opc.extensions import db

bp = Blueprint("core", __name__)


@bp.route("/")
@public
def home() -> Any:
    """Staff land on their dashboard; others on their own start page."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if current_user.role == Role.MEMBER:
        return redirect(url_for("teams.mine"))
    return redirect(url_for("overview.index"))


@bp.route("/lang", methods=["POST"])
@public
def set_language() -> Any:
    """Switch the page language for this session (and remember it for the user)."""
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next"), url_for("core.home")))


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
