"""Field types shared by the API's schemas."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer, model_validator


def _two_places(value: Decimal) -> Decimal:
    if value != value.quantize(Decimal("0.01")):
        raise ValueError("at most two decimals")
    return value


def area_up_to(maximum: Decimal) -> object:
    """Areas (m²) travel as decimal strings with two places, like money: exact, never float.
    `maximum` is the owning domain's bound (its column's precision), stated in one place."""
    return Annotated[
        Decimal,
        Field(gt=0, le=maximum, decimal_places=2),
        AfterValidator(_two_places),
        PlainSerializer(lambda v: f"{v:.2f}", return_type=str),
    ]


Area = area_up_to(Decimal("9999999999.99"))  # as read back: the widest column, Numeric(12, 2)


class In(BaseModel):
    """Request bodies: unknown fields are an error, strings are stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Out(BaseModel):
    """Response bodies, read from model attributes."""

    model_config = ConfigDict(from_attributes=True)


class Patch(In):
    """PATCH bodies: fields left out stay as they are; an explicit null is refused for the
    fields that cannot be empty (all but those named in `nullable`)."""

    nullable: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _no_nulls(self) -> Patch:
        nulls = [f for f in self.model_fields_set if getattr(self, f) is None]
        if bad := sorted(set(nulls) - self.nullable):
            raise ValueError(f"may not be null: {', '.join(bad)}")
        return self
