"""Notifications: what people should hear of, in the app (a list, a badge in the header, the
API) and by e-mail (the outbox the scheduler process mails, opc.notifications.delivery).

Used by every domain above it. A domain registers its kinds from its init_app and calls
`notify(session, user_ids, kind, params)` inside the write that makes the event:

    from opc import notifications

    notifications.kind("voucher.used_80", title=lambda p: _("…", **p), link=lambda p: …)
    notifications.notify(session, [member.id, …], "voucher.used_80", {"voucher_id": 3, …})
"""

from __future__ import annotations

import logging

from flask import Flask, g
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from opc.extensions import db
from opc.notifications import api, permissions, queries, views
from opc.notifications.kinds import kind, local, path_for, sentences
from opc.notifications.operations import notify

log = logging.getLogger(__name__)

# Routes and rules register when imported.
__all__ = ["api", "kind", "local", "notify", "path_for", "permissions", "sentences"]


def unread_notifications() -> int | None:
    """The badge's count for the request's user (once per request; None for visitors).

    Only called from templates, and only for a logged-in user: a visitor's page runs no
    query for it. A database that fails here leaves the page without a badge.
    """
    if "unread_notifications" not in g:
        count = None
        if current_user.is_authenticated:
            try:
                count = queries.unread_count(current_user.id)
            except SQLAlchemyError:
                log.warning("unread notifications not counted", exc_info=True)
                try:
                    db.session.rollback()
                except SQLAlchemyError:  # the database is gone: the page renders anyway
                    log.warning("rollback failed", exc_info=True)
        g.unread_notifications = count
    return g.unread_notifications  # type: ignore[no-any-return]


def badge(count: int | None) -> str:
    """The badge's text: the count, "99+" past the cap, "" for none."""
    if not count:
        return ""
    return f"{queries.BADGE_CAP}+" if count > queries.BADGE_CAP else str(count)


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.add_template_global(unread_notifications)
    app.add_template_filter(badge, "notification_badge")
