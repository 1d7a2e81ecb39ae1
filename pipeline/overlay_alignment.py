"""Where the hand-written overlay and an OpenAPI document are out of line, one message per mismatch.

The contract tests assert that the committed spec gives no message; the API diff reports the messages a new
document gives.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from payex_billing_invoice import (
    PROBLEM_TYPES,
    ROUTE_TEMPLATES,
    AsyncBillingInvoiceClient,
    AsyncExactModels,
    BillingInvoiceClient,
    ExactModels,
)
from payex_billing_invoice._operations import ENDPOINTS

__all__ = ["FACADE_CLASSES", "NON_OPERATION_METHODS", "overlay_alignment", "spec_operations", "spec_problem_types"]

FACADE_CLASSES: tuple[type, ...] = (BillingInvoiceClient, AsyncBillingInvoiceClient, ExactModels, AsyncExactModels)
NON_OPERATION_METHODS = frozenset({"follow", "invoice_lines", "close"})
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def spec_operations(spec: Mapping[str, Any]) -> dict[str, tuple[str, str, Mapping[str, Any]]]:
    """operationId -> (HTTP method, path template, operation object) of every operation in the document."""
    found: dict[str, tuple[str, str, Mapping[str, Any]]] = {}
    for path, item in (spec.get("paths") or {}).items():
        for method in HTTP_METHODS:
            operation = item.get(method) if isinstance(item, Mapping) else None
            if isinstance(operation, Mapping):
                found[str(operation.get("operationId") or f"{method.upper()} {path}")] = (method, path, operation)
    return found


def spec_problem_types(spec: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """code -> entry of the document's `x-payex-problem-types`."""
    entries = spec.get("x-payex-problem-types") or []
    return {str(entry["code"]): entry for entry in entries if isinstance(entry, Mapping) and "code" in entry}


def _public_methods(cls: type) -> set[str]:
    return {name for name, member in vars(cls).items() if not name.startswith("_") and inspect.isfunction(member)}


def _schema_name(operation: Mapping[str, Any]) -> str | None:
    content = (operation.get("responses") or {}).get("200", {}).get("content", {})
    reference = (content.get("application/json") or {}).get("schema", {}).get("$ref", "")
    return str(reference).rsplit("/", 1)[-1] or None


def _operation_messages(spec: Mapping[str, Any]) -> Iterator[str]:
    operations = spec_operations(spec)
    for operation_id, (method, path, operation) in sorted(operations.items()):
        endpoint = ENDPOINTS.get(operation_id)
        if endpoint is None:
            yield f"operation {operation_id} ({method.upper()} {path}) has no facade method in the overlay"
            continue
        if method != "get":
            yield f"operation {operation_id} is {method.upper()}, the overlay only sends GET"
        if ROUTE_TEMPLATES.get(operation_id) != path:
            yield f"operation {operation_id}: overlay route template {ROUTE_TEMPLATES.get(operation_id)!r} != {path!r}"
        schema = _schema_name(operation)
        for kind, model in (("attrs", endpoint.model), ("strict", endpoint.exact_model)):
            if schema != model.__name__:
                yield f"operation {operation_id}: 200 schema {schema!r} but the overlay returns {kind} {model.__name__}"
        yield from _signature_messages(operation_id, endpoint.method_name, endpoint.parameters)
    for operation_id in sorted(set(ENDPOINTS) - set(operations)):
        yield f"overlay method {ENDPOINTS[operation_id].method_name} calls {operation_id}, which the spec lacks"
    for operation_id in sorted(set(ROUTE_TEMPLATES) - set(operations)):
        yield f"overlay route template {ROUTE_TEMPLATES[operation_id]!r} ({operation_id}) has no spec operation"
    expected = {endpoint.method_name for endpoint in ENDPOINTS.values()}
    for cls in FACADE_CLASSES:
        for name in sorted(_public_methods(cls) - NON_OPERATION_METHODS - expected):
            yield f"{cls.__name__}.{name} is public but stands for no spec operation"


def _signature_messages(operation_id: str, method_name: str, parameters: tuple[str, ...]) -> Iterator[str]:
    for cls in FACADE_CLASSES:
        method: Callable[..., Any] | None = getattr(cls, method_name, None)
        if method is None:
            yield f"operation {operation_id}: {cls.__name__}.{method_name} is missing"
            continue
        arguments = tuple(name for name in inspect.signature(method).parameters if name not in {"self", "timeout"})
        if arguments != parameters:
            yield f"operation {operation_id}: {cls.__name__}.{method_name}{arguments} != path parameters {parameters}"


def _problem_messages(spec: Mapping[str, Any]) -> Iterator[str]:
    recorded = spec_problem_types(spec)
    for code, entry in sorted(recorded.items()):
        cls = PROBLEM_TYPES.get(code)
        if cls is None:
            yield f"problem type {code} (HTTP {entry.get('status')}) has no exception class in the overlay"
            continue
        for field, overlay_value in (("status", cls.problem_status), ("typecode", cls.problem_type)):
            if overlay_value != entry.get(field):
                yield f"problem type {code}: {cls.__name__} {field} {overlay_value!r}, spec {entry.get(field)!r}"
    for code in sorted(set(PROBLEM_TYPES) - set(recorded)):
        yield f"exception class {PROBLEM_TYPES[code].__name__} maps problem type {code}, which the spec lacks"


def overlay_alignment(spec: Mapping[str, Any]) -> list[str]:
    """Every mismatch between the overlay and the document: operations, facade methods, routes, problem types."""
    return [*_operation_messages(spec), *_problem_messages(spec)]
