"""Pages: log in and out, one's account and API tokens."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from opc.auth import operations as ops
from opc.auth import queries, resets
from opc.auth.forms import (
    ForgotForm,
    LoginForm,
    PasswordForm,
    PreferencesForm,
    ResetForm,
    TokenForm,
)
from opc.auth.permissions import can_manage_users
from opc.core import mail
from opc.core.errors import DomainError, RateLimited, ValidationFailed
from opc.core.security import client_address, public, safe_next

bp = Blueprint("auth", __name__)


def _fresh_session() -> None:
    """Start a new session that keeps only the chosen page language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> Any:
    """Log in with e-mail and password; throttled per account and per address."""
    target = safe_next(request.values.get("next"), url_for("core.home"))
    if current_user.is_authenticated:
        return redirect(target)
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = ops.authenticate(form.email.data, form.password.data, client_address())
        except RateLimited as err:
            flash(err.message, "error")
            page = render_template("auth/login.html", form=form, next=target)
            return page, 429, {"Retry-After": str(err.retry_after)}
        except DomainError as err:
            flash(err.message, "error")
            return render_template("auth/login.html", form=form, next=target), 401
        _fresh_session()  # no fixation: a fresh session for the new login
        login_user(user)
        return redirect(target)
    return render_template("auth/login.html", form=form, next=target)


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    """End this login session for good: a replayed cookie is refused afterwards."""
    ops.end_session(current_user.get_id())
    logout_user()
    _fresh_session()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
def account() -> Any:
    """One's own account: change the password, preferences, manage API tokens."""
    form = PasswordForm(prefix="pw")
    token_form = TokenForm(prefix="tok")
    user = current_user._get_current_object()
    status, headers = 200, {}
    prefs, saved = _preferences(user)
    if saved:
        return saved
    if prefs.refused:
        status = 422
    if request.method == "POST" and "pw-password" in request.form:
        status = 422
        try:
            if form.validate():
                _change_password(user, form)
                logout_user()
                _fresh_session()
                flash(_("Password changed. Please log in again."), "info")
                return redirect(url_for("auth.login"))
        except RateLimited as err:
            form.current.errors = [err.message]
            status, headers = 429, {"Retry-After": str(err.retry_after)}
        except DomainError as err:
            form.show_error(err)
    new_secret = None
    if request.method == "POST" and "tok-name" in request.form:
        status = 422
        if token_form.validate():
            try:
                new_secret = ops.issue_token(
                    user, scope=token_form.scope.data, name=token_form.name.data, actor=user
                )
                status = 200
            except DomainError as err:
                token_form.show_error(err)
    tokens = queries.tokens_of(user)
    page = render_template(
        "auth/account.html",
        form=form,
        token_form=token_form,
        prefs=prefs,
        tokens=tokens,
        new_secret=new_secret,
    )
    return page, status, headers


def _preferences(user: Any) -> tuple[PreferencesForm, Any]:
    """The preferences form, and the redirect after saving it when it was submitted."""
    submitted = request.method == "POST" and "pref-locale" in request.form
    prefs = PreferencesForm(prefix="pref", obj=user, formdata=request.form if submitted else None)
    if not submitted:
        prefs.locale.data = user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
        return prefs, None
    if prefs.validate():
        try:
            ops.set_preferences(
                user,
                notify_by_email=bool(prefs.notify_by_email.data),
                locale=prefs.locale.data,
                actor=user,
            )
        except DomainError as err:
            prefs.show_error(err)
        else:
            flash(_("Preferences saved."), "success")
            return prefs, redirect(url_for("auth.account"))
    prefs.refused = True
    return prefs, None


def _change_password(user: Any, form: PasswordForm) -> None:
    """Check the current password (throttled like a login), then set the new one."""
    if not ops.confirm_password(user, form.current.data, client_address()):
        message = _("This is not your current password.")
        raise ValidationFailed({"current": [message]})
    ops.set_password(
        user, form.password.data, actor=user, revoke_tokens=bool(form.revoke_tokens.data)
    )


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_token(token_id: int) -> Any:
    token = queries.token(token_id)
    if token is None or (token.user_id != current_user.id and not can_manage_users(current_user)):
        return render_template(
            "errors/error.html", status=404, code="not_found", message=_("Not found.")
        ), 404
    ops.revoke_token(token, actor=current_user._get_current_object())
    flash(_("Token revoked."), "info")
    return redirect(url_for("auth.account"))


# --- forgotten passwords (opc.auth.resets) ----------------------------------------------


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
def forgot_password() -> Any:
    """Ask for a link to set a new password; the answer never says whether the account
    exists (opc.auth.resets)."""
    form = ForgotForm()
    if not mail.configured():  # nothing could be sent: say whom to ask instead
        return render_template("auth/forgot.html", form=None)
    if form.validate_on_submit():
        try:
            message = resets.request_reset(form.email.data, client_address())
        except RateLimited as err:
            flash(err.message, "error")
            page = render_template("auth/forgot.html", form=form)
            return page, 429, {"Retry-After": str(err.retry_after)}
        except DomainError as err:
            form.show_error(err)
        else:
            if message is not None:
                mail.send_in_background(message.to, message.subject, message.body)
            minutes = current_app.config["PASSWORD_RESET_LINK_MINUTES"]
            flash(
                _(
                    "If %(email)s belongs to an account, a link to set a new password is on its "
                    "way there. It works once, for %(n)d minutes.",
                    email=form.email.data,
                    n=minutes,
                ),
                "info",
            )
            return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form), form.status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str) -> Any:
    """The one-time link: choose a new password, then log in with it."""
    try:
        reset = resets.check_usable(resets.find_reset(token))
    except DomainError as err:
        return render_template("auth/reset_invalid.html", message=err.message), err.status
    form = ResetForm()
    if form.validate_on_submit():
        try:
            resets.complete_reset(
                token,
                form.password.data,
                address=client_address(),
                revoke_tokens=bool(form.revoke_tokens.data),
            )
        except DomainError as err:
            if not form.apply_error(err):
                page = render_template("auth/reset_invalid.html", message=err.message)
                return page, err.status
        else:
            if current_user.is_authenticated:  # its session ended with the others
                logout_user()
            _fresh_session()
            flash(_("Your new password is set. Please log in."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form, reset=reset), form.status
