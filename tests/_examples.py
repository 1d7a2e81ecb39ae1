"""The response examples of a spec, as the tests read them."""

from __future__ import annotations

import copy
from typing import Any, NamedTuple

from pipeline.overlay_alignment import spec_operations

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
    """Every example of every response of every operation, in spec order."""
    return [
        ResponseExample(operation_id, status, name, media["schema"]["$ref"].rsplit("/", 1)[1], example["value"])
        for operation_id, (_, _, operation) in spec_operations(spec).items()
        for status, response in operation["responses"].items()
        for media in resolve(spec, response)["content"].values()
        for name, example in media["examples"].items()
    ]


def first_example(spec: dict[str, Any], operation_id: str) -> Any:
    """A copy of the first example of the operation's 200 response."""
    examples = spec_operations(spec)[operation_id][2]["responses"]["200"]["content"]["application/json"]["examples"]
    return copy.deepcopy(next(iter(examples.values()))["value"])
