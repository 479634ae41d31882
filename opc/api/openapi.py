"""/api/v1/openapi.json: the OpenAPI 3.1 document, generated from the registered endpoints.

The document states what the server enforces, so that clients and fuzzers can trust it
(tests/api/test_fuzz.py fuzzes every operation from it): bounds on every integer (ids and
page numbers 1 … 2^31-1, per_page up to the deployment's MAX_PER_PAGE), decimals as strings
with their pattern, dates as ISO dates in the accepted calendar, formats and enums, the
multipart body of the CSV imports, and every status an operation can answer.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from apispec import APISpec
from flask import current_app
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode
from werkzeug.routing.converters import NumberConverter

from opc.api.pagination import PageArgs, page_schema
from opc.api.routing import ENDPOINTS, Endpoint, endpoint
from opc.core.dates import MAX_DATE, MIN_DATE
from opc.core.values import MAX_ID

_REF = "#/components/schemas/{model}"
_STATUS_TEXT = {
    200: "OK",
    201: "Created",
    204: "No content",
    400: "Malformed request: not JSON, wrong JSON types, or a missing CSRF token",
    401: "Not logged in or bad token",
    403: "Role or token scope may not act",
    404: "Missing or not visible",
    409: "A domain rule refuses, or a concurrent change (concurrent_update: try again)",
    413: "Body too large",
    422: "Field validation failed, or an unknown or repeated parameter",
    429: "Too many requests for now (see Retry-After)",
    503: "The database is unavailable for now",
}
_ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object"},
                "conflict": {"type": "object"},
            },
        }
    },
}
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
_DESCRIPTION = f"""The JSON API of OPC Ops.

What this document promises, and the server enforces:

* Every integer states its bounds; ids and page numbers are 1 … {MAX_ID} (a path id outside
  them is a 404, a query or body value a 422). A JSON number with a zero fraction (`2.0`)
  is the integer it equals, as JSON Schema says; `2.5` for an integer is a 400.
* Money (`*_yuan`) and areas (`*_m2`) are decimal strings; the pattern of each states its
  sign, digits and places. A JSON number, an exponent (`1e3`) or spaces are refused.
* Dates are ISO dates (`YYYY-MM-DD`, `format: date`) from {MIN_DATE} to {MAX_DATE}, in
  query strings and bodies alike; a number or a timestamp is refused.
* Formats and enums (e-mail, credit code, timezone, currency) are stated and checked.
* Every query parameter and form field an operation takes is declared: an unknown or
  repeated one is refused with 422 naming it, on every operation.
* The caller is authenticated (401) and the role's permission checked (403) before the
  input is validated (400/422); a check that needs the record comes after loading it.
* Every status an operation can answer is listed, with the error body
  `{{"error": {{"code", "message", "fields"?, "conflict"?}}}}`.
"""


class _Builder:
    def __init__(self) -> None:
        self.spec = APISpec(
            title="OPC Ops API",
            version="1.0.0",
            openapi_version="3.1.0",
            info={"description": _DESCRIPTION},
        )
        self.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
        self.spec.components.schema("Error", _ERROR_SCHEMA)
        self.known: set[str] = {"Error"}
        self.rules = {rule.endpoint: rule for rule in current_app.url_map.iter_rules()}
        self.max_per_page = min(200, int(current_app.config["MAX_PER_PAGE"]))

    def ref(self, model: type[BaseModel], mode: JsonSchemaMode = "validation") -> dict[str, str]:
        """A reference to `model`'s schema: as accepted (bodies) or as sent (responses)."""
        self._add(model.__name__, self._schema(model, mode))
        return {"$ref": f"#/components/schemas/{model.__name__}"}

    def _schema(self, model: type[BaseModel], mode: JsonSchemaMode) -> dict[str, Any]:
        """The model's JSON schema; the models it refers to become components of their own."""
        schema = model.model_json_schema(ref_template=_REF, mode=mode)
        for name, sub in schema.pop("$defs", {}).items():
            self._add(name, sub)
        return schema

    def _add(self, name: str, schema: dict[str, Any]) -> None:
        if name not in self.known:
            self.known.add(name)
            self.spec.components.schema(name, schema)

    def path(self, ep: Endpoint) -> tuple[str, list[dict[str, Any]]]:
        """The OpenAPI path of the route and its variables, typed and bounded as the URL
        map's converters match them (an integer outside its bounds finds no route: 404)."""
        rule = self.rules[ep.name]
        params = []
        for name in re.findall(r"<(?:[^:<>]+:)?(\w+)>", ep.rule):
            converter = rule._converters[name]
            schema: dict[str, Any] = {"type": "string"}
            if isinstance(converter, NumberConverter):
                low = converter.min if converter.min is not None else 1
                high = converter.max if converter.max is not None else MAX_ID
                schema = {"type": "integer", "minimum": max(1, low), "maximum": min(MAX_ID, high)}
            params.append({"name": name, "in": "path", "required": True, "schema": schema})
        return "/api/v1" + re.sub(r"<(?:[^:<>]+:)?(\w+)>", r"{\1}", ep.rule), params

    def fields(self, model: type[BaseModel], where: str) -> list[dict[str, Any]]:
        """A query model's fields as parameters: absent is the default (never null)."""
        schema = self._schema(model, "validation")
        required = set(schema.get("required", []))
        params = []
        for name, prop in schema.get("properties", {}).items():
            prop = _without_null(prop)
            params.append({"name": name, "in": where, "required": name in required, "schema": prop})
        return params

    def form_schema(self, ep: Endpoint) -> dict[str, Any]:
        """The multipart body of an upload: the CSV `file` and the form's fields."""
        schema: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
        if ep.form is not None:
            for param in self.fields(ep.form, "form"):
                schema["properties"][param["name"]] = param["schema"]
                if param["required"]:
                    schema["required"].append(param["name"])
        if ep.upload:
            schema["properties"]["file"] = {
                "type": "string",
                "format": "binary",
                "contentMediaType": "text/csv",
                "description": "The CSV file (UTF-8, with a header row).",
            }
            schema["required"].append("file")
        schema["additionalProperties"] = False
        return schema

    def statuses(self, ep: Endpoint, method: str, has_path_params: bool) -> set[int]:
        """Every error status the operation can answer."""
        codes = set(ep.errors) | {422}  # every operation refuses unknown query parameters
        takes_body = ep.body is not None or ep.form is not None or ep.upload
        if takes_body:
            codes |= {400, 413}
        if has_path_params:
            codes.add(404)
        if ep.scope:
            codes |= {401, 403, 503}
            if method in _UNSAFE:
                codes |= {400, 409}  # a session's CSRF token; a concurrent change
        return codes

    def operation(
        self, ep: Endpoint, method: str, path_params: list[dict[str, Any]]
    ) -> dict[str, Any]:
        op: dict[str, Any] = {
            "operationId": ep.view.__name__,
            "summary": (ep.view.__doc__ or "").strip().splitlines()[0] if ep.view.__doc__ else "",
            "tags": [ep.tag],
            "parameters": copy.deepcopy(path_params),
            "responses": {},
        }
        if ep.query:
            op["parameters"] += self.fields(ep.query, "query")
        if ep.paged:
            for param in self.fields(PageArgs, "query"):
                if param["name"] == "per_page":
                    param["schema"]["maximum"] = self.max_per_page
                    param["description"] = "Rows a page; the default is the deployment's."
                op["parameters"].append(param)
        if ep.body:
            op["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": self.ref(ep.body)}},
            }
        elif ep.form is not None or ep.upload:
            op["requestBody"] = {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": self.form_schema(ep),
                        "encoding": {"file": {"contentType": "text/csv"}} if ep.upload else {},
                    }
                },
            }
        ok: dict[str, Any] = {"description": _STATUS_TEXT.get(ep.status, "OK")}
        if ep.response is not None:
            schema = page_schema(ep.response) if ep.paged else None
            item = self.ref(ep.response, "serialization")
            if schema is not None:
                schema["properties"]["per_page"]["maximum"] = self.max_per_page
            ok["content"] = {"application/json": {"schema": schema or item}}
        elif ep.files:
            binary = {"type": "string", "format": "binary"}
            ok["content"] = {media: {"schema": dict(binary)} for media in ep.files}
        op["responses"][str(ep.status)] = ok
        for code in sorted(self.statuses(ep, method, bool(path_params))):
            op["responses"][str(code)] = {
                "description": _STATUS_TEXT[code],
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
        if ep.scope:
            op["security"] = [{"bearer": []}]
            op["x-scope"] = ep.scope
        return op

    def build(self) -> dict[str, Any]:
        paths: dict[str, dict[str, Any]] = {}
        for ep in ENDPOINTS:
            path, params = self.path(ep)
            for method in ep.methods:
                paths.setdefault(path, {})[method.lower()] = self.operation(ep, method, params)
        for path, operations in sorted(paths.items()):
            self.spec.path(path=path, operations=operations)
        return self.spec.to_dict()


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A parameter's schema without pydantic's `| None` branch and null default."""
    schema = {k: v for k, v in schema.items() if k != "title"}
    if schema.get("default", "") is None:
        del schema["default"]
    options = [s for s in schema.get("anyOf", []) if s != {"type": "null"}]
    if "anyOf" in schema and len(options) == 1:
        del schema["anyOf"]
        schema = {**options[0], **schema}
    elif "anyOf" in schema:
        schema["anyOf"] = options
    return schema


def openapi_document() -> dict[str, Any]:
    """The document of the current app, built once (endpoints are fixed after start-up)."""
    cache = current_app.extensions.setdefault("opc_openapi", {})
    key = current_app.config["MAX_PER_PAGE"]
    if key not in cache:
        cache[key] = _Builder().build()
    return cache[key]


@endpoint("/openapi.json", scope=None, tag="meta")
def openapi() -> dict[str, Any]:
    """The OpenAPI document of this API."""
    return openapi_document()
