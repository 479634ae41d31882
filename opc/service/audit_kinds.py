"""How the audit log shows service requests (opc.audit.registry): by team and title, with
their category and status in words."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from opc.audit.registry import RecordKind, register
from opc.core.i18n import locale_code
from opc.service.labels import category_label, service_status_label
from opc.service.models import ServiceAttachment, ServiceRequest


def _name(request: Any) -> str:
    return f"{request.team.display_name(locale_code())} · {request.title}"


def register_kinds() -> None:
    register(
        RecordKind(
            ServiceRequest,
            _l("Service request"),
            url=lambda r: url_for("service.detail", request_id=r.id),
            name=_name,
            load=(joinedload(ServiceRequest.team),),
            fields={
                "first_response_due": _l("First response due"),
                "resolution_due": _l("Resolution due"),
                "waited_minutes": _l("Working minutes waited on the team"),
            },
            values={"status": service_status_label, "category": category_label},
            hidden=frozenset({"clock_from", "waiting_since"}),
        )
    )
    register(RecordKind(ServiceAttachment, _l("Service request file"), name=lambda a: a.filename))
