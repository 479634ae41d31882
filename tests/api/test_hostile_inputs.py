"""Every route of the URL map, pages and API alike, walked with each class of hostile value
in each place a value can go, as an anonymous visitor, a park's staff and an admin: no
answer is a 5xx, and a refused request writes nothing.

The routes, their variables, the API's parameters and bodies (from /api/v1/openapi.json) and
the pages' form fields (read from the forms the pages render) are discovered, not listed, so
a route added later is walked on arrival. The combinations are bounded: each route gets
each value class once per position — in one path variable at a time, in every query
parameter and form or body field the class applies to at once, and as the whole body.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from tests.conftest import csrf_token, login
from tests.fixtures.factories import Factories

# --- the value classes -----------------------------------------------------------------


@dataclass(frozen=True)
class Hostile:
    """A hostile value: its text (paths, query strings, forms, JSON strings), the raw JSON
    it is as a number where it is one, and the kinds of field it is aimed at."""

    text: str
    kinds: frozenset[str]
    number: str | None = None  # raw JSON text for numeric fields


ALL = frozenset({"int", "decimal", "date", "text", "enum", "bool", "file"})
NUMERIC = frozenset({"int", "decimal"})
HOSTILE: dict[str, Hostile] = {
    "nul": Hostile("a\x00b", ALL),
    "int_2^31": Hostile(str(2**31), NUMERIC | {"text"}, str(2**31)),
    "int_2^63": Hostile(str(2**63), NUMERIC, str(2**63)),
    "int_10^100": Hostile(str(10**100), NUMERIC, str(10**100)),
    "huge_exponent": Hostile("1e999999", NUMERIC | {"text"}, "1e999999"),
    "400_nines": Hostile("9" * 400, NUMERIC | {"text", "file"}, "9" * 400),
    "year_1": Hostile("0001-01-01", frozenset({"date", "text"})),
    "year_9999": Hostile("9999-12-31", frozenset({"date"})),
    "date_zero": Hostile("0", frozenset({"date"}), "0"),
}
DEPTH = 10_000
ROLES = ("anonymous", "staff", "admin")
# Tables that record refused attempts by design (throttling and rate limits), or that a
# request of any kind may touch (sessions, job bookkeeping): not "written" by a refusal.
BOOKKEEPING = re.compile(r"login_attempts|rate_limit|throttl|user_sessions|job_runs")
# Page query parameters tried besides those the pages' filter forms name.
PAGE_QUERY = {
    "int": ["page", "per_page", "park_id", "team_id", "unit_id", "floor", "entity_id", "actor_id"],
    "date": ["on", "active_on", "start", "end"],
    "text": ["q", "status", "track", "entity", "action", "next", "has_space", "kind"],
}


# --- the world the routes are walked in ------------------------------------------------


@dataclass
class World:
    ids: dict[str, int]
    users: dict[str, Any]
    tokens: dict[str, str]
    app: Flask
    document: dict[str, Any] = field(default_factory=dict)

    def value(self, name: str) -> str:
        """A valid value for a URL variable or an id field."""
        if name == "token":
            return "no-such-invitation"
        if name == "filename":
            return "js/app.js"
        return str(self.ids.get(name, self.ids["park_id"]))


@pytest.fixture
def world(app: Flask, make: Factories) -> World:
    from opc.auth.models import ApiToken
    from opc.extensions import db
    from opc.teams import members

    park = make.park(total_area_m2=__import__("decimal").Decimal("5000"))
    team = make.team(park, status="resident")
    other = make.team(park, status="applicant")
    unit = make.unit(park)
    spare = make.unit(park)
    allocation = make.allocation(team, unit, date(2026, 1, 1))
    staff = make.user("staff", parks=[park])
    admin = make.user("admin")
    member = make.user("member", team=team)
    tokens = {"staff": make.token(staff), "admin": make.token(admin)}
    with app.app_context():
        invitation_id = members.invite_member(
            db.session.get(type(team), other.id), "invitee@example.cn", actor=None
        ).invitation.id
        token_id = db.session.scalar(sa.select(ApiToken.id).where(ApiToken.user_id == staff.id))
        db.session.remove()
    ids = {
        "park_id": park.id,
        "team_id": team.id,
        "unit_id": spare.id,
        "allocation_id": allocation.id,
        "user_id": member.id,
        "token_id": token_id,
        "invitation_id": invitation_id,
    }
    users = {"staff": staff, "admin": admin, "member": member}
    world = World(ids, users, tokens, app)
    world.document = app.test_client().get("/api/v1/openapi.json").get_json()
    return world


# --- what was written ------------------------------------------------------------------


class Counts:
    """Rows per table in one statement (the audit log included, so that an update of an
    audited record shows too)."""

    def __init__(self, app: Flask) -> None:
        from opc.extensions import db

        with app.app_context():
            self.engine = db.engine
            self.tables = [
                t.name for t in db.metadata.sorted_tables if not BOOKKEEPING.search(t.name)
            ]
        self.statement = sa.text(
            "SELECT " + ", ".join(f'(SELECT count(*) FROM "{t}")' for t in self.tables)
        )

    def __call__(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return dict(zip(self.tables, conn.execute(self.statement).one(), strict=True))


# --- reading the pages' forms ----------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (kind, value)
    multipart: bool = False


class _FormParser(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.forms: list[Form] = []
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            action = a.get("action") or self.page
            self.forms.append(
                Form(
                    urlsplit(action).path,
                    a.get("method", "get").upper(),
                    multipart="multipart" in a.get("enctype", ""),
                )
            )
            return
        if not self.forms or not a.get("name"):
            if tag == "option" and self.select and self.forms:
                fields = self.forms[-1].fields
                if not fields[self.select][1]:
                    fields[self.select] = ("enum", a.get("value", ""))
            return
        fields = self.forms[-1].fields
        name = a["name"]
        if tag == "input":
            kind = {"date": "date", "number": "int", "checkbox": "bool", "file": "file"}.get(
                a.get("type", "text"), "text"
            )
            if kind == "text" and re.fullmatch(r"-?[0-9]+", a.get("value", "")):
                kind = "int"
            if a.get("type") in ("submit", "button") and name in fields:
                return
            fields.setdefault(name, (kind, a.get("value", "")))
        elif tag == "button" and a.get("value"):
            fields.setdefault(name, ("enum", a["value"]))
        elif tag == "select":
            self.select = name
            fields.setdefault(name, ("enum", ""))
        elif tag == "textarea":
            fields.setdefault(name, ("text", "walk"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None


def _kind_of_name(name: str, kind: str) -> str:
    """Form fields named like numbers, money, areas or dates are aimed at as such."""
    if re.search(r"(_id|floor|seats|cap|page)$", name):
        return "int"
    if re.search(r"(_m2|_yuan|area|rent)$", name):
        return "decimal"
    if re.search(r"(^on$|date|start|end|since|_on$)", name) and kind == "text":
        return "date"
    return kind


# --- the walk --------------------------------------------------------------------------


@dataclass
class Walk:
    world: World
    role: str
    counts: Counts
    failures: list[str] = field(default_factory=list)
    requests: int = 0

    def __post_init__(self) -> None:
        app = self.world.app
        self.pages = app.test_client()
        self.api = app.test_client()
        self.headers: dict[str, str] = {}
        if self.role != "anonymous":
            response = login(self.pages, self.world.users[self.role].email)
            assert response.status_code == 302, response.get_data(as_text=True)[:500]
            self.headers = {"Authorization": f"Bearer {self.world.tokens[self.role]}"}
        self.csrf = csrf_token(self.pages, "/login")
        self.last = self.counts()

    # one request, checked
    def send(self, what: str, method: str, path: str, client: FlaskClient, **kw: Any) -> None:
        self.requests += 1
        try:
            response = client.open(path, method=method, **kw)
            status = response.status_code
            detail = response.get_data(as_text=True)[:300]
        except Exception as exc:  # an exception escaping the app is a 500 in production
            status, detail = 599, f"{type(exc).__name__}: {str(exc)[:300]}"
        now = self.counts()
        where = f"{self.role} {what} {method} {path[:120]!r}"
        if status >= 500:
            self.failures.append(f"{where} -> {status}: {detail}")
        elif status >= 400 and now != self.last:
            changed = {t: (self.last[t], now[t]) for t in now if now[t] != self.last[t]}
            self.failures.append(f"{where} -> {status} but wrote {changed}")
        self.last = now

    def client_for(self, rule: Rule) -> tuple[FlaskClient, dict[str, str]]:
        if rule.rule.startswith("/api/"):
            return self.api, dict(self.headers)
        return self.pages, {}

    def url(self, rule: Rule, override: dict[str, str] | None = None) -> str:
        values = {name: self.world.value(name) for name in rule.arguments}
        values.update(override or {})
        path = rule.rule
        for name, value in values.items():
            path = re.sub(rf"<(?:[^:<>]+:)?{name}>", quote(value, safe=""), path)
        return path


def walked_rules(app: Flask) -> list[tuple[Rule, str]]:
    """(rule, method) of every route, the ones that end a session or delete last."""
    found = [
        (rule, method)
        for rule in app.url_map.iter_rules()
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    ]

    def last(item: tuple[Rule, str]) -> tuple[int, str]:
        rule, method = item
        destructive = method == "DELETE" or re.search(r"logout|delete|revoke", rule.rule)
        return (1 if destructive else 0, rule.rule + method)

    return sorted(found, key=last)


def api_operation(world: World, rule: Rule, method: str) -> dict[str, Any] | None:
    path = re.sub(r"<(?:[^:<>]+:)?(\w+)>", r"{\1}", rule.rule)
    return world.document["paths"].get(path, {}).get(method.lower())


def resolve(world: World, schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = world.document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def schema_kind(world: World, schema: dict[str, Any]) -> str:
    schema = resolve(world, schema)
    options = [resolve(world, s) for s in schema.get("anyOf", []) if s != {"type": "null"}]
    if options:
        schema = options[0]
    if "enum" in schema or "const" in schema:
        return "enum"
    kind = schema.get("type")
    if kind == "array":
        return schema_kind(world, schema.get("items", {}))
    if kind == "integer" or kind == "number":
        return "int"
    if kind == "boolean":
        return "bool"
    if schema.get("format") == "date":
        return "date"
    if schema.get("format") == "binary":
        return "file"
    if kind == "string" and r"\.[0-9]" in schema.get("pattern", ""):
        return "decimal"
    return "text"


def baseline(world: World, name: str, schema: dict[str, Any]) -> Any:
    """A valid value for a field of the API (the walk replaces some with hostile ones)."""
    schema = resolve(world, schema)
    options = [resolve(world, s) for s in schema.get("anyOf", []) if s != {"type": "null"}]
    if options:
        schema = options[0]
    if "enum" in schema:
        return schema["enum"][0] if name != "timezone" else "Asia/Shanghai"
    kind = schema.get("type")
    if kind == "array":
        item = baseline(world, name.removesuffix("s"), schema.get("items", {}))
        return [item]
    if kind == "integer":
        if name.endswith("_id"):
            return world.ids.get(name, world.ids["park_id"])
        return max(schema.get("minimum", 0), min(1, schema.get("maximum", 1)))
    if kind == "boolean":
        return False
    if schema.get("format") == "date":
        return "2026-03-02"
    if schema.get("format") == "email" or "email" in name:
        return "walk@example.cn"
    pattern = schema.get("pattern")
    for candidate in ("1.00", "CNY", "", "walk"):
        fits = pattern is None or re.fullmatch(pattern, candidate)
        if fits and (candidate or not schema.get("minLength")):
            return candidate
    return "walk"


def hostile_json(value: Hostile, kind: str) -> Any:
    """The value as JSON for a field of `kind` (a marker when it is a raw number)."""
    if kind == "int" and value.number is not None:
        return f"__RAW__{value.number}__RAW__"
    return value.text


def dump(body: dict[str, Any]) -> str:
    return re.sub(r'"__RAW__(.*?)__RAW__"', r"\1", json.dumps(body))


CSV = "name_zh,code,track,kind,floor,area_m2\n{v},{v},{v},{v},{v},{v}\n"


# --- the positions ---------------------------------------------------------------------


def walk_path(walk: Walk, rules: list[tuple[Rule, str]]) -> None:
    """One URL variable at a time holds the hostile value (the others are valid)."""
    for rule, method in rules:
        client, headers = walk.client_for(rule)
        data = (
            {"csrf_token": walk.csrf}
            if method != "GET" and not rule.rule.startswith("/api/")
            else None
        )
        for name in rule.arguments:
            for label, value in HOSTILE.items():
                walk.send(
                    f"path {name}={label}",
                    method,
                    walk.url(rule, {name: value.text}),
                    client,
                    headers=headers,
                    data=data,
                )


def walk_query(walk: Walk, rules: list[tuple[Rule, str]], forms: dict[str, Form]) -> None:
    """Every query parameter the class applies to holds it, once per route and class."""
    for rule, method in rules:
        client, headers = walk.client_for(rule)
        operation = api_operation(walk.world, rule, method)
        if operation is not None:
            params = {
                p["name"]: schema_kind(walk.world, p["schema"])
                for p in operation.get("parameters", [])
                if p["in"] == "query"
            }
        elif rule.rule.startswith("/api/"):
            params = {}
        else:
            params = {n: k for k, names in PAGE_QUERY.items() for n in names}
            form = forms.get(f"GET {walk.url(rule)}")
            for name, (kind, _value) in (form.fields if form else {}).items():
                params[name] = _kind_of_name(name, kind)
        data = {"csrf_token": walk.csrf} if method != "GET" and operation is None else None
        for label, value in HOSTILE.items():
            query = {n: value.text for n, k in params.items() if k in value.kinds}
            if not query and params:
                continue
            walk.send(
                f"query {label}",
                method,
                walk.url(rule) + "?" + urlencode(query or {"x": value.text}),
                client,
                headers=headers,
                data=data,
            )


def walk_forms(walk: Walk, rules: list[tuple[Rule, str]], forms: dict[str, Form]) -> None:
    """The page forms: every field the class applies to holds it (the CSRF token valid)."""
    app = walk.world.app
    adapter = app.url_map.bind("localhost")
    by_endpoint: dict[str, Form] = {}
    for form in forms.values():
        if form.method != "POST":
            continue
        try:
            endpoint, _args = adapter.match(form.action, method="POST")
        except Exception:
            continue
        by_endpoint.setdefault(endpoint, form)
    for rule, method in rules:
        if method != "POST" or rule.rule.startswith("/api/"):
            continue
        form = by_endpoint.get(rule.endpoint, Form(rule.rule, "POST"))
        for label, value in HOSTILE.items():
            data: dict[str, Any] = {}
            for name, (kind, current) in form.fields.items():
                if name == "csrf_token":
                    continue
                kind = _kind_of_name(name, kind)
                if kind == "file":
                    data[name] = (io.BytesIO(CSV.format(v=value.text).encode()), "walk.csv")
                elif kind in value.kinds:
                    data[name] = value.text
                else:
                    data[name] = current
            if not data:
                data = {"q": value.text}
            data["csrf_token"] = walk.csrf
            walk.send(f"form {label}", "POST", walk.url(rule), walk.pages, data=data)


def walk_json(walk: Walk, rules: list[tuple[Rule, str]]) -> None:
    """The API's bodies: valid but for every field the class applies to."""
    for rule, method in rules:
        operation = api_operation(walk.world, rule, method)
        if operation is None or "requestBody" not in operation:
            continue
        content = operation["requestBody"]["content"]
        media, spec = next(iter(content.items()))
        schema = resolve(walk.world, spec["schema"])
        props = schema.get("properties", {})
        for label, value in HOSTILE.items():
            body: dict[str, Any] = {}
            hit = False
            for name, prop in props.items():
                kind = schema_kind(walk.world, prop)
                if kind in value.kinds:
                    hit = True
                    if media.startswith("multipart"):
                        csv = CSV.format(v=value.text).encode()
                        body[name] = (io.BytesIO(csv), "walk.csv") if kind == "file" else value.text
                    else:
                        item = hostile_json(value, kind)
                        body[name] = (
                            [item] if resolve(walk.world, prop).get("type") == "array" else item
                        )
                elif media.startswith("multipart") and kind == "file":
                    body[name] = (io.BytesIO(b"name_zh\nwalk\n"), "walk.csv")
                else:
                    body[name] = baseline(walk.world, name, prop)
            if not hit:
                continue
            kw: dict[str, Any]
            if media.startswith("multipart"):
                kw = {"data": body, "content_type": "multipart/form-data"}
            else:
                kw = {"data": dump(body), "content_type": "application/json"}
            walk.send(f"json {label}", method, walk.url(rule), walk.api, headers=walk.headers, **kw)


def walk_bodies(walk: Walk, rules: list[tuple[Rule, str]], limit: int) -> None:
    """JSON nested DEPTH deep, a body over the limit, and one past it without a length."""
    deep = ("[" * DEPTH + "]" * DEPTH).encode()
    deep_object = ('{"a":' * DEPTH + "1" + "}" * DEPTH).encode()
    oversized = b"a=" + b"b" * limit
    for rule, method in rules:
        if method == "GET":
            continue
        client, headers = walk.client_for(rule)
        path = walk.url(rule)
        api = rule.rule.startswith("/api/")
        kind = "application/json" if api else "application/x-www-form-urlencoded"
        for label, body, content_type in (
            ("deep array", deep, "application/json"),
            ("deep object", deep_object, "application/json"),
            ("oversized", oversized, kind),
        ):
            walk.send(
                f"body {label}",
                method,
                path,
                client,
                headers=headers,
                data=body,
                content_type=content_type,
            )
        walk.send(
            "body chunked",
            method,
            path,
            client,
            headers={**headers, "Transfer-Encoding": "chunked", "Content-Type": kind},
            input_stream=io.BytesIO(oversized + b"c" * 1024),
            environ_overrides={"wsgi.input_terminated": True},
        )


def crawl_forms(walk: Walk, rules: list[tuple[Rule, str]]) -> dict[str, Form]:
    """The forms of every page the role can open: `METHOD action` -> form."""
    forms: dict[str, Form] = {}
    for rule, method in rules:
        if method != "GET" or rule.rule.startswith(("/api/", "/static")) or "template" in rule.rule:
            continue
        page = walk.url(rule)
        response = walk.pages.get(page)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        parser = _FormParser(page)
        parser.feed(response.get_data(as_text=True))
        for form in parser.forms:
            forms.setdefault(f"{form.method} {form.action}", form)
    return forms


POSITIONS = ("path", "query", "form", "json", "body")


def chunked_as_sent(wsgi_app: Callable[..., Any]) -> Callable[..., Any]:
    """The test client always sets Content-Length; a chunked request has none (the server,
    gunicorn, then marks the input as terminated): drop it, as the real request would."""

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("HTTP_TRANSFER_ENCODING") == "chunked":
            environ.pop("CONTENT_LENGTH", None)
        return wsgi_app(environ, start_response)

    return app


@pytest.mark.parametrize("position", POSITIONS)
@pytest.mark.parametrize("role", ROLES)
def test_no_hostile_value_gets_a_5xx_or_writes_on_refusal(app, world, role, position, monkeypatch):
    monkeypatch.setattr(app, "wsgi_app", chunked_as_sent(app.wsgi_app))
    counts = Counts(app)
    walk = Walk(world, role, counts)
    rules = walked_rules(app)
    if position == "path":
        walk_path(walk, [(r, m) for r, m in rules if r.arguments])
    elif position == "query":
        walk_query(walk, rules, crawl_forms(walk, rules))
    elif position == "form":
        walk_forms(walk, rules, crawl_forms(walk, rules))
    elif position == "json":
        walk_json(walk, rules)
    elif position == "body":
        walk_bodies(walk, rules, app.config["MAX_CONTENT_LENGTH"])
    assert walk.requests > 0
    report = "\n".join(walk.failures[:40])
    more = f"\n… and {len(walk.failures) - 40} more" if len(walk.failures) > 40 else ""
    assert not walk.failures, f"{len(walk.failures)} of {walk.requests} requests:\n{report}{more}"


def test_the_walk_reaches_every_route_and_every_kind_of_input(app, world):
    """The walk is only as good as what it reaches: every rule, the API's bodies and query
    parameters, and the pages' forms, with their fields."""
    rules = walked_rules(app)
    assert {r.endpoint for r, _m in rules} == {r.endpoint for r in app.url_map.iter_rules()}
    walk = Walk(world, "staff", Counts(app))
    forms = crawl_forms(walk, rules)
    posted = {k for k, f in forms.items() if f.method == "POST" and f.fields}
    assert len(posted) >= 8, sorted(forms)
    assert any(f.multipart for f in forms.values())  # an import page's upload form
    kinds = {_kind_of_name(n, k) for f in forms.values() for n, (k, _v) in f.fields.items()}
    assert {"int", "decimal", "text", "enum", "file"} <= kinds, kinds
    bodies = [
        (r, m) for r, m in rules if (op := api_operation(world, r, m)) and "requestBody" in op
    ]
    assert len(bodies) >= 10
    json_kinds = {
        schema_kind(world, prop)
        for r, m in bodies
        for spec in api_operation(world, r, m)["requestBody"]["content"].values()
        for prop in resolve(world, spec["schema"]).get("properties", {}).values()
    }
    assert {"int", "decimal", "date", "text", "enum", "file"} <= json_kinds, json_kinds
