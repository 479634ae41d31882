"""The download both the page and the API answer: the checks in their order (the park, who
may, the year's form), then the workbook streamed from its temporary file."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from flask_babel import gettext as _
from werkzeug.wsgi import wrap_file

from opc.core.errors import NotFound
from opc.core.export import MIME
from opc.core.filetypes import content_disposition
from opc.core.permissions import get_or_404
from opc.outcomes.torch.export import workbook_file
from opc.outcomes.torch.mapping import Form
from opc.outcomes.torch.permissions import can_export
from opc.parks.models import Park

EXTENSION = "torch_forms"  # app.extensions key of the mapping read at start


def forms() -> dict[int, Form]:
    """The survey's forms by year, as read from the mapping when the app started."""
    return current_app.extensions[EXTENSION]  # type: ignore[no-any-return]


def form_of(year: int) -> Form:
    """The year's form; 404 torch_year_unknown naming the years the mapping has."""
    found = forms().get(year)
    if found is None:
        message = _(
            "The mapping has no Torch survey form for %(year)d (it has: %(years)s).",
            year=year,
            years=", ".join(str(y) for y in forms()),
        )
        raise NotFound("torch_year_unknown", message)
    return found


def respond(user: Any, park_id: int, year: int) -> Response:
    """The park's table of the year as an XLSX download: 404 for a park the user may not
    export (a member's own park too), then 404 for a year the mapping lacks."""
    park = get_or_404(Park, park_id, user)
    if not can_export(user, park):
        raise NotFound("not_found", _("Not found."))
    form = form_of(year)
    handle = workbook_file(form, park)
    size = handle.seek(0, 2)
    handle.seek(0)
    response = Response(
        wrap_file(request.environ, handle), mimetype=MIME["xlsx"], direct_passthrough=True
    )
    response.content_length = size
    name = f"火炬统计-{park.code}-{year}.xlsx"
    response.headers["Content-Disposition"] = content_disposition(name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
