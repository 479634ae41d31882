"""Reports' notifications: the park's staff and the admins hear that a report is ready.

`notify_ready` is called in the transaction that marks a run done (opc.reports.operations),
which happens once per run whatever the number of producers: the attempt that still owns
the run marks it done, any other finds it taken. A run rolled back or failed tells nobody.
Webhooks for "report.ready" (opc.webhooks) listen to the same notification.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError

from opc import notifications
from opc.auth.models import User
from opc.core.permissions import Role
from opc.notifications import local, path_for
from opc.parks.models import Park
from opc.reports.labels import kind_label
from opc.reports.models import ReportRun
from opc.service.notify import park_staff_ids

Params = dict[str, Any]
READY = "report.ready"


def admin_ids(session: Session) -> list[int]:
    """The admins whose accounts are active (they see every park's reports)."""
    stmt = select(User.id).where(User.role == Role.ADMIN, User.is_active.is_(True))
    return list(session.scalars(stmt.order_by(User.id)))


def ready_params(run: ReportRun, park: Park) -> Params:
    """What the messages say of a done run."""
    return {
        "run_id": run.id,
        "park_id": run.park_id,
        "park": {"zh": park.name_zh, "en": park.name_en},
        "kind": run.kind,
        "period": run.period,
        "version": run.version,
        "source": run.source,
    }


def _link(p: Params) -> str | None:
    """The reports page, at the park's runs of the period."""
    try:
        return path_for("reports.index", park_id=p["park_id"], period=p["period"])
    except BuildError:
        return None


def register_kinds() -> None:
    """The kinds of reports' notifications (called from init_app)."""
    notifications.kind(
        READY,
        title=lambda p: _(
            "%(park)s: %(report)s for %(period)s is ready (version %(version)s)",
            park=local(p["park"]),
            report=kind_label(p["kind"]),
            period=p["period"],
            version=p["version"],
        ),
        body=lambda p: _("Its CSV and XLSX files can be downloaded from the reports page."),
        link=_link,
    )


def notify_ready(session: Session, run: ReportRun) -> None:
    """Tell the park's staff and the admins that the run is done."""
    park = session.get(Park, run.park_id)
    if park is None:
        return
    recipients = park_staff_ids(session, run.park_id) + admin_ids(session)
    notifications.notify(session, recipients, READY, ready_params(run, park))
