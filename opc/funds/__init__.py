"""Funds: calls for applications, the team's application portal, blind expert review,
decisions within budget and disbursement in tranches."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from opc.core import nav
from opc.funds import (
    api_applications,  # /api/v1/applications (+ attachments): the team's portal
    api_assignment,  # /api/v1/calls/{id}/assignment-proposal (+ accept)
    api_calls,  # /api/v1/calls: routes register when imported
    api_decisions,  # /api/v1/applications/{id}/approve|reject, /disbursements
    api_funds,  # /api/v1/funds
    api_reviews,  # /api/v1 screening, reviews and rankings
    application_models,
    audit_kinds,
    home,
    models,
    permissions,
    review_models,
    settings,  # the park's setting for four eyes on tranches
    views_applications,
    views_decisions,  # blueprint "disbursements": the decision panel, tranches
    views_funds,  # blueprint "funds": funds, calls and their figures for staff
    views_reviews,  # blueprint "reviews": reviewers' pages, screening, ranking
)
from opc.funds import notify as decision_notify
from opc.funds.labels import (
    application_status_label,
    review_status_label,
    tranche_status_label,
)

# Models map and rules register when imported.
__all__ = [
    "api_applications",
    "api_assignment",
    "api_calls",
    "api_decisions",
    "api_funds",
    "api_reviews",
    "application_models",
    "models",
    "permissions",
    "review_models",
    "settings",
]


def init_app(app: Flask) -> None:
    """Each part of funds registers its pages, API routes, labels and audit kinds here."""
    app.add_template_filter(application_status_label, "application_status")
    app.add_template_filter(review_status_label, "review_status")
    app.add_template_filter(tranche_status_label, "tranche_status")
    audit_kinds.register_kinds()
    decision_notify.register_kinds()
    # Screening, reviewers' pages, assignment and rankings (opc.funds.views_reviews).
    views_reviews.register(app)
    # The team's application portal and the application's page (opc.funds.views_applications).
    app.register_blueprint(views_applications.bp)
    nav.add("applications.index", _l("Fund applications"), views_applications.may_apply, order=47)
    views_decisions.register(app)  # the decision panel, tranches' pages
    # Funds and calls for staff and admins (opc.funds.views_funds).
    app.register_blueprint(views_funds.bp)
    nav.add("funds.index", _l("Funds"), views_funds.may_see_funds, order=47)
    home.register()  # deadlines on the team home, applications to screen in the staff's queue
