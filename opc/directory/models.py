"""The directory's records: the shared list of skills, each team's profile (what it offers
and needs) and the introductions staff make between teams."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from opc.auth.models import User
from opc.core import constraints
from opc.core.db import UTCDateTime, utcnow
from opc.core.models import Audited, CreatedMixin
from opc.extensions import db
from opc.teams.models import Team, TeamStatus

# The statuses of a park's residents: the teams the directory lists and whose members use it.
LISTED = (TeamStatus.ADMITTED, TeamStatus.RESIDENT)


class Outcome(StrEnum):
    MET = "met"
    COLLABORATED = "collaborated"
    NO_FIT = "no_fit"


class Skill(Audited, CreatedMixin, db.Model):
    """A skill or service teams offer and need (a stable code; admins add more)."""

    __tablename__ = "skills"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))

    def display_name(self, locale: str) -> str:
        """The skill's name in the page's language."""
        return self.name_en if locale.startswith("en") and self.name_en else self.name_zh


profile_offers = Table(
    "profile_offers",
    db.metadata,
    Column("profile_id", ForeignKey("team_profiles.id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True),
)
profile_needs = Table(
    "profile_needs",
    db.metadata,
    Column("profile_id", ForeignKey("team_profiles.id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True),
)


class Profile(Audited, CreatedMixin, db.Model):
    """What a team offers and needs, in tags and free text; `hidden` keeps it out of the
    directory and of every match (staff still see it)."""

    __tablename__ = "team_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), unique=True)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    offers_text: Mapped[str] = mapped_column(Text, default="")
    needs_text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    team: Mapped[Team] = relationship()
    offers: Mapped[list[Skill]] = relationship(secondary=profile_offers, order_by=Skill.id)
    needs: Mapped[list[Skill]] = relationship(secondary=profile_needs, order_by=Skill.id)


class Introduction(Audited, CreatedMixin, db.Model):
    """Staff introduced two teams of a park; the outcome comes later."""

    __tablename__ = "introductions"
    __table_args__ = (
        CheckConstraint("team_a_id <> team_b_id", name="two_teams"),
        CheckConstraint(
            "outcome IS NULL OR outcome IN ('met', 'collaborated', 'no_fit')",
            name="outcome_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"), index=True)
    team_a_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    team_b_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    made_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    team_a: Mapped[Team] = relationship(foreign_keys=[team_a_id])
    team_b: Mapped[Team] = relationship(foreign_keys=[team_b_id])
    made_by: Mapped[User | None] = relationship(foreign_keys=[made_by_id])
    outcome_by: Mapped[User | None] = relationship(foreign_keys=[outcome_by_id])

    def involves(self, team_id: int | None) -> bool:
        """Whether the team is one of the two."""
        return team_id is not None and team_id in (self.team_a_id, self.team_b_id)


# What the constraints above refuse, when a race gets past the checks (opc.core.constraints).
constraints.register("uq_skills_code", "skill_code_taken", lambda: _("This code is taken."))
constraints.register(
    "uq_team_profiles_team_id", "profile_exists", lambda: _("The team has a profile already.")
)
constraints.register("pk_profile_offers", "skill_listed", lambda: _("The skill is listed already."))
constraints.register("pk_profile_needs", "skill_listed", lambda: _("The skill is listed already."))
constraints.register(
    "ck_introductions_two_teams", "same_team", lambda: _("Introduce two different teams.")
)
constraints.register(
    "ck_introductions_outcome_known", "unknown_outcome", lambda: _("Unknown outcome.")
)
