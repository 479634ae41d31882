"""How the audit log shows rent's records (opc.audit.registry): policies by code and name,
waivers, statements and payments by their team, with the labels of their codes."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from opc.audit.registry import RecordKind, register
from opc.core.i18n import locale_code
from opc.rent.forms import PAYMENT_METHODS
from opc.rent.labels import line_kind_label, waiver_status_label
from opc.rent.models import Policy, PolicyStep, Statement, StatementLine, Waiver
from opc.rent.payments_model import Payment


def _of_team(record: Any) -> str:
    return str(record.team.display_name(locale_code()))


def _team_rent(record: Any) -> str:
    return url_for("rent_statements.team", team_id=record.team_id)


def register_kinds() -> None:
    register(
        RecordKind(
            Policy,
            _l("Rent policy"),
            url=lambda policy: url_for("rent.policies", park_id=policy.park_id),
            name=lambda policy: f"{policy.code} {policy.name_zh}",
            fields={"document": _l("Document"), "area_cap_m2": _l("Area cap m²")},
        )
    )
    register(RecordKind(PolicyStep, _l("Policy step"), name=lambda step: f"#{step.position}"))
    register(
        RecordKind(
            Waiver,
            _l("Waiver"),
            url=_team_rent,
            name=_of_team,
            load=(joinedload(Waiver.team),),
            values={"status": waiver_status_label},
        )
    )
    register(
        RecordKind(
            Statement,
            _l("Statement"),
            url=_team_rent,
            name=lambda s: f"{_of_team(s)} {s.month}",
            load=(joinedload(Statement.team),),
        )
    )
    register(RecordKind(StatementLine, _l("Statement line"), values={"kind": line_kind_label}))
    register(
        RecordKind(
            Payment,
            _l("Payment"),
            url=_team_rent,
            name=_of_team,
            load=(joinedload(Payment.team),),
            values={"method": lambda m: str(PAYMENT_METHODS.get(m, m))},
        )
    )
