"""Our spec-level checks of the API diff, and the JSON-pointer helpers they share with the optic reader.

They cover what optic misses (enum values, formats, nullability, renamed path parameters, operationIds, problem
types, servers, security, provenance) and re-check a few things optic flags. They compare the documents operation
by operation with local ``$ref`` resolved, as optic does, so a finding of ours at the same place and of the same
kind as one of optic's is merged into it as its detail.

An operation is identified by its method and path template (``GET /billing/invoice/v1/{ownerNo}/invoices``),
never by its operationId: upstream may name its operations differently, or not at all, from one document to
the next; a changed operationId is a finding of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pipeline._api_diff_report import Finding, code_span

__all__ = [
    "HTTP_METHODS",
    "Operation",
    "child",
    "collapse_media_types",
    "describe",
    "hint_renames",
    "lookup",
    "media_free",
    "merge_findings",
    "operation_key",
    "operation_label",
    "operations",
    "place",
    "provenance_findings",
    "resolve_refs",
    "spec_findings",
    "split",
    "type_change",
]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_TEMPLATE_PARAMETER = re.compile(r"\{([^}/]*)\}")
_MAX_DEPTH = 64
_FIELD_SUFFIXES = {"items": "[]", "additionalProperties": ".*"}
_REJECT_UNKNOWN = "models generated from OLD reject values they do not know"
_TYPE_CATEGORIES = frozenset({"type", "type-generalized", "format", "nullable"})
_SAID_BY_OPTIC = frozenset(
    {
        "new required parameter",
        "optional parameter became required",
        "property became required",
        "required property became optional",
    }
)
Document = Mapping[str, Any]


@dataclass(frozen=True)
class Operation:
    """An operation of a document whose ``$ref`` are resolved."""

    method: str
    path: str
    pointer: str
    operation_id: str
    """The operationId, empty when the document gives none."""
    body: Mapping[str, Any]

    @property
    def label(self) -> str:
        """How the report names the operation: its method and path template."""
        return operation_label(self.method, self.path)


def operation_key(method: str, path: str) -> tuple[str, str]:
    """What two documents' operations are matched by: the method and the path with parameter names blanked."""
    return method.lower(), _shape(path)


def operation_label(method: str, path: str) -> str:
    """``GET /a/{b}``: an operation's identity, whatever its operationId."""
    return f"{method.upper()} {path}"


def child(pointer: str, *tokens: str | int) -> str:
    """``pointer`` extended by ``tokens``, escaped as JSON pointer tokens."""
    return pointer + "".join("/" + str(token).replace("~", "~0").replace("/", "~1") for token in tokens)


def split(pointer: str) -> list[str]:
    """The unescaped tokens of a JSON pointer."""
    if not pointer.startswith("/"):
        return []
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer[1:].split("/")]


def place(pointer: str) -> str:
    """A pointer with path-template parameter names blanked, so a renamed path parameter keeps its place."""
    tokens = split(pointer)
    if len(tokens) >= 2 and tokens[0] == "paths":
        tokens[1] = _shape(tokens[1])
    return child("", *tokens)


def resolve_refs(document: Document) -> dict[str, Any]:
    """A copy of the document with every local ``$ref`` replaced by its target (cycles stay ``$ref``)."""

    def walk(node: Any, open_refs: frozenset[str]) -> Any:
        if isinstance(node, Mapping):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/"):
                target = lookup(document, ref[1:])
                if ref in open_refs or target is None:
                    return dict(node)
                return walk(target, open_refs | {ref})
            return {key: walk(value, open_refs) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(value, open_refs) for value in node]
        return node

    resolved: dict[str, Any] = walk(document, frozenset())
    return resolved


def operations(resolved: Document) -> dict[tuple[str, str], Operation]:
    """(method, path shape) -> operation; the shape blanks parameter names: ``/a/{}/b``."""
    found: dict[tuple[str, str], Operation] = {}
    for path, item in (resolved.get("paths") or {}).items():
        if not isinstance(item, Mapping):
            continue
        for method in HTTP_METHODS:
            body = item.get(method)
            if isinstance(body, Mapping):
                operation_id = str(body.get("operationId") or "")
                body = {**body, "parameters": merged_parameters(item, body)}
                found[operation_key(method, path)] = Operation(
                    method, path, child("", "paths", path, method), operation_id, body
                )
    return found


def with_shared_parameters(document: Document) -> dict[str, Any]:
    """A copy of the document whose path items' parameters are pushed down into their operations, so that a
    parameter's pointer (optic's included) names it in its operation."""
    copied: dict[str, Any] = dict(document)
    paths = document.get("paths")
    if not isinstance(paths, Mapping):
        return copied
    pushed: dict[str, Any] = {}
    for path, item in paths.items():
        pushed[path] = item
        if isinstance(item, Mapping) and item.get("parameters"):
            own = {key: value for key, value in item.items() if key != "parameters"}
            for method in HTTP_METHODS:
                if isinstance(item.get(method), Mapping):
                    own[method] = {**item[method], "parameters": merged_parameters(item, item[method])}
            pushed[path] = own
    copied["paths"] = pushed
    return copied


def merged_parameters(item: Mapping[str, Any], operation: Mapping[str, Any]) -> list[Any]:
    """An operation's parameters with those of its path item it does not override, the path item's first (as
    ``_effective.prepare`` pushes them down)."""
    own = [p for p in operation.get("parameters") or [] if isinstance(p, Mapping)]
    declared = {(p.get("in"), p.get("name")) for p in own}
    shared = [p for p in item.get("parameters") or [] if isinstance(p, Mapping)]
    return [*(p for p in shared if (p.get("in"), p.get("name")) not in declared), *own]


def describe(pointer: str, resolved: Document) -> tuple[str, str]:
    """(scope, where) of a pointer: the operation (method and path) and a readable place inside it, e.g.
    ``response 200 · `a.b```."""
    tokens = split(pointer)
    if len(tokens) >= 3 and tokens[0] == "paths" and tokens[2] in HTTP_METHODS:
        item = lookup(resolved, child("", *tokens[:2]))
        body = lookup(resolved, child("", *tokens[:3]))
        body = {**body, "parameters": merged_parameters(item, body)} if isinstance(body, Mapping) else {}
        scope = operation_label(tokens[2], tokens[1])
        rest = tokens[3:]
        if not rest:
            return scope, "operation"
        return scope, _describe_in_operation(rest, body)
    if len(tokens) >= 3 and tokens[:2] == ["components", "schemas"]:
        field = _field_path(tokens[3:])
        return tokens[2], code_span(field) if field else "schema"
    return "", "/".join(tokens) or "document"


def spec_findings(old: Document, new: Document) -> list[Finding]:
    """What our checks find between two documents (not resolved): the gaps optic leaves."""
    old_resolved, new_resolved = resolve_refs(old), resolve_refs(new)
    old_operations, new_operations = operations(old_resolved), operations(new_resolved)
    found: list[Finding] = []
    for key in sorted(old_operations.keys() & new_operations.keys()):
        found += _operation_findings(old_operations[key], new_operations[key])
    found += _security_findings(old_resolved, new_resolved, old_operations, new_operations)
    found = [_with_place(finding, new_resolved) for finding in found]
    found += _problem_type_findings(old, new)
    found += _server_findings(old, new)
    return found


def merge_findings(optic: Sequence[Finding], ours: Sequence[Finding]) -> list[Finding]:
    """Optic's findings, plus ours; one of ours that optic also flags becomes the detail of optic's finding.

    Optic's type-change findings give way to ours at the same place: ours say what the type was and is
    (optic says a property is "not to be expanded"), and whether a client breaks by it.
    """
    typed = {place(f.pointer) for f in ours if f.category in _TYPE_CATEGORIES and f.pointer}
    merged = [f for f in optic if not (f.category == "type" and place(f.pointer) in typed)]
    flagged = {(place(f.pointer), f.category): index for index, f in enumerate(merged) if f.pointer}
    for finding in ours:
        index = flagged.get((place(finding.pointer), finding.category))
        if index is None:
            merged.append(finding)
            continue
        current = merged[index]
        said = {*_SAID_BY_OPTIC, current.change}
        extra = "; ".join(part for part in (finding.change, finding.detail) if part and part not in said)
        merged[index] = replace(current, detail="; ".join(part for part in (current.detail, extra) if part))
    return merged


_MEDIA_TYPE = re.compile(
    r"^(?P<head>(?:response \S+|request body)) (?P<media>\([^)]*\)|[^\s·]+/[^\s·]+)(?P<tail>( · .*)?)$"
)


def media_free(where: str) -> str:
    """A place without its media type(s): ``response 200 text/json · `a``` → ``response 200 · `a```."""
    match = _MEDIA_TYPE.match(where)
    return f"{match['head']}{match['tail']}" if match else where


def collapse_media_types(findings: Sequence[Finding]) -> list[Finding]:
    """One finding for the same change at the same place of several media types (Swashbuckle lists three for
    one schema); its place names the media types when there are several."""
    media: dict[Finding, list[str]] = {}
    first: dict[Finding, Finding] = {}
    for finding in findings:
        key = replace(finding, where=media_free(finding.where), pointer="")
        match = _MEDIA_TYPE.match(finding.where)
        media.setdefault(key, []).append(match["media"] if match else "application/json")
        first.setdefault(key, finding)
    collapsed = []
    for key, finding in first.items():
        kinds = sorted(set(media[key]))
        if len(kinds) > 1:
            head, _, tail = key.where.partition(" · ")
            where = f"{head} ({', '.join(kinds)})" + (f" · {tail}" if tail else "")
            collapsed.append(replace(finding, where=where))
        else:
            collapsed.append(finding)
    return collapsed


def hint_renames(findings: Sequence[Finding], old: Document, new: Document) -> list[Finding]:
    """A removed property with one property of the same type added beside it gets "renamed?" as its detail.

    ``old`` and ``new`` are the documents with ``$ref`` resolved.
    """
    added: dict[str, list[str]] = {}
    for finding in findings:
        parent = finding.pointer.rpartition("/properties/")[0]
        if finding.category == "property-added" and parent:
            added.setdefault(place(parent), []).append(finding.pointer)
    return [_rename_hint(finding, added, old, new) for finding in findings]


def _rename_hint(finding: Finding, added: Mapping[str, list[str]], old: Document, new: Document) -> Finding:
    parent = finding.pointer.rpartition("/properties/")[0]
    removed = lookup(old, finding.pointer) if finding.category == "removed" and parent else None
    if not isinstance(removed, Mapping):
        return finding
    same_type = [
        pointer
        for pointer in added.get(place(parent), [])
        if isinstance(lookup(new, pointer), Mapping) and _type_text(lookup(new, pointer)) == _type_text(removed)
    ]
    if len(same_type) != 1:
        return finding
    hint = f"{code_span(split(same_type[0])[-1])} is added beside it with the same type: renamed?"
    return replace(finding, detail="; ".join(part for part in (finding.detail, hint) if part))


def provenance_findings(old: Document, new: Document) -> list[Finding]:
    """``x-payex-provenance`` moves to or from ``inferred`` of things that both documents have."""
    before, after = _provenance_marks(old), _provenance_marks(new)
    found = []
    for where in sorted(before.keys() & after.keys()):
        old_mark, new_mark = before[where] or "unmarked", after[where] or "unmarked"
        if old_mark != new_mark and "inferred" in (old_mark, new_mark):
            found.append(Finding("provenance", f"{old_mark} → {new_mark}", where, False, "ours", category="provenance"))
    return found


def type_change(old: Any, new: Any) -> str:
    """``type changed: A → B`` of the schemas at one place, nullability included."""
    return f"type changed: {_nullable_type_text(old)} → {_nullable_type_text(new)}"


def _nullable_type_text(schema: Any) -> str:
    if not isinstance(schema, Mapping):
        return "absent"
    return _type_text(schema) + (" | null" if schema.get("nullable") is True else "")


def _shape(path: str) -> str:
    return _TEMPLATE_PARAMETER.sub("{}", path)


def lookup(document: Any, pointer: str) -> Any:
    """The node a JSON pointer reaches in a document, None when it reaches nothing."""
    node = document
    for token in split(pointer):
        if isinstance(node, Mapping) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdecimal() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node


def _describe_in_operation(rest: Sequence[str], body: Mapping[str, Any]) -> str:
    if rest[0] == "parameters" and len(rest) >= 2 and rest[1].isdecimal():
        parameters = body.get("parameters") or []
        index = int(rest[1])
        parameter = parameters[index] if index < len(parameters) and isinstance(parameters[index], Mapping) else {}
        return f"{parameter.get('in', '?')} parameter {code_span(parameter.get('name', index))}"
    if rest[0] == "responses" and len(rest) >= 2:
        text = f"response {rest[1]}"
        if len(rest) >= 4 and rest[2] == "content":
            if rest[3] != "application/json":
                text += f" {rest[3]}"
            field = _field_path(rest[5:] if len(rest) > 4 and rest[4] == "schema" else [])
            if field:
                text += f" · {code_span(field)}"
        return text
    if rest[0] == "requestBody":
        field = _field_path(rest[4:] if len(rest) > 3 and rest[3] == "schema" else [])
        return "request body" + (f" · {code_span(field)}" if field else "")
    return "/".join(rest)


def _field_path(tokens: Sequence[str]) -> str:
    text = ""
    index = 0
    while index < len(tokens):
        keyword = tokens[index]
        if keyword == "properties" and index + 1 < len(tokens):
            text += ("." if text else "") + tokens[index + 1]
            index += 2
        elif keyword in _FIELD_SUFFIXES:
            text += _FIELD_SUFFIXES[keyword]
            index += 1
        elif keyword in ("allOf", "oneOf", "anyOf") and index + 1 < len(tokens):
            index += 2
        else:
            break
    return text


def _with_place(finding: Finding, resolved: Document) -> Finding:
    if finding.where and (finding.scope or not finding.pointer):
        return finding
    scope, where = describe(finding.pointer, resolved)
    return replace(finding, scope=finding.scope or scope, where=finding.where or where)


def _operation_findings(old: Operation, new: Operation) -> Iterator[Finding]:
    scope = new.label
    if old.operation_id != new.operation_id:
        yield Finding(
            "spec",
            f"operationId changed: {old.operation_id or '(none)'} → {new.operation_id or '(none)'}",
            "operationId",
            False,
            "ours",
            category="operation-id",
            scope=scope,
            pointer=child(new.pointer, "operationId"),
            detail="the same operation on the wire; generated names follow the effective operationId",
        )
    old_names, new_names = _TEMPLATE_PARAMETER.findall(old.path), _TEMPLATE_PARAMETER.findall(new.path)
    for old_name, new_name in zip(old_names, new_names, strict=True):
        if old_name != new_name:
            yield Finding(
                "spec",
                f"path parameter renamed: {code_span(old_name)} → {code_span(new_name)}",
                "path",
                False,
                "ours",
                category="path-parameter-renamed",
                scope=scope,
                pointer=new.pointer,
                detail="the URL on the wire is the same, but code names the argument",
            )
    yield from _parameter_findings(old, new)
    yield from _body_findings(old, new)
    old_problems = _string_set(old.body.get("x-payex-problem-types"))
    new_problems = _string_set(new.body.get("x-payex-problem-types"))
    for code in sorted(new_problems - old_problems):
        yield Finding(
            "spec", f"may now answer problem type {code_span(code)}", "problem types", False, "ours", scope=scope
        )
    for code in sorted(old_problems - new_problems):
        yield Finding(
            "spec", f"no longer lists problem type {code_span(code)}", "problem types", False, "ours", scope=scope
        )


def _parameter_findings(old: Operation, new: Operation) -> Iterator[Finding]:
    old_parameters, new_parameters = _parameters(old), _parameters(new)
    for key, (pointer, parameter) in new_parameters.items():
        if key not in old_parameters:
            if parameter.get("required") is True:
                where = f"{parameter.get('in')} parameter {code_span(parameter.get('name'))}"
                yield Finding(
                    "spec",
                    "new required parameter",
                    where,
                    True,
                    "ours",
                    category="parameter-added-required",
                    pointer=pointer,
                )
            continue
        _, before = old_parameters[key]
        was_required, is_required = before.get("required") is True, parameter.get("required") is True
        if was_required != is_required:
            yield Finding(
                "spec",
                "optional parameter became required" if is_required else "required parameter became optional",
                "",
                is_required,
                "ours",
                category="parameter-made-required" if is_required else "parameter-made-optional",
                pointer=pointer,
            )
        yield from _schema_findings(before.get("schema"), parameter.get("schema"), pointer, "request", 0)


def _parameters(operation: Operation) -> dict[tuple[str, str], tuple[str, Mapping[str, Any]]]:
    """(in, name) -> (pointer, parameter); path parameters are keyed by their position in the template."""
    positions = {name: str(index) for index, name in enumerate(_TEMPLATE_PARAMETER.findall(operation.path))}
    found: dict[tuple[str, str], tuple[str, Mapping[str, Any]]] = {}
    for index, parameter in enumerate(operation.body.get("parameters") or []):
        if not isinstance(parameter, Mapping):
            continue
        location, name = str(parameter.get("in")), str(parameter.get("name"))
        key = (location, positions.get(name, name) if location == "path" else name)
        found[key] = (child(operation.pointer, "parameters", index), parameter)
    return found


def _body_findings(old: Operation, new: Operation) -> Iterator[Finding]:
    old_request, new_request = old.body.get("requestBody") or {}, new.body.get("requestBody") or {}
    yield from _request_body_findings(old_request, new_request, new.pointer)
    for media_type in sorted(_content(old_request).keys() & _content(new_request).keys()):
        pointer = child(new.pointer, "requestBody", "content", media_type, "schema")
        old_schema = _content(old_request)[media_type].get("schema")
        yield from _schema_findings(old_schema, _content(new_request)[media_type].get("schema"), pointer, "request", 0)
    old_responses, new_responses = old.body.get("responses") or {}, new.body.get("responses") or {}
    for code in sorted(set(old_responses) & set(new_responses)):
        yield from _header_findings(old_responses[code], new_responses[code], child(new.pointer, "responses", code))
        old_content, new_content = _content(old_responses[code]), _content(new_responses[code])
        for media_type in sorted(old_content.keys() - new_content.keys()):
            yield Finding(
                "spec",
                f"response media type removed: {code_span(media_type)}",
                f"response {code}",
                True,
                "ours",
                "media-type-removed",
                pointer=child(new.pointer, "responses", code, "content", media_type),
                detail="" if new_content else "the response has no body now",
            )
        for media_type in sorted(old_content.keys() & new_content.keys()):
            pointer = child(new.pointer, "responses", code, "content", media_type, "schema")
            old_schema, new_schema = old_content[media_type].get("schema"), new_content[media_type].get("schema")
            yield from _schema_findings(old_schema, new_schema, pointer, "response", 0)


def _header_findings(old: Any, new: Any, pointer: str) -> Iterator[Finding]:
    """Response headers removed: an error when OLD promised it (``required: true``), else a warning."""
    before = old.get("headers") if isinstance(old, Mapping) else None
    after = new.get("headers") if isinstance(new, Mapping) else None
    after = after if isinstance(after, Mapping) else {}
    for name, header in sorted((before if isinstance(before, Mapping) else {}).items()):
        if name not in after:
            required = isinstance(header, Mapping) and header.get("required") is True
            yield Finding(
                "spec",
                f"{'required ' if required else ''}response header removed: {code_span(name)}",
                f"response {split(pointer)[-1]}",
                required,
                "ours",
                "header-removed",
                pointer=child(pointer, "headers", name),
                severity="" if required else "warning",
            )


def _request_body_findings(old: Any, new: Any, operation: str) -> Iterator[Finding]:
    """A request body that became required, and request media types removed or added."""
    pointer = child(operation, "requestBody")
    was_required = isinstance(old, Mapping) and old.get("required") is True
    is_required = isinstance(new, Mapping) and new.get("required") is True
    if is_required and not was_required:
        change = "request body became required" if old else "new required request body"
        yield Finding("spec", change, "request body", True, "ours", "request-body-required", pointer=pointer)
    elif was_required and not is_required:
        change = "request body became optional" if new else "request body removed"
        yield Finding("spec", change, "request body", False, "ours", "request-body-optional", pointer=pointer)
    old_content, new_content = _content(old), _content(new)
    if not (old_content and new_content):
        return
    for removed, media_types in (
        (True, old_content.keys() - new_content.keys()),
        (False, new_content.keys() - old_content.keys()),
    ):
        for media_type in sorted(media_types):
            yield Finding(
                "spec",
                f"request media type {'removed' if removed else 'added'}: {code_span(media_type)}",
                "request body",
                removed,
                "ours",
                "media-type-removed" if removed else "media-type-added",
                pointer=child(pointer, "content", media_type),
            )


def _content(holder: Any) -> dict[str, Mapping[str, Any]]:
    content = holder.get("content") if isinstance(holder, Mapping) else None
    if not isinstance(content, Mapping):
        return {}
    return {str(key): value for key, value in content.items() if isinstance(value, Mapping)}


def _schema_findings(old: Any, new: Any, pointer: str, direction: str, depth: int) -> Iterator[Finding]:
    """Type, format, nullability, enum and required changes of one schema and the schemas inside it."""
    if not isinstance(old, Mapping) or not isinstance(new, Mapping) or depth > _MAX_DEPTH:
        return
    response = direction == "response"
    old_type, new_type = _type_text(old), _type_text(new)
    if old_type != new_type and not response and _generalized(old, new):
        yield Finding(
            "spec", f"type generalized: {old_type} → {new_type}", "", False, "ours", "type-generalized", pointer=pointer
        )
    elif old_type != new_type:
        category = "type" if old.get("type") != new.get("type") else "format"
        detail = "" if category == "type" else "the generated models parse and type the value differently"
        yield Finding(
            "spec", f"type changed: {old_type} → {new_type}", "", True, "ours", category, pointer=pointer, detail=detail
        )
    if bool(old.get("nullable")) != bool(new.get("nullable")):
        now_nullable = bool(new.get("nullable"))
        # A response member that may now be null is a wider answer, not a broken one at this level: the Python
        # level says whether the generated types change. A request member that may no longer be null breaks.
        yield Finding(
            "spec",
            "may now be null" if now_nullable else "may no longer be null",
            "",
            not now_nullable and not response,
            "ours",
            "nullable",
            pointer=pointer,
            detail="code reading it must cope with null" if now_nullable and response else "",
        )
    yield from _enum_findings(old.get("enum"), new.get("enum"), pointer, response)
    yield from _constraint_findings(old, new, pointer)
    old_required, new_required = _string_set(old.get("required")), _string_set(new.get("required"))
    old_properties, new_properties = old.get("properties") or {}, new.get("properties") or {}
    for name in sorted(set(old_properties) & set(new_properties)):
        property_pointer = child(pointer, "properties", name)
        if (name in old_required) != (name in new_required):
            now_required = name in new_required
            yield Finding(
                "spec",
                "property became required" if now_required else "required property became optional",
                "",
                now_required != response,
                "ours",
                "property-required" if now_required else "property-optional",
                pointer=property_pointer,
            )
        yield from _schema_findings(old_properties[name], new_properties[name], property_pointer, direction, depth + 1)
    for name in sorted(set(new_properties) - set(old_properties)):
        if not (name in new_required and not response):  # a new required request member: optic's rule says so
            yield Finding(
                "spec",
                "property added",
                "",
                False,
                "ours",
                "property-added",
                pointer=child(pointer, "properties", name),
            )
    for keyword in ("items", "additionalProperties"):
        yield from _schema_findings(old.get(keyword), new.get(keyword), child(pointer, keyword), direction, depth + 1)
    for keyword in ("allOf", "oneOf", "anyOf"):
        old_parts, new_parts = old.get(keyword), new.get(keyword)
        if isinstance(old_parts, list) and isinstance(new_parts, list) and len(old_parts) == len(new_parts):
            for index, (old_part, new_part) in enumerate(zip(old_parts, new_parts, strict=True)):
                yield from _schema_findings(old_part, new_part, child(pointer, keyword, index), direction, depth + 1)


_UPPER_BOUNDS = ("maxLength", "maximum", "maxItems", "maxProperties")
_LOWER_BOUNDS = ("minLength", "minimum", "minItems", "minProperties")


def _constraint_findings(old: Mapping[str, Any], new: Mapping[str, Any], pointer: str) -> Iterator[Finding]:
    """Bounds (``maxLength``, ``minimum``, ...) and ``pattern`` set, removed, tightened or loosened.

    Whether a change breaks depends on the direction (a request tightened, a response loosened): the
    categories say which way it went and ``_api_diff_policy`` gives each its level.
    """
    for keyword in (*_UPPER_BOUNDS, *_LOWER_BOUNDS):
        before, after = _bound(old, keyword), _bound(new, keyword)
        if before == after:
            continue
        upper = keyword in _UPPER_BOUNDS
        if before is None:
            category, change = "constraint-added", f"{keyword} set: {_number(after)}"
        elif after is None:
            category, change = "constraint-removed", f"{keyword} removed (was {_number(before)})"
        else:
            tightened = after < before if upper else after > before
            category = "constraint-tightened" if tightened else "constraint-loosened"
            verb = "decreased" if after < before else "increased"
            change = f"{keyword} {verb}: {_number(before)} → {_number(after)}"
        yield Finding("spec", change, "", category in _NARROWING, "ours", category, pointer=pointer)
    before_pattern, after_pattern = old.get("pattern"), new.get("pattern")
    if before_pattern != after_pattern:
        if before_pattern is None:
            category, change = "pattern-added", f"pattern added: {code_span(after_pattern)}"
        elif after_pattern is None:
            category, change = "pattern-removed", f"pattern removed (was {code_span(before_pattern)})"
        else:
            category, change = (
                "pattern-changed",
                f"pattern changed: {code_span(before_pattern)} → {code_span(after_pattern)}",
            )
        yield Finding("spec", change, "", False, "ours", category, pointer=pointer)


_NARROWING = frozenset({"constraint-tightened"})


def _bound(schema: Mapping[str, Any], keyword: str) -> float | None:
    value = schema.get(keyword)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _number(value: float | None) -> str:
    return "none" if value is None else f"{value:g}"


def _generalized(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Whether NEW's schema accepts every value OLD's does by its type: ``integer`` → ``number``, a format dropped."""
    same_type = old.get("type") == new.get("type") or (old.get("type"), new.get("type")) == ("integer", "number")
    return same_type and new.get("format") in (None, old.get("format"))


def _enum_findings(old: Any, new: Any, pointer: str, response: bool) -> Iterator[Finding]:
    if old == new:
        return
    if isinstance(old, list) and isinstance(new, list):
        removed = [value for value in old if value not in new]
        added = [value for value in new if value not in old]
        if removed:
            yield Finding(
                "spec", f"enum values removed: {_values(removed)}", "", True, "ours", "enum-removed", pointer=pointer
            )
        if added:
            yield Finding(
                "spec",
                f"enum values added: {_values(added)}",
                "",
                response,
                "ours",
                "enum-added",
                pointer=pointer,
                detail=_REJECT_UNKNOWN if response else "",
            )
    elif isinstance(new, list):
        yield Finding(
            "spec",
            f"now restricted to enum {_values(new)}",
            "",
            not response,
            "ours",
            "enum-introduced",
            pointer=pointer,
        )
    elif isinstance(old, list):
        yield Finding(
            "spec",
            f"enum {_values(old)} dropped: any value allowed",
            "",
            response,
            "ours",
            "enum-dropped",
            pointer=pointer,
            detail=_REJECT_UNKNOWN if response else "",
        )


def _values(values: Sequence[Any]) -> str:
    return ", ".join(repr(value) for value in values)


def _type_text(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    text = "/".join(map(str, kind)) if isinstance(kind, list) else str(kind) if kind is not None else "any"
    return f"{text} ({schema['format']})" if schema.get("format") is not None else text


def _string_set(value: Any) -> set[str]:
    return {str(item) for item in value} if isinstance(value, list) else set()


def _problem_types(document: Document) -> dict[str, tuple[int, Mapping[str, Any]]]:
    entries = document.get("x-payex-problem-types")
    if not isinstance(entries, list):
        return {}
    return {
        str(entry["code"]): (index, entry)
        for index, entry in enumerate(entries)
        if isinstance(entry, Mapping) and "code" in entry
    }


def _problem_type_findings(old: Document, new: Document) -> Iterator[Finding]:
    before, after = _problem_types(old), _problem_types(new)
    for code in sorted(before.keys() - after.keys()):
        index, entry = before[code]
        pointer = child("", "x-payex-problem-types", index)
        where = f"{code_span(code)} (HTTP {entry.get('status')})"
        yield Finding("spec", "problem type removed", where, True, "ours", "problem-type-removed", pointer=pointer)
    for code in sorted(after.keys() - before.keys()):
        index, entry = after[code]
        pointer = child("", "x-payex-problem-types", index)
        where = f"{code_span(code)} (HTTP {entry.get('status')})"
        yield Finding("spec", "problem type added", where, False, "ours", "problem-type-added", pointer=pointer)
    for code in sorted(before.keys() & after.keys()):
        (_, old_entry), (index, new_entry) = before[code], after[code]
        for key in ("status", "typecode"):
            if old_entry.get(key) != new_entry.get(key):
                yield Finding(
                    "spec",
                    f"problem type {key} changed: {old_entry.get(key)!r} → {new_entry.get(key)!r}",
                    f"{code_span(code)}",
                    True,
                    "ours",
                    "problem-type-changed",
                    pointer=child("", "x-payex-problem-types", index, key),
                )


def _server_urls(document: Document) -> list[str]:
    servers = document.get("servers")
    if not isinstance(servers, list):
        return []
    return [str(server["url"]) for server in servers if isinstance(server, Mapping) and "url" in server]


def _server_findings(old: Document, new: Document) -> Iterator[Finding]:
    before, after = _server_urls(old), _server_urls(new)
    for url in before:
        if url not in after:
            yield Finding(
                "spec",
                "server removed",
                f"{code_span(url)}",
                False,
                "ours",
                "server-removed",
                pointer="/servers",
                detail="the generated client takes its base URL from the caller; check configured base URLs",
            )
    for url in after:
        if url not in before:
            yield Finding(
                "spec", "server added", f"{code_span(url)}", False, "ours", "server-added", pointer="/servers"
            )


def _requirements(value: Any) -> set[frozenset[str]]:
    """The alternatives of a security requirement, each the schemes it names and their scopes (``oauth:read``)."""
    if not isinstance(value, list):
        return set()
    return {
        frozenset(
            item
            for name, scopes in entry.items()
            for item in (str(name), *(f"{name}:{scope}" for scope in scopes if isinstance(scopes, list)))
        )
        for entry in value
        if isinstance(entry, Mapping)
    }


def _requirement_text(alternatives: set[frozenset[str]]) -> str:
    return " or ".join(sorted(" + ".join(sorted(names)) or "none" for names in alternatives)) or "none"


def _security_findings(
    old: Document,
    new: Document,
    old_operations: Mapping[tuple[str, str], Operation],
    new_operations: Mapping[tuple[str, str], Operation],
) -> Iterator[Finding]:
    yield from _requirement_change(_requirements(old.get("security")), _requirements(new.get("security")), "", "")
    for key in sorted(old_operations.keys() & new_operations.keys()):
        old_body, new_body = old_operations[key].body, new_operations[key].body
        if "security" not in old_body and "security" not in new_body:
            continue
        before = _requirements(old_body.get("security", old.get("security")))
        after = _requirements(new_body.get("security", new.get("security")))
        yield from _requirement_change(before, after, new_operations[key].label, new_operations[key].pointer)
    old_schemes = (old.get("components") or {}).get("securitySchemes") or {}
    new_schemes = (new.get("components") or {}).get("securitySchemes") or {}
    used = {
        name
        for value in (old.get("security"), *(operation.body.get("security") for operation in old_operations.values()))
        for alternative in _requirements(value)
        for name in alternative
    }
    for name in sorted(set(old_schemes) | set(new_schemes)):
        before_scheme, after_scheme = _scheme_text(old_schemes.get(name)), _scheme_text(new_schemes.get(name))
        if before_scheme == after_scheme:
            continue
        change = (
            "security scheme added"
            if before_scheme is None
            else "security scheme removed"
            if after_scheme is None
            else f"security scheme changed: {before_scheme} → {after_scheme}"
        )
        yield Finding(
            "spec",
            change,
            f"{code_span(name)}",
            before_scheme is not None and name in used,
            "ours",
            "security-scheme",
            pointer=child("", "components", "securitySchemes", name),
            detail="" if name in used or before_scheme is None else "no operation of OLD used it",
        )


def _requirement_change(
    before: set[frozenset[str]], after: set[frozenset[str]], scope: str, pointer: str
) -> Iterator[Finding]:
    if before == after:
        return
    # A client holding the credentials of one of OLD's alternatives (none at all, when OLD had none) breaks unless
    # NEW has an alternative those credentials cover: a scheme or a scope demanded anew breaks, one dropped does not.
    held = before or {frozenset()}
    breaking = any(not any(wanted <= credentials for wanted in after or {frozenset()}) for credentials in held)
    yield Finding(
        "spec",
        f"security requirement changed: {_requirement_text(before)} → {_requirement_text(after)}",
        "security" if scope else "all operations",
        breaking,
        "ours",
        "security-requirement",
        scope=scope,
        pointer=child(pointer, "security"),
    )


def _scheme_text(scheme: Any) -> str | None:
    if not isinstance(scheme, Mapping):
        return None
    parts = [scheme.get(key) for key in ("type", "scheme", "in", "name", "openIdConnectUrl")]
    return "/".join(str(part) for part in parts if part) or "?"


def _provenance_marks(document: Document) -> dict[str, str | None]:
    """Readable place -> ``x-payex-provenance`` (None when absent) of the things that carry one."""
    marks: dict[str, str | None] = {}

    def mark(where: str, node: Any) -> None:
        if isinstance(node, Mapping):
            value = node.get("x-payex-provenance")
            marks[where] = str(value) if value is not None else None

    for url, server in zip(_server_urls(document), document.get("servers") or [], strict=False):
        mark(f"server {code_span(url)}", server)
    for operation in operations(document).values():
        mark(f"operation {code_span(operation.label)}", operation.body)
    components = document.get("components") or {}
    for name, schema in (components.get("schemas") or {}).items():
        mark(f"schema {code_span(name)}", schema)
        properties = schema.get("properties") if isinstance(schema, Mapping) else None
        for property_name, value in (properties or {}).items():
            mark(f"schema {code_span(name)} · {code_span(property_name)}", value)
    for name, parameter in (components.get("parameters") or {}).items():
        mark(f"parameter {code_span(name)}", parameter)
    for name, scheme in (components.get("securitySchemes") or {}).items():
        mark(f"security scheme {code_span(name)}", scheme)
    for code, (_, entry) in _problem_types(document).items():
        mark(f"problem type {code_span(code)}", entry)
    return marks
