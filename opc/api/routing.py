"""`@endpoint` wires a JSON route: auth and scope, body and query parsing, and its OpenAPI entry.

A route declares its input and output as pydantic models; the same declaration validates
requests and generates /api/v1/openapi.json, so the document cannot drift from the code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Protocol

from flask import Blueprint, Response, g, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import BadRequest

from opc.api.schemas import PageArgs
from opc.core.errors import DomainError, Forbidden, ValidationFailed
from opc.core.security import token_request
from opc.core.values import MAX_JSON_DEPTH, json_too_deep

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# Pydantic error types that mean "the JSON value has the wrong type" (400), not "a
# value of the right type that is not acceptable" (422).
_TYPE_ERRORS = ("_type", "json_invalid", "model_attributes_type")


class ApiError(DomainError):
    """An error of the API's own making (auth, malformed request) with its HTTP status."""

    def __init__(self, status: int, code: str, message: str, **kw: Any) -> None:
        super().__init__(code, message, **kw)
        self.status = status


@dataclass
class Endpoint:
    rule: str
    methods: tuple[str, ...]
    scope: str | None
    view: Callable[..., Any]
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    paged: bool = False
    tag: str = ""
    errors: tuple[int, ...] = field(default_factory=tuple)
    allow: Callable[[Any], bool] | None = None
    form: type[BaseModel] | None = None
    upload: bool = False
    name: str = ""
    # The media types of the file the route answers with (a download), instead of JSON.
    files: tuple[str, ...] = ()


ENDPOINTS: list[Endpoint] = []


def endpoint(
    rule: str,
    *,
    methods: tuple[str, ...] = ("GET",),
    scope: str | None,
    allow: Callable[[Any], bool] | None = None,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    form: type[BaseModel] | None = None,
    upload: bool = False,
    response: type[BaseModel] | None = None,
    status: int = 200,
    paged: bool = False,
    tag: str = "",
    errors: tuple[int, ...] = (),
    files: tuple[str, ...] = (),
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register an /api/v1 route. scope None = public; otherwise the caller must be a user
    (session or bearer token) and a token must cover `scope`. The view receives
    `user`, then `body`/`query`/`form` when declared, plus the URL's variables.

    Order: authenticate (401), then `allow(user)` — the role's precondition, a permission
    predicate asked without a record (403) — and only then the input: the query string
    (every parameter must be declared: an unknown or repeated one is a 422 naming it), the
    JSON `body`, or a multipart `form` with the CSV `file` when `upload`. Checks that need
    the loaded record stay in the view (get_or_404 with its action). A route that answers
    with a file (a download) names its media types in `files` and returns the Response."""

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        def respond(**kwargs: Any) -> Any:
            user = kwargs.get("user")
            if allow is not None and not allow(user):
                raise Forbidden("forbidden", _("You may not do this."))
            parsed_query = _query(query, paged)
            if query is not None:
                kwargs["query"] = parsed_query
            if body is not None:
                kwargs["body"] = parse(body, _json_body(), strict_json=True)
            if form is not None:
                kwargs["form"] = _form(form, upload)
            result = fn(**kwargs)
            if isinstance(result, Response):  # a download, or a status of the view's own
                return result
            if isinstance(result, BaseModel):
                result = result.model_dump(mode="json")
            if result is None:
                return "", 204
            return jsonify(result), status

        @wraps(fn)
        def view(**kwargs: Any) -> Any:
            if scope is not None:
                kwargs["user"] = _authenticate(scope)
            return respond(**kwargs)

        name = f"{fn.__module__.split('.')[1]}_{fn.__name__}"
        bp.add_url_rule(rule, endpoint=name, view_func=view, methods=list(methods))
        ENDPOINTS.append(
            Endpoint(
                rule,
                methods,
                scope,
                fn,
                body,
                query,
                response,
                status,
                paged,
                tag or fn.__module__.split(".")[1],
                errors,
                allow,
                form,
                upload,
                f"{bp.name}.{name}",
                files,
            )
        )
        return view

    return decorate


def _declared(names: set[str], given: Any, unknown: str) -> dict[str, list[str]]:
    """Errors for the parameters of a query string or form that the route does not declare,
    or that are given more than once (one value each: which would count is not guessed)."""
    errors: dict[str, list[str]] = {}
    for name in given:
        if name not in names:
            errors[name] = [unknown]
        elif len(given.getlist(name)) > 1:
            errors[name] = [_("Give this parameter once.")]
    return errors


def _query(model: type[BaseModel] | None, paged: bool) -> BaseModel | None:
    """The query string checked against what the route declares: `model`'s fields, and
    page/per_page on a list (kept in g.page_args for `paged`)."""
    names = set(model.model_fields) if model is not None else set()
    page_names = set(PageArgs.model_fields) if paged else set()
    errors = _declared(names | page_names, request.args, _("Unknown query parameter."))
    parsed: BaseModel | None = None
    values = request.args.to_dict()
    for target, fields in ((model, names), (PageArgs if paged else None, page_names)):
        if target is None:
            continue
        try:
            result = parse(target, {k: v for k, v in values.items() if k in fields})
        except ValidationFailed as exc:
            errors.update({k: v for k, v in exc.fields.items() if k not in errors})
            continue
        if target is PageArgs:
            g.page_args = result
        else:
            parsed = result
    if errors:
        raise ValidationFailed(errors)
    return parsed


def _form(model: type[BaseModel], upload: bool) -> BaseModel:
    """The fields of a multipart form (the CSV `file` besides, when `upload`)."""
    names = set(model.model_fields) | ({"file"} if upload else set())
    given = request.form.copy()
    for name in request.files:
        given.add(name, "")
    errors = _declared(names, given, _("Unknown form field."))
    parsed = None
    try:
        parsed = parse(model, {k: v for k, v in request.form.items() if k in model.model_fields})
    except ValidationFailed as exc:
        errors.update({k: v for k, v in exc.fields.items() if k not in errors})
    if upload and "file" not in request.files:
        errors.setdefault("file", []).append(_("Attach the CSV file as 'file'."))
    if errors or parsed is None:
        raise ValidationFailed(errors)
    return parsed


class Token(Protocol):
    user: Any
    scope: str


# Who a bearer token belongs to is opc.auth's to say: it registers the loader at init_app.
_token_loader: list[Callable[[str], Token | None]] = []


def token_loader(fn: Callable[[str], Token | None]) -> Callable[[str], Token | None]:
    """Register the function that finds the live token of a secret (or None)."""
    _token_loader[:] = [fn]
    return fn


def token_allows(token_scope: str, needed: str) -> bool:
    """Whether a token's scope covers a route's scope (`parks:read`, `usage:write`, …):
    `all`, the scope itself, `read` for any `…:read`, and a resource's write for its read
    (a provider's `usage:write` token reads the usage it wrote and its settlements)."""
    scopes = set(token_scope.split())
    if "all" in scopes or needed in scopes:
        return True
    resource, colon, access = needed.rpartition(":")
    if not colon or access != "read":
        return False
    return "read" in scopes or f"{resource}:write" in scopes


def _authenticate(scope: str) -> Any:
    """The caller: by a valid bearer token when the request has an Authorization header
    (any value; the session cookie is then never read, see opc.core.security.token_request),
    else by the login session, whose unsafe requests passed the CSRF check."""
    if token_request():
        kind, _sep, secret = request.headers.get("Authorization", "").strip().partition(" ")
        if kind.lower() != "bearer" or not secret.strip():
            raise ApiError(401, "invalid_token", _("Use 'Authorization: Bearer <token>'."))
        token = _token_loader[0](secret.strip())
        if token is None:
            raise ApiError(401, "invalid_token", _("The token is unknown or revoked."))
        if not token_allows(token.scope, scope):
            raise Forbidden(
                "insufficient_scope",
                _("The token's scope does not allow this (needs %(s)s).", s=scope),
            )
        g.api_token = token
        g._login_user = token.user  # current_user is the token's user (never the cookie's)
        return token.user
    if not current_user.is_authenticated:
        raise ApiError(401, "unauthenticated", _("Log in or send a bearer token."))
    return current_user._get_current_object()


def _json_body() -> Any:
    if not request.is_json:
        raise ApiError(
            400, "expected_json", _("Send a JSON body (Content-Type: application/json).")
        )
    # Refused before parsing: a parser recurses per level, and thousands of levels exhaust it.
    if json_too_deep(request.get_data(cache=True)):
        raise ApiError(
            400,
            "json_too_deep",
            _("The JSON body is nested deeper than %(n)d levels.", n=MAX_JSON_DEPTH),
        )
    try:
        data = request.get_json()
    except BadRequest as exc:
        raise ApiError(400, "malformed_json", _("The body is not valid JSON.")) from exc
    if not isinstance(data, dict):
        raise ApiError(400, "wrong_type", _("The body must be a JSON object."))
    return data


def uploaded_csv() -> bytes:
    """The CSV file of a multipart request (field `file`); 422 when it is missing."""
    upload = request.files.get("file")
    if upload is None:
        raise ValidationFailed({"file": [_("Attach the CSV file as 'file'.")]})
    return upload.read()


def field_errors(exc: ValidationError) -> dict[str, list[str]]:
    """Pydantic errors as {"field.path": [reasons]}."""
    fields: dict[str, list[str]] = {}
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "__root__"
        fields.setdefault(key, []).append(err["msg"])
    return fields


def parse(model: type[BaseModel], data: Any, *, strict_json: bool = False) -> Any:
    """Validate input: wrong JSON types answer 400, unacceptable values 422; both name fields.

    A JSON body is checked strictly against JSON's types: "10" is not an integer, nor 1.0,
    nor "true" a boolean (a string is still a date, a datetime or a decimal, as JSON has no
    such types). Query strings, which are all text, are converted leniently.
    """
    try:
        if strict_json:
            return model.model_validate_json(json.dumps(data), strict=True)
        return model.model_validate(data)
    except ValidationError as exc:
        if any(e["type"].endswith(_TYPE_ERRORS) for e in exc.errors()):
            raise ApiError(
                400, "wrong_type", _("Some fields have the wrong type."), fields=field_errors(exc)
            ) from exc
        raise ValidationFailed(field_errors(exc)) from exc
