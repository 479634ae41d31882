"""A reviewer's own review: scores 0–10 with a comment for each of the call's criteria,
saved as often as needed, submitted once (then frozen), or a declared conflict of interest
(the review is recused, the declaration kept, and staff assign a replacement).

A review that is not the actor's, or that is recused, is not found (404): a reviewer learns
nothing about applications not assigned to them, nor about other reviewers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from opc.core.db import lock, retrying, transaction, utcnow
from opc.core.errors import NotFound, RuleViolation, ValidationFailed
from opc.core.permissions import require_actor
from opc.core.values import check_texts, is_id, whole_number
from opc.funds.models import Criterion
from opc.funds.operations.reviews import ASSIGNABLE
from opc.funds.permissions import can_write_review
from opc.funds.review_models import Review, ReviewScore, ReviewStatus

# The bounds of a review's values, here only: the API's schema and the form state them.
MIN_SCORE, MAX_SCORE = 0, 10
MAX_COMMENT = 5000
MAX_CONFLICT = 2000

Errors = dict[str, list[str]]


def _own(review_id: Any, actor: Any) -> Review:
    """The actor's review (locked), assigned or submitted; anything else: 404."""
    review = lock(Review, review_id) if is_id(review_id) else None
    if (
        review is None
        or review.status == ReviewStatus.RECUSED
        or (actor is not None and review.reviewer_id != actor.id)
    ):
        raise NotFound("not_found", _("Not found."))
    require_actor(can_write_review, actor, review)
    return review


def _open(review: Review) -> None:
    """Scores change while the review is not submitted and the application is in review."""
    if review.status == ReviewStatus.SUBMITTED:
        raise RuleViolation(
            "review_submitted",
            _("The review is submitted: it cannot change any more."),
            conflict={"review_id": review.id, "status": review.status},
        )
    if review.application.status not in ASSIGNABLE:
        raise RuleViolation(
            "application_not_in_review",
            _("The application is no longer in review."),
            conflict={"review_id": review.id, "application_id": review.application_id},
        )


def _text(errors: Errors, key: str, value: Any, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[key] = [_("Must be text.")]
        return ""
    text = value.strip()
    if len(text) > limit:
        errors[key] = [_("At most %(n)d characters.", n=limit)]
    return text


def _entries(criteria: dict[int, Criterion], scores: Any, errors: Errors) -> dict[int, Any]:
    """{criterion id: (score or None, comment)} from a list of {"criterion_id", "score",
    "comment"}; unknown and repeated criteria are named in errors["scores"]."""
    if not isinstance(scores, list | tuple):
        errors["scores"] = [_("Give a list of scores, one per criterion.")]
        return {}
    found: dict[int, Any] = {}
    for entry in scores:
        cid = entry.get("criterion_id") if isinstance(entry, Mapping) else None
        if not is_id(cid) or cid not in criteria:
            message = _("No criterion %(id)s in this call.", id=str(cid))
            errors.setdefault("scores", []).append(message)
            continue
        if cid in found:
            message = _("Criterion %(id)d is scored twice.", id=cid)
            errors.setdefault("scores", []).append(message)
            continue
        score = entry.get("score")
        if score is not None and score != "":
            try:
                score = whole_number(score, MIN_SCORE, MAX_SCORE)
            except ValueError:
                errors[f"score_{cid}"] = [
                    _(
                        "A score for %(criterion)s must be a whole number from %(low)d to "
                        "%(high)d.",
                        criterion=criteria[cid].name_zh,
                        low=MIN_SCORE,
                        high=MAX_SCORE,
                    )
                ]
        else:
            score = None
        comment = _text(errors, f"comment_{cid}", entry.get("comment"), MAX_COMMENT)
        if score is None and comment and f"score_{cid}" not in errors:
            errors[f"score_{cid}"] = [_("Score this criterion to keep its comment.")]
        found[cid] = (score, comment)
    return found


def _missing(review: Review, criteria: dict[int, Criterion]) -> None:
    """422 naming every criterion the review does not score yet."""
    scored = {s.criterion_id for s in review.scores}
    missing = [c for cid, c in criteria.items() if cid not in scored]
    if missing:
        names = ", ".join(c.name_zh for c in missing)
        message = _("Score every criterion before submitting; missing: %(names)s.", names=names)
        errors = {f"score_{c.id}": [_("Required to submit.")] for c in missing}
        raise ValidationFailed({"scores": [message], **errors}, message)


@retrying
def save_review(
    review_id: int, *, actor: Any, scores: Any, comment: Any = None, submit: bool = False
) -> Review:
    """Replace the review's scores with those given (a criterion left without a score is not
    scored yet) and its overall comment; with `submit`, then submit it. 422 for a score
    outside 0–10, an unknown criterion (named) or, when submitting, a criterion missing."""
    with transaction(actor):
        review = _own(review_id, actor)
        _open(review)
        criteria = {c.id: c for c in review.application.call.criteria}
        errors: Errors = {}
        entries = _entries(criteria, scores, errors)
        overall = _text(errors, "comment", comment, MAX_COMMENT)
        if errors:
            raise ValidationFailed(errors, _first(errors))
        check_texts(
            {"comment": overall, **{f"comment_{c}": e[1] for c, e in entries.items()}},
            multiline=["comment", *(f"comment_{c}" for c in entries)],
        )
        # Rows change in place: deleting and adding one criterion's row in one flush
        # would meet the unique (review, criterion) before the delete.
        for row in list(review.scores):
            score, text = entries.pop(row.criterion_id, (None, ""))
            if score is None:
                review.scores.remove(row)
            else:
                row.score, row.comment = score, text
        for cid, (score, text) in sorted(entries.items()):
            if score is not None:
                review.scores.append(ReviewScore(criterion_id=cid, score=score, comment=text))
        review.comment = overall
        if submit:
            _missing(review, criteria)
            review.status = ReviewStatus.SUBMITTED
            review.submitted_at = utcnow()
    return review


def _first(errors: Errors) -> str:
    return next(iter(errors.values()))[0] if len(errors) == 1 else _("Some fields are not valid.")


@retrying
def submit_review(review_id: int, *, actor: Any) -> Review:
    """Submit the review as saved: once, with every criterion scored (422 naming those that
    are not); then it is frozen."""
    with transaction(actor):
        review = _own(review_id, actor)
        _open(review)
        _missing(review, {c.id: c for c in review.application.call.criteria})
        review.status = ReviewStatus.SUBMITTED
        review.submitted_at = utcnow()
    return review


@retrying
def declare_conflict(review_id: int, *, actor: Any, reason: Any) -> Review:
    """The reviewer declares a conflict of interest: the review is recused (its draft scores
    dropped, the declaration kept) and the application needs a replacement."""
    errors: Errors = {}
    text = _text(errors, "reason", reason, MAX_CONFLICT)
    if not text and not errors:
        errors["reason"] = [_("Say what the conflict of interest is.")]
    if errors:
        raise ValidationFailed(errors, _first(errors))
    check_texts({"reason": text}, multiline=("reason",))
    with transaction(actor):
        review = _own(review_id, actor)
        _open(review)
        review.scores = []
        review.status = ReviewStatus.RECUSED
        review.conflict = text
    return review
