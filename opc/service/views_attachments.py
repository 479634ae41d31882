"""The service pages' files (blueprint "service", opc.service.views): attaching a file to
a request from its page, and downloading it. Thin: the operation holds the rules."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from opc.core.errors import DomainError, ValidationFailed
from opc.core.limits import accept_files
from opc.core.permissions import get_or_404
from opc.extensions import db
from opc.service.forms import AttachmentForm
from opc.service.models import ServiceAttachment, ServiceRequest
from opc.service.operations import attachments as files
from opc.service.views import bp, page_of


@bp.route("/service/requests/<int:request_id>/attachments", methods=["POST"])
def attach(request_id: int) -> Any:
    """Attach a file to a request (its team, its park's staff)."""
    found = get_or_404(ServiceRequest, request_id, current_user)
    form = AttachmentForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            if upload is None or not getattr(upload, "filename", None):
                raise ValidationFailed({"file": [_("Choose a file.")]})
            done = files.add_attachment(
                found.id, upload.stream, upload.filename, actor=current_user._get_current_object()
            )
        except DomainError as err:
            status = form.show_error(err)
            db.session.rollback()
            found = get_or_404(ServiceRequest, request_id, current_user)
            return page_of(found, {"attach": form}, err.status if err.status == 413 else status)
        flash(_("%(name)s attached.", name=done.filename), "success")
        return redirect(url_for("service.detail", request_id=found.id))
    return page_of(found, {"attach": form}, form.status)


@bp.route("/service/attachments/<int:attachment_id>/download")
def download(attachment_id: int) -> Any:
    """A request's file, as a download, to whoever may see the request."""
    return files.download(get_or_404(ServiceAttachment, attachment_id, current_user))


accept_files("service.attach")
