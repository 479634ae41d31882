"""Quarterly KPI reports: what a resident team achieved in a quarter.

A team files one report per quarter; filing again (a correction, during or after the
quarter) adds a new version and supersedes the one before, which is kept. A partial unique
index lets a team's quarter have exactly one current version, whatever the number of
people filing at once; UNIQUE(team, year, quarter, version) numbers the versions.

Money is integer fen (filed in yuan, shown in yuan, exported in thousand yuan); counts are
whole numbers; nothing is negative, and the graduates hired are among the headcount.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from opc.auth.models import User
from opc.core import constraints
from opc.core.db import UTCDateTime
from opc.core.models import Audited, CreatedMixin
from opc.extensions import db
from opc.teams.models import Team

CURRENT_ONLY = "superseded_at IS NULL"

# The figures of a report, in the order forms, tables and exports show them.
MONEY_FIELDS = ("revenue_fen", "financing_fen", "rnd_fen", "taxes_fen")
COUNT_FIELDS = (
    "headcount",
    "graduates_hired",
    "patents_applied",
    "patents_granted",
    "software_copyrights_applied",
    "software_copyrights_granted",
    "trademarks_applied",
    "trademarks_granted",
    "works_released",
)
FIGURES = MONEY_FIELDS + COUNT_FIELDS


class KpiReport(Audited, CreatedMixin, db.Model):
    """One version of a team's report for a quarter (`year`, `quarter` 1–4)."""

    __tablename__ = "kpi_reports"
    __table_args__ = (
        UniqueConstraint(
            "team_id", "year", "quarter", "version", name="uq_kpi_reports_team_id_quarter"
        ),
        # Exactly one current version of a team's quarter.
        Index(
            "uq_kpi_reports_team_id_current",
            "team_id",
            "year",
            "quarter",
            unique=True,
            sqlite_where=text(CURRENT_ONLY),
            postgresql_where=text(CURRENT_ONLY),
        ),
        Index("ix_kpi_reports_year_quarter", "year", "quarter"),
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter_known"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_sane"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(" AND ".join(f"{f} >= 0" for f in FIGURES), name="figures_not_negative"),
        CheckConstraint("graduates_hired <= headcount", name="graduates_within_headcount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    year: Mapped[int] = mapped_column(SmallInteger)
    quarter: Mapped[int] = mapped_column(SmallInteger)
    version: Mapped[int] = mapped_column(Integer, default=1)
    revenue_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    financing_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    rnd_fen: Mapped[int] = mapped_column(BigInteger, default=0)  # R&D spending
    taxes_fen: Mapped[int] = mapped_column(BigInteger, default=0)  # taxes paid (Torch survey)
    headcount: Mapped[int] = mapped_column(Integer, default=0)
    graduates_hired: Mapped[int] = mapped_column(Integer, default=0)  # of the headcount
    patents_applied: Mapped[int] = mapped_column(Integer, default=0)
    patents_granted: Mapped[int] = mapped_column(Integer, default=0)
    software_copyrights_applied: Mapped[int] = mapped_column(Integer, default=0)
    software_copyrights_granted: Mapped[int] = mapped_column(Integer, default=0)
    trademarks_applied: Mapped[int] = mapped_column(Integer, default=0)
    trademarks_granted: Mapped[int] = mapped_column(Integer, default=0)
    works_released: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    team: Mapped[Team] = relationship()
    filed_by: Mapped[User | None] = relationship()

    @property
    def period(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    def __repr__(self) -> str:
        return f"<KpiReport team={self.team_id} {self.period} v{self.version}>"


# What the constraints refuse when a race gets past the checks (opc.core.constraints).
constraints.register(
    "uq_kpi_reports_team_id_quarter",
    "kpi_version_taken",
    lambda: _("This version of the team's report exists already."),
)
constraints.register(
    "uq_kpi_reports_team_id_current",
    "kpi_report_changed",
    lambda: _("The team's report for this quarter was filed at the same moment; try again."),
)
constraints.register(
    "ck_kpi_reports_quarter_known", "invalid_quarter", lambda: _("A quarter is 1 to 4.")
)
constraints.register("ck_kpi_reports_year_sane", "invalid_year", lambda: _("Unknown year."))
constraints.register(
    "ck_kpi_reports_version_positive", "invalid_version", lambda: _("A version is at least 1.")
)
constraints.register(
    "ck_kpi_reports_figures_not_negative",
    "negative_figure",
    lambda: _("No figure of a KPI report is negative."),
)
constraints.register(
    "ck_kpi_reports_graduates_within_headcount",
    "graduates_exceed_headcount",
    lambda: _("The graduates hired are among the headcount: no more than it."),
)
