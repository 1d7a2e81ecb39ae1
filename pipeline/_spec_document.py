"""In-memory steps on an API document: parse, identify, check references, validate, normalize, dump."""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol
from urllib.parse import unquote

import yaml

try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

Document = dict[str, Any]
InputFormat = Literal["json", "yaml"]

MAX_VALUES = 1_000_000
"""Most values a document may expand to, its YAML aliases or its ``$ref`` s resolved (the committed one: about
3,000): every later step walks the expanded document, so a few kilobytes that double per level would hang it."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and lists, as parsed and once the ``$ref`` s are resolved (the committed one: 14);
below Python's recursion limit, so no later step fails half-way."""
MAX_NAME_LENGTH = 200
"""Longest name (a mapping key, an ``operationId``, a parameter's or a tag's name): names become Python
identifiers, file names and report cells."""

TOP_LEVEL_ORDER = (
    "openapi",
    "info",
    "jsonSchemaDialect",
    "servers",
    "security",
    "tags",
    "paths",
    "webhooks",
    "components",
    "externalDocs",
)
PATH_ITEM_ORDER = (
    "$ref",
    "parameters",
    "summary",
    "description",
    "servers",
    "get",
    "put",
    "post",
    "delete",
    "options",
    "head",
    "patch",
    "trace",
)
COMPONENTS_ORDER = (
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "securitySchemes",
    "links",
    "callbacks",
    "pathItems",
)

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_OPENAPI_VERSION = re.compile(r"3\.[01]\.\d+")
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_YAML_WIDTH = 1 << 30
_UNICODE_BREAKS = frozenset("\x85\u2028\u2029")
_YAML12_NUMBER = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$|0o[0-7]+$|[-+]?\.(?:inf|Inf|INF)$|\.(?:nan|NaN|NAN)$"
)
"""Numbers in YAML 1.2 that YAML 1.1 reads as strings (``1e3``, ``0o17``): the snapshot quotes such strings."""
_MESSAGE_LIMIT = 300
_SHOWN_LIMIT = 60
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})
"""Control, format (bidirectional overrides, zero-width), separator, surrogate, private and unassigned characters."""
_NAMED_VALUES = ("operationId", "name")


class SpecFetchError(Exception):
    """A source that cannot become the committed snapshot; the message is one line for the user."""


@dataclass(frozen=True)
class ParsedDocument:
    """A parsed API document and the syntax it was written in."""

    document: Document
    input_format: InputFormat


@dataclass(frozen=True)
class SpecVersion:
    """What a document declares itself to be: Swagger 2.0, or OpenAPI 3.0.x or 3.1.x."""

    family: Literal["swagger", "openapi"]
    version: str

    def __str__(self) -> str:
        return f"{self.family} {self.version}"


class _ValidationIssue(Protocol):
    """The parts of a jsonschema ValidationError that a message needs."""

    message: str
    json_path: str
    absolute_path: Sequence[str | int]
    context: Sequence[_ValidationIssue]


class _DocumentLoader(_BaseLoader):
    """Safe YAML loader keeping JSON's data model: keys stay the strings written, dates stay strings."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        """Build a mapping whose keys are the scalar keys exactly as written (``200`` stays ``"200"``)."""
        self.flatten_mapping(node)
        mapping: dict[Hashable, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise yaml.constructor.ConstructorError(
                    None, None, "found a mapping key that is not a scalar", key_node.start_mark
                )
            mapping[key_node.value] = self.construct_object(value_node, deep=deep)
        return mapping


_DocumentLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}


class _SnapshotDumper(yaml.SafeDumper):
    """Safe YAML dumper for snapshots: no aliases, indented lists, multi-line strings as literal blocks.

    A string is written plain only when YAML 1.1 and YAML 1.2 readers both read it back as that string.
    """

    def ignore_aliases(self, data: Any) -> bool:
        """Write shared values out in full: a snapshot has no anchors."""
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        """Indent list items under their key."""
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = '"' if _UNICODE_BREAKS.intersection(data) else "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_SnapshotDumper.add_representer(str, _represent_str)
_SnapshotDumper.add_implicit_resolver("tag:yaml.org,2002:float", _YAML12_NUMBER, list("-+.0123456789"))


def parse_document(data: bytes, *, content_type: str | None = None, name: str = "the document") -> ParsedDocument:
    """Parse JSON or YAML bytes into a mapping; refuse HTML pages and anything that is not a mapping.

    ``name`` (a URL or a path) names the document in messages; a ``.json`` name or a JSON content type
    makes it parse as JSON, as does a body starting with ``{`` or ``[``.
    """
    if _is_html(data, content_type):
        raise SpecFetchError(f"{name} is an HTML page, not an API document (a login portal or an error page?)")
    text = _decode(data, name)
    document: Any
    input_format: InputFormat
    if _declares_json(text, content_type, name):
        document, input_format = _load_json(text, name), "json"
    else:
        document, input_format = load_yaml(text, name), "yaml"
    if not isinstance(document, dict):
        raise SpecFetchError(f"{name} is not an API document: it is {_describe_value(document)}, not a mapping")
    _check_expansion(document, name)
    return ParsedDocument(document, input_format)


def load_yaml(text: str, name: str = "the document") -> Any:
    """Load one YAML document with JSON's data model (string keys, no timestamps)."""
    try:
        return yaml.load(text, Loader=_DocumentLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        problem = f"{_at(exc.problem_mark)}: {exc.problem}" if exc.problem else ""
        context = f" ({exc.context}{_at(exc.context_mark)})" if exc.context else ""
        raise SpecFetchError(f"invalid YAML in {name}{problem}{context}") from None
    except yaml.YAMLError as exc:
        raise SpecFetchError(f"invalid YAML in {name}: {_one_line(str(exc))}") from None
    except RecursionError:
        raise SpecFetchError(f"{name} nests deeper than {MAX_DEPTH} levels") from None


def _at(mark: yaml.Mark | None) -> str:
    return f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""


def detect_version(document: Mapping[str, Any]) -> SpecVersion:
    """Tell Swagger 2.0 from OpenAPI 3.0.x/3.1.x; anything else is refused."""
    if "openapi" in document:
        declared = document["openapi"]
        if isinstance(declared, str) and _OPENAPI_VERSION.fullmatch(declared):
            return SpecVersion("openapi", declared)
        raise SpecFetchError(
            f"not an OpenAPI/Swagger document this pipeline reads: openapi is {declared!r}, expected 3.0.x or 3.1.x"
        )
    if "swagger" in document:
        declared = document["swagger"]
        if declared == "2.0":
            return SpecVersion("swagger", declared)
        raise SpecFetchError(f"not an OpenAPI/Swagger document this pipeline reads: swagger is {declared!r}, not '2.0'")
    raise SpecFetchError("not an OpenAPI/Swagger document: it has no top-level openapi or swagger field")


def iter_refs(node: Any, location: str = "") -> Iterator[tuple[str, str]]:
    """Yield ``(JSON pointer of the referring object, $ref)`` for every string ``$ref`` in the document."""
    for where, mapping in _mappings(node, location):
        ref = mapping.get("$ref")
        if isinstance(ref, str):
            yield where or "/", ref


def check_refs(document: Document) -> None:
    """Refuse any ``$ref`` that is not a local JSON pointer, any local one that does not resolve, and a document
    that resolved would expand past ``MAX_VALUES`` values or ``MAX_DEPTH`` levels."""
    for location, ref in iter_refs(document):
        if ref != "#" and not ref.startswith("#/"):
            raise SpecFetchError(
                f"$ref {_shown(ref)} at {_shown_location(location)} is not a local reference (#/...); "
                "remote and file references are refused"
            )
        if _follow(document, ref) is _NOWHERE:
            raise SpecFetchError(f"$ref {_shown(ref)} at {_shown_location(location)} does not resolve")
    _check_resolved(document)


def check_names(document: Document) -> None:
    """Refuse a name longer than ``MAX_NAME_LENGTH`` or holding a character that acts on a terminal, a Markdown
    report or a file name: control and format characters, line separators, and the backtick (it ends a code span)."""
    for location, mapping in _mappings(document):
        named = [mapping[key] for key in _NAMED_VALUES if isinstance(mapping.get(key), str)]
        for name in (*mapping, *named):
            reason = _unusable(str(name))
            if reason:
                raise SpecFetchError(f"the name {_shown(str(name))} at {_shown_location(location or '/')} {reason}")


def _unusable(name: str) -> str:
    if len(name) > MAX_NAME_LENGTH:
        return f"is longer than {MAX_NAME_LENGTH} characters"
    for char in name:
        if char == "`" or unicodedata.category(char) in _UNSAFE_CATEGORIES:
            return f"holds the character U+{ord(char):04X}, which no name may hold"
    return ""


def _mappings(node: Any, location: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ``(JSON pointer, mapping)`` for every mapping in the document, depth first."""
    if isinstance(node, dict):
        yield location, node
        for key, value in node.items():
            yield from _mappings(value, f"{location}/{_escape_token(str(key))}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _mappings(value, f"{location}/{index}")


def _check_resolved(document: Document) -> None:
    """Count the values of the document as ``_effective.prepare`` and the API diff resolve it (a ``$ref`` inside
    its own target stays a ``$ref``) without expanding it: what a target expands to, for the same open ``$ref`` s,
    is counted once and then added, so a chain of schemas that each reference the next twice costs one walk of the
    chain, not ``2**n``, and is refused at the first level whose count passes ``MAX_VALUES``."""
    counted = 0
    expansions: dict[tuple[str, frozenset[str]], tuple[int, int]] = {}
    """(target, open $refs) -> (values, how many levels of mappings and lists below the first it nests)."""

    def count(values: int, chain: tuple[str, ...]) -> None:
        nonlocal counted
        counted += values
        if counted > MAX_VALUES:
            raise SpecFetchError(
                f"the document expands to more than {MAX_VALUES} values once its $refs are resolved "
                f"(schemas that each reference the next more than once?), along {_shown_chain(chain)}"
            )

    def check_depth(depth: int, chain: tuple[str, ...]) -> None:
        if depth >= MAX_DEPTH:
            raise SpecFetchError(
                f"the document nests deeper than {MAX_DEPTH} levels once its $refs are resolved, "
                f"along {_shown_chain(chain)}"
            )

    def target(ref: str, open_refs: tuple[str, ...], depth: int) -> tuple[int, int]:
        chain, key = (*open_refs, ref), (ref, frozenset(open_refs))
        if key not in expansions:
            expansions[key] = walk(_follow(document, ref), chain, depth)
            return expansions[key]
        values, below = expansions[key]
        count(values, chain)
        if below >= 0:
            check_depth(depth + below, chain)
        return values, below

    def walk(node: Any, open_refs: tuple[str, ...], depth: int) -> tuple[int, int]:
        count(1, open_refs)
        values, below = 1, -1  # a scalar holds no level
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/") and ref not in open_refs:
                values, below = 1 + (resolved := target(ref, open_refs, depth))[0], resolved[1]
            children: Iterable[Any] = node.values()
        elif isinstance(node, list):
            children = node
        else:
            return values, below
        check_depth(depth, open_refs)
        below = max(below, 0)
        for child in children:
            child_values, child_below = walk(child, open_refs, depth + 1)
            values += child_values
            below = max(below, child_below + 1)
        return values, below

    walk(document, (), 0)


@functools.cache
def _pinned_validator(family: str) -> Any:
    """openapi-spec-validator's validator of `family` ("3.0" or "3.1") on python-jsonschema's schema validator.

    It picks jsonschema-rs when that is installed (schemathesis brings it), once per process, whatever loads it
    first: its messages, which are refusals and API-diff rows, would then depend on what else is installed."""
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator  # noqa: PLC0415 - slow
    from openapi_spec_validator.schemas.backend.jsonschema import create_validator  # noqa: PLC0415
    from openapi_spec_validator.schemas.utils import get_schema_content  # noqa: PLC0415

    base = OpenAPIV31SpecValidator if family == "3.1" else OpenAPIV30SpecValidator
    return type(base.__name__, (base,), {"schema_validator": create_validator(dict(get_schema_content(family)))})


def validate(document: Document, version: SpecVersion, *, lenient: bool = False) -> list[str]:
    """Validate an OpenAPI 3.0/3.1 document; the first error becomes a one-line SpecFetchError.

    A schema's ``pattern`` is an ECMA-262 regular expression, which Python's ``re`` cannot judge: patterns are
    not checked. ``lenient`` refuses only what breaks the document's structure; what the semantic checks find
    (an unresolved path parameter, a duplicate operationId, a default that does not fit its schema) is returned
    as warnings, one line each.
    """
    if version.family != "openapi":
        raise ValueError(f"cannot validate {version}: convert it to OpenAPI 3 first")
    validator = _pinned_validator("3.1" if version.version.startswith("3.1.") else "3.0")(_without_patterns(document))
    if not lenient:
        errors = iter(validator.iter_errors())
    else:
        errors = iter(validator.schema_validator.iter_errors(validator.schema))
    error = next(errors, None)
    if error is not None:
        raise SpecFetchError(f"not a valid OpenAPI {version.version} document: {_describe_error(error)}")
    if not lenient:
        return []
    return sorted({_describe_error(issue) for issue in validator.root_validator(validator.schema_path)})


def repair_defects(document: Document) -> tuple[Document, list[str]]:
    """A copy of the document without the defects that do not prevent comparing it, and what was repaired.

    A path parameter not marked ``required: true`` is made required, a template parameter that nothing
    declares is declared as a required string, a declared path parameter the template lacks is dropped, and a
    response without a ``description`` gets an empty one: the warnings name each place by its JSON path.
    """
    repaired: Document = json.loads(json.dumps(document))
    warnings: list[str] = []
    paths = repaired.get("paths")
    for path, item in paths.items() if isinstance(paths, dict) else ():
        if isinstance(item, dict):
            warnings += _repair_path_item(repaired, str(path), item)
    return repaired, warnings


_OPERATION_KEYS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_TEMPLATE_NAME = re.compile(r"\{([^}/]+)\}")


def _repair_path_item(document: Document, path: str, item: dict[str, Any]) -> list[str]:
    warnings: list[str] = []
    template = set(_TEMPLATE_NAME.findall(path))
    base = f"$.paths[{path!r}]"
    shared = _path_parameters(document, item, f"{base}.parameters", template, warnings)
    for method in _OPERATION_KEYS:
        operation = item.get(method)
        if not isinstance(operation, dict):
            continue
        where = f"{base}.{method}"
        declared = shared | _path_parameters(document, operation, f"{where}.parameters", template, warnings)
        for name in sorted(template - declared):
            operation.setdefault("parameters", []).append(
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            )
            warnings.append(f"path parameter {name!r} of {where} is not declared: read as a required string")
        responses = operation.get("responses")
        for code, response in responses.items() if isinstance(responses, dict) else ():
            if isinstance(response, dict) and "$ref" not in response and "description" not in response:
                response["description"] = ""
                warnings.append(f"response at {where}.responses[{code!r}] has no description: read as empty")
    return warnings


def _path_parameters(
    document: Document, holder: dict[str, Any], where: str, template: set[str], warnings: list[str]
) -> set[str]:
    """The names of the path parameters ``holder`` declares, repaired in place."""
    parameters = holder.get("parameters")
    if not isinstance(parameters, list):
        return set()
    names: set[str] = set()
    kept = []
    for index, entry in enumerate(parameters):
        parameter = _local_target(document, entry)
        if not (isinstance(parameter, dict) and parameter.get("in") == "path"):
            kept.append(entry)
            continue
        name = str(parameter.get("name"))
        if name not in template:
            warnings.append(f"path parameter {name!r} at {where}[{index}] is not in the path template: ignored")
            continue
        if parameter.get("required") is not True:
            parameter["required"] = True
            warnings.append(f"path parameter {name!r} at {where}[{index}] is not marked required: read as required")
        names.add(name)
        kept.append(entry)
    holder["parameters"] = kept
    return names


def _local_target(document: Document, node: Any) -> Any:
    ref = node.get("$ref") if isinstance(node, dict) else None
    if not (isinstance(ref, str) and ref.startswith("#/")):
        return node
    target: Any = document
    for raw_token in ref[2:].split("/"):
        token = unquote(raw_token).replace("~1", "/").replace("~0", "~")
        target = target.get(token) if isinstance(target, dict) else None
    return target


def _without_patterns(node: Any) -> Any:
    """The document with every schema's string ``pattern`` blanked: what is validated."""
    if isinstance(node, dict):
        return {
            key: "" if key == "pattern" and isinstance(value, str) else _without_patterns(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_without_patterns(value) for value in node]
    return node


def normalize(document: Mapping[str, Any]) -> Document:
    """Order a document canonically; unchanged subtrees are shared with the input.

    Top-level keys, path items and components sections follow the OpenAPI order, paths, webhooks and
    each components section are sorted by name, ``x-`` keys come last (sorted); every other mapping
    keeps its source order.
    """
    normalized = _ordered(document, TOP_LEVEL_ORDER)
    for key in ("paths", "webhooks"):
        if isinstance(normalized.get(key), Mapping):
            normalized[key] = _sorted_path_items(normalized[key])
    if isinstance(normalized.get("components"), Mapping):
        normalized["components"] = _normalize_components(normalized["components"])
    return normalized


def dump_snapshot(document: Mapping[str, Any]) -> bytes:
    """Dump a (normalized) document as snapshot YAML: same document, same bytes."""
    text = yaml.dump(
        document,
        Dumper=_SnapshotDumper,
        sort_keys=False,
        allow_unicode=True,
        width=_YAML_WIDTH,
        default_flow_style=False,
    )
    if load_yaml(text, "the snapshot") != document:
        raise SpecFetchError("the document does not survive a YAML round trip (NaN or an unusual scalar?)")
    return text.encode("utf-8")


def _is_html(data: bytes, content_type: str | None) -> bool:
    if _media_type(content_type) in _HTML_TYPES:
        return True
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html")) or (head.startswith(b"<") and b"<html" in head)


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecFetchError(f"{name} is not UTF-8 text (bad byte at offset {exc.start})") from None


def _declares_json(text: str, content_type: str | None, name: str) -> bool:
    if text.lstrip().startswith(("{", "[")):
        return True
    media_type = _media_type(content_type)
    return media_type.endswith(("/json", "+json")) or name.lower().split("?")[0].endswith(".json")


def _load_json(text: str, name: str) -> Any:
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise SpecFetchError(f"invalid JSON in {name} at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except ValueError as exc:
        raise SpecFetchError(f"invalid JSON in {name}: {exc}") from None
    except RecursionError:
        raise SpecFetchError(f"{name} nests deeper than {MAX_DEPTH} levels") from None


def _refuse_constant(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON value")


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _describe_value(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a single string"
    return f"a single {type(value).__name__} value"


def _check_expansion(document: Document, name: str) -> None:
    if _expanded_size(document, {}, set(), 0) > MAX_VALUES:
        raise SpecFetchError(f"{name} expands to more than {MAX_VALUES} values (nested YAML aliases?)")


def _expanded_size(node: Any, sizes: dict[int, tuple[int, int]], open_nodes: set[int], depth: int) -> int:
    """The number of values under ``node`` with YAML aliases expanded (each shared node counted once per use);
    refuses a node deeper than ``MAX_DEPTH``."""
    if not isinstance(node, dict | list):
        return 1
    if depth >= MAX_DEPTH:
        raise SpecFetchError(f"the document nests deeper than {MAX_DEPTH} levels")
    key = id(node)
    if key in sizes:
        size, height = sizes[key]
        if depth + height > MAX_DEPTH:
            raise SpecFetchError(f"the document nests deeper than {MAX_DEPTH} levels")
        return size
    if key in open_nodes:
        raise SpecFetchError("the document contains itself (a recursive YAML alias)")
    open_nodes.add(key)
    children = node.values() if isinstance(node, dict) else node
    size = 1 + sum(_expanded_size(child, sizes, open_nodes, depth + 1) for child in children)
    open_nodes.discard(key)
    heights = [sizes[id(child)][1] for child in children if isinstance(child, dict | list)]
    sizes[key] = (size, 1 + max(heights, default=0))
    return size


def _escape_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


_NOWHERE = object()
"""What ``_follow`` returns for a pointer that leads nowhere (a target may be ``None``)."""


def _follow(document: Document, ref: str) -> Any:
    """The node a local ``$ref`` points at, or ``_NOWHERE``."""
    node: Any = document
    tokens = ref[2:].split("/") if ref.startswith("#/") else []
    for raw_token in tokens:
        token = unquote(raw_token).replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdecimal() and int(token) < len(node):
            node = node[int(token)]
        else:
            return _NOWHERE
    return node


def _shown(text: str) -> str:
    """``text`` quoted for a message, cut to a readable length."""
    return repr(text if len(text) <= _SHOWN_LIMIT else text[: _SHOWN_LIMIT - 1] + "…")


def _shown_chain(refs: Sequence[str]) -> str:
    """The ``$ref`` chain being followed, its middle elided past six: one line however long the chain."""
    if not refs:
        return "no $ref"
    shown = [*refs[:3], f"… {len(refs) - 5} more …", *refs[-2:]] if len(refs) > 6 else list(refs)
    return "the $ref chain " + " → ".join(_shown(ref) if not ref.startswith("…") else ref for ref in shown)


def _shown_location(location: str) -> str:
    return location if len(location) <= _MESSAGE_LIMIT else "…" + location[-(_MESSAGE_LIMIT - 1) :]


def _describe_error(error: _ValidationIssue) -> str:
    specific = max(_leaf_errors(error), key=lambda leaf: len(leaf.absolute_path))
    where = f" at {specific.json_path}" if specific.absolute_path else ""
    return _one_line(specific.message) + where


def _leaf_errors(error: _ValidationIssue) -> Iterator[_ValidationIssue]:
    if not error.context:
        yield error
    for child in error.context:
        yield from _leaf_errors(child)


def _one_line(message: str) -> str:
    text = " ".join(message.split())
    return text if len(text) <= _MESSAGE_LIMIT else text[: _MESSAGE_LIMIT - 3] + "..."


def _is_extension(key: object) -> bool:
    return isinstance(key, str) and key.startswith("x-")


def _ordered(mapping: Mapping[Any, Any], order: Iterable[str]) -> dict[Any, Any]:
    known = [key for key in order if key in mapping]
    placed = set(known)
    others = [key for key in mapping if key not in placed and not _is_extension(key)]
    extensions = sorted((key for key in mapping if key not in placed and _is_extension(key)), key=str)
    return {key: mapping[key] for key in (*known, *others, *extensions)}


def _sorted_names(mapping: Mapping[Any, Any]) -> dict[Any, Any]:
    return _ordered(mapping, sorted((key for key in mapping if not _is_extension(key)), key=str))


def _sorted_path_items(items: Mapping[Any, Any]) -> dict[Any, Any]:
    return {
        name: _ordered(item, PATH_ITEM_ORDER) if isinstance(item, Mapping) and not _is_extension(name) else item
        for name, item in _sorted_names(items).items()
    }


def _normalize_components(components: Mapping[Any, Any]) -> dict[Any, Any]:
    normalized = _ordered(components, COMPONENTS_ORDER)
    for name, section in normalized.items():
        if _is_extension(name) or not isinstance(section, Mapping):
            continue
        by_name = {key: section[key] for key in sorted(section, key=str)}
        normalized[name] = _sorted_path_items(by_name) if name == "pathItems" else by_name
    return normalized
