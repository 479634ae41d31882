"""POST /api/v1/usage: a provider's batch of usage records. Thin: ingest_usage holds the rules.

The body is described exactly in the OpenAPI document (`UsageRecordIn` states every field's
bounds and pattern), but its records are checked by opc.compute.operations.usage_input
rather than by a pydantic model per record: a batch is up to 50,000 of them, and the same
checks serve the CSV upload. The route takes bodies up to USAGE_MAX_CONTENT_LENGTH (32 MiB
by default) instead of MAX_CONTENT_LENGTH: a full batch is about 10 MB.
"""

from __future__ import annotations

from typing import Annotated, Any

from flask_babel import gettext as _
from pydantic import Field, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from opc.api.routing import endpoint
from opc.api.schemas import Id, In, Out, decimal_text
from opc.compute.models import Provider
from opc.compute.operations.usage import ingest_usage
from opc.compute.operations.usage_input import (
    DATETIME_PATTERN,
    MAX_EXTERNAL_ID,
    MAX_GPU_HOURS,
    MAX_GPU_TYPE,
    MAX_RECORD_YUAN,
)
from opc.compute.permissions import can_write_usage
from opc.core.errors import ValidationFailed
from opc.core.limits import allow_larger_body
from opc.core.money import yuan_str
from opc.core.permissions import Role, get_or_404, require
from opc.extensions import db

# The default of USAGE_BATCH_MAX_RECORDS, as the document states it (a deployment may lower
# it; more than it answers 413).
MAX_RECORDS = 50_000
Instant = Annotated[
    str,
    Field(pattern=DATETIME_PATTERN, json_schema_extra={"format": "date-time"}),
]


class UsageRecordIn(In):
    """One job a provider ran for a team (checked by ingest_usage, as stated here)."""

    external_id: str = Field(
        min_length=1, max_length=MAX_EXTERNAL_ID, description="The provider's job id."
    )
    team_id: Id  # type: ignore[valid-type]
    gpu_type: str = Field(min_length=1, max_length=MAX_GPU_TYPE, examples=["A100-80G"])
    start: Instant = Field(description="ISO 8601 with its offset.")
    end: Instant = Field(description="After the start; not in the future.")
    gpu_hours: decimal_text(MAX_GPU_HOURS, positive=True)  # type: ignore[valid-type]
    cost_yuan: decimal_text(MAX_RECORD_YUAN)  # type: ignore[valid-type]


def _a_list(value: Any) -> list[Any]:
    """The records as JSON gave them: checked one by one by ingest_usage (a wrong type
    within a record is an invalid record, listed with the others)."""
    if not isinstance(value, list):
        raise PydanticCustomError("list_type", "Input should be a valid array")
    return value


_RECORDS_SCHEMA = {
    "type": "array",
    "items": UsageRecordIn.model_json_schema(),
    "minItems": 1,
    "maxItems": MAX_RECORDS,
    "description": (
        f"At most USAGE_BATCH_MAX_RECORDS records ({MAX_RECORDS:,} by default; more answer 413 "
        "too_many_records); the body may be up to USAGE_MAX_CONTENT_LENGTH bytes (32 MiB by "
        "default; larger answers 413 body_too_large). One invalid record refuses the batch: "
        "422 invalid_records with `records`: [{index, field, reason}] listing every problem."
    ),
}
Records = Annotated[list[Any], PlainValidator(_a_list), WithJsonSchema(_RECORDS_SCHEMA)]


class UsageBatchIn(In):
    records: Records  # type: ignore[valid-type]


class UsageQuery(In):
    provider_id: Id | None = Field(  # type: ignore[valid-type]
        None, description="Staff and admins: the provider the usage is from (a provider: itself)."
    )


class UsageOut(Out):
    stored: int = Field(description="Records stored by this batch.")
    duplicates: int = Field(description="Records stored before (or twice in the batch).")
    batch_id: int | None = Field(description="The batch recorded; null when nothing was new.")
    cost_yuan: str = Field(description="The cost of the records stored.")
    subsidy_yuan: str = Field(description="What vouchers paid of it; the team owes the rest.")


def _provider(user: Any, provider_id: int | None) -> Provider:
    if provider_id is not None:
        return get_or_404(Provider, provider_id, user)
    if user.role == Role.PROVIDER:
        own = db.session.scalar(db.select(Provider).where(Provider.user_id == user.id))
        if own is not None:
            return own
    raise ValidationFailed({"provider_id": [_("Say which provider the usage is from.")]})


@endpoint(
    "/usage",
    methods=("POST",),
    scope="usage:write",
    allow=can_write_usage,
    body=UsageBatchIn,
    query=UsageQuery,
    response=UsageOut,
    errors=(404,),
)
def post_usage(user: Any, body: UsageBatchIn, query: UsageQuery) -> dict[str, Any]:
    """Store a batch of usage records: all or none; a record sent before is a duplicate."""
    provider = _provider(user, query.provider_id)
    require(can_write_usage(user, provider))
    done = ingest_usage(provider, body.records, source="api", actor=user)
    return {
        "stored": done.stored,
        "duplicates": done.duplicates,
        "batch_id": done.batch_id,
        "cost_yuan": yuan_str(done.cost_fen),
        "subsidy_yuan": yuan_str(done.subsidy_fen),
    }


allow_larger_body(
    "api.compute_post_usage",
    "USAGE_MAX_CONTENT_LENGTH",
    lambda n: _(
        "The batch is larger than the limit of %(n)d bytes (USAGE_MAX_CONTENT_LENGTH): send "
        "it in smaller batches.",
        n=n,
    ),
)
