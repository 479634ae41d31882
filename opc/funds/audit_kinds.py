"""How the audit log shows the funds' records (opc.audit.registry): funds and calls by name,
applications by team and title, the rest by the application they belong to."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from opc.audit.registry import RecordKind, register
from opc.core.i18n import locale_code
from opc.funds.application_models import Application, Attachment, Disbursement
from opc.funds.labels import application_status_label
from opc.funds.models import Call, Criterion, Fund
from opc.funds.review_models import Review, ReviewScore


def _application_name(application: Any) -> str:
    return f"{application.team.display_name(locale_code())} · {application.title}"


def register_kinds() -> None:
    register(RecordKind(Fund, _l("Fund"), name=lambda f: f.display_name(locale_code())))
    register(RecordKind(Call, _l("Call for applications"), name=lambda c: c.title(locale_code())))
    register(RecordKind(Criterion, _l("Review criterion"), name=lambda c: c.name(locale_code())))
    register(
        RecordKind(
            Application,
            _l("Fund application"),
            name=_application_name,
            load=(joinedload(Application.team),),
            fields={"amount_fen": _l("Amount requested"), "approved_fen": _l("Amount approved")},
            values={"status": application_status_label},
        )
    )
    register(RecordKind(Attachment, _l("Attachment"), name=lambda a: a.filename))
    register(RecordKind(Disbursement, _l("Tranche"), name=lambda d: d.milestone))
    register(RecordKind(Review, _l("Review")))
    register(RecordKind(ReviewScore, _l("Review score")))
