"""What an application says, checked: title, amount, purpose, milestones and answers, each
within its bounds (422 naming every bad field at once), the amount within the call's
ceiling and the milestones' sum within the amount. The bounds live here only: the API's
schemas and the forms read them from here. Used by opc.funds.operations.applications."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _

from opc.core.dates import check_dates
from opc.core.errors import ValidationFailed
from opc.core.money import MAX_FEN, parse_yuan, yuan_str
from opc.core.values import text_problem
from opc.funds.models import Call

# The bounds of an application's values, here only: the API's schemas state them from these.
MAX_TITLE = 200
MAX_PURPOSE = 10_000
MAX_MILESTONES = 20
MAX_MILESTONE_TITLE = 200
MAX_ANSWERS = 30
MAX_QUESTION = 200
MAX_ANSWER = 5_000
CONTENT = ("title", "amount_fen", "purpose", "milestones", "answers")

Errors = dict[str, list[str]]


def text_value(
    errors: Errors, name: str, value: Any, limit: int, *, multiline: bool = False
) -> str:
    """`value` stripped, or an error under `name` when it is no text or too long."""
    if not isinstance(value, str):
        errors[name] = [_("Must be text.")]
        return ""
    value = value.strip()
    problem = text_problem(value, multiline=multiline)
    if problem:
        errors[name] = [problem]
    elif len(value) > limit:
        errors[name] = [_("At most %(n)d characters.", n=limit)]
    return value


def _amount(value: Any) -> int | None:
    """Fen over zero and at most MAX_FEN, else None."""
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_FEN
    return value if ok else None


def _milestones(errors: Errors, rows: Any) -> list[dict[str, str]]:
    """Milestones as stored: [{"title", "due": ISO date, "amount_yuan"}], each row checked."""
    if not isinstance(rows, list | tuple) or len(rows) > MAX_MILESTONES:
        errors["milestones"] = [_("Give at most %(n)d milestones.", n=MAX_MILESTONES)]
        return []
    problems: list[str] = []
    kept: list[dict[str, str]] = []
    for n, row in enumerate(rows, start=1):
        row = row if isinstance(row, dict) else {}
        mine: Errors = {}
        title = text_value(mine, "title", row.get("title", ""), MAX_MILESTONE_TITLE)
        if not title and not mine:
            mine["title"] = [_("a title is required")]
        due = row.get("due")
        if not isinstance(due, date) or isinstance(due, datetime):
            mine["due"] = [_("a due date is required")]
        else:
            try:
                check_dates(due=due)
            except ValidationFailed as exc:
                mine["due"] = exc.fields["due"]
        amount = _amount(row.get("amount_fen"))
        if amount is None:
            mine["amount"] = [_("an amount over zero is required")]
        for reasons in mine.values():
            problems.extend(_("Milestone %(n)d: %(reason)s", n=n, reason=r) for r in reasons)
        if not mine:
            kept.append(
                {"title": title, "due": due.isoformat(), "amount_yuan": yuan_str(amount or 0)}
            )
    if problems:
        errors["milestones"] = problems
    return kept


def _answers(errors: Errors, answers: Any) -> dict[str, str]:
    """Answers by question, both texts checked; an empty answer is left out."""
    if not isinstance(answers, dict) or len(answers) > MAX_ANSWERS:
        errors["answers"] = [_("Give at most %(n)d answers.", n=MAX_ANSWERS)]
        return {}
    kept: dict[str, str] = {}
    problems: list[str] = []
    for question, answer in answers.items():
        mine: Errors = {}
        q = text_value(mine, "q", question, MAX_QUESTION)
        a = text_value(mine, "a", answer, MAX_ANSWER, multiline=True)
        if not q and a:
            mine["q"] = [_("An answer needs its question.")]
        problems.extend(r for reasons in mine.values() for r in reasons)
        if q and a and not mine:
            kept[q] = a
    if problems:
        errors["answers"] = problems
    return kept


def clean_content(values: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """The content of an application, checked (422 naming every bad field). With `partial`,
    only the fields given are checked and returned (a change of a draft)."""
    unknown = set(values) - set(CONTENT)
    if unknown:
        raise ValueError(f"not an application's content: {sorted(unknown)}")
    errors: Errors = {}
    out: dict[str, Any] = {}
    if "title" in values or not partial:
        out["title"] = text_value(errors, "title", values.get("title", ""), MAX_TITLE)
        if not out["title"] and "title" not in errors:
            errors["title"] = [_("Required.")]
    if "amount_fen" in values or not partial:
        out["amount_fen"] = _amount(values.get("amount_fen"))
        if out["amount_fen"] is None:
            errors["amount_yuan"] = [_("Must be an amount in yuan over zero, e.g. 50000.00.")]
    if "purpose" in values or not partial:
        purpose = values.get("purpose") or ""
        out["purpose"] = text_value(errors, "purpose", purpose, MAX_PURPOSE, multiline=True)
    if "milestones" in values or not partial:
        out["milestones"] = _milestones(errors, values.get("milestones") or [])
    if "answers" in values or not partial:
        out["answers"] = _answers(errors, values.get("answers") or {})
    if errors:
        raise ValidationFailed(errors)
    return out


def check_amounts(call: Call, amount_fen: int, milestones: list[dict[str, str]]) -> None:
    """The amount is at most the call's ceiling, the milestones' sum at most the amount."""
    if amount_fen > call.ceiling_fen:
        message = _(
            "At most the call's ceiling of %(ceiling)s yuan a team.",
            ceiling=yuan_str(call.ceiling_fen),
        )
        raise ValidationFailed({"amount_yuan": [message]}, message)
    total = sum(parse_yuan(m["amount_yuan"]) for m in milestones)
    if total > amount_fen:
        message = _(
            "The milestones add up to %(total)s yuan, more than the %(amount)s yuan requested.",
            total=yuan_str(total),
            amount=yuan_str(amount_fen),
        )
        raise ValidationFailed({"milestones": [message]}, message)
