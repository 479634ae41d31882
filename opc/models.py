"""Imports every model module, so that metadata (and Alembic) sees all tables."""

from importlib import import_module

MODEL_MODULES = (
    "opc.parks.models",
    "opc.teams.models",
    "opc.auth.models",
    "opc.space.models",
    "opc.compute.models",
    "opc.audit.models",
)


def import_all() -> None:
    for name in MODEL_MODULES:
        import_module(name)
