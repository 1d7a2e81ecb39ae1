"""The effective API document: the upstream document with this project's overlay applied.

    upstream --prepare--> every node reachable from its operation --overlay--> knowledge added by path
             --name the bodies--> components named by the overlay's titles --> validated, normalized

Preparing makes every node reachable by a JSONPath from its operation (method and path), so that the overlay
never needs a name the upstream document chose: parameters declared on a path item are copied into each of its
operations, and local ``$ref`` s are resolved in place (a recursive reference stays one). The components that
nothing references any more are dropped, so the overlay's own components never merge into upstream ones.

After the overlay, each schema that carries a ``title`` becomes the component of that name, and every place it
stood references it: the generators name their classes after the overlay's titles, whatever upstream called
its schemas. Two different schemas with one title are refused.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import unquote

from pipeline._overlay import OverlayResult, StaleOverlayError, apply_overlay
from pipeline._spec_document import Document, SpecFetchError, check_refs, detect_version, normalize, validate

__all__ = ["EffectiveDocumentError", "apply_to_upstream", "build_effective", "prepare"]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_COMPONENT_PREFIX = "#/components/"
_SCHEMA_PREFIX = "#/components/schemas/"
_SCHEMA_MAPS = ("properties", "patternProperties")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
_SCHEMA_VALUES = ("items", "additionalProperties", "not")


class EffectiveDocumentError(SpecFetchError):
    """The upstream document and the overlay do not combine into a valid API document."""


def prepare(upstream: Mapping[str, Any]) -> Document:
    """A copy of ``upstream`` in which every node is reachable from its operation; see the module docstring."""
    document: Document = json.loads(json.dumps(upstream))
    paths = document.get("paths")
    if isinstance(paths, dict):
        for item in paths.values():
            if isinstance(item, dict):
                _push_down_parameters(item)
    kept: set[str] = set()
    resolved = {key: _resolve(value, document, (), kept) for key, value in document.items() if key != "components"}
    components = document.get("components")
    if isinstance(components, dict):
        resolved["components"] = _kept_components(components, document, kept)
    return resolved


def apply_to_upstream(upstream: Mapping[str, Any], overlay: Mapping[str, Any]) -> OverlayResult:
    """The overlay applied to the prepared upstream document; stale actions are reported, not raised."""
    return apply_overlay(prepare(upstream), overlay)


def build_effective(upstream: Mapping[str, Any], overlay: Mapping[str, Any], *, lenient: bool = False) -> Document:
    """The effective document: prepared, overlaid, bodies named by their titles, validated and normalized.

    ``lenient`` validates as ``_spec_document.validate`` does for a document read by the API diff.

    Raises ``StaleOverlayError`` naming every action that selects nothing, ``EffectiveDocumentError`` when the
    result is not a valid OpenAPI document.
    """
    result = apply_to_upstream(upstream, overlay)
    if result.stale:
        raise StaleOverlayError(result.stale)
    document = _name_titled_schemas(result.document)
    try:
        check_refs(document)  # the overlay may add references: the API diff resolves them all
        validate(document, detect_version(document), lenient=lenient)
    except SpecFetchError as exc:
        raise EffectiveDocumentError(f"upstream + overlay is not a valid API document: {exc}") from None
    return normalize(document)


def _push_down_parameters(item: dict[str, Any]) -> None:
    shared = item.pop("parameters", None)
    if not isinstance(shared, list):
        return
    for method in HTTP_METHODS:
        operation = item.get(method)
        if not isinstance(operation, dict):
            continue
        listed = operation.get("parameters")
        own: list[Any] = listed if isinstance(listed, list) else []
        declared = {_parameter_key(parameter) for parameter in own}
        inherited = [parameter for parameter in shared if _parameter_key(parameter) not in declared]
        operation["parameters"] = [*inherited, *own]


def _parameter_key(parameter: Any) -> Any:
    if isinstance(parameter, Mapping):
        return (parameter.get("name"), parameter.get("in")) if "$ref" not in parameter else parameter["$ref"]
    return None


def _lookup(document: Document, ref: str) -> Any:
    node: Any = document
    for token in ref[2:].split("/"):
        key = unquote(token).replace("~1", "/").replace("~0", "~")
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node


def _resolve(node: Any, document: Document, stack: tuple[str, ...], kept: set[str]) -> Any:
    """``node`` with local references replaced by copies of their targets; a reference into itself is kept."""
    if isinstance(node, list):
        return [_resolve(value, document, stack, kept) for value in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        if ref in stack:
            kept.add(ref)
            return dict(node)
        target = _resolve(_lookup(document, ref), document, (*stack, ref), kept)
        extra = {key: value for key, value in node.items() if key != "$ref"}
        return {**target, **extra} if isinstance(target, dict) and extra else target
    return {key: _resolve(value, document, stack, kept) for key, value in node.items()}


def _kept_components(components: dict[str, Any], document: Document, kept: set[str]) -> dict[str, Any]:
    """The security schemes, and the components a recursive reference still points at."""
    result: dict[str, Any] = {}
    if "securitySchemes" in components:
        result["securitySchemes"] = components["securitySchemes"]
    pending = sorted(kept)
    done: set[str] = set()
    while pending:
        ref = pending.pop()
        if ref in done or not ref.startswith(_COMPONENT_PREFIX):
            continue
        done.add(ref)
        section, _, name = ref[len(_COMPONENT_PREFIX) :].partition("/")
        more: set[str] = set()
        result.setdefault(section, {})[name.replace("~1", "/").replace("~0", "~")] = _resolve(
            _lookup(document, ref), document, (ref,), more
        )
        pending.extend(sorted(more - done))
    return result


def _name_titled_schemas(document: Document) -> Document:
    """Move every schema with a ``title`` to ``components.schemas[title]`` and reference it where it stood."""
    named: dict[str, tuple[Any, str]] = {}
    for holder, key, where in _schema_slots(document):
        holder[key] = _lift(holder[key], named, where)
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name, schema in schemas.items():
        if isinstance(schema, dict):
            _lift_children(schema, named, f"#/components/schemas/{name}")
    for name, (schema, _) in named.items():
        if name in schemas and schemas[name] != schema:
            raise EffectiveDocumentError(f"the overlay titles a schema {name!r}, a name the document already uses")
        schemas[name] = schema
    if not schemas:
        del components["schemas"]
    return document


def _lift(schema: Any, named: dict[str, tuple[Any, str]], where: str) -> Any:
    if not isinstance(schema, dict):
        return schema
    _lift_children(schema, named, where)
    title = schema.get("title")
    if not isinstance(title, str) or not title or "$ref" in schema:
        return schema
    if title in named and named[title][0] != schema:
        raise EffectiveDocumentError(
            f"two different schemas are titled {title!r}: at {named[title][1]} and at {where}; "
            "give them one shape or different titles in the overlay"
        )
    named.setdefault(title, (schema, where))
    return {"$ref": _SCHEMA_PREFIX + title.replace("~", "~0").replace("/", "~1")}


def _lift_children(schema: dict[str, Any], named: dict[str, tuple[Any, str]], where: str) -> None:
    for key in _SCHEMA_MAPS:
        if isinstance(schema.get(key), dict):
            schema[key] = {name: _lift(value, named, f"{where}/{key}/{name}") for name, value in schema[key].items()}
    for key in _SCHEMA_LISTS:
        if isinstance(schema.get(key), list):
            schema[key] = [_lift(value, named, f"{where}/{key}/{index}") for index, value in enumerate(schema[key])]
    for key in _SCHEMA_VALUES:
        if isinstance(schema.get(key), dict):
            schema[key] = _lift(schema[key], named, f"{where}/{key}")


def _schema_slots(document: Document) -> Iterator[tuple[dict[str, Any], str, str]]:
    """(holder, key, JSON pointer) of every schema that parameters, headers and media types hold."""
    yield from _slots_in(document.get("paths"), "#/paths")
    components = document.get("components")
    if isinstance(components, dict):
        for section, entries in components.items():
            if section == "schemas" or not isinstance(entries, dict):
                continue
            yield from _slots_in(entries, f"#/components/{section}")


def _slots_in(node: Any, where: str) -> Iterator[tuple[dict[str, Any], str, str]]:
    if isinstance(node, list):
        for index, value in enumerate(node):
            yield from _slots_in(value, f"{where}/{index}")
    elif isinstance(node, dict):
        for key, value in node.items():
            escaped = str(key).replace("~", "~0").replace("/", "~1")
            if key == "schema" and isinstance(value, dict):
                yield node, key, f"{where}/schema"
            elif not str(key).startswith("x-") and key not in ("example", "examples"):
                yield from _slots_in(value, f"{where}/{escaped}")
