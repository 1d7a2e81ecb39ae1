"""Where the hand-written package and an OpenAPI document are out of line, one message per mismatch.

Operations are matched by their method and path template, never by an upstream name.

The contract tests assert that the committed spec gives no message; the API diff reports the messages a new
document gives.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from payex_billing_invoice import (
    PROBLEM_TYPES,
    AsyncBillingInvoiceClient,
    AsyncExactModels,
    AsyncRawResponses,
    BillingInvoiceClient,
    ExactModels,
    RawResponses,
)
from payex_billing_invoice._operations import ENDPOINTS
from payex_billing_invoice._routes import OPERATIONS

__all__ = [
    "FACADE_CLASSES",
    "NON_OPERATION_METHODS",
    "Endpoint",
    "overlay_alignment",
    "spec_operation",
    "spec_operations",
    "spec_problem_types",
]

FACADE_CLASSES: tuple[type, ...] = (
    BillingInvoiceClient,
    AsyncBillingInvoiceClient,
    ExactModels,
    AsyncExactModels,
    RawResponses,
    AsyncRawResponses,
)
NON_OPERATION_METHODS = frozenset({"follow", "invoice_lines", "close"})
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

Endpoint = tuple[str, str]
"""An operation's identity: its HTTP method (upper case) and its path template."""


def spec_operations(spec: Mapping[str, Any]) -> dict[Endpoint, Mapping[str, Any]]:
    """(method, path template) -> operation object, for every operation in the document."""
    found: dict[Endpoint, Mapping[str, Any]] = {}
    for path, item in (spec.get("paths") or {}).items():
        for method in HTTP_METHODS:
            operation = item.get(method) if isinstance(item, Mapping) else None
            if isinstance(operation, Mapping):
                found[(method.upper(), str(path))] = operation
    return found


def spec_operation(spec: Mapping[str, Any], operation_id: str) -> Mapping[str, Any]:
    """The operation the facade calls by ``operation_id``, found by its method and path; KeyError if absent."""
    endpoint = ENDPOINTS[operation_id]
    return spec_operations(spec)[(endpoint.method, endpoint.path_template)]


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


def _parameters(operation: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [parameter for parameter in operation.get("parameters") or [] if isinstance(parameter, Mapping)]


def _operation_messages(spec: Mapping[str, Any]) -> Iterator[str]:
    operations = spec_operations(spec)
    bound = {(endpoint.method, endpoint.path_template): endpoint for endpoint in ENDPOINTS.values()}
    for (method, path), operation in sorted(operations.items()):
        label = f"{method} {path}"
        endpoint = bound.get((method, path))
        if endpoint is None:
            named = operation.get("operationId")
            yield f"operation {label} ({named or 'no operationId'}) has no facade method in the overlay"
            continue
        if operation.get("operationId") != endpoint.operation_id:
            yield (
                f"operation {label}: operationId {operation.get('operationId')!r}, but the facade imports the "
                f"generated module of {endpoint.operation_id!r} (spec/payex.overlay.yaml names the operation)"
            )
        path_parameters = tuple(str(p.get("name")) for p in _parameters(operation) if p.get("in") == "path")
        if path_parameters != OPERATIONS[endpoint.operation_id].parameters:
            sent = OPERATIONS[endpoint.operation_id].parameters
            yield f"operation {label}: path parameters {path_parameters}, the overlay sends {sent}"
        for parameter in _parameters(operation):
            if parameter.get("in") != "path" and parameter.get("required") is True:
                where, name = parameter.get("in"), parameter.get("name")
                yield f"operation {label}: requires {where} parameter {name}, which the facade does not send"
        schema = _schema_name(operation)
        for kind, model in (("attrs", endpoint.model), ("strict", endpoint.exact_model)):
            if schema != model.__name__:
                yield f"operation {label}: 200 schema {schema!r} but the overlay returns {kind} {model.__name__}"
        yield from _signature_messages(label, endpoint.method_name, endpoint.parameters)
    for key, endpoint in sorted(bound.items()):
        if key not in operations:
            yield f"overlay method {endpoint.method_name} calls {key[0]} {key[1]}, which the spec lacks"
    method_names = {endpoint.method_name for endpoint in ENDPOINTS.values()}
    for cls in FACADE_CLASSES:
        for name in sorted(_public_methods(cls) - NON_OPERATION_METHODS - method_names):
            yield f"{cls.__name__}.{name} is public but stands for no spec operation"


def _signature_messages(label: str, method_name: str, parameters: tuple[str, ...]) -> Iterator[str]:
    for cls in FACADE_CLASSES:
        method: Callable[..., Any] | None = getattr(cls, method_name, None)
        if method is None:
            yield f"operation {label}: {cls.__name__}.{method_name} is missing"
            continue
        arguments = tuple(
            name for name in inspect.signature(method).parameters if name not in {"self", "timeout", "extra_headers"}
        )
        if arguments != parameters:
            yield f"operation {label}: {cls.__name__}.{method_name}{arguments} != path parameters {parameters}"


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
