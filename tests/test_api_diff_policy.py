"""The API diff's verdict policy (docs/api-diff-policy.md): one small pair of documents per rule.

Most rules are checked on our spec-level findings weighed by the policy, without optic or the generators; the
pairs that need optic or the whole command are at the end.
"""

from __future__ import annotations

import copy
import datetime
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import griffe
import pytest

from pipeline import api_diff
from pipeline._api_diff_optic import optic_findings, run_optic
from pipeline._api_diff_policy import python_policy, spec_policy
from pipeline._api_diff_python import python_findings
from pipeline._api_diff_report import Finding
from pipeline._api_diff_spec import collapse_media_types, resolve_refs, spec_findings, with_shared_parameters
from pipeline._spec_document import SpecFetchError, dump_snapshot, normalize
from pipeline.fetch_spec import build_snapshot
from tests._prism import ROOT

Document = dict[str, Any]
TODAY = datetime.date(2026, 12, 1)
PETS = "/pets/{petId}"
OPERATION = "/paths/~1pets~1{petId}/get"


def _document(operation: Document, *, path_parameters: list[Document] | None = None, **extra: Any) -> Document:
    """A one-operation document: ``GET /pets/{petId}`` with the given body (parameters default to petId)."""
    body = {"parameters": [_pet_id()], "responses": {"200": {"description": "ok"}}, **operation}
    item: Document = {"get": body}
    if path_parameters is not None:
        item = {
            "parameters": path_parameters,
            "get": {key: value for key, value in body.items() if key != "parameters"},
        }
    return {"openapi": "3.0.3", "info": {"title": "Pets", "version": "1"}, "paths": {PETS: item}, **extra}


def _pet_id(schema: Document | None = None) -> Document:
    return {"name": "petId", "in": "path", "required": True, "schema": schema or {"type": "string"}}


def _json_body(schema: Document, *, required: bool = False) -> Document:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def _response(schema: Document, *media_types: str) -> Document:
    content = {media: {"schema": schema} for media in media_types or ("application/json",)}
    return {"200": {"description": "ok", "content": content}}


def _levels(old: Document, new: Document, *extra: Finding) -> dict[str, str]:
    """change -> level of our spec-level findings (and ``extra`` ones, as optic would give) under the policy."""
    findings = spec_findings(old, new) + list(extra)
    judged = spec_policy(collapse_media_types(findings), resolve_refs(with_shared_parameters(old)), TODAY)
    return {finding.change: finding.severity for finding in judged}


def _property(schema: Document) -> Document:
    return {"type": "object", "properties": {"name": schema}}


@pytest.mark.parametrize(
    ("before", "after", "change", "request_level", "response_level"),
    [
        ({"maxLength": 20}, {"maxLength": 10}, "maxLength decreased: 20 → 10", "error", "info"),
        ({"maxLength": 10}, {"maxLength": 20}, "maxLength increased: 10 → 20", "info", "warning"),
        ({"minLength": 1}, {"minLength": 3}, "minLength increased: 1 → 3", "error", "info"),
        ({}, {"maxLength": 5}, "maxLength set: 5", "warning", "info"),
        ({"maxLength": 5}, {}, "maxLength removed (was 5)", "info", "warning"),
        ({}, {"pattern": "^[a-z]+$"}, "pattern added: `^[a-z]+$`", "warning", "info"),
        ({"pattern": "^a"}, {"pattern": "^b"}, "pattern changed: `^a` → `^b`", "warning", "warning"),
        ({"pattern": "^a"}, {}, "pattern removed (was `^a`)", "info", "warning"),
    ],
)
def test_string_bounds_and_patterns_by_direction(
    before: Document, after: Document, change: str, request_level: str, response_level: str
) -> None:
    old_schema, new_schema = _property({"type": "string", **before}), _property({"type": "string", **after})
    request = _levels(
        _document({"requestBody": _json_body(old_schema)}), _document({"requestBody": _json_body(new_schema)})
    )
    assert request == {change: request_level}
    response = _levels(_document({"responses": _response(old_schema)}), _document({"responses": _response(new_schema)}))
    assert response == {change: response_level}


def test_numeric_bounds_of_a_query_parameter() -> None:
    def with_limit(schema: Document) -> Document:
        return _document({"parameters": [_pet_id(), {"name": "limit", "in": "query", "schema": schema}]})

    old = with_limit({"type": "integer", "minimum": 1, "maximum": 100})
    new = with_limit({"type": "integer", "minimum": 5, "maximum": 50})
    assert _levels(old, new) == {"minimum increased: 1 → 5": "error", "maximum decreased: 100 → 50": "error"}


def test_request_body_became_required_and_media_type_removed() -> None:
    schema = _property({"type": "string"})
    old = _document(
        {"requestBody": {"content": {"application/json": {"schema": schema}, "text/xml": {"schema": schema}}}}
    )
    new = _document({"requestBody": _json_body(schema, required=True)})
    assert _levels(old, new) == {
        "request body became required": "error",
        "request media type removed: `text/xml`": "error",
    }
    assert _levels(new, old) == {
        "request body became optional": "info",
        "request media type added: `text/xml`": "info",
    }


def test_removed_response_media_type_is_one_row_naming_it() -> None:
    schema = _property({"type": "string"})
    old = _document({"responses": _response(schema, "application/json", "text/plain")})
    new = _document({"responses": _response(schema, "application/json")})
    inside = Finding(  # what optic says of each property under the removed media type
        "spec",
        "cannot remove response property 'name'",
        "",
        True,
        "optic",
        "removed",
        pointer=OPERATION + "/responses/200/content/text~1plain/schema/properties/name",
    )
    judged = spec_policy([*spec_findings(old, new), inside], resolve_refs(old), TODAY)
    assert [(f.change, f.where, f.severity, f.consequences) for f in judged] == [
        ("response media type removed: `text/plain`", "response 200", "error", 1)
    ]


def test_response_enum_values_removed_and_added() -> None:
    def with_kind(values: list[str]) -> Document:
        return _document({"responses": _response(_property({"type": "string", "enum": values}))})

    assert _levels(with_kind(["cat", "dog"]), with_kind(["cat"])) == {"enum values removed: 'dog'": "info"}
    assert _levels(with_kind(["cat"]), with_kind(["cat", "dog"])) == {"enum values added: 'dog'": "warning"}
    request = _document({"requestBody": _json_body(_property({"type": "string", "enum": ["cat", "dog"]}))})
    narrowed = copy.deepcopy(request)
    narrowed["paths"][PETS]["get"]["requestBody"]["content"]["application/json"]["schema"]["properties"]["name"][
        "enum"
    ] = ["cat"]
    assert _levels(request, narrowed) == {"enum values removed: 'dog'": "error"}


def test_path_item_parameters_are_compared_like_operation_ones() -> None:
    old = _document({}, path_parameters=[_pet_id({"type": "string", "format": "uuid"})])
    new = _document({}, path_parameters=[_pet_id({"type": "integer", "format": "int64"})])
    findings = spec_findings(old, new)
    assert [(f.change, f.where, f.breaking) for f in findings] == [
        ("type changed: string (uuid) → integer (int64)", "path parameter `petId`", True)
    ]
    moved = _document({"parameters": [_pet_id({"type": "string", "format": "uuid"})]})
    assert not spec_findings(old, moved), "a parameter moved from the path item to the operation is the same"
    pushed = with_shared_parameters(old)
    assert pushed["paths"][PETS]["get"]["parameters"] == [_pet_id({"type": "string", "format": "uuid"})]


def _removal(pointer: str) -> Finding:
    return Finding("spec", "cannot remove", "", True, "optic", "removed", pointer=pointer)


@pytest.mark.parametrize(
    ("marks", "level"),
    [
        ({}, "error"),
        ({"deprecated": True}, "info"),
        ({"deprecated": True, "x-sunset": "2026-06-30"}, "info"),
        ({"deprecated": True, "x-sunset": "2027-06-30"}, "error"),
        ({"deprecated": True, "x-sunset": "soon"}, "error"),
    ],
)
def test_removing_an_operation_by_deprecation_and_sunset(marks: Document, level: str) -> None:
    old = _document(marks)
    new = {**old, "paths": {}}
    assert _levels(old, new, _removal(OPERATION)) == {"cannot remove": level}


@pytest.mark.parametrize(("status", "level"), [("200", "error"), ("400", "warning"), ("409", "warning")])
def test_removing_a_response_by_status(status: str, level: str) -> None:
    old = _document({"responses": {"200": {"description": "ok"}, "400": {"description": "bad"}}})
    assert _levels(old, old, _removal(f"{OPERATION}/responses/{status}")) == {"cannot remove": level}


def test_security_added_where_there_was_none_and_unused_scheme_removed() -> None:
    schemes = {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}, "old": {"type": "http", "scheme": "basic"}}
    old = _document({}, components={"securitySchemes": schemes})
    secured = _document({"security": [{"key": []}]}, components={"securitySchemes": {"key": schemes["key"]}})
    assert _levels(old, secured) == {
        "security requirement changed: none → key": "error",
        "security scheme removed": "info",
    }
    unsecured = _document({}, components={"securitySchemes": {"old": schemes["old"]}})
    assert _levels(secured, unsecured)["security scheme removed"] == "error", "an operation of OLD used it"


def _module(code: str) -> griffe.Module:
    module = griffe.visit("api", filepath=Path("api.py"), code=code)
    assert isinstance(module, griffe.Module)
    return module


def test_python_parameter_widened_is_not_breaking() -> None:
    old = _module("class GroupView: ...\ndef sync(*, body: GroupView) -> None: ...\n")
    new = _module("class GroupView: ...\ndef sync(*, body: GroupView | Unset = UNSET) -> None: ...\n")
    changes = {(f.change, f.breaking) for f in python_findings(old, new)}
    assert ("parameter `body` type widened: `GroupView` → `GroupView | Unset`", False) in changes
    assert not [change for change, breaking in changes if breaking]
    old_limit = _module("def sync(*, limit: int | Unset = UNSET) -> None: ...\n")
    new_limit = _module("def sync(*, limit: float | Unset = UNSET) -> None: ...\n")
    assert [(f.change, f.breaking) for f in python_findings(old_limit, new_limit)] == [
        ("parameter `limit` type widened: `int | Unset` → `float | Unset`", False)
    ]
    old_model, new_model = _module("class Pet:\n    name: str\n"), _module("class Pet:\n    name: str | Unset\n")
    assert [(f.change, f.severity) for f in python_findings(old_model, new_model)] == [
        ("type widened: `str` → `str | Unset`", "warning")
    ], "code reading it may meet UNSET"


def test_python_level_not_comparable_when_neither_side_generates() -> None:
    side = api_diff.Input("x.yaml", b"", {}, "openapi 3.0.3")
    findings, note = api_diff._python_level(side, side, "reason A", "reason B")
    assert findings == []
    assert note == "Python API not comparable: neither OLD nor NEW can be generated, OLD: reason A; NEW: reason B"


def _encoded(document: Document) -> bytes:
    return json.dumps(document).encode()


def test_lenient_reading_repairs_what_does_not_prevent_diffing() -> None:
    document = _document({"parameters": [{"name": "petId", "in": "path", "schema": {"type": "string"}}]})
    document["paths"]["/owners/{ownerId}"] = {"get": {"responses": {"200": {"description": "ok"}}}}
    document["paths"][PETS]["get"]["parameters"].append(
        {"name": "q", "in": "query", "schema": {"type": "string", "pattern": r"^\p{L}+$"}}
    )
    snapshot = build_snapshot(_encoded(document), lenient=True)
    assert set(snapshot.warnings) == {
        "path parameter 'ownerId' of $.paths['/owners/{ownerId}'].get is not declared: read as a required string",
        "path parameter 'petId' at $.paths['/pets/{petId}'].get.parameters[0] is not marked required: read as required",
    }
    with pytest.raises(
        SpecFetchError, match=r"path parameter 'ownerId' of \$\.paths\['/owners/\{ownerId\}'\]\.get is not"
    ):
        build_snapshot(_encoded(document))  # fetch_spec stays strict on path parameters ...
    document["paths"][PETS]["get"]["parameters"][0]["required"] = True
    del document["paths"]["/owners/{ownerId}"]
    assert not build_snapshot(_encoded(document)).warnings  # ... and reads an ECMA-262 pattern too


def test_refusal_wording_does_not_depend_on_the_schema_validator_loaded_first() -> None:
    from openapi_spec_validator.schemas import openapi_v30_schema_validator  # noqa: PLC0415 - the process-wide one

    assert openapi_v30_schema_validator.iter_errors  # loaded now: jsonschema-rs where installed (schemathesis)
    test_refusal_names_the_full_json_path()


def test_refusal_names_the_full_json_path() -> None:
    document = _document({"responses": {"200": {"description": "ok", "content": {"application/json": []}}}})
    with pytest.raises(SpecFetchError, match=r"at \$\.paths\['/pets/\{petId\}'\]\.get\.responses\['200'\]\.content"):
        build_snapshot(_encoded(document), lenient=True)
    undescribed = _document({"responses": {"200": {}}})
    assert build_snapshot(_encoded(undescribed), lenient=True).warnings == (
        "response at $.paths['/pets/{petId}'].get.responses['200'] has no description: read as empty",
    )


# The whole command on foreign documents: the working tree's overlay fits neither, which is not NEW's fault.


def _run(tmp_path: Path, cache: Path, old: Document, new: Document, *options: str) -> tuple[int, dict[str, Any]]:
    paths = []
    for name, document in (("old.yaml", old), ("new.yaml", new)):
        (tmp_path / name).write_bytes(dump_snapshot(normalize(document)))
        paths.append(str(tmp_path / name))
    report = tmp_path / "r.json"
    arguments = [*paths, "--markdown", str(tmp_path / "r.md"), "--json", str(report), "--cache-dir", str(cache)]
    code = api_diff.main([*arguments, *options])
    return code, json.loads(report.read_text())


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("api-diff-policy")


def test_foreign_documents_verdict_from_errors_only(
    tmp_path: Path, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = _property({"type": "string", "maxLength": 20})
    old = _document({"requestBody": _json_body(schema), "responses": _response(_property({"type": "string"}))})
    new = copy.deepcopy(old)
    new["paths"][PETS]["get"]["requestBody"]["content"]["application/json"]["schema"]["properties"]["name"][
        "pattern"
    ] = "^[a-z]+$"
    code, report = _run(tmp_path, cache, old, new)
    capsys.readouterr()
    assert not [row for row in report["findings"] if row["level"] == "stale"], "stale in OLD too: not NEW's doing"
    assert any("select nothing in OLD either" in note for note in report["notes"])
    rows = [(row["change"], row["severity"]) for row in report["findings"] if row["level"] == "spec"]
    assert rows == [("pattern added: `^[a-z]+$`", "warning")]
    assert (code, report["breaking"], report["warnings"]) == (0, 0, 1)
    code, _ = _run(tmp_path, cache, old, new, "--fail-on", "warning")
    assert code == 1
    capsys.readouterr()


def test_python_module_of_an_operation_removed_after_its_sunset_is_info() -> None:
    module = Finding("python", "module removed", "`api`", True, "griffe", "object_removed", scope="default")
    retired = Finding("spec", "cannot remove", "", False, "optic", "removed", pointer=OPERATION, severity="info")
    assert [(f.breaking, f.severity) for f in python_policy([module], [retired])] == [(False, "info")]
    removed = replace(retired, breaking=True, severity="error")
    assert python_policy([module], [removed]) == [module]


def test_optic_rows_on_path_item_parameters_name_the_parameter(tmp_path: Path) -> None:
    old = _document({"parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}]})
    old["paths"][PETS] = {"parameters": [_pet_id()], **old["paths"][PETS]}
    new = copy.deepcopy(old)
    new["paths"][PETS]["parameters"].append({"name": "X-Tenant", "in": "header", "required": True, "schema": {}})
    old_path, new_path = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old_path.write_bytes(dump_snapshot(with_shared_parameters(old)))
    new_path.write_bytes(dump_snapshot(with_shared_parameters(new)))
    output = run_optic(old_path, new_path, ROOT)
    resolved = [resolve_refs(with_shared_parameters(document)) for document in (old, new)]
    findings = optic_findings(output, *resolved)
    assert [(f.change, f.where) for f in findings] == [
        ("cannot add required header parameter X-Tenant to an existing operation", "header parameter `X-Tenant`")
    ]


def test_a_response_left_without_a_body_is_an_error() -> None:
    old = _document({"responses": _response(_property({"type": "string"}))})
    new = _document({"responses": {"200": {"description": "ok"}}})
    assert _levels(old, new) == {"response media type removed: `application/json`": "error"}


def test_response_header_removed() -> None:
    headers = {"X-Rate": {"required": True, "schema": {"type": "integer"}}, "X-Trace": {"schema": {"type": "string"}}}
    old = _document({"responses": {"200": {"description": "ok", "headers": headers}}})
    new = _document({"responses": {"200": {"description": "ok"}}})
    assert _levels(old, new) == {
        "required response header removed: `X-Rate`": "error",
        "response header removed: `X-Trace`": "warning",
    }


@pytest.mark.parametrize(
    ("before", "after", "level"),
    [
        ([{"oauth": ["read"]}], [{"oauth": ["read", "write"]}], "error"),
        ([{"oauth": ["read", "write"]}], [{"oauth": ["read"]}], "info"),
        ([{"oauth": ["read"]}], [{"oauth": ["read"]}, {"key": []}], "info"),
        ([{"oauth": ["read"]}], [], "info"),
    ],
)
def test_security_scopes(before: list[Document], after: list[Document], level: str) -> None:
    components: Document = {"securitySchemes": {"oauth": {"type": "oauth2", "flows": {}}, "key": {"type": "http"}}}
    old = _document({"security": before}, components=components)
    new = _document({"security": after}, components=components)
    assert [severity for change, severity in _levels(old, new).items() if change.startswith("security")] == [level]


def test_request_type_generalized_is_info() -> None:
    def with_limit(schema: Document) -> Document:
        return _document({"parameters": [_pet_id(), {"name": "limit", "in": "query", "schema": schema}]})

    assert _levels(with_limit({"type": "integer"}), with_limit({"type": "number"})) == {
        "type generalized: integer → number": "info"
    }
    assert _levels(with_limit({"type": "string", "format": "uuid"}), with_limit({"type": "string"})) == {
        "type generalized: string (uuid) → string": "info"
    }
    assert _levels(with_limit({"type": "number"}), with_limit({"type": "integer"})) == {
        "type changed: number → integer": "error"
    }
