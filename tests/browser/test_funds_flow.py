"""Issue 10 through the pages in a real browser: a team's member drafts an application to an
open call, attaches the required business plan (a PDF), and submits it; staff screen it and
assign two experts; the first scores and submits; the second then opens the same
application and sees nothing of the first's review (blind): neither their name, nor their
scores, nor their comment; the member never sees a reviewer's name. axe-core on each page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from opc.core.db import utcnow
from opc.extensions import db
from opc.funds.application_models import Application
from opc.funds.operations.reviews import assign_reviewer
from opc.funds.operations.screening import screen
from opc.funds.review_models import Review
from tests.browser.test_pages import axe_violations, log_in
from tests.funds import helpers as h

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, "\n".join(violations)


def _score(page: Any, review_id: int, score: str, comment: str) -> None:
    page.goto(f"/reviews/{review_id}")
    for fieldset in page.locator("fieldset.criterion").all():
        fieldset.locator("input").first.fill(score)
        fieldset.locator("textarea").first.fill(comment)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("button[name=submit]").click()
    page.wait_for_load_state("load")


def test_a_team_submits_with_a_file_and_reviewers_score_blind(
    app, make, page, tmp_path, screenshot_dir, backend
):
    park = make.park(name_zh="成都OPC孵化园", name_en="Chengdu OPC Hub")
    team = make.team(park, name_zh="星云工作室", name_en="Nebula Studio", status="resident")
    member = make.user("member", team=team)

    first = make.user("reviewer", name="陈教授")
    second = make.user("reviewer", name="刘研究员")
    now = utcnow()
    call = h.call(
        make,
        h.fund(make, park),
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=10),
        required_documents=["商业计划书"],
        reviewers=[first, second],
    )
    plan = tmp_path / "商业计划书.pdf"
    plan.write_bytes(PDF)

    log_in(page, member.email)
    page.goto("/applications/")
    _accessible(page)
    # The call's card and the empty list's next step both lead to the form.
    page.locator(f"a[href$='/calls/{call.id}/apply']").first.click()
    page.locator("#title").fill("AIGC 短剧《山海异闻录》")
    page.locator("#amount_yuan").fill("15000.00")
    page.locator("#purpose").fill("算力与样片制作。")
    page.locator("form:has(#title) button.primary").click()
    page.wait_for_load_state("load")
    assert "/applications/" in page.url
    page.locator("input[type=file]").set_input_files(str(plan))
    page.locator("form.upload button[type=submit]").click()
    page.wait_for_load_state("load")
    assert "商业计划书.pdf" in page.content()
    page.locator("a.button.primary", has_text="Submit").click()
    page.locator("main form button.primary").click()
    page.wait_for_load_state("load")
    with app.app_context():
        application = db.session.scalar(
            db.select(Application).where(Application.team_id == team.id)
        )
        assert application.status == "submitted" and application.attachments
        application_id = application.id
        db.session.remove()
    assert "Submitted" in page.locator("h1").inner_text()
    _accessible(page)
    page.screenshot(path=screenshot_dir / f"funds-application-{backend}.png", full_page=True)

    with app.app_context():  # staff's steps, through the operations the pages call
        screen(application_id, "start", actor=None)
        screen(application_id, "eligible", actor=None)
        reviews = [assign_reviewer(application_id, r.id, actor=None).id for r in (first, second)]
        db.session.remove()

    page.context.clear_cookies()
    log_in(page, first.email)
    _score(page, reviews[0], "9", "第一位专家的独到评语")
    assert page.locator("#submitted").count() == 1

    page.context.clear_cookies()
    log_in(page, second.email)
    for path in (f"/reviews/{reviews[1]}", f"/applications/{application_id}", "/reviews/"):
        page.goto(path)
        text = page.content()
        assert "陈教授" not in text and "第一位专家的独到评语" not in text, path
        _accessible(page)
    page.goto(f"/reviews/{reviews[1]}")
    page.screenshot(path=screenshot_dir / f"funds-review-{backend}.png", full_page=True)
    _score(page, reviews[1], "6", "第二位专家的意见")
    with app.app_context():
        submitted = db.session.scalars(db.select(Review.status).where(Review.id.in_(reviews)))
        assert set(submitted) == {"submitted"}
        db.session.remove()

    page.context.clear_cookies()
    log_in(page, member.email)
    page.goto(f"/applications/{application_id}")
    text = page.content()
    assert "陈教授" not in text and "刘研究员" not in text
    assert "第一位专家的独到评语" not in text
