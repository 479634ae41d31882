"""Helpers for the funds tests: funds, calls, applications and reviews written straight into
the tables (each committed in a session of its own, as tests/fixtures/factories does), for
tests of one part that need the others' records. Others may add to this module."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from opc.funds.application_models import Application, ApplicationStatus
from opc.funds.models import Call, Criterion, Fund
from opc.funds.review_models import Review, ReviewScore
from tests.core.helpers import count, error_of, post_form, rows

__all__ = ["count", "error_of", "post_form", "rows"]

NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)  # 10:00 in Chengdu


def fund(make: Any, park: Any, budget_fen: int = 100_000_000, **kw: Any) -> Any:
    """A fund of ¥1,000,000 unless told otherwise; `calls_fen` as given (0)."""
    values: dict[str, Any] = {"name_zh": "未来产业基金", "name_en": "Future Industry Fund"}
    values.update(kw)
    return make._save(Fund(park_id=park.id, budget_fen=budget_fen, **values))


def call(
    make: Any,
    fund_: Any,
    *,
    budget_fen: int = 10_000_000,
    ceiling_fen: int = 2_000_000,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    criteria: tuple[tuple[str, int], ...] = (("创新性", 40), ("团队", 30), ("市场", 30)),
    reviewers: list[Any] = (),  # type: ignore[assignment]
    **kw: Any,
) -> Any:
    """A call of ¥100,000 (ceiling ¥20,000 a team), open from a day before NOW to ten days
    after, with three criteria (40/30/30) and the given reviewers in its pool. The fund's
    `calls_fen` is not updated: add the budget to the fund yourself when a test needs it."""
    from opc.auth.models import User
    from opc.extensions import db

    values: dict[str, Any] = {
        "title_zh": "2026 年第四季度创作扶持",
        "title_en": "Creator support, Q4 2026",
        "opens_at": opens_at or NOW - timedelta(days=1),
        "closes_at": closes_at or NOW + timedelta(days=10),
        "required_documents": [],
    }
    values.update(kw)
    record = Call(
        fund_id=fund_.id,
        park_id=fund_.park_id,
        budget_fen=budget_fen,
        ceiling_fen=ceiling_fen,
        criteria=[
            Criterion(position=i, name_zh=name, name_en=name, weight=weight)
            for i, (name, weight) in enumerate(criteria, start=1)
        ],
        **values,
    )
    with make.app.app_context():
        record.reviewers = [db.session.get(User, r.id) for r in reviewers]
        db.session.add(record)
        db.session.commit()
        for c in record.criteria:
            db.session.refresh(c)
        db.session.expunge_all()
    return record


def application(
    make: Any, call_: Any, team: Any, status: str = ApplicationStatus.DRAFT, **kw: Any
) -> Any:
    """An application of the team to the call for ¥10,000 in the given state (its history is
    not written: tests of the history make their applications through the operations)."""
    values: dict[str, Any] = {"title": "AIGC 短剧制作", "amount_fen": 1_000_000}
    if status != ApplicationStatus.DRAFT:
        values["submitted_at"] = NOW
    values.update(kw)
    return make._save(
        Application(
            call_id=call_.id, team_id=team.id, park_id=call_.park_id, status=status, **values
        )
    )


def review(
    make: Any, application_: Any, reviewer: Any, scores: dict[int, int] | None = None
) -> Any:
    """A reviewer's assignment; submitted with `scores` ({criterion_id: score}) when given."""
    record = Review(application_id=application_.id, reviewer_id=reviewer.id)
    if scores is not None:
        record.status = "submitted"
        record.submitted_at = NOW
        record.scores = [ReviewScore(criterion_id=c, score=s) for c, s in scores.items()]
    return make._save(record)


def approved(make: Any, call_: Any, team: Any, approved_fen: int = 1_000_000, **kw: Any) -> Any:
    """An approved application (approved for `approved_fen`), with the call's kept sum
    raised by as much: as the approving operation leaves them."""
    from opc.extensions import db

    record = application(make, call_, team, ApplicationStatus.APPROVED, **kw)
    with make.app.app_context():
        stored = db.session.get(Application, record.id)
        stored.approved_fen = approved_fen
        db.session.get(Call, call_.id).approved_fen += approved_fen
        db.session.commit()
        db.session.expunge_all()
    record.approved_fen = approved_fen
    return record


def review_setup(
    make: Any, *, reviewers: int = 3, per_application: int = 2, status: str = "in_review"
) -> Any:
    """A park with its staff, a call with `reviewers` experts in its pool (each needing
    `per_application` reviewers) and one team's application in `status`: a namespace with
    park, staff, fund, call, team, member, pool, application and criteria (ids in order)."""
    from types import SimpleNamespace

    park = make.park()
    pool = [make.user("reviewer", name=f"专家{i}") for i in range(reviewers)]
    fund_ = fund(make, park)
    call_ = call(make, fund_, reviewers=pool, reviewers_per_application=per_application)
    team = make.team(park, status="resident")
    return SimpleNamespace(
        park=park,
        staff=make.user("staff", parks=[park]),
        fund=fund_,
        call=call_,
        team=team,
        member=make.user("member", team=team),
        pool=pool,
        application=application(make, call_, team, status=status),
        criteria=[c.id for c in call_.criteria],
    )


# --- the application portal (tests/funds/test_applications*.py, test_attachments*.py) ---

PDF_BYTES = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


def member_of(make: Any, park: Any, **team: Any) -> tuple[Any, Any]:
    """A team of the park (resident unless told) and a member of it: (team, member)."""
    team.setdefault("status", "resident")
    found = make.team(park, **team)
    return found, make.user("member", team=found)


def stored_files(app: Any) -> list[Any]:
    """Every file under the run's STORAGE_DIR (temporary ones included)."""
    from pathlib import Path

    return sorted(p for p in Path(app.config["STORAGE_DIR"]).rglob("*") if p.is_file())


def upload(client: Any, url: str, data: bytes, name: str = "计划书.pdf", **form: Any) -> Any:
    """POST a multipart file (`file`) and form fields to an API URL of `client` (an `api`)."""
    import io

    return client.post(
        url,
        data={"file": (io.BytesIO(data), name), **form},
        content_type="multipart/form-data",
    )


def add_to_pool(make: Any, call_: Any, reviewer: Any) -> None:
    """Add a user to the call's expert pool."""
    from opc.auth.models import User
    from opc.extensions import db

    with make.app.app_context():
        record = db.session.get(Call, call_.id)
        record.reviewers.append(db.session.get(User, reviewer.id))
        db.session.commit()


def set_legal_name(make: Any, team: Any, legal_name: str, uscc: str | None = None) -> None:
    """Give a team the legal entity's name (and credit code)."""
    from opc.extensions import db
    from opc.teams.models import Team

    with make.app.app_context():
        record = db.session.get(Team, team.id)
        record.legal_name = legal_name
        if uscc is not None:
            record.uscc = uscc
        db.session.commit()


def recused(make: Any, application_: Any, reviewer: Any, conflict: str) -> Any:
    """A reviewer's assignment recused with the conflict they declared."""
    record = Review(
        application_id=application_.id, reviewer_id=reviewer.id, status="recused", conflict=conflict
    )
    return make._save(record)


def comment_scores(make: Any, review_: Any, comment: str) -> None:
    """Write `comment` on each of a review's scores and as its overall comment."""
    from opc.extensions import db

    with make.app.app_context():
        record = db.session.get(Review, review_.id)
        record.comment = comment
        for score in record.scores:
            score.comment = comment
        db.session.commit()


def replace_pool(make: Any, call_: Any, reviewers: list[Any]) -> None:
    """Make the call's expert pool exactly these users."""
    from opc.auth.models import User
    from opc.extensions import db

    with make.app.app_context():
        record = db.session.get(Call, call_.id)
        record.reviewers = [db.session.get(User, r.id) for r in reviewers]
        db.session.commit()


def set_threshold(make: Any, call_: Any, threshold: Any) -> None:
    """Change the call's disagreement threshold."""
    from opc.extensions import db

    with make.app.app_context():
        record = db.session.get(Call, call_.id)
        record.disagreement_threshold = threshold
        db.session.commit()


def set_status(make: Any, application_: Any, status: str) -> None:
    """Put an application in a state directly (no history)."""
    from opc.extensions import db

    with make.app.app_context():
        record = db.session.get(Application, application_.id)
        record.status = status
        db.session.commit()
