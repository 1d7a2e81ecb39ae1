"""fetch_spec: sources over HTTP and from files, conversion, normalization, the record, and every refusal."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openapi_spec_validator import OpenAPIV30SpecValidator

from pipeline import fetch_spec
from pipeline._spec_document import MAX_DEPTH, MAX_NAME_LENGTH, MAX_VALUES, check_names
from pipeline.fetch_spec import (
    RECONSTRUCTION_NOTE,
    RawSource,
    SpecFetchError,
    build_record,
    build_snapshot,
    check_refs,
    convert_swagger2,
    default_source,
    dump_snapshot,
    load_source,
    load_yaml,
    normalize,
    parse_document,
    render_record,
    write_snapshot,
)
from tests.pipeline._hostile import VALID, as_bytes, nested, ref_chain, with_name, with_operation_id
from tests.pipeline.conftest import ROOT, LoopbackServer, Route

COMMITTED = ROOT / "spec" / "upstream.yaml"
JS_YAML = ROOT / "node_modules" / ".bin" / "js-yaml"
CONVERTER_PACKAGE = ROOT / "node_modules" / "swagger2openapi" / "package.json"
MINIMAL = VALID
CHAIN = "the $ref chain '#/components/schemas/Invoice' → '#/components/schemas/S0' → '#/components/schemas/S1'"
HTML_PAGE = b"\n<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><form>login</form></body></html>\n"
SWAGGER2: dict[str, Any] = {
    "swagger": "2.0",
    "info": {"title": "Invoices", "version": "1.0"},
    "host": "lf-api.payex.com",
    "basePath": "/billing/invoice/v1",
    "schemes": ["https"],
    "produces": ["application/json"],
    "paths": {
        "/{ownerNo}/invoices/{invoiceNo}": {
            "get": {
                "operationId": "getInvoice",
                "parameters": [
                    {"name": "ownerNo", "in": "path", "required": True, "type": "string"},
                    {"name": "invoiceNo", "in": "path", "required": True, "type": "string"},
                ],
                "responses": {
                    "200": {"description": "The invoice.", "schema": {"$ref": "#/definitions/Invoice"}},
                    "404": {"description": "Not found."},
                },
            }
        }
    },
    "definitions": {
        "Invoice": {
            "type": "object",
            "properties": {"invoiceNo": {"type": "string"}, "invoiceAmount": {"type": "number"}},
        }
    },
}
PRIOR_RECORD: dict[str, Any] = {
    "converter": None,
    "input_format": "yaml",
    "input_version": "openapi 3.0.3",
    "origin": "reconstruction",
    "retrieved": "2026-01-01",
    "sha256": "0" * 64,
    "snapshot_sha256": "1" * 64,
    "source": "spec/openapi.yaml",
}

Setup = Callable[[LoopbackServer, Path], list[str]]


def committed_document() -> dict[str, Any]:
    """The committed spec, freshly parsed."""
    document: dict[str, Any] = load_yaml(COMMITTED.read_text(encoding="utf-8"))
    return document


def as_json(document: Mapping[str, Any]) -> bytes:
    """A document as JSON bytes."""
    return json.dumps(document, indent=2).encode()


def run_cli(*args: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m pipeline.fetch_spec`` from the repository root, without proxies or a preset source."""
    ignored = {"PAYEX_SPEC_SOURCE", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"}
    environment = {name: value for name, value in os.environ.items() if name not in ignored}
    environment.update(env or {})
    command = [sys.executable, "-m", "pipeline.fetch_spec", *args]
    return subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60, check=False)


def files_of(directory: Path) -> dict[str, bytes]:
    """Every file in a directory, by name."""
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def record_of(spec_dir: Path) -> dict[str, Any]:
    """The source record in a spec directory."""
    record: dict[str, Any] = json.loads((spec_dir / "source.json").read_text(encoding="utf-8"))
    return record


def snapshot_of(spec_dir: Path, name: str = "upstream.yaml") -> dict[str, Any]:
    """The upstream snapshot (or another document) in a spec directory, parsed."""
    document: dict[str, Any] = load_yaml((spec_dir / name).read_text(encoding="utf-8"))
    return document


def use_neutral_overlay(spec_dir: Path) -> None:
    """Give a spec directory an overlay that fits any document, for documents other than this API's."""
    (spec_dir / "payex.overlay.yaml").write_text(
        "overlay: 1.0.0\ninfo: {title: neutral, version: '1'}\nactions:\n  - target: $.info\n    update: {}\n"
    )


def utc_today() -> str:
    """Today's date in UTC."""
    return datetime.now(UTC).date().isoformat()


def assert_valid_openapi_30(document: dict[str, Any]) -> None:
    """The document is a valid OpenAPI 3.0 document."""
    assert document["openapi"].startswith("3.0.")
    assert next(iter(OpenAPIV30SpecValidator(document).iter_errors()), None) is None


def assert_success(result: subprocess.CompletedProcess[str], state: str) -> None:
    """Exit 0, one summary line, nothing on stderr."""
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith(f"fetch_spec: {state} ")
    assert len(result.stdout.splitlines()) == 1


@pytest.fixture
def committed_spec_dir(spec_dir: Path) -> Path:
    """A scratch spec directory holding a snapshot and a source record."""
    (spec_dir / "source.json").write_bytes(render_record(PRIOR_RECORD))
    return spec_dir


# Fetching and converting


def test_openapi_json_over_http_writes_snapshot_and_record(http_server: LoopbackServer, spec_dir: Path) -> None:
    body = as_json(committed_document())
    url = http_server.serve("/openapi.json", Route(body, headers={"Content-Type": "application/json"}))

    days = {utc_today()}
    result = run_cli(url, "--spec-dir", str(spec_dir))
    days.add(utc_today())

    assert_success(result, "changed")
    snapshot = (spec_dir / "upstream.yaml").read_bytes()
    record = record_of(spec_dir)
    assert record.pop("retrieved") in days
    assert record == {
        "source": url,
        "sha256": hashlib.sha256(body).hexdigest(),
        "snapshot_sha256": hashlib.sha256(snapshot).hexdigest(),
        "overlay_sha256": hashlib.sha256((spec_dir / "payex.overlay.yaml").read_bytes()).hexdigest(),
        "effective_sha256": hashlib.sha256((spec_dir / "openapi.yaml").read_bytes()).hexdigest(),
        "input_format": "json",
        "input_version": f"openapi {committed_document()['openapi']}",
        "converter": None,
        "origin": "upstream",
    }
    assert (spec_dir / "source.json").read_bytes() == render_record(record_of(spec_dir))
    assert snapshot_of(spec_dir) == committed_document()
    assert_valid_openapi_30(snapshot_of(spec_dir))
    assert (spec_dir / "openapi.yaml").read_bytes() == (ROOT / "spec" / "openapi.yaml").read_bytes()


def test_yaml_file_in_repo_from_environment_as_reconstruction(spec_dir: Path) -> None:
    (spec_dir / "source.json").unlink()
    result = run_cli("--spec-dir", str(spec_dir), "--reconstruction", env={"PAYEX_SPEC_SOURCE": "spec/upstream.yaml"})

    assert_success(result, "changed")
    record = record_of(spec_dir)
    assert record["source"] == "spec/upstream.yaml"
    assert record["input_format"] == "yaml"
    assert record["origin"] == "reconstruction"
    assert record["note"] == RECONSTRUCTION_NOTE
    assert record["sha256"] == hashlib.sha256(COMMITTED.read_bytes()).hexdigest()
    assert snapshot_of(spec_dir) == committed_document()


def test_yaml_file_outside_repo_is_recorded_by_its_name_alone(tmp_path: Path, spec_dir: Path) -> None:
    source = tmp_path / "payex-invoice.yml"
    source.write_bytes(COMMITTED.read_bytes())

    result = run_cli(str(source), "--spec-dir", str(spec_dir))

    assert_success(result, "changed")
    assert record_of(spec_dir)["source"] == "payex-invoice.yml"
    assert str(tmp_path) not in (spec_dir / "source.json").read_text()
    assert record_of(spec_dir)["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert record_of(spec_dir)["origin"] == "upstream"
    assert "note" not in record_of(spec_dir)


def test_swagger2_over_http_is_converted_and_validates(http_server: LoopbackServer, spec_dir: Path) -> None:
    url = http_server.serve("/swagger.json", Route(as_json(SWAGGER2), headers={"Content-Type": "application/json"}))
    use_neutral_overlay(spec_dir)

    result = run_cli(url, "--spec-dir", str(spec_dir))

    assert_success(result, "changed")
    record = record_of(spec_dir)
    converter_version = json.loads(CONVERTER_PACKAGE.read_text(encoding="utf-8"))["version"]
    assert record["converter"] == {"name": "swagger2openapi", "version": converter_version}
    assert record["input_version"] == "swagger 2.0"
    snapshot = snapshot_of(spec_dir)
    assert_valid_openapi_30(snapshot)
    assert snapshot["servers"] == [{"url": "https://lf-api.payex.com/billing/invoice/v1"}]
    assert list(snapshot) == ["openapi", "info", "servers", "paths", "components"]
    response = snapshot["paths"]["/{ownerNo}/invoices/{invoiceNo}"]["get"]["responses"]["200"]
    assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Invoice"}


def test_refetching_the_same_document_writes_nothing(http_server: LoopbackServer, spec_dir: Path) -> None:
    url = http_server.serve("/openapi.json", Route(as_json(committed_document())))
    assert_success(run_cli(url, "--spec-dir", str(spec_dir)), "changed")
    record_path = spec_dir / "source.json"
    record_path.write_bytes(render_record({**record_of(spec_dir), "retrieved": "2000-01-01"}))
    before = files_of(spec_dir)
    mtimes = {path.name: path.stat().st_mtime_ns for path in spec_dir.iterdir()}

    result = run_cli(url, "--spec-dir", str(spec_dir))

    assert_success(result, "unchanged")
    assert files_of(spec_dir) == before
    assert {path.name: path.stat().st_mtime_ns for path in spec_dir.iterdir()} == mtimes


def test_normalizing_the_committed_spec_is_idempotent() -> None:
    first = build_snapshot(COMMITTED.read_bytes(), name="spec/openapi.yaml")

    second = build_snapshot(first.content, name="snapshot.yaml")

    assert second.content == first.content
    assert dump_snapshot(normalize(load_yaml(first.content.decode()))) == first.content
    assert load_yaml(first.content.decode()) == committed_document()
    assert str(first.input_version) == f"openapi {committed_document()['openapi']}"


@pytest.mark.skipif(not JS_YAML.exists(), reason="js-yaml is not in node_modules")
def test_snapshot_reads_the_same_in_javascript(tmp_path: Path) -> None:
    snapshot = tmp_path / "openapi.yaml"
    snapshot.write_bytes(build_snapshot(COMMITTED.read_bytes()).content)

    result = subprocess.run([str(JS_YAML), str(snapshot)], capture_output=True, text=True, timeout=30, check=True)

    assert json.loads(result.stdout) == load_yaml(snapshot.read_text(encoding="utf-8"))


# Refusals: exit 1, one line, snapshot and record untouched


def served(
    body: bytes,
    *,
    content_type: str = "application/json",
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    stall: float = 0.0,
    stream_bytes: int = 0,
    options: tuple[str, ...] = (),
) -> Setup:
    """A source served on loopback."""

    def setup(server: LoopbackServer, _: Path) -> list[str]:
        route = Route(body, status, {"Content-Type": content_type, **(headers or {})}, stall, stream_bytes)
        return [server.serve("/api", route), *options]

    return setup


def file_source(content: bytes | None, name: str = "api.yaml") -> Setup:
    """A source file (``None``: a path where no file is)."""

    def setup(_: LoopbackServer, tmp_path: Path) -> list[str]:
        path = tmp_path / name
        if content is not None:
            path.write_bytes(content)
        return [str(path)]

    return setup


def minimal_with(change: Callable[[dict[str, Any]], object]) -> bytes:
    """The minimal valid document as JSON, changed in place by ``change``."""
    document = copy.deepcopy(MINIMAL)
    change(document)
    return as_json(document)


def _break_ref(document: dict[str, Any]) -> None:
    content = document["paths"]["/invoices/{invoiceNo}"]["get"]["responses"]["200"]["content"]
    content["application/json"]["schema"] = {"$ref": "#/components/schemas/Nowhere"}


@dataclass(frozen=True)
class Refusal:
    """A bad source and the words its one-line error must contain."""

    setup: Setup
    reason: str


REFUSALS = {
    "html-page": Refusal(served(HTML_PAGE, content_type="text/html; charset=utf-8"), "is an HTML page, not an API"),
    "html-served-as-json": Refusal(served(HTML_PAGE), "is an HTML page, not an API document"),
    "invalid-json": Refusal(served(b'{"openapi": "3.0.3",\n  "info": }\n'), "invalid JSON in http"),
    "invalid-yaml": Refusal(file_source(b"openapi: 3.0.3\ninfo:\n  title: 'unclosed\n"), "invalid YAML in"),
    "yaml-not-a-mapping": Refusal(file_source(b"- openapi\n- 3.0.3\n"), "it is a list, not a mapping"),
    "json-not-openapi": Refusal(served(b'{"name": "billing", "version": 2}'), "not an OpenAPI/Swagger document"),
    "unresolvable-ref": Refusal(
        served(minimal_with(_break_ref)),
        "$ref '#/components/schemas/Nowhere' at /paths/~1invoices~1{invoiceNo}/get/responses/200/content/"
        "application~1json/schema does not resolve",
    ),
    "http-404": Refusal(served(b"not here", content_type="text/plain", status=404), "HTTP 404 Not Found from http"),
    "http-500": Refusal(served(b"oops", content_type="text/plain", status=500), "HTTP 500 Internal Server Error"),
    "timeout": Refusal(
        served(b"{}", stall=5.0, options=("--timeout", "0.5")), "timed out after 0.5 s waiting for data from"
    ),
    "huge-body": Refusal(
        served(b"{", stream_bytes=64 * 1024 * 1024, options=("--max-bytes", "100000")),
        "is larger than the limit of 100000 bytes",
    ),
    "huge-declared-length": Refusal(
        served(b"{}", headers={"Content-Length": str(10**10)}, options=("--max-bytes", "100000")),
        "declares Content-Length 10000000000",
    ),
    "huge-file": Refusal(
        lambda server, tmp_path: [*file_source(COMMITTED.read_bytes())(server, tmp_path), "--max-bytes", "1000"],
        "is larger than the limit of 1000 bytes",
    ),
    "missing-file": Refusal(file_source(None, "absent.yaml"), "no such file: "),
    "fails-validation": Refusal(
        served(minimal_with(lambda document: document["info"].pop("title"))),
        "not a valid OpenAPI 3.0.3 document: 'title' is a required property at $.info",
    ),
    "unsupported-openapi": Refusal(served(b'{"openapi": "3.2.0"}'), "openapi is '3.2.0', expected 3.0.x or 3.1.x"),
    "swagger2-unconvertible": Refusal(
        served(b'{"swagger": "2.0", "paths": {}}'), "swagger2openapi could not convert the Swagger 2.0 document"
    ),
    "redirect-off-http": Refusal(
        served(b"", status=302, headers={"Location": "ftp://lf-api.payex.com/spec.yaml"}), "which is not an http(s) URL"
    ),
    "ref-chain-30-flat": Refusal(
        served(as_bytes(ref_chain(30, flat=True))),
        f"the document expands to more than {MAX_VALUES} values once its $refs are resolved (schemas that each "
        f"reference the next more than once?), along {CHAIN} → … 11 more … → '#/components/schemas/S13' → "
        "'#/components/schemas/S14'",
    ),
    "ref-chain-30": Refusal(
        served(as_bytes(ref_chain(30))),
        f"the document nests deeper than {MAX_DEPTH} levels once its $refs are resolved, along {CHAIN} → … 24 more",
    ),
    "nesting": Refusal(served(as_bytes(nested(MAX_DEPTH + 1))), f"the document nests deeper than {MAX_DEPTH} levels"),
    "nesting-past-recursion-limit": Refusal(
        served(b'{"openapi": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"), f"nests deeper than {MAX_DEPTH} levels"
    ),
    "nesting-yaml": Refusal(
        file_source(b"openapi: " + b"[" * 500 + b"]" * 500), f"nests deeper than {MAX_DEPTH} levels"
    ),
    "long-name": Refusal(
        served(as_bytes(with_name("n" * (MAX_NAME_LENGTH + 1)))), f"is longer than {MAX_NAME_LENGTH} characters"
    ),
    "escape-in-name": Refusal(
        served(as_bytes(with_name("\x1b]8;;https://x.invalid\x07no\x1b[2J"))),
        "at /components/schemas/Invoice/properties holds the character U+001B",
    ),
    "bidi-override-in-operation-id": Refusal(
        served(as_bytes(with_operation_id("getInvoice\u202e"))), "holds the character U+202E"
    ),
    "backtick-in-name": Refusal(served(as_bytes(with_name("a`b"))), "holds the character U+0060"),
}


@pytest.mark.parametrize("refusal", REFUSALS.values(), ids=REFUSALS.keys())
def test_refusal_exits_1_with_one_line_and_changes_nothing(
    refusal: Refusal, http_server: LoopbackServer, committed_spec_dir: Path, tmp_path: Path
) -> None:
    before = files_of(committed_spec_dir)
    args = refusal.setup(http_server, tmp_path)

    started = time.perf_counter()
    result = run_cli(*args, "--spec-dir", str(committed_spec_dir))

    assert time.perf_counter() - started < 5 or "$ref chain" not in refusal.reason, "a $ref chain within 5 s"
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("fetch_spec: error: ")
    assert refusal.reason in line
    assert files_of(committed_spec_dir) == before


def test_documents_at_the_limits_are_taken_unchanged(spec_dir: Path, tmp_path: Path) -> None:
    use_neutral_overlay(spec_dir)
    documents = {
        "ref-chain": ref_chain(14, flat=True),
        "nesting": nested(MAX_DEPTH),
        "names": with_operation_id("g" * MAX_NAME_LENGTH) | with_name("Fakturanummer för kunden (å, ä, ö)"),
    }
    for name, document in documents.items():
        source = tmp_path / f"{name}.json"
        source.write_bytes(as_bytes(document))

        assert_success(run_cli(str(source), "--spec-dir", str(spec_dir)), "changed")
        assert snapshot_of(spec_dir) == document


def test_check_names_reads_keys_operation_ids_and_parameter_names() -> None:
    document = with_name("fine")
    document["paths"]["/invoices/{invoiceNo}"]["get"]["parameters"][0]["name"] = "invoice\nNo"
    with pytest.raises(SpecFetchError, match=r"the name 'invoice\\nNo' at /paths/.*/parameters/0 holds"):
        check_names(document)
    with pytest.raises(SpecFetchError, match=r"the name 'x{59}…' at /components/schemas/Invoice/properties is longer"):
        check_names(with_name("x" * 1000))


def test_remote_ref_is_refused_and_never_fetched(http_server: LoopbackServer, committed_spec_dir: Path) -> None:
    remote = http_server.serve("/schemas.yaml", Route(b"InvoiceList: {type: object}\n"))
    body = minimal_with(lambda document: document["components"]["schemas"].update(Invoice={"$ref": f"{remote}#/A"}))
    url = http_server.serve("/openapi.json", Route(body))
    before = files_of(committed_spec_dir)

    result = run_cli(url, "--spec-dir", str(committed_spec_dir))

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"fetch_spec: error: $ref '{remote}#/A' at /components/schemas/Invoice is not a local reference "
        "(#/...); remote and file references are refused"
    ]
    assert http_server.requested == ["/openapi.json"]
    assert files_of(committed_spec_dir) == before


def test_usage_errors_exit_2(spec_dir: Path) -> None:
    before = files_of(spec_dir)

    result = run_cli("spec/openapi.yaml", "--timeout", "0", "--spec-dir", str(spec_dir))

    assert result.returncode == 2
    assert "--timeout: must be a positive number" in result.stderr
    assert files_of(spec_dir) == before


def test_no_source_configured_exits_2(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(fetch_spec, "default_source", lambda: None)

    status = fetch_spec.main([])

    assert status == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("fetch_spec: error: no SOURCE given, PAYEX_SPEC_SOURCE is not set")


# The pieces


def test_default_source_prefers_environment_then_pyproject(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.payex-spec]\nsource = ""\n', encoding="utf-8")
    assert default_source(tmp_path, {}) is None
    assert default_source(tmp_path, {"PAYEX_SPEC_SOURCE": "https://x.test/a.json"}) == "https://x.test/a.json"
    pyproject.write_text('[tool.payex-spec]\nsource = "upstream/swagger.json"\n', encoding="utf-8")
    assert default_source(tmp_path, {}) == str(tmp_path / "upstream" / "swagger.json")
    pyproject.write_text('[tool.payex-spec]\nsource = "https://x.test/b.yaml"\n', encoding="utf-8")
    assert default_source(tmp_path, {"PAYEX_SPEC_SOURCE": " "}) == "https://x.test/b.yaml"


def test_load_source_follows_http_redirects_and_hides_credentials(http_server: LoopbackServer) -> None:
    http_server.serve("/v2/openapi.yaml", Route(b"openapi: 3.0.3\n", headers={"Content-Type": "text/yaml"}))
    http_server.serve("/latest", Route(status=301, headers={"Location": "/v2/openapi.yaml"}))
    url = http_server.url("/latest").replace("://", "://user:secret@")

    raw = load_source(url, timeout=5)

    assert raw == RawSource(b"openapi: 3.0.3\n", http_server.url("/latest"), "text/yaml")
    assert http_server.requested == ["/latest", "/v2/openapi.yaml"]


def test_load_source_reports_a_refused_connection(closed_port: int) -> None:
    with pytest.raises(SpecFetchError, match=r"^cannot fetch http://127\.0\.0\.1:\d+/spec\.json: "):
        load_source(f"http://127.0.0.1:{closed_port}/spec.json", timeout=2)


def test_load_source_refuses_other_url_schemes() -> None:
    with pytest.raises(SpecFetchError, match="unsupported URL scheme 'ftp'"):
        load_source("ftp://lf-api.payex.com/spec.yaml")


def test_parse_document_reports_line_and_column() -> None:
    with pytest.raises(SpecFetchError, match=r"invalid JSON in x at line 2, column 11: Expecting value"):
        parse_document(b'{"openapi": "3.0.3",\n  "info": }', name="x")
    with pytest.raises(SpecFetchError, match=r"invalid YAML in y at line 3, column 11: mapping values are not allowed"):
        parse_document(b"openapi: 3.0.3\ninfo:\n  title: a: b\n", name="y")
    with pytest.raises(SpecFetchError, match="NaN is not a JSON value"):
        parse_document(b'{"openapi": NaN}')


def test_parse_document_sniffs_html_and_formats() -> None:
    with pytest.raises(SpecFetchError, match="HTML page"):
        parse_document(b"\xef\xbb\xbf  <html><body>Sign in</body></html>", content_type="application/yaml")
    with pytest.raises(SpecFetchError, match="HTML page"):
        parse_document(b"openapi: 3.0.3\n", content_type="text/html")
    assert parse_document(b'{"openapi": "3.0.3"}').input_format == "json"
    assert parse_document(b"openapi: 3.0.3\n", name="openapi.yaml").input_format == "yaml"
    with pytest.raises(SpecFetchError, match="invalid JSON"):
        parse_document(b"openapi: 3.0.3\n", content_type="application/json")
    with pytest.raises(SpecFetchError, match="it is empty"):
        parse_document(b"")


def test_parse_document_keeps_json_data_model() -> None:
    parsed = parse_document(b"responses:\n  200: {description: ok}\n  default: {description: other}\nday: 2026-03-01\n")

    responses = {"200": {"description": "ok"}, "default": {"description": "other"}}
    assert parsed.document == {"responses": responses, "day": "2026-03-01"}


def test_parse_document_refuses_yaml_alias_bombs() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * 10)}]" for level in range(1, 9)]

    with pytest.raises(SpecFetchError, match="expands to more than"):
        parse_document("\n".join(lines).encode())


def test_check_refs_follows_json_pointer_escapes() -> None:
    document: dict[str, Any] = {
        "paths": {"/a/{id}": {"get": {"responses": {"200": {"description": "ok"}}}}},
        "components": {"schemas": {"A B": {"properties": {"$ref": {"type": "string"}}}}},
        "x-links": [
            {"$ref": "#/paths/~1a~1%7Bid%7D/get/responses/200"},
            {"$ref": "#/components/schemas/A%20B"},
            {"$ref": "#/x-links/0"},
        ],
    }
    check_refs(document)
    for ref, reason in [("#/components/schemas/B", "does not resolve"), ("other.yaml#/A", "not a local reference")]:
        with pytest.raises(SpecFetchError, match=reason):
            check_refs({**document, "x-more": {"$ref": ref}})


def test_normalize_orders_structure_and_keeps_everything_else() -> None:
    document: dict[str, Any] = {
        "x-b": 1,
        "components": {
            "x-note": "n",
            "schemas": {"Zed": {"type": "object"}, "Alpha": {"type": "string", "example": {"z": 1, "a": 2}}},
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        },
        "paths": {
            "/b": {"x-op": 1, "post": {"responses": {}}, "get": {"responses": {}}, "parameters": []},
            "/a": {"get": {"summary": "s", "operationId": "a"}},
        },
        "x-a": 2,
        "info": {"version": "1", "title": "t"},
        "openapi": "3.0.3",
    }

    normalized = normalize(document)

    assert list(normalized) == ["openapi", "info", "paths", "components", "x-a", "x-b"]
    assert list(normalized["paths"]) == ["/a", "/b"]
    assert list(normalized["paths"]["/b"]) == ["parameters", "get", "post", "x-op"]
    assert list(normalized["paths"]["/a"]["get"]) == ["summary", "operationId"]
    assert list(normalized["components"]) == ["schemas", "securitySchemes", "x-note"]
    assert list(normalized["components"]["schemas"]) == ["Alpha", "Zed"]
    assert list(normalized["components"]["schemas"]["Alpha"]["example"]) == ["z", "a"]
    assert list(normalized["info"]) == ["version", "title"]
    assert normalized == document


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.text(max_size=20), st.text(max_size=40) | st.lists(st.text(max_size=10), max_size=3)))
def test_dump_snapshot_round_trips_any_text(values: dict[str, str | list[str]]) -> None:
    document = {"openapi": "3.0.3", "x-values": values}

    dumped = dump_snapshot(document)

    assert load_yaml(dumped.decode()) == document
    assert dump_snapshot(load_yaml(dumped.decode())) == dumped


def test_dump_snapshot_writes_multiline_text_as_literal_blocks() -> None:
    dumped = dump_snapshot({"description": "First line.\nSecond line.\n", "tags": ["a"]})

    assert dumped == b"description: |\n  First line.\n  Second line.\ntags:\n  - a\n"


def test_write_snapshot_rewrites_only_the_record_when_only_the_source_changed(committed_spec_dir: Path) -> None:
    snapshot_path, effective_path = committed_spec_dir / "upstream.yaml", committed_spec_dir / "openapi.yaml"
    mtimes = [path.stat().st_mtime_ns for path in (snapshot_path, effective_path)]
    record = {**PRIOR_RECORD, "sha256": "2" * 64}
    documents = snapshot_path.read_bytes(), effective_path.read_bytes()

    assert write_snapshot(committed_spec_dir, documents[0], record, documents[1]) is True
    later = {**record, "retrieved": "2030-01-01"}
    assert write_snapshot(committed_spec_dir, documents[0], later, documents[1]) is False

    assert [path.stat().st_mtime_ns for path in (snapshot_path, effective_path)] == mtimes
    assert record_of(committed_spec_dir) == record


def test_write_snapshot_restores_the_snapshot_when_the_record_cannot_be_written(
    committed_spec_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = files_of(committed_spec_dir)
    replace = os.replace

    def replace_but_not_the_record(source: Path, target: Path) -> None:
        if Path(target).name == "source.json":
            raise PermissionError(13, "Permission denied", str(target))
        replace(source, target)

    monkeypatch.setattr(os, "replace", replace_but_not_the_record)

    document = b"openapi: 3.0.3\n"
    with pytest.raises(SpecFetchError, match=r"cannot write .*source\.json: Permission denied"):
        write_snapshot(committed_spec_dir, document, {**PRIOR_RECORD, "sha256": "2" * 64}, document)

    assert files_of(committed_spec_dir) == before


def test_convert_swagger2_without_node_modules_says_npm_ci(tmp_path: Path) -> None:
    with pytest.raises(SpecFetchError, match="run `npm ci`"):
        convert_swagger2(SWAGGER2, root=tmp_path)


def test_build_record_for_a_reconstruction() -> None:
    snapshot = build_snapshot(COMMITTED.read_bytes())
    raw = RawSource(COMMITTED.read_bytes(), "spec/upstream.yaml")
    overlay, effective = b"overlay: 1.0.0\n", b"openapi: 3.0.1\n"

    record = build_record(
        raw,
        snapshot,
        overlay=overlay,
        effective=effective,
        reconstruction=True,
        retrieved=datetime(2026, 5, 20, tzinfo=UTC).date(),
    )

    assert record["origin"] == "reconstruction"
    assert record["overlay_sha256"] == hashlib.sha256(overlay).hexdigest()
    assert record["effective_sha256"] == hashlib.sha256(effective).hexdigest()
    assert record["note"] == RECONSTRUCTION_NOTE
    assert record["retrieved"] == "2026-05-20"
    assert render_record(record).endswith(b'"source": "spec/upstream.yaml"\n}\n')


def test_refreshing_a_hand_edited_snapshot_in_place_settles_after_one_run(spec_dir: Path) -> None:
    snapshot = spec_dir / "upstream.yaml"
    snapshot.write_text(snapshot.read_text().replace("description: Invoice number\n", "description: Invoice no.\n"))
    edited = hashlib.sha256(snapshot.read_bytes()).hexdigest()

    assert_success(run_cli(str(snapshot), "--spec-dir", str(spec_dir), "--reconstruction"), "changed")
    first = record_of(spec_dir)
    assert_success(run_cli(str(snapshot), "--spec-dir", str(spec_dir), "--reconstruction"), "unchanged")

    assert record_of(spec_dir) == first
    assert first["sha256"] == edited
    assert first["snapshot_sha256"] == hashlib.sha256(snapshot.read_bytes()).hexdigest()
    assert first["origin"] == "reconstruction"
