"""Scheduled work: the scheduler process, the registry jobs are declared in, their runs.

Domains declare their jobs in their own `tasks.py` (see registry.py); init_app imports
every `opc.<package>.tasks` module there is, and the modules named in JOB_MODULES.
"""

from __future__ import annotations

import pkgutil
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

from flask import Flask
from flask_babel import lazy_gettext as _l

from opc.core import nav
from opc.core.permissions import is_admin
from opc.jobs import cli, models, views  # noqa: F401  (models: the job_runs table)

_PACKAGE_ROOT = Path(__file__).resolve().parent.parent
_PREFIX = __name__.rpartition(".")[0]


def task_modules(app: Flask) -> list[str]:
    """Every `opc.<package>.tasks` module, then the extra modules of JOB_MODULES."""
    found = []
    for info in sorted(pkgutil.iter_modules([str(_PACKAGE_ROOT)]), key=lambda i: i.name):
        name = f"{_PREFIX}.{info.name}.tasks"
        if info.ispkg and find_spec(name) is not None:
            found.append(name)
    return found + list(app.config["JOB_MODULES"])


def init_app(app: Flask) -> None:
    """The jobs page, the scheduler and jobs commands, and every declared job."""
    app.register_blueprint(views.bp)
    cli.init_app(app)
    nav.add("jobs.index", _l("Scheduled jobs"), is_admin, order=96)
    for name in task_modules(app):
        import_module(name)
