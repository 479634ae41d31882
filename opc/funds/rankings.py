"""A call's ranking: its reviewed applications ordered by their submitted reviews
(opc.funds.fairness.rank: weighted mean, median, spread with the disagreement flag, and the
score normalised per reviewer), with what staff need beside the figures (team, title,
amount requested, reviews submitted of those required), for the page and its exports.

The applications ranked are those that passed screening and were not withdrawn: in review,
approved, disbursed, or rejected after review. Only submitted reviews count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from opc.core.errors import RuleViolation
from opc.core.export import Money
from opc.core.i18n import locale_code
from opc.extensions import db
from opc.funds.application_models import Application
from opc.funds.application_models import ApplicationStatus as S
from opc.funds.fairness import RankedApplication, ReviewScores, rank
from opc.funds.labels import application_status_label
from opc.funds.models import Call
from opc.funds.review_models import Review, ReviewStatus

RANKED = (S.IN_REVIEW, S.APPROVED, S.DISBURSED, S.REJECTED)
NORMALISED_PLACES = Decimal("0.001")


@dataclass(frozen=True)
class RankingRow:
    application: Application
    figures: RankedApplication
    required: int

    @property
    def normalised(self) -> Decimal | None:
        """The mean z-score, to three places for people."""
        value = self.figures.normalised
        return (
            None
            if value is None
            else Decimal(repr(value)).quantize(NORMALISED_PLACES, ROUND_HALF_UP)
        )


def _applications(call: Call) -> list[Application]:
    return list(
        db.session.scalars(
            select(Application)
            .where(
                Application.call_id == call.id,
                Application.status.in_(RANKED),
                or_(Application.eligible.is_(None), Application.eligible.is_(True)),
            )
            .options(selectinload(Application.team))
            .order_by(Application.id)
        )
    )


def call_ranking(call: Call) -> list[RankingRow]:
    """The call's ranking, best first; applications without a submitted review last."""
    applications = _applications(call)
    weights = {str(c.id): c.weight for c in call.criteria}
    if sum(weights.values()) != 100:
        raise RuleViolation(
            "invalid_weights",
            _(
                "The call's criteria weigh %(n)d in all, not 100: it cannot be ranked.",
                n=sum(weights.values()),
            ),
            conflict={"call_id": call.id},
        )
    reviews = db.session.scalars(
        select(Review)
        .where(
            Review.application_id.in_([a.id for a in applications]),
            Review.status == ReviewStatus.SUBMITTED,
        )
        .options(selectinload(Review.scores))
        .order_by(Review.id)
    )
    scored: dict[int, list[ReviewScores]] = defaultdict(list)
    for review in reviews:
        scores = {str(s.criterion_id): s.score for s in review.scores}
        if scores.keys() == weights.keys():  # a review of criteria since changed is left out
            scored[review.application_id].append(ReviewScores(review.reviewer_id, scores))
    figures = rank({a.id: scored[a.id] for a in applications}, weights, call.disagreement_threshold)
    by_id = {a.id: a for a in applications}
    required = call.reviewers_per_application
    return [RankingRow(by_id[int(f.application_id)], f, required) for f in figures]


def headers() -> list[str]:
    return [
        _("Rank"),
        _("Team"),
        _("Title"),
        _("Status"),
        _("Amount requested (¥)"),
        _("Reviews"),
        _("Reviews required"),
        _("Weighted mean"),
        _("Median"),
        _("Spread"),
        _("Disagreement"),
        _("Normalised (z-score)"),
    ]


def export_rows(rows: Sequence[RankingRow]) -> list[list[Any]]:
    """The ranking as the export's rows: numbers as numbers, the flag as yes or no."""
    locale = locale_code()
    return [
        [
            row.figures.rank,
            row.application.team.display_name(locale),
            row.application.title,
            application_status_label(row.application.status),
            Money(row.application.amount_fen),
            row.figures.reviews,
            row.required,
            row.figures.weighted_mean,
            row.figures.median,
            row.figures.spread,
            row.figures.disagreement if row.figures.reviewed else None,
            row.normalised,
        ]
        for row in rows
    ]
