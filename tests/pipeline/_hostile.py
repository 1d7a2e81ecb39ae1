"""Hostile API documents, made in the test from a small valid one (``VALID``, the tests' minimal document):
each is a few kilobytes that a pipeline step without its limit would expand, nest or print without bound."""

from __future__ import annotations

import copy
import json
from typing import Any

__all__ = ["VALID", "as_bytes", "nested", "ref_chain", "with_name", "with_operation_id"]

VALID: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Invoices", "version": "1.1"},
    "paths": {
        "/invoices/{invoiceNo}": {
            "get": {
                "operationId": "getInvoice",
                "parameters": [{"name": "invoiceNo", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {
                    "200": {
                        "description": "The invoice.",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Invoice"}}},
                    }
                },
            }
        }
    },
    "components": {"schemas": {"Invoice": {"type": "object", "properties": {"invoiceNo": {"type": "string"}}}}},
}


def _copy() -> dict[str, Any]:
    return copy.deepcopy(VALID)


def ref_chain(levels: int, *, flat: bool = False) -> dict[str, Any]:
    """Schemas ``S0`` to ``S{levels}``, each referencing the next twice: ``levels`` doublings once resolved.

    The schemas nest two levels per step (``properties.a``); ``flat`` ones one level (``x-a``), so that a long
    chain stays within the depth limit and only its size gives it away.
    """
    document = _copy()
    schemas = document["components"]["schemas"]
    schemas["Invoice"]["properties"]["lines"] = {"$ref": "#/components/schemas/S0"}
    for level in range(levels):
        ref = {"$ref": f"#/components/schemas/S{level + 1}"}
        if flat:
            schemas[f"S{level}"] = {"type": "object", "x-a": ref, "x-b": dict(ref)}
        else:
            schemas[f"S{level}"] = {"type": "object", "properties": {"a": ref, "b": dict(ref)}}
    schemas[f"S{levels}"] = {"type": "string"}
    return document


def nested(depth: int) -> dict[str, Any]:
    """The valid document with an extension member nested ``depth`` mappings deep below the root."""
    document = _copy()
    value: dict[str, Any] = {}
    for _ in range(depth - 2):
        value = {"x": value}
    document["x-nested"] = value
    return document


def with_name(name: str) -> dict[str, Any]:
    """The valid document with ``name`` as a property name of its one schema."""
    document = _copy()
    document["components"]["schemas"]["Invoice"]["properties"][name] = {"type": "string"}
    return document


def with_operation_id(operation_id: str) -> dict[str, Any]:
    """The valid document with ``operation_id`` as its one operation's operationId."""
    document = _copy()
    document["paths"]["/invoices/{invoiceNo}"]["get"]["operationId"] = operation_id
    return document


def as_bytes(document: dict[str, Any]) -> bytes:
    """A document as JSON bytes."""
    return json.dumps(document).encode()
