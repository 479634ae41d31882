"""Forms of the screening and review pages: parse and render; the operations check values
(opc.funds.operations.screening, reviews, scoring)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField

from opc.core.forms import BaseForm, int_or_none
from opc.funds.models import Criterion
from opc.funds.operations.scoring import MAX_SCORE, MIN_SCORE


class ScreeningForm(BaseForm):
    # Sent by the button pressed (start, eligible, ineligible); never a hidden input, which
    # would come before the button's value.
    action = StringField()
    reason = TextAreaField(
        _l("Reason (required when not eligible; the team reads it)"), render_kw={"rows": 3}
    )


class AssignForm(BaseForm):
    reviewer_id = SelectField(_l("Reviewer"), coerce=int_or_none)

    def __init__(self, *args: Any, choices: list[tuple[Any, str]] = (), **kw: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kw)
        self.reviewer_id.choices = [("", "—"), *choices]
        self.reviewer_id.validate_choice = False  # the operation says who may not review


class ConflictForm(BaseForm):
    reason = TextAreaField(
        _l("The conflict of interest (e.g. I advise this team, or a relative works there)"),
        render_kw={"rows": 4},
    )


class ReviewForm(BaseForm):
    """A score (0–10) and a comment per criterion, made for the call's criteria
    (`review_form`), and the overall comment."""

    comment = TextAreaField(_l("Overall comment"), render_kw={"rows": 4})
    criteria: list[Criterion] = []

    def scores(self) -> list[dict[str, Any]]:
        """The scores as the operation takes them (a blank score: not scored yet)."""
        return [
            {
                "criterion_id": c.id,
                "score": self[f"score_{c.id}"].data or None,
                "comment": self[f"comment_{c.id}"].data or "",
            }
            for c in self.criteria
        ]


def review_form(criteria: list[Criterion], **kw: Any) -> ReviewForm:
    """A ReviewForm with fields score_<id> and comment_<id> for each criterion (the page
    names the criterion and its weight above them)."""

    class Form(ReviewForm):
        pass

    for criterion in criteria:
        setattr(
            Form,
            f"score_{criterion.id}",
            StringField(
                _l("Score, from 0 to 10"),
                render_kw={
                    "inputmode": "numeric",
                    "type": "number",
                    "min": MIN_SCORE,
                    "max": MAX_SCORE,
                    "step": 1,
                },
            ),
        )
        setattr(
            Form,
            f"comment_{criterion.id}",
            TextAreaField(_l("Comment on this criterion"), render_kw={"rows": 2}),
        )
    form = Form(**kw)
    form.criteria = list(criteria)
    return form
