"""/api/v1/parks/{id}/settings: read (staff of the park) and change (admins)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints

from opc.api.routing import endpoint
from opc.api.schemas import In, Out
from opc.core.permissions import get_or_404
from opc.core.values import MAX_INT, MIN_INT
from opc.parks.models import Park
from opc.parks.permissions import can_manage_parks
from opc.parks.settings import operations as ops
from opc.parks.settings import queries
from opc.parks.settings.registry import MAX_KEY, MAX_VALUE

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=MAX_KEY)]
Value = (
    bool
    | Annotated[int, Field(ge=MIN_INT, le=MAX_INT)]
    | Annotated[str, Field(max_length=MAX_VALUE)]
)


class SettingOut(Out):
    key: str
    label: str
    type: str
    value: bool | int | str
    default: bool | int | str
    minimum: int | None = None
    maximum: int | None = None
    choices: list[str] | None = None


class SettingsOut(Out):
    park_id: int
    settings: list[SettingOut]


class SettingsPatch(In):
    """The settings to change, by key (`GET` lists the keys, types and bounds)."""

    values: dict[Key, Value] = Field(max_length=50)  # type: ignore[valid-type]


def _out(park: Park) -> dict[str, Any]:
    items = []
    for setting, value in queries.described(park.id):
        items.append(
            {
                "key": setting.key,
                "label": str(setting.label),
                "type": setting.kind,
                "value": value,
                "default": setting.default,
                "minimum": setting.low if setting.kind == "int" else None,
                "maximum": setting.high if setting.kind == "int" else None,
                "choices": list(setting.choices) if setting.kind == "choice" else None,
            }
        )
    return SettingsOut(park_id=park.id, settings=items).model_dump(mode="json")


@endpoint("/parks/<int:park_id>/settings", scope="parks:read", response=SettingsOut)
def get_settings(user: Any, park_id: int) -> dict[str, Any]:
    """A park's settings with their types, bounds and defaults."""
    return _out(get_or_404(Park, park_id, user))


@endpoint(
    "/parks/<int:park_id>/settings",
    methods=("PATCH",),
    scope="parks:write",
    allow=can_manage_parks,
    body=SettingsPatch,
    response=SettingsOut,
)
def change_settings(user: Any, park_id: int, body: SettingsPatch) -> dict[str, Any]:
    """Change some of a park's settings (admins); every change is audited."""
    park = get_or_404(Park, park_id, user, "parks.manage")
    ops.change_settings(park, actor=user, values=dict(body.values))
    return _out(park)
