"""Every change of webhooks, by admins: create, change, switch on again, delete, send a test.

The values are checked here, for the page and the API alike: a URL of http(s) whose host
is public (opc.webhooks.sending: at save and again at each send), a known preset, kinds
that are registered (or all), a name and a secret of plain text. A generic hook always
has a secret: one is generated when none is given, and the creation's answer is the only
place it is shown in full.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from opc.core.db import lock, retrying, transaction, utcnow
from opc.core.errors import NotFound, RuleViolation, ValidationFailed
from opc.core.permissions import is_admin, require_actor
from opc.core.values import is_id, text_problem
from opc.notifications import kinds as notification_kinds
from opc.parks.models import Park
from opc.webhooks.events import enqueue, event_text
from opc.webhooks.models import MAX_SECRET, Preset, Webhook, WebhookDelivery
from opc.webhooks.notify import TEST_KIND
from opc.webhooks.sending import UnsafeUrl, check_url

MAX_NAME = 100
MIN_SECRET = 16  # a generic hook's own secret, when a person gives one
MAX_HOOKS_PER_PARK = 50


def new_secret() -> str:
    """A secret of 256 random bits, URL-safe text."""
    return secrets.token_urlsafe(32)


def check_values(
    *,
    url: str,
    preset: str,
    kinds: Sequence[str],
    all_kinds: bool,
    name: str,
    secret: str | None,
) -> None:
    """ValidationFailed naming every field that is not acceptable (a `secret` of None is
    kept or generated: nothing to check)."""
    errors: dict[str, list[str]] = {}
    try:
        check_url(url)
    except UnsafeUrl as exc:
        errors["url"] = [str(exc)]
    if preset not in set(Preset):
        errors["preset"] = [_("Choose one of: %(known)s.", known=", ".join(Preset))]
    known = set(notification_kinds.names())
    unknown = sorted({k for k in kinds if k not in known})
    if unknown:
        errors["kinds"] = [_("Unknown kinds of event: %(kinds)s.", kinds=", ".join(unknown))]
    elif not all_kinds and not kinds:
        errors["kinds"] = [_("Choose at least one kind of event, or all.")]
    problem = text_problem(name)
    if problem or len(name) > MAX_NAME:
        errors["name"] = [problem or _("At most %(n)d characters.", n=MAX_NAME)]
    if secret:
        problem = text_problem(secret)
        if problem or len(secret) > MAX_SECRET or secret != secret.strip():
            errors["secret"] = [
                problem or _("At most %(n)d characters, no spaces around.", n=MAX_SECRET)
            ]
        elif preset == Preset.GENERIC and len(secret) < MIN_SECRET:
            errors["secret"] = [_("At least %(n)d characters.", n=MIN_SECRET)]
    if errors:
        raise ValidationFailed(errors)


def _kinds(kinds: Sequence[str], all_kinds: bool) -> list[str]:
    return [] if all_kinds else sorted(set(kinds))


@retrying
def create_webhook(
    park_id: int,
    *,
    url: str,
    preset: str = Preset.GENERIC,
    kinds: Sequence[str] = (),
    all_kinds: bool = False,
    name: str = "",
    secret: str | None = None,
    actor: Any,
) -> Webhook:
    """A park's new hook, switched on. A generic hook without a secret gets a new one; the
    caller shows `hook.secret` once, right after this."""
    require_actor(is_admin, actor)
    check_values(url=url, preset=preset, kinds=kinds, all_kinds=all_kinds, name=name, secret=secret)
    with transaction(actor) as session:
        if not is_id(park_id) or lock(Park, park_id) is None:
            raise NotFound("not_found", _("Not found."))
        count = session.scalar(select(func.count(Webhook.id)).where(Webhook.park_id == park_id))
        if (count or 0) >= MAX_HOOKS_PER_PARK:
            raise RuleViolation(
                "too_many_webhooks",
                _("A park has at most %(n)d webhooks.", n=MAX_HOOKS_PER_PARK),
            )
        hook = Webhook(
            park_id=park_id,
            name=name,
            url=url,
            preset=preset,
            secret=secret or (new_secret() if preset == Preset.GENERIC else ""),
            kinds=_kinds(kinds, all_kinds),
            all_kinds=all_kinds,
            active=True,
            consecutive_failures=0,
            created_by_id=getattr(actor, "id", None),
        )
        session.add(hook)
        session.flush()
    return hook


def _hook(hook_id: int) -> Webhook:
    hook = lock(Webhook, hook_id) if is_id(hook_id) else None
    if hook is None:
        raise NotFound("not_found", _("Not found."))
    return hook


@retrying
def update_webhook(
    hook_id: int, *, actor: Any, rotate_secret: bool = False, **changes: Any
) -> Webhook:
    """Change a hook's url, preset, kinds, all_kinds, name, secret or active (only those
    given); `rotate_secret` makes a new one. Switching on starts its count of failures anew."""
    require_actor(is_admin, actor)
    with transaction(actor) as session:
        hook = _hook(hook_id)
        values = {
            "url": hook.url,
            "preset": hook.preset,
            "kinds": hook.kinds or [],
            "all_kinds": hook.all_kinds,
            "name": hook.name,
        } | {
            k: v for k, v in changes.items() if k in ("url", "preset", "kinds", "all_kinds", "name")
        }
        secret = changes.get("secret") or None
        check_values(**values, secret=secret)
        hook.url, hook.preset, hook.name = values["url"], values["preset"], values["name"]
        hook.all_kinds = bool(values["all_kinds"])
        hook.kinds = _kinds(values["kinds"], hook.all_kinds)
        if rotate_secret:
            secret = new_secret()
        if secret:
            hook.secret = secret
        elif hook.preset == Preset.GENERIC and not hook.secret:
            hook.secret = new_secret()
        if "active" in changes and bool(changes["active"]) != hook.active:
            _switch(hook, bool(changes["active"]))
        session.flush()
    return hook


def _switch(hook: Webhook, on: bool) -> None:
    hook.active = on
    hook.disabled_at = None if on else utcnow()
    if on:
        hook.consecutive_failures = 0


@retrying
def enable_webhook(hook_id: int, *, actor: Any) -> Webhook:
    """Switch a hook on again (after it was switched off); its failures count from zero."""
    require_actor(is_admin, actor)
    with transaction(actor):
        hook = _hook(hook_id)
        if not hook.active:
            _switch(hook, True)
    return hook


@retrying
def delete_webhook(hook_id: int, *, actor: Any) -> None:
    """Delete a hook and its deliveries' log."""
    require_actor(is_admin, actor)
    with transaction(actor) as session:
        session.delete(_hook(hook_id))


@retrying
def send_test(hook_id: int, *, actor: Any) -> WebhookDelivery:
    """A test event for this hook only, due now (the page then delivers it at once)."""
    require_actor(is_admin, actor)
    with transaction(actor) as session:
        hook = _hook(hook_id)
        if not hook.active:
            raise RuleViolation(
                "webhook_disabled", _("The webhook is switched off: switch it on first.")
            )
        params = {"park_id": hook.park_id, "webhook_id": hook.id, "name": hook.name}
        delivery = enqueue(session, hook, TEST_KIND, params, event_text(TEST_KIND, params))
        session.flush()
    return delivery
