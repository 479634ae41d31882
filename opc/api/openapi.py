"""/api/v1/openapi.json: the OpenAPI 3.1 document, generated from the registered endpoints."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from apispec import APISpec
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode

from opc.api.pagination import PageArgs, page_schema
from opc.api.routing import ENDPOINTS, Endpoint, endpoint

_REF = "#/components/schemas/{model}"
_STATUS_TEXT = {
    200: "OK",
    201: "Created",
    204: "No content",
    400: "Malformed request or wrong types",
    401: "Not logged in or bad token",
    403: "Role or token scope may not act",
    404: "Missing or not visible",
    409: "A domain rule refuses",
    413: "Body too large",
    422: "Field validation failed",
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


def _path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    params = []
    for conv, name in re.findall(r"<(?:(\w+):)?(\w+)>", rule):
        params.append(
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": {"type": "integer" if conv == "int" else "string"},
            }
        )
    return "/api/v1" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule), params


class _Builder:
    def __init__(self) -> None:
        self.spec = APISpec(
            title="OPC Ops API",
            version="1.0.0",
            openapi_version="3.1.0",
            info={"description": "The JSON API of OPC Ops."},
        )
        self.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
        self.spec.components.schema("Error", _ERROR_SCHEMA)
        self.known: set[str] = {"Error"}

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

    def query_params(self, model: type[BaseModel]) -> list[dict[str, Any]]:
        schema = self._schema(model, "validation")
        required = set(schema.get("required", []))
        return [
            {"name": name, "in": "query", "required": name in required, "schema": prop}
            for name, prop in schema.get("properties", {}).items()
        ]

    def operation(self, ep: Endpoint, path_params: list[dict[str, Any]]) -> dict[str, Any]:
        op: dict[str, Any] = {
            "operationId": ep.view.__name__,
            "summary": (ep.view.__doc__ or "").strip().splitlines()[0] if ep.view.__doc__ else "",
            "tags": [ep.tag],
            "parameters": list(path_params),
            "responses": {},
        }
        if ep.query:
            op["parameters"] += self.query_params(ep.query)
        if ep.paged:  # a query model may declare page/per_page itself: list each once
            named = {p["name"] for p in op["parameters"]}
            op["parameters"] += [p for p in self.query_params(PageArgs) if p["name"] not in named]
        if ep.body:
            op["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": self.ref(ep.body)}},
            }
        ok: dict[str, Any] = {"description": _STATUS_TEXT.get(ep.status, "OK")}
        if ep.response is not None:
            schema = page_schema(ep.response) if ep.paged else None
            item = self.ref(ep.response, "serialization")
            ok["content"] = {"application/json": {"schema": schema or item}}
        op["responses"][str(ep.status)] = ok
        errors = set(ep.errors) | {400, 404} | ({401, 403} if ep.scope else set())
        if ep.body:
            errors |= {413, 422}
        for code in sorted(errors):
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
            path, params = _path(ep.rule)
            for method in ep.methods:
                paths.setdefault(path, {})[method.lower()] = self.operation(ep, params)
        for path, operations in sorted(paths.items()):
            self.spec.path(path=path, operations=operations)
        return self.spec.to_dict()


@cache
def openapi_document() -> dict[str, Any]:
    """The document, built once per process (endpoints are fixed after start-up)."""
    return _Builder().build()


@endpoint("/openapi.json", scope=None, tag="meta")
def openapi() -> dict[str, Any]:
    """The OpenAPI document of this API."""
    return openapi_document()
