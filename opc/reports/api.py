"""/api/v1/reports: produce a park's report of a period, list runs, download their files.

`POST /reports` answers 201 with a run it created and 200 with the existing one (done, or
being produced); `"new_version": true` makes version N+1. The files are downloadable by
staff of the park, or a BI tool acting as such a user with a `reports:read` token.
"""

from __future__ import annotations

from typing import Any, Literal

from flask import Response, jsonify
from flask_babel import gettext as _
from pydantic import Field

from opc.api.pagination import paged
from opc.api.routing import endpoint
from opc.api.schemas import Id, In, Out
from opc.compute.usage_queries import MONTH_PATTERN
from opc.core.errors import NotFound
from opc.core.export import MIME, send_stored
from opc.core.permissions import get_or_404
from opc.parks.models import Park
from opc.reports import mailing
from opc.reports.models import ReportRun
from opc.reports.operations import produce_report
from opc.reports.permissions import can_produce_reports, can_view_reports
from opc.reports.queries import runs_of

Kind = Literal["monthly_subsidy"]
Format = Literal["csv", "xlsx"]


class ReportIn(In):
    park_id: Id  # type: ignore[valid-type]
    kind: Kind = "monthly_subsidy"
    period: str = Field(pattern=MONTH_PATTERN, examples=["2026-03"])
    new_version: bool = False


class ReportQuery(In):
    park_id: Id | None = None  # type: ignore[valid-type]
    period: str | None = Field(None, pattern=MONTH_PATTERN, examples=["2026-03"])
    kind: Kind | None = None


class FileOut(Out):
    format: str
    size: int
    sha256: str
    url: str = Field(description="the download's path")


class ReportOut(Out):
    id: int
    park_id: int
    kind: str
    period: str
    version: int
    status: str = Field(description="running, done or failed")
    error: str | None
    source: str = Field(description="scheduler or manual")
    created_by_id: int | None
    created_at: str
    finished_at: str | None
    mailed_at: str | None
    files: list[FileOut]


def _run(run: ReportRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "park_id": run.park_id,
        "kind": run.kind,
        "period": run.period,
        "version": run.version,
        "status": run.status,
        "error": run.error.splitlines()[-1] if run.error else None,
        "source": run.source,
        "created_by_id": run.created_by_id,
        "created_at": run.created_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "mailed_at": run.mailed_at.isoformat() if run.mailed_at else None,
        "files": [
            {
                "format": f.format,
                "size": f.size,
                "sha256": f.sha256,
                "url": f"/api/v1/reports/{run.id}/files/{f.format}",
            }
            for f in run.files
        ],
    }


@endpoint(
    "/reports",
    methods=("POST",),
    scope="reports:write",
    allow=can_produce_reports,
    body=ReportIn,
    response=ReportOut,
    status=201,
    errors=(404, 409),
)
def create_report(user: Any, body: ReportIn) -> Any:
    """Produce a park's report of a past month (staff of the park): 201 with a new run,
    200 with the existing one; `new_version` makes the next version, the earlier kept."""
    park = get_or_404(Park, body.park_id, user, "report_runs.produce")
    run, created = produce_report(
        park_id=park.id,
        kind=body.kind,
        period=body.period,
        actor=user,
        new_version=body.new_version,
    )
    if created:
        mailing.mail_run(run.id)
    response = jsonify(_run(run))
    response.status_code = 201 if created else 200
    return response


@endpoint(
    "/reports",
    scope="reports:read",
    allow=can_view_reports,
    query=ReportQuery,
    response=ReportOut,
    paged=True,
    errors=(404,),
)
def list_reports(user: Any, query: ReportQuery) -> dict[str, Any]:
    """The report runs the caller may see, newest period and version first."""
    if query.park_id is not None:
        get_or_404(Park, query.park_id, user)
    stmt = runs_of(user, park_id=query.park_id, period=query.period, kind=query.kind)
    return paged(stmt, _run)


@endpoint("/reports/<int:run_id>", scope="reports:read", allow=can_view_reports, response=ReportOut)
def get_report(user: Any, run_id: int) -> dict[str, Any]:
    """One report run with its files."""
    return _run(get_or_404(ReportRun, run_id, user))


def _download(user: Any, run_id: int, fmt: str) -> Response:
    run = get_or_404(ReportRun, run_id, user)
    park = get_or_404(Park, run.park_id, user)
    found = next((f for f in run.files if f.format == fmt), None)
    if run.status != "done" or found is None:
        raise NotFound("file_not_found", _("The report has no such file yet."))
    return send_stored(found.storage_key, mailing.file_name(run, park, fmt), MIME[fmt])


@endpoint(
    "/reports/<int:run_id>/files/csv",
    scope="reports:read",
    allow=can_view_reports,
    files=(MIME["csv"],),
)
def download_csv(user: Any, run_id: int) -> Response:
    """A done run's CSV file (UTF-8 with BOM); 404 while the run is not done."""
    return _download(user, run_id, "csv")


@endpoint(
    "/reports/<int:run_id>/files/xlsx",
    scope="reports:read",
    allow=can_view_reports,
    files=(MIME["xlsx"],),
)
def download_xlsx(user: Any, run_id: int) -> Response:
    """A done run's XLSX workbook; 404 while the run is not done."""
    return _download(user, run_id, "xlsx")
