"""The walk of every page (tests/browser/test_every_page.py): which endpoints are HTML pages,
the crawl of what a role can reach, and the checks each page passes in a real browser."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import sqlalchemy as sa
from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from tests.core.test_i18n import KEEP

# Endpoints that answer a file, not a page: exports, downloads, calendars, the health probe.
_NOT_A_PAGE = re.compile(
    r"\.(csv|xlsx|pdf|ics)$|\.<|<any\(csv|/download$|/template\.csv$|^/healthz$"
)

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]},
    "resultTypes": ["violations"],
}
BLOCKING_IMPACTS = {"serious", "critical"}


def axe_source() -> str:
    """axe-core's script, as axe-playwright-python ships it."""
    from axe_playwright_python.sync_playwright import Axe

    return str(Axe().axe_script)


def html_endpoints(app: Flask) -> set[str]:
    """Every endpoint a browser can GET as an HTML page (not the API, assets or files)."""
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and rule.endpoint != "static"
        and not rule.rule.startswith("/api/")
        and not _NOT_A_PAGE.search(rule.rule)
    }


def endpoint_of(app: Flask, url: str) -> str | None:
    """The endpoint a same-origin URL's path names (after a trailing-slash redirect)."""
    adapter = app.url_map.bind("localhost")
    path = urlsplit(url).path
    try:
        return adapter.match(path, method="GET")[0]
    except RequestRedirect as redirect:
        return endpoint_of(app, redirect.new_url)
    except HTTPException:
        return None


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def crawl(app: Flask, request: Any, base: str, seeds: Iterable[str]) -> dict[str, str]:
    """Breadth first from `seeds` over same-origin links, with `request` (the logged-in
    context's own HTTP client): {endpoint: the first path seen for it}. Only links to HTML
    pages are followed; logout and the language switch are forms (POST), never links."""
    pages_ = html_endpoints(app)
    found: dict[str, str] = {}
    queue: deque[str] = deque()

    def consider(url: str) -> None:
        parts = urlsplit(urljoin(base + "/", url))
        if f"{parts.scheme}://{parts.netloc}" != base:
            return
        endpoint = endpoint_of(app, parts.path)
        if endpoint in pages_ and endpoint not in found:
            found[endpoint] = parts.path + (f"?{parts.query}" if parts.query else "")
            queue.append(found[endpoint])

    for seed in seeds:
        consider(seed)
    while queue:
        path = queue.popleft()
        response = request.get(base + path)
        if not response.ok or "text/html" not in response.headers.get("content-type", ""):
            continue  # the visit reports it
        parser = _Links()
        parser.feed(response.text())
        for href in parser.hrefs:
            consider(href)
    return found


_FREE_TEXT = re.compile(r"name|title|description|note|comment|summary|body|text|reason|label")


def data_pattern(app: Flask) -> re.Pattern[str]:
    """The demo's own words, to take out of a Chinese page before looking for English: every
    text value in the database that has Latin letters (a team's English name, an e-mail, a
    description), matched whole. A bare lowercase word (`resident`, `aigc_film`) counts only
    from a column of free text (a skill's English name `legal`): elsewhere it is a code, which
    a page must not show as it is, so an untranslated status still shows."""
    from opc.extensions import db

    values: set[str] = set()
    with app.app_context(), db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.c if isinstance(c.type, sa.String | sa.Text)]
            if not columns:
                continue
            free = [bool(_FREE_TEXT.search(c.name)) for c in columns]
            for row in conn.execute(sa.select(*columns)):
                values.update(
                    " ".join(v.split())  # as the page shows it: spaces and lines folded
                    for v, is_free in zip(row, free, strict=True)
                    if isinstance(v, str)
                    and re.search("[A-Za-z]", v)
                    and (is_free or not re.fullmatch(r"[a-z_]+", v.strip()))
                )
    ordered = sorted((v for v in values if len(v) >= 3), key=len, reverse=True)
    # Whole values only: a unit's code "A12" must not eat into a word of the page.
    alternatives = "|".join(re.escape(v) for v in ordered) or "(?!)"  # no data: no match
    return re.compile(f"(?<![A-Za-z])(?:{alternatives})(?![A-Za-z])")


# The text a reader meets: the text of rendered elements (an option of a shown select too),
# the names of controls and images, the labels of charts. Text in <code>, <kbd> and <samp> is
# for machines (a CSV column, a job's name, a skill's code) and is written as it is.
VISIBLE_TEXT = """() => {
  const parts = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (parent.closest("code, kbd, samp, script, style, noscript, template")) { continue; }
    const option = parent.closest("option");
    // An option that reads as its value is a code (a job's name), not a word for people.
    if (option && option.value === option.textContent.trim()) { continue; }
    const shown = option ? option.closest("select") : parent;
    if (!shown.getClientRects().length || getComputedStyle(shown).visibility === "hidden") {
      continue;
    }
    parts.push(node.data);
  }
  for (const el of document.querySelectorAll("[aria-label], [title], [placeholder], img[alt]")) {
    for (const a of ["aria-label", "title", "placeholder", "alt"]) {
      if (el.hasAttribute(a)) { parts.push(el.getAttribute(a)); }
    }
  }
  for (const el of document.querySelectorAll("input[type=submit], input[type=button]")) {
    parts.push(el.value);
  }
  for (const el of document.querySelectorAll("[data-series]")) {
    try {
      const s = JSON.parse(el.dataset.series);
      parts.push(...(s.labels || []).map(String));
      parts.push(...(s.datasets || []).map((d) => String(d.label || "")));
    } catch (e) { /* not JSON: nothing to read */ }
  }
  return parts.join("\\n");
}"""

# Not words: e-mails, links, file endings (.ics), and tokens (a ticket's code under its QR).
# Dotted lowercase names (a notification's kind, `kpi.report_due`) are identifiers too.
_NOT_WORDS = re.compile(
    r"\S+@\S+|https?://\S+|\b[a-z_]+(?:\.[\w-]+)+|\b[A-Za-z]+_\w+|\.[a-z]{2,4}\b|[\w-]{20,}"
)
# File formats and units written in Latin letters on Chinese pages too, as CSV and XLSX are.
FORMATS = {"PDF", "DOCX", "JPEG", "PNG", "JSON", "Excel", "MiB", "KiB", "GPU", "UTC", "YYYY"}
# Names: the package of China's holidays; in a webhook's hints the schemes, WeCom's `key`
# parameter and the prefix of DingTalk's signing secrets.
FORMATS |= {"chinesecalendar", "http", "https", "key", "SEC"}


def untranslated(text: str, data: re.Pattern[str]) -> list[str]:
    """English words left on a Chinese page once the demo's own text is taken out, each
    with a little of the text around it (to find it in the template)."""
    text = _NOT_WORDS.sub(" ", data.sub(" ", " ".join(text.split())))
    found: dict[str, str] = {}
    for match in re.finditer(r"[A-Za-z]{3,}", text):
        word = match.group()
        if word not in KEEP | FORMATS and word not in found:
            found[word] = text[max(0, match.start() - 25) : match.end() + 25]
    return [f"{w} ({around!r})" for w, around in sorted(found.items())]


OVERFLOW = """() => [document.documentElement.scrollWidth, window.innerWidth,
  Array.from(document.querySelectorAll("body *"))
    .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5
      && !el.closest(".table-scroll"))
    .slice(0, 3)
    .map((el) => `${el.tagName.toLowerCase()}.${el.className}`)]"""


def axe_problems(page: Any) -> list[str]:
    """axe-core's serious and critical violations, one line per element; axe comes with the
    context's init script (axe_source), not sent again for each page."""
    violations = page.evaluate(
        "(options) => axe.run(document, options).then((r) => r.violations)", AXE_OPTIONS
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(map(str, n['target']))}"
        for v in violations
        if v["impact"] in BLOCKING_IMPACTS
        for n in v["nodes"]
    ]
