"""The response examples of a spec, as the tests read them."""

from __future__ import annotations

import copy
from typing import Any, NamedTuple

from payex_billing_invoice._operations import ENDPOINTS
from pipeline.overlay_alignment import spec_operation

__all__ = ["ResponseExample", "first_example", "resolve", "response_examples"]


class ResponseExample(NamedTuple):
    """One example of one response of one operation."""

    operation_id: str
    status: str
    name: str
    schema_name: str
    value: Any


def resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """`node`, with local `$ref`s followed."""
    while "$ref" in node:
        target: dict[str, Any] = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def response_examples(spec: dict[str, Any]) -> list[ResponseExample]:
    """Every example of every response of every operation the facade calls, found by method and path."""
    return [
        ResponseExample(operation_id, status, name, media["schema"]["$ref"].rsplit("/", 1)[1], example["value"])
        for operation_id in ENDPOINTS
        for status, response in spec_operation(spec, operation_id)["responses"].items()
        for media in resolve(spec, response)["content"].values()
        for name, example in media["examples"].items()
    ]


def first_example(spec: dict[str, Any], operation_id: str) -> Any:
    """A copy of the first example of the operation's 200 response."""
    examples = spec_operation(spec, operation_id)["responses"]["200"]["content"]["application/json"]["examples"]
    return copy.deepcopy(next(iter(examples.values()))["value"])
