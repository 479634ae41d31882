"""The webhook pages (admins; anyone else finds nothing: 404): a park's hooks, a form to
add or change one, a test event, switching a hook on again, and each hook's delivery log
with its status filter and pages. A hook's secret is shown in full once, on the page that
answers its creation or a new secret; after that only its last characters."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice

from opc.core import nav
from opc.core.errors import DomainError
from opc.core.pagination import paginate
from opc.core.permissions import get_visible
from opc.core.values import arg_id, arg_text
from opc.extensions import db
from opc.parks.queries import parks_for
from opc.webhooks import operations as ops
from opc.webhooks.delivery import deliver_due
from opc.webhooks.forms import PRESETS, WebhookForm
from opc.webhooks.models import DeliveryStatus, Webhook, WebhookDelivery
from opc.webhooks.permissions import can_manage_webhooks
from opc.webhooks.queries import DELIVERIES, HOOKS, deliveries, hooks

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")

STATUSES = {
    DeliveryStatus.PENDING: _l("Waiting"),
    DeliveryStatus.FAILED: _l("Failed, tried again later"),
    DeliveryStatus.DELIVERED: _l("Delivered"),
    DeliveryStatus.DEAD: _l("Given up"),
}


def may_manage(user: Any) -> bool:
    return bool(can_manage_webhooks(user))


def _admin() -> Any:
    if not may_manage(current_user):
        abort(404)
    return current_user._get_current_object()


def _hook_or_404(webhook_id: int) -> Webhook:
    hook = get_visible(Webhook, webhook_id, _admin())
    if hook is None:
        abort(404)
    return hook  # type: ignore[no-any-return]


def _parks() -> dict[int, Any]:
    return {p.id: p for p in db.session.scalars(parks_for(current_user))}


@bp.route("")
def index() -> Any:
    _admin()
    parks = _parks()
    park_id = arg_id("park_id")
    sort = HOOKS.requested()
    page = paginate(hooks(current_user, park_id if park_id in parks else None, sort))
    return render_template(
        "webhooks/index.html",
        page=page,
        sort=sort or HOOKS.chosen(),
        parks=parks,
        park_id=park_id,
        presets=PRESETS,
    )


def _form_page(form: WebhookForm, hook: Webhook | None, status: int) -> Any:
    parks = _parks()
    form.park_id.choices = [SelectChoice(p.id, p.name_zh) for p in parks.values()]
    return render_template("webhooks/form.html", form=form, hook=hook, parks=parks), status


def _values(form: WebhookForm) -> dict[str, Any]:
    return {
        "name": form.name.data or "",
        "url": form.url.data or "",
        "preset": form.preset.data or "",
        "kinds": list(form.kinds.data or []),
        "all_kinds": bool(form.all_kinds.data),
    }


def _shown_once(hook: Webhook, message: str) -> Any:
    """The page that shows a new secret, the one time it is shown in full."""
    flash(message, "success")
    return render_template("webhooks/secret.html", hook=hook)


@bp.route("/new", methods=["GET", "POST"])
def new() -> Any:
    actor = _admin()
    form = WebhookForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            hook = ops.create_webhook(
                form.park_id.data or 0,
                secret=form.secret.data or None,
                actor=actor,
                **_values(form),
            )
        except DomainError as err:
            return _form_page(form, None, form.show_error(err))
        if hook.secret:
            return _shown_once(hook, _("Webhook added."))
        flash(_("Webhook added."), "success")
        return redirect(url_for("webhooks.index", park_id=hook.park_id))
    return _form_page(form, None, form.status)


@bp.route("/<int:webhook_id>/edit", methods=["GET", "POST"])
def edit(webhook_id: int) -> Any:
    actor = _admin()
    hook = _hook_or_404(webhook_id)
    form = WebhookForm(obj=None if request.method == "POST" else hook)
    if request.method == "GET":
        form.secret.data = ""
    if request.method == "POST" and form.validate_on_submit():
        try:
            hook = ops.update_webhook(
                hook.id,
                actor=actor,
                rotate_secret=bool(form.rotate_secret.data),
                secret=form.secret.data or None,
                active=bool(form.active.data),
                **_values(form),
            )
        except DomainError as err:
            return _form_page(form, hook, form.show_error(err))
        if form.rotate_secret.data or form.secret.data:
            return _shown_once(hook, _("Webhook saved with its new secret."))
        flash(_("Webhook saved."), "success")
        return redirect(url_for("webhooks.index", park_id=hook.park_id))
    return _form_page(form, hook, form.status)


def _refused(hook: Webhook, err: DomainError) -> Any:
    flash(err.message, "error")
    return redirect(url_for("webhooks.deliveries_of", webhook_id=hook.id))


@bp.route("/<int:webhook_id>/test", methods=["POST"])
def test(webhook_id: int) -> Any:
    """Send a test event to the hook now; its delivery shows at the top of the log."""
    actor, hook = _admin(), _hook_or_404(webhook_id)
    try:
        delivery = ops.send_test(hook.id, actor=actor)
    except DomainError as err:
        return _refused(hook, err)
    deliver_due(only=delivery.id)
    sent = db.session.get(WebhookDelivery, delivery.id)
    if sent is not None and sent.status == DeliveryStatus.DELIVERED:
        flash(_("Test event delivered."), "success")
    else:
        error = sent.last_error if sent is not None else ""
        flash(_("The test event was not taken: %(error)s", error=error or ""), "error")
    return redirect(url_for("webhooks.deliveries_of", webhook_id=hook.id))


@bp.route("/<int:webhook_id>/enable", methods=["POST"])
def enable(webhook_id: int) -> Any:
    actor, hook = _admin(), _hook_or_404(webhook_id)
    try:
        ops.enable_webhook(hook.id, actor=actor)
    except DomainError as err:
        return _refused(hook, err)
    flash(_("Webhook switched on again."), "success")
    return redirect(url_for("webhooks.index", park_id=hook.park_id))


@bp.route("/<int:webhook_id>/delete", methods=["POST"])
def delete(webhook_id: int) -> Any:
    actor, hook = _admin(), _hook_or_404(webhook_id)
    park_id = hook.park_id
    try:
        ops.delete_webhook(hook.id, actor=actor)
    except DomainError as err:
        return _refused(hook, err)
    flash(_("Webhook deleted."), "success")
    return redirect(url_for("webhooks.index", park_id=park_id))


@bp.route("/<int:webhook_id>/deliveries")
def deliveries_of(webhook_id: int) -> Any:
    hook = _hook_or_404(webhook_id)
    status = arg_text("status", max_length=12)
    if status not in STATUSES:
        status = ""
    sort = DELIVERIES.chosen()
    page = paginate(deliveries(hook.id, status or None, sort))
    return render_template(
        "webhooks/deliveries.html",
        hook=hook,
        page=page,
        sort=sort,
        status=status,
        statuses=STATUSES,
        park=_parks().get(hook.park_id),
    )


def register(app: Any) -> None:
    app.register_blueprint(bp)
    nav.add("webhooks.index", _l("Webhooks"), may_manage, order=97)
