"""Compute subsidies (算力券): the three-party flow between the park, its teams and the
designated compute platforms.

A *programme* is a pool the park (or the government through it) funds: a budget, the share
of a compute bill it pays (`rate_percent`), a cap per team and calendar year, the designated
providers, a validity window and the tracks it is for. Staff grant a team a *voucher* under
a programme: an amount (and optionally GPU-hours), a validity window and the providers where
it is redeemable (none listed: all of the programme's). Providers report *usage records*;
each draws down the team's valid vouchers, the one expiring first first (`UsageDraw`, a
record may split across two). What no voucher covers is stored as unsubsidised. The park
owes each provider the subsidised share: a *settlement* per park, provider and month, issued
and frozen like a rent statement (opc.compute.settlement_models).

Money is integer fen; GPU-hours are integer hundredths (`*_hundredths`): both sum exactly
on every database. Validity windows are dates in the park's timezone, both ends included
(`valid_to` is the last day). A usage record belongs to the park-local month of its start.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from opc.core import constraints
from opc.core.db import UTCDateTime
from opc.core.models import Audited, CreatedMixin
from opc.extensions import db

if TYPE_CHECKING:
    from opc.auth.models import User
    from opc.parks.models import Park
    from opc.teams.models import Team


class Provider(Audited, CreatedMixin, db.Model):
    """A designated compute platform: a user of role provider, whose token writes usage."""

    __tablename__ = "providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    name: Mapped[str] = mapped_column(String(200))

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Provider {self.id} {self.name}>"


programme_providers = Table(
    "programme_providers",
    db.metadata,
    Column("programme_id", ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True),
    Column("provider_id", ForeignKey("providers.id"), primary_key=True),
)

voucher_providers = Table(
    "voucher_providers",
    db.metadata,
    Column("voucher_id", ForeignKey("vouchers.id", ondelete="CASCADE"), primary_key=True),
    Column("provider_id", ForeignKey("providers.id"), primary_key=True),
)


class Programme(Audited, CreatedMixin, db.Model):
    __tablename__ = "programmes"
    __table_args__ = (
        UniqueConstraint("park_id", "code", name="uq_programmes_park_id_code"),
        CheckConstraint("budget_fen > 0", name="budget_positive"),
        CheckConstraint("rate_percent > 0 AND rate_percent <= 100", name="rate_range"),
        CheckConstraint("team_cap_fen IS NULL OR team_cap_fen > 0", name="team_cap_positive"),
        CheckConstraint("valid_to >= valid_from", name="valid_to_after_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    # The measure it implements ("成都市算力券实施细则", a URL, a file number).
    document: Mapped[str] = mapped_column(String(300), default="")
    budget_fen: Mapped[int] = mapped_column(BigInteger)
    rate_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    # Most granted to one team under the programme per calendar year (of the voucher's
    # valid_from). None: no cap beyond the pool.
    team_cap_fen: Mapped[int | None] = mapped_column(BigInteger)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    # Eligible tracks (opc.teams.models.Track); empty: all.
    tracks: Mapped[list[str]] = mapped_column(JSON, default=list)

    park: Mapped[Park] = relationship()
    providers: Mapped[list[Provider]] = relationship(
        secondary=programme_providers, order_by="Provider.id"
    )

    def display_name(self, locale: str) -> str:
        return self.name_en if locale.startswith("en") and self.name_en else self.name_zh

    def __repr__(self) -> str:
        return f"<Programme {self.code}>"


class Voucher(Audited, CreatedMixin, db.Model):
    """A team's voucher. `used_fen` (and `used_hundredths`) are the sums of its draws, kept
    in the drawing transaction under the team's lock; the database refuses an overdraw."""

    __tablename__ = "vouchers"
    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint("used_fen >= 0 AND used_fen <= amount_fen", name="not_overdrawn"),
        CheckConstraint(
            "gpu_hours_hundredths IS NULL OR gpu_hours_hundredths > 0", name="hours_positive"
        ),
        CheckConstraint(
            "used_hundredths >= 0 AND (gpu_hours_hundredths IS NULL"
            " OR used_hundredths <= gpu_hours_hundredths)",
            name="hours_not_overdrawn",
        ),
        CheckConstraint("valid_to >= valid_from", name="valid_to_after_from"),
        Index("ix_vouchers_team_id_valid_to", "team_id", "valid_to"),
        Index("ix_vouchers_programme_id", "programme_id"),
    )
    # Draw-downs change the balance thousands of times; the audit log keeps the grant.
    __audit_exclude__ = frozenset({"used_fen", "used_hundredths"})

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    # Optional GPU-hours the voucher covers besides its amount (hundredths of an hour).
    gpu_hours_hundredths: Mapped[int | None] = mapped_column(BigInteger)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    used_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    used_hundredths: Mapped[int] = mapped_column(BigInteger, default=0)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    programme: Mapped[Programme] = relationship()
    team: Mapped[Team] = relationship()
    providers: Mapped[list[Provider]] = relationship(
        secondary=voucher_providers, order_by="Provider.id"
    )
    granted_by: Mapped[User | None] = relationship()

    @property
    def park_id(self) -> int:
        """The programme's park (permission rules ask records for their park)."""
        return self.programme.park_id

    @property
    def remaining_fen(self) -> int:
        return self.amount_fen - self.used_fen

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_to

    def __repr__(self) -> str:
        return f"<Voucher {self.id} team={self.team_id} {self.used_fen}/{self.amount_fen}>"


class AlertKind(StrEnum):
    USED_80 = "used_80"
    USED_100 = "used_100"
    EXPIRES_30 = "expires_30"
    EXPIRES_7 = "expires_7"


class VoucherAlert(db.Model):
    """An alert sent about a voucher: each kind at most once (the unique key says so, also
    when two batches cross 80% together)."""

    __tablename__ = "voucher_alerts"
    __table_args__ = (
        UniqueConstraint("voucher_id", "kind", name="uq_voucher_alerts_voucher_id_kind"),
        CheckConstraint(
            "kind IN ('used_80', 'used_100', 'expires_30', 'expires_7')", name="kind_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    voucher_id: Mapped[int] = mapped_column(ForeignKey("vouchers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())


class UsageBatch(Audited, CreatedMixin, db.Model):
    """One delivery of usage by a provider (API batch or CSV upload): what the audit log
    keeps instead of a million record rows."""

    __tablename__ = "usage_batches"
    __table_args__ = (CheckConstraint("source IN ('api', 'csv')", name="source_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    source: Mapped[str] = mapped_column(String(8))
    stored: Mapped[int]
    duplicates: Mapped[int]
    cost_fen: Mapped[int] = mapped_column(BigInteger)
    subsidy_fen: Mapped[int] = mapped_column(BigInteger)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    provider: Mapped[Provider] = relationship()


class UsageRecord(db.Model):
    """A job a provider ran for a team. `external_id` is the provider's job id, unique over
    all providers: re-sent, it is a duplicate; sent by another provider, it is refused.
    `subsidy_fen` is what the vouchers paid (the sum of its draws); the team owes the
    provider `cost_fen - subsidy_fen`. `settlement_id` is set when a settlement is issued."""

    __tablename__ = "usage_records"
    __table_args__ = (
        UniqueConstraint("external_id", name="uq_usage_records_external_id"),
        CheckConstraint("ended_at > started_at", name="ends_after_start"),
        CheckConstraint("gpu_hours_hundredths > 0", name="hours_positive"),
        CheckConstraint("cost_fen >= 0", name="cost_not_negative"),
        CheckConstraint("subsidy_fen >= 0 AND subsidy_fen <= cost_fen", name="subsidy_in_cost"),
        # Ending with the id: a month's records are paged newest first from the index.
        Index("ix_usage_records_team_id_month_id", "team_id", "month", "id"),
        Index("ix_usage_records_park_id_month_id", "park_id", "month", "id"),
        Index("ix_usage_records_provider_id_month_id", "provider_id", "month", "id"),
        Index("ix_usage_records_settlement_id", "settlement_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("usage_batches.id"))
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"))
    external_id: Mapped[str] = mapped_column(String(100))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    # The team's park, kept on the record: the park settles with the provider per month.
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"))
    gpu_type: Mapped[str] = mapped_column(String(40))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime())
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM, park-local, of started_at
    gpu_hours_hundredths: Mapped[int] = mapped_column(BigInteger)
    cost_fen: Mapped[int] = mapped_column(BigInteger)
    subsidy_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    settlement_id: Mapped[int | None] = mapped_column(ForeignKey("settlements.id"))

    provider: Mapped[Provider] = relationship()
    team: Mapped[Team] = relationship()


class UsageDraw(db.Model):
    """The part of a usage record one voucher paid."""

    __tablename__ = "usage_draws"
    __table_args__ = (
        UniqueConstraint("record_id", "voucher_id", name="uq_usage_draws_record_id_voucher_id"),
        CheckConstraint("subsidy_fen > 0", name="subsidy_positive"),
        CheckConstraint("gpu_hours_hundredths >= 0", name="hours_not_negative"),
        Index("ix_usage_draws_voucher_id", "voucher_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("usage_records.id"))
    voucher_id: Mapped[int] = mapped_column(ForeignKey("vouchers.id"))
    subsidy_fen: Mapped[int] = mapped_column(BigInteger)
    # The share of the record's GPU-hours this draw covers (for GPU-hour vouchers and the
    # programme's report).
    gpu_hours_hundredths: Mapped[int] = mapped_column(BigInteger)


def _register(table: str, rules: dict[str, tuple[str, Any]]) -> None:
    for name, (code, message) in rules.items():
        constraints.register(f"ck_{table}_{name}", code, message)


# What the constraints above refuse, when a race gets past the checks (opc.core.constraints).
constraints.register(
    "uq_providers_user_id", "provider_exists", lambda: _("This user has a provider record already.")
)
constraints.register(
    "pk_programme_providers",
    "provider_listed",
    lambda: _("The provider is designated by the programme already."),
)
constraints.register(
    "pk_voucher_providers",
    "provider_listed",
    lambda: _("The voucher is redeemable at the provider already."),
)
constraints.register(
    "uq_programmes_park_id_code",
    "programme_code_taken",
    lambda: _("The park has a programme with this code already."),
)
constraints.register(
    "uq_voucher_alerts_voucher_id_kind",
    "alert_sent",
    lambda: _("This alert about the voucher was sent already."),
)
constraints.register(
    "uq_usage_records_external_id",
    "duplicate_usage",
    lambda: _("A usage record with this job id exists already."),
)
constraints.register(
    "uq_usage_draws_record_id_voucher_id",
    "duplicate_draw",
    lambda: _("The usage record drew on this voucher already."),
)
_budget = ("budget_not_positive", lambda: _("The budget must be greater than zero."))
_window = ("invalid_window", lambda: _("The last valid day must not be before the first."))
_register(
    "programmes",
    {
        "budget_positive": _budget,
        "rate_range": (
            "rate_out_of_range",
            lambda: _("The subsidy rate must be over 0 and at most 100 percent."),
        ),
        "team_cap_positive": (
            "cap_not_positive",
            lambda: _("The cap per team must be greater than zero."),
        ),
        "valid_to_after_from": _window,
    },
)
_register(
    "vouchers",
    {
        "amount_positive": (
            "amount_not_positive",
            lambda: _("The amount must be greater than zero."),
        ),
        "not_overdrawn": ("voucher_overdrawn", lambda: _("The voucher would be overdrawn.")),
        "hours_positive": (
            "hours_not_positive",
            lambda: _("The GPU-hours must be greater than zero."),
        ),
        "hours_not_overdrawn": (
            "voucher_overdrawn",
            lambda: _("The voucher's GPU-hours would be overdrawn."),
        ),
        "valid_to_after_from": _window,
    },
)
_register(
    "voucher_alerts",
    {"kind_known": ("invalid_alert", lambda: _("Unknown kind of alert."))},
)
_register(
    "usage_batches",
    {"source_known": ("invalid_source", lambda: _("Unknown source of usage."))},
)
_register(
    "usage_records",
    {
        "ends_after_start": ("invalid_usage", lambda: _("The end must be after the start.")),
        "hours_positive": ("invalid_usage", lambda: _("GPU-hours must be greater than zero.")),
        "cost_not_negative": ("invalid_usage", lambda: _("The cost must not be negative.")),
        "subsidy_in_cost": (
            "invalid_usage",
            lambda: _("The subsidy must not exceed the cost."),
        ),
    },
)
_register(
    "usage_draws",
    {
        "subsidy_positive": ("invalid_draw", lambda: _("A draw must be greater than zero.")),
        "hours_not_negative": ("invalid_draw", lambda: _("A draw's hours must not be negative.")),
    },
)
