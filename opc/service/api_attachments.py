"""/api/v1 files of service requests: thin; opc.service.operations.attachments holds the
rules. The team and the park's staff attach files (multipart `file`) and download them."""

from __future__ import annotations

from typing import Annotated, Any

from flask import request
from flask_babel import gettext as _
from pydantic import ConfigDict, WithJsonSchema

from opc.api.routing import endpoint
from opc.api.schemas import In
from opc.core.errors import ValidationFailed
from opc.core.filetypes import KINDS
from opc.core.limits import accept_files
from opc.core.permissions import get_or_404
from opc.service.api import AttachmentOut
from opc.service.models import ServiceAttachment, ServiceRequest
from opc.service.operations import attachments as files
from opc.service.permissions import can_view_attachment, can_view_request

FILE_SCHEMA = {
    "type": "string",
    "format": "binary",
    "description": (
        "PDF, PNG, JPEG, XLSX or DOCX, by its content; at most UPLOAD_MAX_BYTES (413 "
        "file_too_large naming the limit); another type whatever its name: 422 "
        "file_type_refused."
    ),
}


class AttachmentForm(In):
    # `file` is the multipart file part; its presence is checked by the route (422).
    model_config = ConfigDict(json_schema_extra={"required": ["file"]})

    file: Annotated[Any, WithJsonSchema(FILE_SCHEMA)] = None


@endpoint(
    "/service-requests/<int:request_id>/attachments",
    methods=("POST",),
    scope="service:write",
    allow=can_view_request,
    form=AttachmentForm,
    response=AttachmentOut,
    status=201,
)
def upload_service_attachment(user: Any, request_id: int, form: AttachmentForm) -> dict[str, Any]:
    """Attach a file to a request (its team, its park's staff).

    Multipart `file`; 413 over UPLOAD_MAX_BYTES; 422 a type other than PDF, PNG, JPEG,
    XLSX, DOCX; 409 request_closed, too_many_attachments.
    """
    found = get_or_404(ServiceRequest, request_id, user)
    upload = request.files.get("file")
    if upload is None:
        raise ValidationFailed({"file": [_("Attach the file as 'file'.")]})
    done = files.add_attachment(found.id, upload.stream, upload.filename or "", actor=user)
    return AttachmentOut.model_validate(done).model_dump(mode="json")


@endpoint(
    "/service-attachments/<int:attachment_id>/download",
    scope="service:read",
    allow=can_view_attachment,
    files=tuple(KINDS[kind].mimetype for kind in files.ALLOWED),
)
def download_service_attachment(user: Any, attachment_id: int) -> Any:
    """Download a request's file (whoever may see the request)."""
    return files.download(get_or_404(ServiceAttachment, attachment_id, user))


accept_files("api.service_upload_service_attachment")
