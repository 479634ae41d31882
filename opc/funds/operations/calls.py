"""Calls for applications within a fund (staff of the fund's park).

Money rules, each checked in the writing transaction under the rows they are about (the
fund, then the call: always in that order):

* a fund's calls never commit more than the fund: `Fund.calls_fen` is the sum of their
  budgets, kept here under the fund's lock (409 `fund_budget_exceeded`, naming what remains);
* a call's budget never drops below what it has approved (409 `budget_below_approved`);
* the ceiling per team is at most the budget, and a call closes after it opens (422).

Criteria are what reviewers score: their weights sum to 100 (422 naming the sum), and they
are fixed once a review of the call is submitted or scored (409 `criteria_locked`), since
scores given against other weights would no longer add up. The expert pool holds users of
role reviewer only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from opc.auth.models import User
from opc.core.dates import date_problem
from opc.core.db import lock, retrying, transaction
from opc.core.errors import RuleViolation, ValidationFailed
from opc.core.money import yuan_str
from opc.core.permissions import Role, require_actor
from opc.core.values import decimal_number, is_id, text_problem, whole_number
from opc.funds.application_models import Application
from opc.funds.models import Call, Criterion, Fund
from opc.funds.operations.funds import Errors, clean_fen, clean_texts
from opc.funds.permissions import can_manage_calls
from opc.funds.review_models import Review, ReviewScore, ReviewStatus
from opc.teams.models import TeamStatus, Track

# The bounds of a call's values, here only: the API's schema and the form state them.
MAX_LENGTH = {"title_zh": 200, "title_en": 200, "description_zh": 8000, "description_en": 8000}
MULTILINE = frozenset({"description_zh", "description_en"})
MAX_NAME = 200  # a criterion's or a required document's name
MAX_CRITERIA = 20
MAX_DOCUMENTS = 20
MAX_POOL = 200
MAX_REVIEWERS = 9  # per application (the schema's check)
DEFAULT_REVIEWERS = 2
MAX_THRESHOLD = Decimal("9.99")  # points of 10 (a spread of 10 is the widest there is)
DEFAULT_THRESHOLD = Decimal("3.00")
WEIGHT_SUM = 100


def _instant(value: Any, key: str, errors: Errors) -> datetime | None:
    if value is None:
        errors[key] = [_("Required.")]
    elif not isinstance(value, datetime) or value.utcoffset() is None:
        errors[key] = [_("Must be a date and time with its offset, e.g. 2026-03-01T09:30+08:00.")]
    elif problem := date_problem(value.astimezone(UTC).date()):
        errors[key] = [problem]
    else:
        return value.astimezone(UTC)
    return None


def _name_problem(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return _("Required.")
    if problem := text_problem(value.strip()):
        return problem
    return _("At most %(n)d characters.", n=MAX_NAME) if len(value.strip()) > MAX_NAME else None


def clean_criteria(raw: Any, errors: Errors) -> list[tuple[str, str, int]]:
    """[(name_zh, name_en, weight)] from [{name_zh or name, name_en?, weight}]: each named,
    weights whole numbers 1–100 summing to 100 (the message names the sum)."""
    if not isinstance(raw, list | tuple) or not 1 <= len(raw) <= MAX_CRITERIA:
        errors["criteria"] = [_("Give 1 to %(n)d criteria.", n=MAX_CRITERIA)]
        return []
    out, problems = [], []
    for n, row in enumerate(raw, start=1):
        row = row if isinstance(row, dict) else {}
        name_zh = row.get("name_zh") or row.get("name")
        name_en = row.get("name_en") or ""
        problem = _name_problem(name_zh) or (_name_problem(name_en) if name_en else None)
        try:
            weight = whole_number(row.get("weight"), 1, 100)
        except ValueError as exc:
            problem = problem or _("weight: %(reason)s", reason=exc)
            weight = 0
        if problem:
            problems.append(_("Criterion %(n)d: %(reason)s", n=n, reason=problem))
        else:
            out.append((str(name_zh).strip(), str(name_en).strip(), weight))
    if problems:
        errors["criteria"] = problems
    elif (total := sum(w for _z, _e, w in out)) != WEIGHT_SUM:
        errors["criteria"] = [
            _("The weights sum to %(sum)d; they must sum to 100.", sum=total),
        ]
    return out


def _names(raw: Any, errors: Errors) -> list[str]:
    if not isinstance(raw, list | tuple) or len(raw) > MAX_DOCUMENTS:
        errors["required_documents"] = [_("At most %(n)d documents.", n=MAX_DOCUMENTS)]
        return []
    out: list[str] = []
    for value in raw:
        if problem := _name_problem(value):
            errors["required_documents"] = [problem]
            return []
        if value.strip() not in out:
            out.append(value.strip())
    return out


def _choices(raw: Any, known: type[Track] | type[TeamStatus], key: str, errors: Errors) -> list:
    values = list(raw) if isinstance(raw, list | tuple | set) else None
    allowed = [k.value for k in known]
    if values is None or any(v not in allowed for v in values):
        unknown = ", ".join(str(v) for v in values or [raw] if v not in allowed)
        errors[key] = [_("Unknown: %(v)s.", v=unknown[:200])]
        return []
    return [v for v in allowed if v in values]  # in the domain's order


def _ids(raw: Any, errors: Errors) -> list[int]:
    values = list(raw) if isinstance(raw, list | tuple | set) else None
    if values is None or len(values) > MAX_POOL or not all(is_id(v) for v in values):
        errors["reviewer_ids"] = [_("Give up to %(n)d user ids.", n=MAX_POOL)]
        return []
    return sorted(set(values))


def clean_call(values: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Checked call values (only those given when `partial`; the window, the ceiling against
    the budget and the money rules are checked against the record by the operations);
    ValidationFailed lists every bad field at once. Amounts are fen, instants aware."""
    errors: Errors = {}
    out: dict[str, Any] = clean_texts(
        values, MAX_LENGTH, errors, partial=partial, multiline=MULTILINE
    )
    if "title_zh" in out and not out["title_zh"]:
        errors["title_zh"] = [_("Required.")]
    for key in ("opens_at", "closes_at"):
        if not partial or key in values:
            out[key] = _instant(values.get(key), key, errors)
    for key, field in (("budget_fen", "budget_yuan"), ("ceiling_fen", "ceiling_yuan")):
        if not partial or key in values:
            out[key] = clean_fen(values, key, field, errors)
    if not partial or "criteria" in values:
        out["criteria"] = clean_criteria(values.get("criteria"), errors)
    if not partial or "required_documents" in values:
        out["required_documents"] = _names(values.get("required_documents") or [], errors)
    if not partial or "tracks" in values:
        out["tracks"] = _choices(values.get("tracks") or [], Track, "tracks", errors)
    if not partial or "team_statuses" in values:
        raw = values.get("team_statuses") or []
        out["team_statuses"] = _choices(raw, TeamStatus, "team_statuses", errors)
    if not partial or "reviewers_per_application" in values:
        try:
            raw = values.get("reviewers_per_application")
            out["reviewers_per_application"] = whole_number(
                DEFAULT_REVIEWERS if raw is None else raw, 1, MAX_REVIEWERS
            )
        except ValueError as exc:
            errors["reviewers_per_application"] = [str(exc)]
    if not partial or "disagreement_threshold" in values:
        raw = values.get("disagreement_threshold")
        try:
            out["disagreement_threshold"] = decimal_number(
                DEFAULT_THRESHOLD if raw is None else raw, maximum=MAX_THRESHOLD
            )
        except ValueError as exc:
            errors["disagreement_threshold"] = [str(exc)]
    if not partial or "reviewer_ids" in values:
        out["reviewer_ids"] = _ids(values.get("reviewer_ids") or [], errors)
    if errors:
        raise ValidationFailed(errors)
    return out


def check_terms(budget: int, ceiling: int, opens_at: datetime, closes_at: datetime) -> None:
    """422 unless the ceiling per team is at most the budget and the call closes after it
    opens (the values as they will be, given and kept)."""
    errors: Errors = {}
    if ceiling > budget:
        errors["ceiling_yuan"] = [
            _("The ceiling per team may not exceed the budget (%(b)s yuan).", b=yuan_str(budget))
        ]
    if closes_at <= opens_at:
        errors["closes_at"] = [_("The call must close after it opens.")]
    if errors:
        raise ValidationFailed(errors)


def _pool(session: Session, ids: list[int]) -> list[User]:
    """The users named, all of role reviewer (422 naming the others)."""
    if not ids:
        return []
    found = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}
    wrong = [i for i in ids if i not in found or found[i].role != Role.REVIEWER]
    if wrong:
        raise ValidationFailed(
            {
                "reviewer_ids": [
                    _(
                        "Not a reviewer: %(ids)s. The pool holds users of role reviewer only.",
                        ids=", ".join(map(str, wrong)),
                    )
                ]
            }
        )
    return [found[i] for i in ids]


def _fits_fund(fund: Fund, adding: int) -> None:
    """409 unless the fund's calls may commit `adding` fen more (the fund is locked)."""
    remaining = fund.budget_fen - fund.calls_fen
    if adding > remaining:
        left = yuan_str(remaining)
        raise RuleViolation(
            "fund_budget_exceeded",
            _(
                "The fund has %(left)s yuan left for its calls: the call's budget may not be more.",
                left=left,
            ),
            fields={"budget_yuan": [_("More than the fund has left (%(left)s yuan).", left=left)]},
            conflict={"fund_id": fund.id, "remaining_yuan": left},
        )


def _criteria(rows: list[tuple[str, str, int]]) -> list[Criterion]:
    return [
        Criterion(position=n, name_zh=zh, name_en=en, weight=w)
        for n, (zh, en, w) in enumerate(rows, start=1)
    ]


@retrying
def create_call(*, actor: Any, fund_id: int, **values: Any) -> Call:
    """A call of the fund (staff of its park); its budget is taken from what the fund has
    left for calls."""
    cleaned = clean_call(values)
    with transaction(actor) as session:
        fund = lock(Fund, fund_id) if is_id(fund_id) else None
        if fund is None:
            raise ValidationFailed({"fund_id": [_("No such fund.")]})
        require_actor(can_manage_calls, actor, fund)
        check_terms(
            cleaned["budget_fen"], cleaned["ceiling_fen"], cleaned["opens_at"], cleaned["closes_at"]
        )
        _fits_fund(fund, cleaned["budget_fen"])
        reviewers = _pool(session, cleaned.pop("reviewer_ids"))
        criteria = _criteria(cleaned.pop("criteria"))
        call = Call(fund_id=fund.id, park_id=fund.park_id, approved_fen=0, disbursed_fen=0)
        for key, value in cleaned.items():
            setattr(call, key, value)
        call.criteria = criteria
        call.reviewers = reviewers
        fund.calls_fen += cleaned["budget_fen"]
        session.add(call)
        session.flush()
    return call


def criteria_locked(session: Session, call_id: int) -> bool:
    """Whether a review of one of the call's applications is submitted or holds a score."""
    of_call = select(Application.id).where(Application.call_id == call_id)
    submitted = exists().where(
        Review.application_id.in_(of_call), Review.status == ReviewStatus.SUBMITTED
    )
    scored = exists().where(
        ReviewScore.criterion_id.in_(select(Criterion.id).where(Criterion.call_id == call_id))
    )
    return bool(session.scalar(select(or_(submitted, scored))))


def _replace_criteria(session: Session, call: Call, rows: list[tuple[str, str, int]]) -> None:
    """Change the criteria in place by position (ids stay for the rows kept); 409 once a
    review is submitted or scored. Unchanged criteria are no change at all."""
    current = [(c.name_zh, c.name_en, c.weight) for c in call.criteria]
    if rows == current:
        return
    if criteria_locked(session, call.id):
        raise RuleViolation(
            "criteria_locked",
            _("Reviews of this call are submitted: its criteria can no longer change."),
            fields={"criteria": [_("Reviews are submitted.")]},
            conflict={"call_id": call.id},
        )
    kept = call.criteria[: len(rows)]
    for criterion, (zh, en, weight) in zip(kept, rows, strict=False):
        criterion.name_zh, criterion.name_en, criterion.weight = zh, en, weight
    for criterion in call.criteria[len(rows) :]:
        session.delete(criterion)
    session.flush()
    call.criteria = kept + [
        Criterion(position=n, name_zh=zh, name_en=en, weight=w)
        for n, (zh, en, w) in enumerate(rows, start=1)
        if n > len(kept)
    ]


def _keep_approvals(call: Call, budget: int) -> None:
    if budget < call.approved_fen:
        approved = yuan_str(call.approved_fen)
        raise RuleViolation(
            "budget_below_approved",
            _("The call has approved %(sum)s yuan: its budget may not be less.", sum=approved),
            fields={"budget_yuan": [_("Less than approved.")]},
            conflict={"call_id": call.id, "approved_yuan": approved},
        )


@retrying
def update_call(call: Call, *, actor: Any, **values: Any) -> Call:
    """Change a call's terms (staff of its park); what is given changes, the rest stays.
    The fund is locked before the call, as everywhere."""
    changes = clean_call(values, partial=True)
    with transaction(actor) as session:
        fund = lock(Fund, call.fund_id)
        found = lock(Call, call.id)
        if fund is None or found is None:
            raise ValidationFailed({"call_id": [_("No such call.")]})
        require_actor(can_manage_calls, actor, found)
        budget = changes.get("budget_fen", found.budget_fen)
        check_terms(
            budget,
            changes.get("ceiling_fen", found.ceiling_fen),
            changes.get("opens_at", found.opens_at),
            changes.get("closes_at", found.closes_at),
        )
        _keep_approvals(found, budget)
        _fits_fund(fund, budget - found.budget_fen)
        if "criteria" in changes:
            _replace_criteria(session, found, changes.pop("criteria"))
        if "reviewer_ids" in changes:
            found.reviewers = _pool(session, changes.pop("reviewer_ids"))
        fund.calls_fen += budget - found.budget_fen
        for key, value in changes.items():
            setattr(found, key, value)
        session.flush()
    return found
