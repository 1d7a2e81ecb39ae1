"""Documents of the kind an ASP.NET service publishes for this API, made from one another for the tests.

Each function returns a changed copy: the real document may come with other operationIds or none, other schema
names, other media-type orders, or as Swagger 2.0 (``definitions``, ``produces``, ``x-nullable``, a ``dynamic``
member as ``type: object``, operationIds like ``Invoices_GetInvoice``).
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from tests.pipeline.conftest import ROOT

__all__ = [
    "SAMPLE",
    "as_openapi31",
    "as_swagger2",
    "media_types_reordered",
    "sample_document",
    "schemas_renamed",
    "without_operation_ids",
]

SAMPLE = ROOT.parent / "shared" / "reference" / "upstream-sample" / "swashbuckle-sample-oas3.json"
_SCHEMA_REF = "#/components/schemas/"


def sample_document() -> dict[str, Any]:
    """The Swashbuckle-shaped sample document of this API, parsed."""
    document: dict[str, Any] = json.loads(SAMPLE.read_text(encoding="utf-8"))
    return document


def _operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [operation for item in document["paths"].values() for operation in item.values()]


def without_operation_ids(document: dict[str, Any]) -> dict[str, Any]:
    """Swashbuckle's default: no operationIds at all."""
    changed = copy.deepcopy(document)
    for operation in _operations(changed):
        operation.pop("operationId", None)
    return changed


def schemas_renamed(document: dict[str, Any], rename: dict[str, str] | None = None) -> dict[str, Any]:
    """Every component schema under another name (``Foo`` -> ``FooDto`` unless ``rename`` says otherwise)."""
    schemas = document["components"]["schemas"]
    names = {name: (rename or {}).get(name, f"{re.sub('Model$', '', name)}Dto") for name in schemas}
    text = json.dumps(document)
    for old, new in names.items():
        text = text.replace(f'"{_SCHEMA_REF}{old}"', f'"{_SCHEMA_REF}{new}"')
    changed: dict[str, Any] = json.loads(text)
    changed["components"]["schemas"] = {
        names[name]: schema for name, schema in changed["components"]["schemas"].items()
    }
    return changed


def media_types_reordered(document: dict[str, Any]) -> dict[str, Any]:
    """``text/json`` first and ``text/plain`` last, as another formatter configuration lists them."""
    changed = copy.deepcopy(document)
    order = ("text/json", "application/json", "text/plain")
    for operation in _operations(changed):
        for response in operation["responses"].values():
            content = response.get("content")
            if content and "application/json" in content:
                response["content"] = {media: content[media] for media in order if media in content}
    return changed


def _openapi31_schema(node: Any) -> Any:
    if isinstance(node, list):
        return [_openapi31_schema(value) for value in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _openapi31_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable") is True:
        converted["type"] = [node["type"], "null"] if "type" in node else ["string", "object", "null"]
    return converted


def as_openapi31(document: dict[str, Any]) -> dict[str, Any]:
    """The same document as OpenAPI 3.1 (ASP.NET's own generator): ``nullable`` as a type list."""
    changed: dict[str, Any] = _openapi31_schema(document)
    changed["openapi"] = "3.1.0"
    return changed


def _swagger2_schema(schema: Any) -> Any:
    if isinstance(schema, list):
        return [_swagger2_schema(value) for value in schema]
    if not isinstance(schema, dict):
        return schema
    converted = {}
    for key, value in schema.items():
        if key == "$ref":
            converted[key] = value.replace(_SCHEMA_REF, "#/definitions/")
        elif key == "nullable":
            converted["x-nullable"] = value
        else:
            converted[key] = _swagger2_schema(value)
    if "type" not in converted and "$ref" not in converted and "x-nullable" in converted:
        converted["type"] = "object"  # a .NET `dynamic` member, as Swashbuckle's Swagger 2.0 output types it
    return converted


def as_swagger2(document: dict[str, Any], tag: str = "Invoices") -> dict[str, Any]:
    """The same API as Swashbuckle's Swagger 2.0 output: ``Tag_Action`` operationIds, produces, definitions."""
    paths: dict[str, Any] = {}
    for path, item in document["paths"].items():
        paths[path] = {}
        for method, operation in item.items():
            responses = {}
            for status, response in operation["responses"].items():
                converted = {"description": response["description"]}
                content = response.get("content") or {}
                if content:
                    converted["schema"] = _swagger2_schema(next(iter(content.values()))["schema"])
                responses[status] = converted
            named = {"operationId": f"{tag}_{operation['operationId']}"} if "operationId" in operation else {}
            paths[path][method] = {
                "tags": [tag],
                "summary": operation.get("summary", ""),
                **named,
                "produces": ["text/plain", "application/json", "text/json"],
                "parameters": [
                    {key: value for key, value in parameter.items() if key != "schema"} | parameter["schema"]
                    for parameter in operation.get("parameters", [])
                ],
                "responses": responses,
            }
    return {
        "swagger": "2.0",
        "info": document["info"],
        "paths": paths,
        "definitions": _swagger2_schema(document["components"]["schemas"]),
        "securityDefinitions": {
            "Bearer": {"type": "apiKey", "name": "Authorization", "in": "header", "description": "PayEx token"}
        },
        "security": [{"Bearer": []}],
    }
