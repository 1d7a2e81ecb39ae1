"""Hypothesis strategies for fuzzing the client: bodies from the spec's own schemas, and hostile ones.

Bodies are built as JSON-like values that may hold `Raw` fragments, then written with `render`, so that a test
controls the exact text of every number (`499.00`, `1e400`, ten thousand digits) and can splice in text that
no encoder writes (`NaN`, unbalanced brackets).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final, NamedTuple

from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

__all__ = [
    "CONTENT_TYPES",
    "ERROR_STATUSES",
    "PROBLEM_STATUSES",
    "SUCCESS_STATUSES",
    "WRONG_KINDS",
    "Position",
    "Raw",
    "amount_texts",
    "arbitrary_bodies",
    "closed",
    "content_types",
    "declared_positions",
    "deep_nesting_texts",
    "huge_number_texts",
    "json_schema",
    "json_values",
    "kind_of",
    "money_texts",
    "nullable",
    "numbers_as_text",
    "problem_bodies",
    "raw_texts",
    "render",
    "replace_at",
    "response_schemas",
    "route_values",
    "spec_bodies",
    "typecode_forms",
    "wrong_values",
]

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Raw:
    """JSON text placed verbatim where a value goes."""

    text: str


def render(value: object) -> str:
    """The JSON text of `value`; `Raw` fragments are copied as they are, everything else as `json.dumps` writes it."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{json.dumps(key)}:{render(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(render(item) for item in value) + "]"
    return json.dumps(value)


def json_schema(node: Any, components: Mapping[str, Any]) -> Any:
    """An OpenAPI 3.0 schema as plain JSON Schema: `$ref`s inlined, `nullable` as a type list, `x-*` dropped.

    `format` is kept on strings only (`date`); on numbers it is OpenAPI's (`double`) and means nothing here.
    """
    if isinstance(node, list):
        return [json_schema(item, components) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return json_schema(components[node["$ref"].rsplit("/", 1)[1]], components)
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key.startswith("x-") or key in {"description", "example", "nullable"}:
            continue
        if key == "format" and node.get("type") != "string":
            continue
        if key == "properties":
            result[key] = {name: json_schema(schema, components) for name, schema in value.items()}
        else:
            result[key] = json_schema(value, components)
    if node.get("nullable") and "type" in node:
        result["type"] = [node["type"], "null"]
    return result


def response_schemas(spec: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The JSON Schema of every operation's 200 `application/json` body, by `operationId`."""
    components = spec["components"]["schemas"]
    schemas: dict[str, dict[str, Any]] = {}
    for item in spec["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and "operationId" in operation:
                body = operation["responses"]["200"]["content"]["application/json"]["schema"]
                schemas[operation["operationId"]] = json_schema(body, components)
    return schemas


def closed(schema: Any) -> Any:
    """`schema` with every declared property required and no other property allowed, at every level."""
    if not isinstance(schema, dict):
        return schema
    result = {key: closed(value) for key, value in schema.items() if key != "properties"}
    if "properties" in schema:
        result["properties"] = {name: closed(value) for name, value in schema["properties"].items()}
        result["required"] = sorted(schema["properties"])
        result["additionalProperties"] = False
    return result


def _types(schema: Mapping[str, Any]) -> list[str]:
    declared = schema.get("type", [])
    return [declared] if isinstance(declared, str) else list(declared)


def kind_of(schema: Mapping[str, Any]) -> str:
    """`date` for a date string, else the schema's JSON type other than `null` (`any` if it declares none)."""
    kinds = [kind for kind in _types(schema) if kind != "null"]
    kind = kinds[0] if len(kinds) == 1 else "any"
    return "date" if kind == "string" and schema.get("format") == "date" else kind


def nullable(schema: Mapping[str, Any]) -> bool:
    """Whether the schema takes `null` (OpenAPI's `nullable: true`, a type list here)."""
    return "null" in _types(schema)


class Position(NamedTuple):
    """A declared member present in a body: where it is, its kind, and whether the spec lets it be null."""

    path: Path
    kind: str
    nullable: bool


money_texts = st.builds(
    lambda units, places: f"{Decimal(units).scaleb(-places):f}",
    st.integers(-(10**12), 10**12),
    st.integers(0, 4),
)
"""Money as an API writes it: `499.00`, `-0.5`, `1200`."""

amount_texts = st.one_of(
    money_texts,
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.integers(-(10**30), 10**30).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
)
"""The text of a finite JSON number, in every form JSON allows (`1E+5`, `-0`, `0.1000000000000000055`)."""


@st.composite
def numbers_as_text(draw: st.DrawFn, value: Any, schema: Any, texts: st.SearchStrategy[str] = amount_texts) -> Any:
    """`value` with every number the schema declares replaced by a `Raw` number text drawn from `texts`."""
    if not isinstance(schema, dict):
        return value
    kind = kind_of(schema)
    if kind == "number" and isinstance(value, int | float) and not isinstance(value, bool):
        return Raw(draw(texts))
    if kind == "object" and isinstance(value, dict):
        properties = schema.get("properties", {})
        return {
            key: draw(numbers_as_text(item, properties[key], texts)) if key in properties else item
            for key, item in value.items()
        }
    if kind == "array" and isinstance(value, list):
        return [draw(numbers_as_text(item, schema.get("items"), texts)) for item in value]
    return value


def spec_bodies(schema: dict[str, Any], *, full: bool = False) -> st.SearchStrategy[Any]:
    """Bodies valid against `schema`, numbers as `Raw` text; `full`: every declared member and nothing else.

    Without `full`, half of them are open (optional members left out, unknown members added).
    """
    values = from_schema(closed(schema)) if full else from_schema(schema) | from_schema(closed(schema))
    return values.flatmap(lambda value: numbers_as_text(value, schema))


def raw_texts(value: Any) -> list[str]:
    """The text of every `Raw` fragment in `value`."""
    if isinstance(value, Raw):
        return [value.text]
    if isinstance(value, Mapping):
        return [text for item in value.values() for text in raw_texts(item)]
    if isinstance(value, list | tuple):
        return [text for item in value for text in raw_texts(item)]
    return []


def declared_positions(value: Any, schema: Any, path: Path = ()) -> list[Position]:
    """Every declared member present in `value`, nested ones included."""
    positions: list[Position] = []
    if not isinstance(schema, dict):
        return positions
    kind = kind_of(schema)
    if kind == "object" and isinstance(value, dict):
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                positions.append(Position((*path, key), kind_of(sub), nullable(sub)))
                positions += declared_positions(value[key], sub, (*path, key))
    elif kind == "array" and isinstance(value, list):
        for index, item in enumerate(value):
            positions += declared_positions(item, schema.get("items"), (*path, index))
    return positions


def replace_at(value: Any, path: Path, replacement: object) -> Any:
    """A copy of `value` with the member at `path` replaced."""
    result = copy.deepcopy(value)
    target = result
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = replacement
    return result


_any_text = st.text(st.characters(exclude_categories=()), max_size=30)


def _json_containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(children, max_size=5) | st.dictionaries(_any_text, children, max_size=5)


json_values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | _any_text, _json_containers, max_leaves=25
)
"""Any JSON value, with `NaN`, `Infinity` and lone surrogates (`\\ud800`) among them."""

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
_containers = st.lists(_scalars, max_size=3) | st.dictionaries(st.text(max_size=8), _scalars, max_size=3)
_WRONG: Final[Mapping[str, st.SearchStrategy[Any]]] = {
    "string": st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _containers,
    "date": st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=30).filter(lambda text: not _DATE.fullmatch(text))
    | _containers,
    "number": st.none() | st.booleans() | st.text(max_size=20) | _containers,
    "integer": st.none()
    | st.booleans()
    | st.floats(allow_nan=False, allow_infinity=False).filter(lambda number: not number.is_integer())
    | st.text(max_size=20)
    | _containers,
    "boolean": st.none() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20) | _containers,
    "array": _scalars | st.dictionaries(st.text(max_size=8), _scalars, max_size=3),
    "object": _scalars | st.lists(_scalars, max_size=3),
}


WRONG_KINDS: Final = frozenset(_WRONG)
"""The kinds `wrong_values` has values for (a member of no declared type takes any value)."""


def wrong_values(kind: str, *, takes_null: bool = False) -> st.SearchStrategy[Any]:
    """JSON values that do not fit a member of this kind (`string`, `date`, `number`, `array`, `object`)."""
    return _WRONG[kind].filter(lambda value: value is not None) if takes_null else _WRONG[kind]


SUCCESS_STATUSES: Final = (200, 201, 202, 203, 206)
ERROR_STATUSES = st.sampled_from([300, 301, 302, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 504]) | st.integers(
    400, 599
)
"""Statuses with a body that are not 2xx (no 1xx, 204 or 304: they have no body on the wire)."""
PROBLEM_STATUSES = st.one_of(
    st.sampled_from([400, 404]), st.sampled_from([401, 403, 409, 422, 429, 500, 503]), st.integers(400, 599)
)
"""4xx and 5xx, the documented problem statuses (400, 404) most often."""

CONTENT_TYPES: Final = (
    None,
    "",
    "application/json",
    "application/json; charset=utf-8",
    "APPLICATION/JSON",
    "application/problem+json",
    "application/vnd.payex.billing+json; version=1",
    "application/json; charset=utf-16",
    "application/json; charset=rot13",
    "application/jsonl",
    "text/json",
    "text/html; charset=utf-8",
    "text/plain",
    "application/octet-stream",
    ";",
    "+json",
)
content_types = st.sampled_from(CONTENT_TYPES) | st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60
)
"""`Content-Type` values (None: no header), right, wrong and garbled."""

_SPECIAL_NUMBERS: Final = (
    "1e400",
    "-1e400",
    "1E+400",
    "1e-400",
    "1e999999999",
    "1e999999999999999999",
    "1e1000000000000000000",
    "1e-9999999999999999999",
    "-0",
    "0e0",
    "1" + "0" * 5000,
    "9" * 4300,
    "9" * 4301,
    "-" + "1" * 5000,
    "0." + "0" * 5000 + "1",
    "1." + "1" * 5000,
    "NaN",
    "-NaN",
    "Infinity",
    "-Infinity",
    "+1",
    "01",
    ".5",
    "1.",
    "0x10",
)
huge_number_texts = st.one_of(
    st.sampled_from(_SPECIAL_NUMBERS),
    st.builds(
        lambda mantissa, exponent: f"{mantissa}e{exponent}",
        st.integers(-(10**6), 10**6),
        st.integers(-400, 400) | st.integers(-(10**25), 10**25) | st.sampled_from([10**18, -(2 * 10**18)]),
    ),
    st.builds(lambda digits, sign: sign + "1" * digits, st.integers(1, 10_000), st.sampled_from(["", "-"])),
)
"""Number-like text: huge, tiny, long, non-finite and malformed."""


@st.composite
def deep_nesting_texts(draw: st.DrawFn) -> str:
    """Deeply nested JSON (closed or not), alone or as a member of an object."""
    depth = draw(st.sampled_from([100, 990, 1_000, 5_000, 100_000]) | st.integers(1, 100_000))
    opening, closing = draw(st.sampled_from([("[", "]"), ('{"a":', "}"), ('[{"items":', "}]")]))
    core = opening * depth + (draw(st.sampled_from(["0", "", "null"])) + closing * depth if draw(st.booleans()) else "")
    member = draw(st.sampled_from([None, "items", "invoiceNo", "navigation", "note"]))
    return core if member is None else f'{{"{member}": {core}}}'


@st.composite
def arbitrary_bodies(draw: st.DrawFn, spec_bodies: st.SearchStrategy[Any]) -> bytes:
    """Bytes a server might send: JSON of any shape, the spec's bodies spoiled, other encodings, random bytes."""
    choice = draw(st.sampled_from(["json", "spec", "spliced", "encoded", "bytes"]))
    if choice == "bytes":
        return draw(st.binary(max_size=2048))
    text = render(draw(json_values if choice == "json" else spec_bodies))
    if choice == "spliced":
        cut = draw(st.integers(0, len(text)))
        return text[:cut].encode() + draw(st.binary(max_size=16)) + text[cut + draw(st.integers(0, 8)) :].encode()
    if choice == "encoded":
        return text.encode(draw(st.sampled_from(["utf-8-sig", "utf-16", "utf-16-be", "utf-32"])))
    return text.encode()


def _casings(name: str) -> st.SearchStrategy[str]:
    """`name` in any mix of upper and lower case ASCII letters."""
    return st.lists(st.booleans(), min_size=len(name), max_size=len(name)).map(
        lambda flags: "".join(char.upper() if flag else char for char, flag in zip(name, flags, strict=True))
    )


def typecode_forms(typecode: str) -> list[str]:
    """The forms a documented typecode is sent in: as a path, a URI, a bare code, upper case."""
    code = typecode.rsplit("/", 1)[1]
    return [typecode, f"https://api.payex.com/{typecode}", code, typecode.upper(), f"/{typecode}/"]


_WRONG_TYPED = st.none() | st.booleans() | st.integers() | st.lists(st.integers(), max_size=2)
_PROBLEM_VALUES: Final[Mapping[str, st.SearchStrategy[Any]]] = {
    "title": st.text(max_size=40) | _WRONG_TYPED,
    "detail": st.text(max_size=80) | _WRONG_TYPED,
    "instance": st.uuids().map(str) | st.text(max_size=40) | _WRONG_TYPED,
    "status": st.integers(-1000, 1000) | st.none() | st.booleans() | st.lists(st.integers(), max_size=2),
    "problems": st.lists(st.dictionaries(st.text(max_size=20), st.text(max_size=30), max_size=2), max_size=4)
    | _WRONG_TYPED
    | st.text(max_size=10),
}


_PROBLEM_MEMBERS: Final = ("type", "title", "status", "detail", "instance", "problems")


@st.composite
def problem_bodies(draw: st.DrawFn, typecodes: Sequence[str]) -> dict[str, Any]:
    """A problem object with randomly cased (and sometimes repeated) members, and a few unrelated ones."""
    members: list[tuple[str, Any]] = []
    documented = st.sampled_from([form for typecode in typecodes for form in typecode_forms(typecode)])
    type_values = st.sampled_from(["documented", "documented", "text", "wrong"]).flatmap(
        lambda kind: documented if kind == "documented" else st.text(max_size=40) if kind == "text" else _WRONG_TYPED
    )
    for name in _PROBLEM_MEMBERS:
        for _ in range(draw(st.sampled_from([1, 1, 2, 0]))):
            values = type_values if name == "type" else _PROBLEM_VALUES[name]
            members.append((draw(_casings(name)), draw(values)))
    unrelated = st.text(max_size=10).filter(lambda key: key.lower() not in _PROBLEM_MEMBERS)
    members += draw(st.lists(st.tuples(unrelated, json_values), max_size=3))
    return dict(draw(st.permutations(members)))


_SPECIAL_SEGMENTS: Final = (
    "",
    ".",
    "..",
    "...",
    "%",
    "%25",
    "%2F",
    "%2e%2e",
    "..%2F",
    "/",
    "a/b",
    "?",
    "#",
    "+",
    " ",
    "\\",
    "\x00",
    "\x7f",
    "\x85",
    "\u2028",
    "\ufeff",
    "\ud800",
    "\udfff",
    "é",
    "😀",
    "603010",
    "+46 70-123 45 67",
)
route_values = st.one_of(
    st.sampled_from(_SPECIAL_SEGMENTS),
    st.text(st.characters(exclude_categories=()), max_size=40),
    st.text(st.characters(exclude_categories=()), min_size=240, max_size=270),
    st.builds(lambda length, char: char * length, st.integers(250, 260), st.sampled_from(["a", "é", "😀", "/"])),
)
"""Strings for route ids: every Unicode character (surrogates and controls too), around the length limit."""
