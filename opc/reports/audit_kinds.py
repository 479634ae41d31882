"""How the audit log shows report runs (opc.audit.registry): kind, period and version."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from opc.audit.registry import RecordKind, register
from opc.reports.labels import kind_label, run_status_label, source_label
from opc.reports.models import ReportRun


def register_kinds() -> None:
    register(
        RecordKind(
            ReportRun,
            _l("Report run"),
            name=lambda r: f"{kind_label(r.kind)} {r.period} v{r.version}",
            fields={
                "period": _l("Period"),
                "version": _l("Version"),
                "source": _l("Source"),
                "attempts": _l("Attempts"),
                "mailed_at": _l("Mailed"),
            },
            values={"status": run_status_label, "kind": kind_label, "source": source_label},
            hidden=frozenset({"lease_until"}),  # the worker's claim, not the run's story
        )
    )
