"""Issue 14: every page of every role, in both languages, on a desktop and a 360 px phone.

Each role (and a visitor who is not logged in) crawls the demo from its home page, following
same-origin links breadth first and keeping the first URL seen for each endpoint; then every
page it reached is opened in four browser contexts (en and zh, 1280 and 360 px wide), each
logged in once. On each: no console error, failed request or CSP violation; a screenshot
under test-output/screenshots/every-page/<role>/<lang>-<width>/; axe-core (WCAG 2 A and AA)
finds nothing serious or critical (at both widths in English and on the desktop in Chinese:
the phone's Chinese page has the markup of the one and the words of the other); at 360 px
the page does not scroll sideways (a table in a .table-scroll box may scroll inside it) and
every control is 44 px high (test_responsive's rule); on Chinese pages no English word is
left once the demo's own text (every text value of the database, whole: names, e-mails,
descriptions) and machine text (<code>, identifiers, tokens, file endings) are taken out.
A last test checks that the roles together reached every HTML page of the app.

The walk runs on SQLite only: templates, CSS and accessibility do not depend on the
database, and PostgreSQL's behaviours have their own tests.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask

from opc.auth.models import User
from opc.auth.resets import force_reset
from opc.core.db import utcnow
from opc.demo import DEMO_PASSWORD
from opc.events.models import Event, Registration
from opc.extensions import db
from opc.funds.models import Call
from opc.funds.review_models import Review
from opc.space.models import Allocation
from opc.teams.members import invite_member
from opc.teams.models import Team
from opc.webhooks.operations import create_webhook
from tests.browser.conftest import _CSP_LISTENER, PageLog, watch
from tests.browser.test_responsive import SMALL_TARGETS, TAP_TARGETS
from tests.browser.walk import (
    OVERFLOW,
    VISIBLE_TEXT,
    axe_problems,
    axe_source,
    crawl,
    data_pattern,
    html_endpoints,
    untranslated,
)

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ROLES = ("admin", "staff", "reviewer", "member", "public")
COMBINATIONS = (("en", 1280), ("en", 360), ("zh", 1280), ("zh", 360))
PHONE = 360
AXE = axe_source()

# Not pages: POST actions that answer a GET (a reload, a language switch after a refused
# form) with a redirect to the page they belong to. Every other HTML page must be visited.
UNREACHABLE = {
    "space.allocate": "POST action; GET redirects to the unit",
    "space.delete_unit": "POST action; GET redirects to the unit",
    "space.move": "POST action; GET redirects to the unit",
    "teams.invite": "POST action; GET redirects to the team",
    "teams.revoke_invitation": "POST action; GET redirects to the team",
    "teams.transition": "POST action; GET redirects to the team",
    # The demo has no row these pages need; _seeds() visits them when it has one.
    "space.cancel_allocation": "the demo has no allocation that begins in the future",
    "reviews.conflict": "the demo's reviewer has no review left to write",
}

# The crawls of this run, by role: the demo's ids are the same after every restore.
_CRAWLS: dict[str, dict[str, str]] = {}


@pytest.fixture
def demo(app: Flask, demo_data: Any, backend: str) -> Flask:
    if backend != "sqlite":
        pytest.skip(
            "the walk of every page runs on SQLite only: pages, CSS and accessibility do not "
            "depend on the database"
        )
    demo_data()
    return app


def _seeds(app: Flask, role: str) -> list[str]:
    """Where a role's crawl starts: its home page, then pages no link of the first URLs
    leads to, built from the demo's rows (an e-mailed link, a row in a given state)."""
    if role == "public":
        return _public_seeds(app)
    now = utcnow()
    with app.test_request_context():
        one = db.session.scalar
        seeds = ["/"]
        if role in ("admin", "staff"):
            resident = one(sa.select(sa.func.min(Team.id)).where(Team.status == "resident"))
            today = now.date()
            current = one(
                sa.select(sa.func.min(Allocation.id)).where(
                    Allocation.start <= today,
                    sa.or_(Allocation.end.is_(None), Allocation.end >= today),
                )
            )
            future = one(sa.select(sa.func.min(Allocation.id)).where(Allocation.start > today))
            reviewed = one(sa.select(sa.func.min(Review.application_id)))
            seeds += [
                f"/teams/{resident}",  # its steps and the allocation of a unit
                f"/space/teams/{resident}",
                f"/allocations/{current}/end",
                f"/applications/{reviewed}",
                f"/applications/{reviewed}/reviews",  # linked from a call's assignment only
                f"/applications/{reviewed}/decision",
            ]
            if future is not None:
                seeds.append(f"/allocations/{future}/cancel")
        if role == "admin":
            admin = one(sa.select(User).where(User.email == "admin@opc-demo.cn"))
            park = one(sa.select(sa.func.min(Team.park_id)))
            # The demo has no webhook: one to list, change and see the deliveries of.
            app.config["WEBHOOK_ALLOW_PRIVATE"] = True  # a loopback address: nothing is sent
            try:
                create_webhook(park, url="http://127.0.0.1:9/opc", all_kinds=True, actor=admin)
            finally:
                app.config.pop("WEBHOOK_ALLOW_PRIVATE")
            seeds += ["/directory/skills"]
        if role == "reviewer":
            reviewer = one(sa.select(User.id).where(User.email == "reviewer@opc-demo.cn"))
            review = one(
                sa.select(sa.func.min(Review.id)).where(
                    Review.reviewer_id == reviewer, Review.status == "assigned"
                )
            )
            if review is not None:
                seeds.append(f"/reviews/{review}")  # a review still to write: its conflict link
        if role == "member":
            call = one(
                sa.select(sa.func.min(Call.id)).where(Call.opens_at <= now, Call.closes_at > now)
            )
            if call is not None:
                seeds.append(f"/calls/{call}/apply")
        db.session.remove()
    return seeds


def _public_seeds(app: Flask) -> list[str]:
    """Where e-mailed and printed links lead a visitor: the login, an invitation to a team,
    a password reset, a public event and a guest's ticket, built from the demo's rows."""
    with app.test_request_context():
        admin = db.session.scalar(sa.select(User).where(User.email == "admin@opc-demo.cn"))
        other = db.session.scalar(
            sa.select(User).where(User.role == "member", User.email != "member@opc-demo.cn")
        )
        team = db.session.scalar(sa.select(Team).where(Team.status == "resident").limit(1))
        invitation = invite_member(team, "walker@example.org", actor=admin).link
        reset = force_reset(other, actor=admin).link
        event = db.session.scalar(sa.select(Event.id).where(Event.public.is_(True)).limit(1))
        secret = db.session.scalar(sa.select(Registration.secret).limit(1))
        db.session.remove()
    return [
        "/login",
        "/apply",
        "/apply/thanks",
        urlsplit(invitation).path,
        urlsplit(reset).path,
        f"/p/events/{event}",
        f"/p/tickets/{secret}",
    ]


def _context(browser: Any, live_server: str, width: int) -> Any:
    context = browser.new_context(
        base_url=live_server,
        locale="en-US",
        viewport={"width": width, "height": 900 if width > PHONE else 780},
    )
    context.set_default_timeout(15_000)
    context.add_init_script(_CSP_LISTENER)
    return context


def _log_in(page: Any, role: str, lang: str) -> None:
    """Log in as the demo's login of `role` (a visitor stays out) and choose the language
    with the switch (the phone's menu folds it away: the form is sent as it is)."""
    page.goto("/login")
    if role != "public":
        page.locator("#email").fill(f"{role}@opc-demo.cn")
        page.locator("#password").fill(DEMO_PASSWORD)
        page.locator("form[action$='/login'] button[type=submit]").click()
        page.wait_for_load_state("load")
        assert "/login" not in page.url, f"{role} could not log in"
    with page.expect_navigation():
        page.locator(f"form.lang button[value={lang}]").dispatch_event("click")
    page.wait_for_load_state("load")


def _with_axe(lang: str, width: int) -> bool:
    """axe at both widths in English, on the desktop in Chinese."""
    return (lang, width) != ("zh", PHONE)


def _crawl(app: Flask, browser: Any, live_server: str, role: str) -> dict[str, str]:
    if role not in _CRAWLS:
        context = _context(browser, live_server, 1280)
        try:
            page = context.new_page()
            _log_in(page, role, "en")
            _CRAWLS[role] = crawl(app, context.request, live_server, _seeds(app, role))
        finally:
            context.close()
    return _CRAWLS[role]


def _visit(page: Any, log: PageLog, path: str, lang: str, width: int, data: Any) -> list[str]:
    """The problems of one page in one language and width (empty when it passes)."""
    problems: list[str] = []
    response = page.goto(path)  # waits for "load"
    if response is None or response.status != 200:
        return [f"answers {response.status if response else 'nothing'}"]
    try:
        log.assert_clean(page)
    except AssertionError as exc:
        problems.append(str(exc))
    if _with_axe(lang, width):
        problems += axe_problems(page)
    if width == PHONE:
        scroll, inner, wide = page.evaluate(OVERFLOW)
        if scroll > inner:
            problems.append(f"scrolls sideways: {scroll} > {inner} px ({wide})")
        small = page.evaluate(SMALL_TARGETS, TAP_TARGETS)  # test_responsive's 44 px rule
        if small:
            problems.append(f"tap targets under 44 px: {small}")
    if lang == "zh" and width != PHONE:  # the same words at both widths: read them once
        words = untranslated(page.evaluate(VISIBLE_TEXT), data)
        if words:
            problems.append(f"English on the Chinese page: {'; '.join(words)}")
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_the_role(demo, browser, live_server, screenshot_dir, role):
    start = time.monotonic()
    pages = _crawl(demo, browser, live_server, role)
    assert pages, f"{role} reached no page"
    data = data_pattern(demo)
    failures: list[str] = []
    for lang, width in COMBINATIONS:
        folder = screenshot_dir / "every-page" / role / f"{lang}-{width}"
        folder.mkdir(parents=True, exist_ok=True)
        context = _context(browser, live_server, width)
        if _with_axe(lang, width):
            context.add_init_script(AXE)
        try:
            page = context.new_page()
            _log_in(page, role, lang)
            log = watch(page)
            for endpoint, path in pages.items():
                log.__init__()  # this page's messages only
                problems = _visit(page, log, path, lang, width, data)
                page.screenshot(path=folder / f"{endpoint}.png")
                failures += [f"{role} {lang}-{width} {path} ({endpoint}): {p}" for p in problems]
        finally:
            context.close()
    elapsed = time.monotonic() - start
    print(f"\n{role}: {len(pages)} pages x {len(COMBINATIONS)} in {elapsed:.0f} s")
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)


def test_the_roles_reach_every_page(demo, browser, live_server):
    reached: set[str] = set()
    for role in ROLES:
        reached |= set(_crawl(demo, browser, live_server, role))
        print(f"{role}: {len(_CRAWLS[role])} pages")
    missing = html_endpoints(demo) - reached - set(UNREACHABLE)
    assert not missing, f"no role reached these pages: {sorted(missing)}"


def test_the_checks_see_what_they_look_for(app, page, live_server):
    """Not vacuous: on a Chinese phone page, a wide box, an English word and an image with
    no text are each found (the walk above finds none of them on the app's pages)."""
    page.set_viewport_size({"width": PHONE, "height": 780})
    _log_in(page, "public", "zh")
    with app.app_context():
        data = data_pattern(app)
    page.evaluate(AXE)
    assert not axe_problems(page)
    assert untranslated(page.evaluate(VISIBLE_TEXT), data) == []
    page.evaluate(
        """() => {
          const p = document.createElement("p");
          p.textContent = "未翻译 Untranslated";
          p.style.width = "600px";  // CSSOM: allowed by the CSP, unlike a style attribute
          const img = document.createElement("img");
          img.src = "/static/img/logo.svg";
          document.querySelector("main").append(p, img);
        }"""
    )
    scroll, inner, _wide = page.evaluate(OVERFLOW)
    assert scroll > inner == PHONE
    assert [w.split()[0] for w in untranslated(page.evaluate(VISIBLE_TEXT), data)] == [
        "Untranslated"
    ]
    assert any(p.startswith("image-alt (critical)") for p in axe_problems(page)), axe_problems(page)
