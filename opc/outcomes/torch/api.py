"""/api/v1/torch: a park's table of resident enterprises for the Torch survey (火炬统计) of a
year, as the XLSX the page downloads; for staff of the park, or a BI tool with a
`reports:read` token acting as one."""

from __future__ import annotations

from typing import Any

from flask import Response
from pydantic import Field

from opc.api.routing import endpoint
from opc.api.schemas import Id, In
from opc.core.export import MIME
from opc.outcomes.torch.download import respond
from opc.outcomes.torch.mapping import FIRST_YEAR, LAST_YEAR


class TorchQuery(In):
    park_id: Id  # type: ignore[valid-type]
    year: int = Field(ge=FIRST_YEAR, le=LAST_YEAR, examples=[2026])


@endpoint("/torch", scope="reports:read", query=TorchQuery, files=(MIME["xlsx"],), errors=(404,))
def torch_statistics(user: Any, query: TorchQuery) -> Response:
    """A park's Torch survey table of a year (XLSX); 404 for a year the mapping lacks."""
    return respond(user, query.park_id, query.year)
