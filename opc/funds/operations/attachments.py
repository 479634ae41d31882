"""Files attached to a draft application: PDF, PNG, JPEG, XLSX or DOCX by their content
(opc.core.filetypes: a file of another type, whatever its name, is 422), at most
UPLOAD_MAX_BYTES (413 naming the limit), kept by opc.core.storage under a random key.

A file is checked and stored before its record is written (the storage interface's rule);
when the record's transaction then fails (the application was submitted meanwhile, the
member lost their team), the stored file is deleted, so a refusal leaves nothing behind.
A deleted attachment's file goes once its record's deletion is committed. Downloads go out
through opc.core.export.send_stored under a safe name, after the caller's visibility check
(`attachments.view`).
"""

from __future__ import annotations

import contextlib
from typing import IO, Any

from flask import Response
from flask_babel import gettext as _

from opc.core.db import lock, retrying, transaction
from opc.core.errors import NotFound, RuleViolation, ValidationFailed
from opc.core.export import send_stored
from opc.core.filetypes import KINDS, safe_download_name, save_upload
from opc.core.permissions import require_actor
from opc.core.storage import storage
from opc.core.values import is_id, text_problem
from opc.extensions import db
from opc.funds.application_models import Application, Attachment
from opc.funds.operations.applications import require_draft
from opc.funds.permissions import can_edit_application

ALLOWED = ("pdf", "png", "jpeg", "xlsx", "docx")
MAX_ATTACHMENTS = 30
MAX_DOCUMENT = 200


def _document(application: Application, document: Any) -> str:
    """The required document a file provides: one the call names, or "" (another file)."""
    if not isinstance(document, str) or text_problem(document):
        raise ValidationFailed({"document": [_("Not one of the call's required documents.")]})
    document = document.strip()
    if document and document not in (application.call.required_documents or []):
        message = _(
            "%(name)s is not one of the call's required documents (%(names)s).",
            name=document[:MAX_DOCUMENT],
            names=", ".join(application.call.required_documents or []) or "—",
        )
        raise ValidationFailed({"document": [message]}, message)
    return document


def _may_attach(application: Application, actor: Any, document: Any) -> str:
    """The checks before and after the file is stored: the actor, a draft, room, the document."""
    require_actor(can_edit_application, actor, application)
    require_draft(application)
    if len(application.attachments) >= MAX_ATTACHMENTS:
        raise RuleViolation(
            "too_many_attachments",
            _("An application takes at most %(n)d files.", n=MAX_ATTACHMENTS),
            conflict={"application_id": application.id, "attachments": MAX_ATTACHMENTS},
        )
    return _document(application, document)


@retrying
def _record(
    application_id: int, stored: Any, kind: str, filename: str, document: Any, actor: Any
) -> Attachment:
    with transaction(actor) as session:
        application = lock(Application, application_id)
        if application is None:
            raise NotFound("not_found", _("Not found."))
        document = _may_attach(application, actor, document)
        attachment = Attachment(
            application_id=application.id,
            document=document,
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
    application_id: int, stream: IO[bytes], filename: str, *, actor: Any, document: Any = ""
) -> Attachment:
    """Attach a file (a seekable stream) to a draft, as the call's `document` (or "")."""
    application = db.session.get(Application, application_id) if is_id(application_id) else None
    if application is None:
        raise NotFound("not_found", _("Not found."))
    _may_attach(application, actor, document)  # refuse before storing anything
    stored, kind = save_upload(stream, ALLOWED)
    try:
        return _record(application_id, stored, kind, filename or "", document, actor)
    except BaseException:
        storage().delete(stored.key)
        raise


@retrying
def _forget(attachment_id: int, actor: Any) -> str:
    with transaction(actor) as session:
        attachment = session.get(Attachment, attachment_id) if is_id(attachment_id) else None
        if attachment is None:
            raise NotFound("not_found", _("Not found."))
        application = lock(Application, attachment.application_id)
        require_actor(can_edit_application, actor, application)
        require_draft(application)  # type: ignore[arg-type]
        key = attachment.storage_key
        session.delete(attachment)
    return key


def delete_attachment(attachment_id: int, *, actor: Any) -> None:
    """Remove a file from a draft (a member of the team); its bytes go once that is done."""
    key = _forget(attachment_id, actor)
    with contextlib.suppress(NotFound):
        storage().delete(key)


def download(attachment: Attachment) -> Response:
    """The file as a download under its safe name; call it after `get_or_404(Attachment…)`."""
    return send_stored(attachment.storage_key, attachment.filename, KINDS[attachment.kind].mimetype)
