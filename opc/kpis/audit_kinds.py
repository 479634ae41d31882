"""How the audit log shows KPI reports (opc.audit.registry): team, quarter and version."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from opc.audit.registry import RecordKind, register
from opc.core.i18n import locale_code
from opc.core.money import format_money
from opc.kpis.models import MONEY_FIELDS, KpiReport


def _name(report: Any) -> str:
    return f"{report.team.display_name(locale_code())} · {report.period} v{report.version}"


def register_kinds() -> None:
    register(
        RecordKind(
            KpiReport,
            _l("KPI report"),
            url=lambda r: url_for("kpis.quarter", team_id=r.team_id, quarter=r.period),
            name=_name,
            load=(joinedload(KpiReport.team),),
            fields={
                "revenue_fen": _l("Revenue"),
                "financing_fen": _l("Financing raised"),
                "rnd_fen": _l("R&D spending"),
                "taxes_fen": _l("Taxes paid"),
                "headcount": _l("Headcount"),
                "graduates_hired": _l("Graduates hired"),
                "patents_applied": _l("Patents applied for"),
                "patents_granted": _l("Patents granted"),
                "software_copyrights_applied": _l("Software copyrights applied for"),
                "software_copyrights_granted": _l("Software copyrights granted"),
                "trademarks_applied": _l("Trademarks applied for"),
                "trademarks_granted": _l("Trademarks granted"),
                "works_released": _l("Works released"),
                "superseded_at": _l("Superseded"),
            },
            values=dict.fromkeys(MONEY_FIELDS, format_money),
        )
    )
