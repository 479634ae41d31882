"""Files attached to a service request by its team or the park's staff: PDF, PNG, JPEG,
XLSX or DOCX by their content (opc.core.filetypes: another type, whatever its name, is
422), at most UPLOAD_MAX_BYTES (413 naming the limit), kept by opc.core.storage under a
random key; none once the request is closed (409 `request_closed`), at most MAX_ATTACHMENTS
a request (409 `too_many_attachments`).

A file is checked and stored before its record is written; when the record's transaction
then fails, the stored file is deleted, so a refusal leaves nothing behind. Downloads go
out through opc.core.export.send_stored after the caller's visibility check.
"""

from __future__ import annotations

from typing import IO, Any

from flask import Response
from flask_babel import gettext as _

from opc.core.db import retrying, transaction
from opc.core.errors import NotFound, RuleViolation
from opc.core.export import send_stored
from opc.core.filetypes import KINDS, safe_download_name, save_upload
from opc.core.permissions import require_actor
from opc.core.storage import storage
from opc.core.values import is_id
from opc.extensions import db
from opc.service.models import ServiceAttachment, ServiceRequest, Status
from opc.service.operations.common import locked
from opc.service.permissions import can_view_request

ALLOWED = ("pdf", "png", "jpeg", "xlsx", "docx")
MAX_ATTACHMENTS = 20


def _may_attach(request: ServiceRequest, actor: Any) -> None:
    require_actor(can_view_request, actor, request)
    if request.status == Status.CLOSED:
        raise RuleViolation(
            "request_closed",
            _("The request is closed: open a new one."),
            conflict={"request_id": request.id, "status": request.status},
        )
    if len(request.attachments) >= MAX_ATTACHMENTS:
        raise RuleViolation(
            "too_many_attachments",
            _("A request takes at most %(n)d files.", n=MAX_ATTACHMENTS),
            conflict={"request_id": request.id, "attachments": MAX_ATTACHMENTS},
        )


@retrying
def _record(request_id: int, stored: Any, kind: str, filename: str, actor: Any) -> Any:
    with transaction(actor) as session:
        request = locked(request_id, actor, can_view_request)
        _may_attach(request, actor)
        attachment = ServiceAttachment(
            request_id=request.id,
            filename=safe_download_name(filename, kind),
            kind=kind,
            size=stored.size,
            sha256=stored.sha256,
            storage_key=stored.key,
            uploaded_by_id=getattr(actor, "id", None),
        )
        session.add(attachment)
        session.flush()
    return attachment


def add_attachment(
    request_id: Any, stream: IO[bytes], filename: str, *, actor: Any
) -> ServiceAttachment:
    """Attach a file (a seekable stream) to a request (its team's members, its park's staff)."""
    request = db.session.get(ServiceRequest, request_id) if is_id(request_id) else None
    if request is None or (actor is not None and not can_view_request(actor, request)):
        raise NotFound("not_found", _("Not found."))
    _may_attach(request, actor)  # refuse before storing anything
    stored, kind = save_upload(stream, ALLOWED)
    try:
        return _record(request.id, stored, kind, filename or "", actor)
    except BaseException:
        storage().delete(stored.key)
        raise


def download(attachment: ServiceAttachment) -> Response:
    """The file as a download under its safe name; call it after get_or_404."""
    return send_stored(attachment.storage_key, attachment.filename, KINDS[attachment.kind].mimetype)
