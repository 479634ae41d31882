"""/api/v1 applications and their attachments: thin; opc.funds.operations.applications and
.attachments hold the rules.

A member drafts (`POST /applications` → 201 `"status": "draft"`), changes the draft
(`PATCH`), attaches files (multipart `file` and `document`), submits and withdraws. Staff
of the park, the team's members and the application's reviewers read it; the history names
no reviewer to anyone but staff.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from flask import request
from flask_babel import gettext as _
from pydantic import ConfigDict, Field, StringConstraints, WithJsonSchema

from opc.api.pagination import paged
from opc.api.routing import endpoint
from opc.api.schemas import (
    MULTILINE_PATTERN,
    TEXT_PATTERN,
    Id,
    In,
    IsoDate,
    Out,
    Patch,
    decimal_text,
)
from opc.core.errors import ValidationFailed
from opc.core.filetypes import KINDS
from opc.core.limits import accept_files
from opc.core.money import MAX_YUAN, parse_yuan, yuan_str
from opc.core.permissions import get_or_404, require
from opc.funds import queries_applications as q
from opc.funds.application_models import Application, ApplicationStatus, Attachment
from opc.funds.models import Call
from opc.funds.operations import application_content as bounds
from opc.funds.operations import applications as ops
from opc.funds.operations import attachments as files
from opc.funds.permissions import can_edit_application, can_view_application
from opc.teams.models import Team

Amount = decimal_text(MAX_YUAN, positive=True)
Question = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=bounds.MAX_QUESTION, pattern=TEXT_PATTERN),
]
Answer = Annotated[str, StringConstraints(max_length=bounds.MAX_ANSWER, pattern=MULTILINE_PATTERN)]
Answers = Annotated[dict[Question, Answer], Field(max_length=bounds.MAX_ANSWERS)]


class MilestoneIn(In):
    title: str = Field(min_length=1, max_length=bounds.MAX_MILESTONE_TITLE)
    due: IsoDate
    amount_yuan: Amount  # type: ignore[valid-type]


class ApplicationIn(In):
    multiline = frozenset({"purpose"})

    call_id: Id  # type: ignore[valid-type]
    team_id: Id  # type: ignore[valid-type]
    title: str = Field(min_length=1, max_length=bounds.MAX_TITLE)
    amount_yuan: Amount = Field(description="at most the call's ceiling")  # type: ignore[valid-type]
    purpose: str = Field("", max_length=bounds.MAX_PURPOSE)
    milestones: list[MilestoneIn] = Field(
        default_factory=list,
        max_length=bounds.MAX_MILESTONES,
        description="their amounts add up to at most the amount requested",
    )
    answers: Answers = Field(  # type: ignore[valid-type]
        default_factory=dict, description="answers by question"
    )


class ApplicationPatch(Patch):
    multiline = frozenset({"purpose"})

    title: str | None = Field(None, min_length=1, max_length=bounds.MAX_TITLE)
    amount_yuan: Amount | None = None  # type: ignore[valid-type]
    purpose: str | None = Field(None, max_length=bounds.MAX_PURPOSE)
    milestones: list[MilestoneIn] | None = Field(None, max_length=bounds.MAX_MILESTONES)
    answers: Answers | None = None  # type: ignore[valid-type]


class WithdrawIn(In):
    multiline = frozenset({"note"})

    note: str = Field("", max_length=bounds.MAX_PURPOSE, description="why")


class ApplicationQuery(In):
    call_id: Id | None = None  # type: ignore[valid-type]
    team_id: Id | None = None  # type: ignore[valid-type]
    status: ApplicationStatus | None = None


class MilestoneOut(Out):
    title: str
    due: date
    amount_yuan: str


class StepOut(Out):
    from_status: str | None
    to_status: str
    at: datetime
    by: str | None = Field(description="who; null for the system, or a name not yours to read")
    note: str


class AttachmentOut(Out):
    id: int
    application_id: int
    document: str = Field(description="the call's required document it provides; '' for none")
    filename: str
    kind: str
    size: int
    sha256: str
    created_at: datetime


class ApplicationOut(Out):
    id: int
    call_id: int
    team_id: int
    park_id: int
    status: ApplicationStatus
    title: str
    amount_yuan: str
    purpose: str
    milestones: list[MilestoneOut]
    answers: dict[str, str]
    submitted_at: datetime | None
    decided_at: datetime | None
    approved_yuan: str | None
    disbursed_yuan: str
    created_at: datetime
    missing_documents: list[str] = Field(description="required documents not attached yet")


class ApplicationDetailOut(ApplicationOut):
    attachments: list[AttachmentOut]
    history: list[StepOut]


# The multipart `file` of an upload, as the document states it.
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
    document: str = Field(
        "", max_length=files.MAX_DOCUMENT, description="which required document the file is"
    )


def _content(body: ApplicationIn | ApplicationPatch) -> dict[str, Any]:
    """A body's content as the operations take it (amounts in fen), the fields given only."""
    given = body.model_fields_set - {"call_id", "team_id"}
    values: dict[str, Any] = {}
    for key in given:
        value = getattr(body, key)
        if key == "amount_yuan":
            values["amount_fen"] = parse_yuan(value)
        elif key == "milestones":
            values[key] = [
                {"title": m.title, "due": m.due, "amount_fen": parse_yuan(m.amount_yuan)}
                for m in value
            ]
        else:
            values[key] = value
    return values


def _application(a: Application) -> dict[str, Any]:
    return {
        "id": a.id,
        "call_id": a.call_id,
        "team_id": a.team_id,
        "park_id": a.park_id,
        "status": a.status,
        "title": a.title,
        "amount_yuan": yuan_str(a.amount_fen),
        "purpose": a.purpose,
        "milestones": list(a.milestones or []),
        "answers": dict(a.answers or {}),
        "submitted_at": a.submitted_at,
        "decided_at": a.decided_at,
        "approved_yuan": None if a.approved_fen is None else yuan_str(a.approved_fen),
        "disbursed_yuan": yuan_str(a.disbursed_fen or 0),
        "created_at": a.created_at,
        "missing_documents": ops.missing_documents(a),
    }


def _attachment(a: Attachment) -> dict[str, Any]:
    return AttachmentOut.model_validate(a).model_dump(mode="json")


def _detail(a: Application, user: Any) -> dict[str, Any]:
    out = _application(a)
    out["attachments"] = [AttachmentOut.model_validate(f) for f in a.attachments]
    out["history"] = [StepOut.model_validate(s) for s in q.history(a, user)]
    return ApplicationDetailOut.model_validate(out).model_dump(mode="json")


def _summary(a: Application) -> dict[str, Any]:
    return ApplicationOut.model_validate(_application(a)).model_dump(mode="json")


@endpoint(
    "/applications",
    methods=("POST",),
    scope="applications:write",
    allow=can_edit_application,
    body=ApplicationIn,
    response=ApplicationDetailOut,
    status=201,
    errors=(404,),
)
def create_application(user: Any, body: ApplicationIn) -> dict[str, Any]:
    """Draft an application of a team to a call; 409 application_exists, team_not_eligible,
    deadline_passed; 422 over the call's ceiling."""
    call = get_or_404(Call, body.call_id, user)
    team = get_or_404(Team, body.team_id, user)
    require(can_edit_application(user, team))
    application = ops.create_application(
        actor=user, call_id=call.id, team_id=team.id, **_content(body)
    )
    return _detail(application, user)


@endpoint(
    "/applications",
    scope="applications:read",
    allow=can_view_application,
    query=ApplicationQuery,
    response=ApplicationOut,
    paged=True,
)
def list_applications(user: Any, query: ApplicationQuery) -> dict[str, Any]:
    """The applications the caller may see, newest first (filters: call, team, status)."""
    filters = q.Filters(query.call_id, query.team_id, query.status)
    return paged(q.applications_of(user, filters), _summary)


@endpoint(
    "/applications/<int:application_id>",
    scope="applications:read",
    allow=can_view_application,
    response=ApplicationDetailOut,
)
def get_application(user: Any, application_id: int) -> dict[str, Any]:
    """One application with its attachments and history."""
    return _detail(get_or_404(Application, application_id, user), user)


@endpoint(
    "/applications/<int:application_id>",
    methods=("PATCH",),
    scope="applications:write",
    allow=can_edit_application,
    body=ApplicationPatch,
    response=ApplicationDetailOut,
)
def update_application(user: Any, application_id: int, body: ApplicationPatch) -> dict[str, Any]:
    """Change a draft (the fields given); 409 application_frozen once submitted."""
    application = get_or_404(Application, application_id, user, "applications.edit")
    application = ops.update_application(application.id, actor=user, **_content(body))
    return _detail(application, user)


@endpoint(
    "/applications/<int:application_id>/submit",
    methods=("POST",),
    scope="applications:write",
    allow=can_edit_application,
    response=ApplicationDetailOut,
)
def submit_application(user: Any, application_id: int) -> dict[str, Any]:
    """Submit a draft; 409 deadline_passed, call_not_open, invalid_transition; 422 naming
    the required documents not attached."""
    application = get_or_404(Application, application_id, user, "applications.edit")
    return _detail(ops.submit_application(application.id, actor=user), user)


@endpoint(
    "/applications/<int:application_id>/withdraw",
    methods=("POST",),
    scope="applications:write",
    allow=can_edit_application,
    body=WithdrawIn,
    response=ApplicationDetailOut,
)
def withdraw_application(user: Any, application_id: int, body: WithdrawIn) -> dict[str, Any]:
    """Withdraw an application before a decision; 409 invalid_transition after one."""
    application = get_or_404(Application, application_id, user, "applications.edit")
    done = ops.withdraw_application(application.id, actor=user, note=body.note)
    return _detail(done, user)


@endpoint(
    "/applications/<int:application_id>/attachments",
    methods=("POST",),
    scope="applications:write",
    allow=can_edit_application,
    form=AttachmentForm,
    response=AttachmentOut,
    status=201,
)
def upload_attachment(user: Any, application_id: int, form: AttachmentForm) -> dict[str, Any]:
    """Attach a file to a draft (multipart: file, document); 413 over UPLOAD_MAX_BYTES; 422
    a type other than PDF, PNG, JPEG, XLSX, DOCX; 409 application_frozen."""
    application = get_or_404(Application, application_id, user, "applications.edit")
    upload = request.files.get("file")
    if upload is None:
        raise ValidationFailed({"file": [_("Attach the file as 'file'.")]})
    done = files.add_attachment(
        application.id, upload.stream, upload.filename or "", actor=user, document=form.document
    )
    return _attachment(done)


@endpoint(
    "/applications/<int:application_id>/attachments",
    scope="applications:read",
    allow=can_view_application,
    response=AttachmentOut,
    paged=True,
)
def list_attachments(user: Any, application_id: int) -> dict[str, Any]:
    """The files attached to an application, in the order they came."""
    application = get_or_404(Application, application_id, user)
    stmt = q.attachments_of(application.id)
    return paged(stmt, _attachment)


@endpoint(
    "/attachments/<int:attachment_id>/download",
    scope="applications:read",
    allow=can_view_application,
    files=tuple(KINDS[kind].mimetype for kind in files.ALLOWED),
)
def download_attachment(user: Any, attachment_id: int) -> Any:
    """The file, as a download under a safe name (whoever may see its application)."""
    return files.download(get_or_404(Attachment, attachment_id, user))


@endpoint(
    "/attachments/<int:attachment_id>",
    methods=("DELETE",),
    scope="applications:write",
    allow=can_edit_application,
    status=204,
)
def delete_attachment(user: Any, attachment_id: int) -> None:
    """Remove a file from a draft; 409 application_frozen once submitted."""
    attachment = get_or_404(Attachment, attachment_id, user)
    files.delete_attachment(attachment.id, actor=user)


accept_files("api.funds_upload_attachment")
