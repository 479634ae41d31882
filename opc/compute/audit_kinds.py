"""How the audit log shows compute's records (opc.audit.registry): programmes by code and
name, vouchers and settlements by their team or provider, usage deliveries by provider."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from opc.audit.registry import RecordKind, register
from opc.compute.models import Programme, Provider, UsageBatch, Voucher
from opc.compute.settlement_models import Settlement, SettlementLine
from opc.core.i18n import locale_code


def _programme_name(programme: Any) -> str:
    return f"{programme.code} {programme.display_name(locale_code())}"


def register_kinds() -> None:
    register(
        RecordKind(
            Programme,
            _l("Compute programme"),
            url=lambda p: url_for("compute.programme", programme_id=p.id),
            name=_programme_name,
            fields={"rate_percent": _l("Subsidy rate %"), "document": _l("Document")},
        )
    )
    register(
        RecordKind(
            Voucher,
            _l("Compute voucher"),
            url=lambda v: url_for("compute.team_vouchers", team_id=v.team_id),
            name=lambda v: f"{v.team.display_name(locale_code())} #{v.id}",
            load=(joinedload(Voucher.team),),
        )
    )
    register(RecordKind(Provider, _l("Compute provider"), name=lambda p: p.name))
    register(
        RecordKind(
            UsageBatch,
            _l("Usage delivery"),
            name=lambda b: f"{b.provider.name} #{b.id}",
            load=(joinedload(UsageBatch.provider),),
        )
    )
    register(
        RecordKind(
            Settlement,
            _l("Settlement"),
            name=lambda s: f"{s.provider.name} {s.month}",
            load=(joinedload(Settlement.provider),),
        )
    )
    register(RecordKind(SettlementLine, _l("Settlement line")))
