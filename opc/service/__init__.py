"""The service workstation: residents' requests, answered within SLAs on the park's
working calendar."""

from __future__ import annotations

from flask import Flask

from opc.service import (
    api,  # /api/v1/service-requests: routes register when imported
    api_attachments,  # /api/v1 files of requests
    audit_kinds,
    home,
    models,
    notify,
    permissions,
    settings,  # SLA targets per category, the reopening window
    tasks,  # the breach warnings job registers when imported
    views,
    views_attachments,  # the pages' files: routes on the service blueprint
)
from opc.service.labels import category_label, service_status_label, sla_label

# Models map, rules, settings and jobs register when imported.
__all__ = [
    "api",
    "api_attachments",
    "models",
    "permissions",
    "settings",
    "tasks",
    "views_attachments",
]


def init_app(app: Flask) -> None:
    """The service pages, API routes, labels, notifications and audit kinds."""
    app.add_template_filter(category_label, "service_category")
    app.add_template_filter(service_status_label, "service_status")
    app.add_template_filter(sla_label, "sla_state")
    audit_kinds.register_kinds()
    notify.register_kinds()
    views.register(app)
    home.register()  # requests waiting on the team, requests near their SLA
