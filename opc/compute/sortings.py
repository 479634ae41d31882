"""The orders the compute lists offer their readers (opc.core.sorting): programmes,
vouchers, the providers to settle with and the usage explorer's records."""

from __future__ import annotations

from sqlalchemy import select

from opc.compute.models import Programme, UsageRecord, Voucher
from opc.core.sorting import Sorting
from opc.teams.models import Team

PROGRAMMES = Sorting(
    {
        "code": Programme.code,
        "name": Programme.name_zh,
        "rate": Programme.rate_percent,
        "valid": (Programme.valid_to, Programme.valid_from),
        "budget": Programme.budget_fen,
    },
    default="code",
    tiebreak=Programme.id,
    first_desc=frozenset({"rate", "valid", "budget"}),
)

# Team and programme by name, without joining them a second time to the eager loads.
VOUCHERS = Sorting(
    {
        "team": select(Team.name_pinyin).where(Team.id == Voucher.team_id).scalar_subquery(),
        "programme": select(Programme.code)
        .where(Programme.id == Voucher.programme_id)
        .scalar_subquery(),
        "amount": Voucher.amount_fen,
        "used": Voucher.used_fen,
        "remaining": Voucher.amount_fen - Voucher.used_fen,
        "valid": (Voucher.valid_to, Voucher.valid_from),
    },
    default="valid",
    tiebreak=Voucher.id,
    descending=True,
    first_desc=frozenset({"amount", "used", "remaining", "valid"}),
)

# A park's providers, summed in Python (a few per park).
PROVIDERS = Sorting(
    {
        "provider": lambda s: s.provider.name,
        "last": lambda s: s.last_issued,
        "records": lambda s: s.unsettled.records,
        "subsidy": lambda s: s.unsettled.subsidy_fen,
    },
    default="provider",
    tiebreak=lambda s: s.provider.id,
    first_desc=frozenset({"last", "records", "subsidy"}),
)

# The explorer's records of a month. Without a choice they come newest first by id, which
# an index answers; a chosen column sorts the month's records under the filters.
RECORDS = Sorting(
    {
        "job": UsageRecord.external_id,
        "gpu": UsageRecord.gpu_type,
        "started": UsageRecord.started_at,
        "hours": UsageRecord.gpu_hours_hundredths,
        "cost": UsageRecord.cost_fen,
        "subsidy": UsageRecord.subsidy_fen,
        "share": UsageRecord.cost_fen - UsageRecord.subsidy_fen,
    },
    default="started",
    tiebreak=UsageRecord.id,
    descending=True,
    first_desc=frozenset({"started", "hours", "cost", "subsidy", "share"}),
)
