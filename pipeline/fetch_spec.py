"""Fetch the API document, check it, and commit it with the effective document made of it.

    python -m pipeline.fetch_spec [SOURCE] [--spec-dir DIR] [--timeout SECONDS] [--max-bytes N] [--reconstruction]
    python -m pipeline.fetch_spec --check [--spec-dir DIR]

SOURCE is an http(s) URL or a JSON/YAML file; without it, ``PAYEX_SPEC_SOURCE`` or ``[tool.payex-spec] source``
in pyproject.toml. Swagger 2.0 is converted to OpenAPI 3.0 with swagger2openapi from ``node_modules``.

Three files of the spec directory are written together, or none: ``upstream.yaml`` (the document as pulled,
converted and normalized), ``openapi.yaml`` (the effective document: upstream with ``payex.overlay.yaml``
applied) and ``source.json`` (where upstream came from, and the sha256 of all three). An overlay action that
selects nothing in the new document fails the fetch, naming every such action. ``--check`` writes nothing and
fails when ``openapi.yaml`` or the record is not what the committed upstream and overlay make.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
import tomllib
import warnings
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import httpx

from pipeline._effective import build_effective
from pipeline._spec_document import (
    Document,
    InputFormat,
    ParsedDocument,
    SpecFetchError,
    SpecVersion,
    check_names,
    check_refs,
    detect_version,
    dump_snapshot,
    iter_refs,
    load_yaml,
    normalize,
    parse_document,
    repair_defects,
    validate,
)

__all__ = [
    "Document",
    "InputFormat",
    "Overlay",
    "ParsedDocument",
    "RawSource",
    "Snapshot",
    "SpecFetchError",
    "SpecVersion",
    "build_effective_snapshot",
    "build_record",
    "build_snapshot",
    "check_committed",
    "check_names",
    "check_refs",
    "convert_swagger2",
    "default_source",
    "detect_version",
    "dump_snapshot",
    "iter_refs",
    "load_source",
    "load_yaml",
    "main",
    "normalize",
    "parse_document",
    "read_overlay",
    "redact_url",
    "render_record",
    "safe_query_parameters",
    "scrub_url",
    "validate",
    "write_snapshot",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
PROG = "fetch_spec"
SNAPSHOT_NAME = "upstream.yaml"
EFFECTIVE_NAME = "openapi.yaml"
OVERLAY_NAME = "payex.overlay.yaml"
RECORD_NAME = "source.json"
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
CONVERTER_TIMEOUT = 120.0
MAX_REDIRECTS = 5
RECONSTRUCTION_NOTE = (
    "Reconstructed from PayEx's public documentation (developer.payex.com, Billing API / Invoice); "
    "see x-payex-provenance on each operation and schema."
)

_ACCEPT = "application/json, application/yaml;q=0.9, application/x-yaml;q=0.9, text/yaml;q=0.9, */*;q=0.1"
_HTTP_SCHEMES = ("http", "https")
_HTTP_LOGGERS = ("httpx", "httpcore.connection", "httpcore.http11", "httpcore.http2", "httpcore.proxy")
"""A logger's filter sees only its own records, not its children's."""
_ANY_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")
_MIN_SECRET = 6
"""Shorter query values are not scrubbed from messages on their own: replacing them would garble other text."""
_TIMEOUT_PHASES: tuple[tuple[type[httpx.TimeoutException], str], ...] = (
    (httpx.ConnectTimeout, "connecting to"),
    (httpx.ReadTimeout, "waiting for data from"),
    (httpx.WriteTimeout, "sending the request to"),
    (httpx.PoolTimeout, "waiting for a connection to"),
)


@dataclass(frozen=True)
class RawSource:
    """Bytes as read from a source; ``source`` is how the record names it."""

    data: bytes
    source: str
    content_type: str | None = None


@dataclass(frozen=True)
class Snapshot:
    """A validated OpenAPI 3 document, normalized and dumped, with what it was made from."""

    content: bytes
    input_format: InputFormat
    input_version: SpecVersion
    converter: dict[str, str] | None
    warnings: tuple[str, ...] = ()
    """What a lenient build repaired or let pass (see ``_spec_document.validate``)."""


def default_source(root: Path = REPO_ROOT, environ: Mapping[str, str] = os.environ) -> str | None:
    """SOURCE when none is given: ``PAYEX_SPEC_SOURCE``, else pyproject's ``[tool.payex-spec] source``."""
    from_env = environ.get("PAYEX_SPEC_SOURCE", "").strip()
    if from_env:
        return from_env
    configured = _configured_source(root / "pyproject.toml")
    if not configured:
        return None
    return configured if _is_url(configured) else str(root / configured)


def load_source(
    source: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    root: Path = REPO_ROOT,
) -> RawSource:
    """Read a source's raw bytes from an http(s) URL or a file, refusing more than ``max_bytes``.

    A URL is named (in the record, in messages, in httpx's log) as ``redact_url`` spells it, keeping the query
    parameters ``[tool.payex-spec] safe-query-parameters`` of ``root``'s pyproject.toml names.
    """
    safe = safe_query_parameters(root)
    if _is_url(source):
        label = redact_url(source, safe)
        data, content_type = _fetch_url(source, label, timeout, max_bytes, safe)
        return RawSource(data, label, content_type)
    scheme = urlsplit(source).scheme
    if len(scheme) > 1 and "://" in source:
        raise SpecFetchError(f"unsupported URL scheme {scheme!r} in {redact_url(source)}: use http(s) or a file path")
    path = Path(source)
    return RawSource(_read_file(path, max_bytes), _path_label(path, root))


def build_snapshot(
    data: bytes,
    *,
    content_type: str | None = None,
    name: str = "the document",
    root: Path = REPO_ROOT,
    lenient: bool = False,
) -> Snapshot:
    """Parse, convert (Swagger 2.0), check references and names, validate, normalize and dump a document.

    ``lenient`` repairs path parameters that do not fit their template (else they are refused, the message naming
    the first one) and lets the semantic checks' findings pass; both are the snapshot's warnings.
    """
    parsed = parse_document(data, content_type=content_type, name=name)
    input_version = detect_version(parsed.document)
    check_refs(parsed.document)
    document, converter = parsed.document, None
    if input_version.family == "swagger":
        document, converter = convert_swagger2(document, root=root)
        check_refs(document)
    check_names(document)
    fitted, repaired = repair_defects(document)
    if repaired and not lenient:  # what the validator would say of it, but at the right place
        raise SpecFetchError(f"not a valid OpenAPI {detect_version(document).version} document: {min(repaired)}")
    document = fitted if repaired else document
    warnings = validate(document, detect_version(document), lenient=lenient)
    content = dump_snapshot(normalize(document))
    return Snapshot(content, parsed.input_format, input_version, converter, (*repaired, *warnings))


def convert_swagger2(
    document: Document, *, root: Path = REPO_ROOT, timeout: float = CONVERTER_TIMEOUT
) -> tuple[Document, dict[str, str]]:
    """Convert a Swagger 2.0 document to OpenAPI 3.0 with ``node_modules/.bin/swagger2openapi``."""
    converter = _converter_info(root)
    with tempfile.TemporaryDirectory(prefix="fetch-spec-") as work:
        source, target = Path(work, "swagger.json"), Path(work, "openapi.json")
        source.write_text(json.dumps(document), encoding="utf-8")
        _run_converter(root, source, target, timeout)
        try:
            converted = json.loads(target.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SpecFetchError(f"swagger2openapi wrote no readable output: {exc}") from None
    if not isinstance(converted, dict):
        raise SpecFetchError("swagger2openapi wrote something other than an OpenAPI document")
    return converted, converter


@dataclass(frozen=True)
class Overlay:
    """The overlay document as committed: its bytes and what they parse to."""

    content: bytes
    document: Document


def read_overlay(spec_dir: Path) -> Overlay:
    """The overlay of the spec directory, ``payex.overlay.yaml``."""
    path = spec_dir / OVERLAY_NAME
    content = _read_existing(path)
    if content is None:
        raise SpecFetchError(f"no overlay at {path}: the effective document is upstream + {OVERLAY_NAME}")
    parsed = parse_document(content, name=str(path))
    return Overlay(content, parsed.document)


def build_effective_snapshot(snapshot: bytes, overlay: Overlay) -> bytes:
    """The effective document, dumped, that an upstream snapshot and the overlay make."""
    return dump_snapshot(
        build_effective(load_yaml(snapshot.decode("utf-8"), "the upstream snapshot"), overlay.document)
    )


def build_record(
    raw: RawSource,
    snapshot: Snapshot,
    *,
    overlay: bytes,
    effective: bytes,
    reconstruction: bool = False,
    retrieved: date | None = None,
) -> dict[str, Any]:
    """The source record committed next to the snapshot: where it came from, and the sha256 of the raw input, of
    the snapshot, of the overlay and of the effective document."""
    record: dict[str, Any] = {
        "source": raw.source,
        "sha256": hashlib.sha256(raw.data).hexdigest(),
        "snapshot_sha256": hashlib.sha256(snapshot.content).hexdigest(),
        "overlay_sha256": hashlib.sha256(overlay).hexdigest(),
        "effective_sha256": hashlib.sha256(effective).hexdigest(),
        "input_format": snapshot.input_format,
        "input_version": str(snapshot.input_version),
        "converter": snapshot.converter,
        "retrieved": (retrieved or datetime.now(UTC).date()).isoformat(),
        "origin": "reconstruction" if reconstruction else "upstream",
    }
    if reconstruction:
        record["note"] = RECONSTRUCTION_NOTE
    return record


def render_record(record: Mapping[str, Any]) -> bytes:
    """Serialize a record: JSON, sorted keys, two-space indent, trailing newline."""
    return (json.dumps(record, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def write_snapshot(spec_dir: Path, snapshot: bytes, record: Mapping[str, Any], effective: bytes) -> bool:
    """Commit the snapshot, the effective document and the record atomically; return False (writing nothing)
    when nothing changed.

    Nothing changed when both documents are the same bytes and the record differs at most in ``retrieved``.
    """
    record_path = spec_dir / RECORD_NAME
    old_record = _read_existing(record_path)
    documents = [(spec_dir / SNAPSHOT_NAME, snapshot), (spec_dir / EFFECTIVE_NAME, effective)]
    changes = [(path, content, old) for path, content in documents if (old := _read_existing(path)) != content]
    if not changes and _same_record(old_record, record):
        return False
    try:
        spec_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SpecFetchError(f"cannot create {spec_dir}: {exc.strerror or exc}") from None
    _replace_all([*changes, (record_path, render_record(record), old_record)])
    return True


def check_committed(spec_dir: Path) -> list[str]:
    """What in the spec directory is not what its upstream snapshot and overlay make: one line per file."""
    snapshot_path = spec_dir / SNAPSHOT_NAME
    snapshot = _read_existing(snapshot_path)
    if snapshot is None:
        raise SpecFetchError(f"no upstream snapshot at {snapshot_path}")
    overlay = read_overlay(spec_dir)
    effective = build_effective_snapshot(snapshot, overlay)
    problems: list[str] = []
    if _read_existing(spec_dir / EFFECTIVE_NAME) != effective:
        problems.append(f"{spec_dir / EFFECTIVE_NAME} is not upstream + overlay")
    try:
        recorded = json.loads(_read_existing(spec_dir / RECORD_NAME) or b"null")
    except ValueError:
        recorded = None
    expected = {
        "snapshot_sha256": hashlib.sha256(snapshot).hexdigest(),
        "overlay_sha256": hashlib.sha256(overlay.content).hexdigest(),
        "effective_sha256": hashlib.sha256(effective).hexdigest(),
    }
    if not isinstance(recorded, dict) or any(recorded.get(key) != value for key, value in expected.items()):
        problems.append(f"{spec_dir / RECORD_NAME} does not record the sha256 of the committed documents")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _run(args)
    except SpecFetchError as exc:
        return _fail(scrub_url(str(exc), args.source or ""))
    except RecursionError:
        return _fail("the document nests too deeply")
    except Exception as exc:
        return _fail(scrub_url(f"unexpected {type(exc).__name__}: {exc}", args.source or ""))


def _run(args: argparse.Namespace) -> int:
    spec_dir: Path = args.spec_dir
    if args.check:
        problems = check_committed(spec_dir)
        for problem in problems:
            print(f"{PROG}: {problem} (run `nox -s regenerate`)", file=sys.stderr)
        if not problems:
            print(f"{PROG}: {spec_dir / EFFECTIVE_NAME} is upstream + overlay")
        return 1 if problems else 0
    source = args.source = args.source or default_source()
    if not source:
        print(
            f"{PROG}: error: no SOURCE given, PAYEX_SPEC_SOURCE is not set and "
            "[tool.payex-spec] source in pyproject.toml is empty",
            file=sys.stderr,
        )
        return 2
    raw = load_source(source, timeout=args.timeout, max_bytes=args.max_bytes)
    snapshot = build_snapshot(raw.data, content_type=raw.content_type, name=raw.source)
    overlay = read_overlay(spec_dir)
    effective = build_effective_snapshot(snapshot.content, overlay)
    record = build_record(
        raw, snapshot, overlay=overlay.content, effective=effective, reconstruction=args.reconstruction
    )
    if raw.data == snapshot.content and (REPO_ROOT / raw.source).resolve() == (spec_dir / SNAPSHOT_NAME).resolve():
        record = _keep_recorded_source(spec_dir, record)
    changed = write_snapshot(spec_dir, snapshot.content, record, effective)
    state = "changed" if changed else "unchanged"
    print(f"{PROG}: {state} {spec_dir / SNAPSHOT_NAME} ({snapshot.input_version}, sha256 {record['sha256'][:12]})")
    return 0


def _fail(message: str) -> int:
    print(f"{PROG}: error: {' '.join(message.split())}", file=sys.stderr)
    return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="Fetch the API document and commit it, normalized, to the spec directory."
    )
    parser.add_argument("source", nargs="?", metavar="SOURCE", help="http(s) URL or JSON/YAML file")
    parser.add_argument("--spec-dir", type=Path, default=Path("spec"), metavar="DIR", help="default: spec")
    parser.add_argument(
        "--timeout", type=_positive_float, default=DEFAULT_TIMEOUT, metavar="SECONDS", help="HTTP timeout (default: 30)"
    )
    parser.add_argument(
        "--max-bytes", type=_positive_int, default=DEFAULT_MAX_BYTES, metavar="N", help="size limit (default: 20 MiB)"
    )
    parser.add_argument(
        "--reconstruction", action="store_true", help="record the document as a reconstruction, not upstream's"
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; fail if openapi.yaml is not upstream + overlay"
    )
    return parser


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number: {text!r}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return value


def safe_query_parameters(root: Path = REPO_ROOT) -> frozenset[str]:
    """The query parameters a source URL may be recorded with: ``[tool.payex-spec] safe-query-parameters``."""
    pyproject = root / "pyproject.toml"
    names = _setting(pyproject, "safe-query-parameters", [])
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise SpecFetchError(f"[tool.payex-spec] safe-query-parameters in {pyproject} must be a list of strings")
    return frozenset(names)


def redact_url(url: str, safe: Collection[str] = ()) -> str:
    """What identifies the document at ``url``: scheme, host, port and path, and only the query parameters named
    ``safe``. A portal's or an object store's URL carries a password or a signed token, and the record, the API-diff
    report and every message are committed or shown in CI."""
    parts = urlsplit(url)
    kept = [(name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True) if name in safe]
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, urlencode(kept), ""))


def scrub_url(text: str, url: str, safe: Collection[str] = ()) -> str:
    """``text`` with ``url`` spelled as ``redact_url`` spells it, and no trace left of its userinfo or of the
    query values ``redact_url`` drops (an error may quote them apart from the URL)."""
    if not _is_url(url):
        return text
    parts = urlsplit(url)
    text = text.replace(url, redact_url(url, safe))
    userinfo = parts.netloc.rpartition("@")[0]
    secrets = {userinfo, unquote(userinfo), parts.query}
    secrets.update(value for name, value in parse_qsl(parts.query) if name not in safe and len(value) >= _MIN_SECRET)
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, "[redacted]")
    return text


class _RedactedURLs(logging.Filter):
    """httpx logs every request's URL, password and query included, and httpcore every response header (a
    redirect's ``Location`` with its token): let them log each URL as ``redact_url`` spells it."""

    def __init__(self, url: str, safe: Collection[str]) -> None:
        super().__init__()
        self.url = url
        self.safe = safe

    def filter(self, record: logging.LogRecord) -> bool:
        message = scrub_url(record.getMessage(), self.url, self.safe)
        record.msg = _ANY_URL.sub(lambda found: redact_url(found[0], self.safe), message)
        record.args = ()
        return True


def _configured_source(pyproject: Path) -> str:
    value = _setting(pyproject, "source", "")
    if not isinstance(value, str):
        raise SpecFetchError(f"[tool.payex-spec] source in {pyproject} must be a string")
    return value.strip()


def _setting(pyproject: Path, name: str, default: Any) -> Any:
    """``[tool.payex-spec] name`` of a pyproject.toml, or ``default``."""
    try:
        with pyproject.open("rb") as stream:
            config = tomllib.load(stream)
    except FileNotFoundError:
        return default
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SpecFetchError(f"cannot read {pyproject}: {exc}") from None
    return config.get("tool", {}).get("payex-spec", {}).get(name, default)


def _is_url(source: str) -> bool:
    return urlsplit(source).scheme.lower() in _HTTP_SCHEMES


def _path_label(path: Path, root: Path) -> str:
    """A file in the repository by its path there; any other by its name alone: the record is committed, and a
    machine's folders are nobody else's (its sha256 identifies the document)."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(root.resolve()).as_posix()
    except ValueError:
        return resolved.name


def _fetch_url(url: str, label: str, timeout: float, max_bytes: int, safe: Collection[str]) -> tuple[bytes, str | None]:
    redacted = _RedactedURLs(url, safe)
    loggers = [logging.getLogger(name) for name in _HTTP_LOGGERS]
    for logger in loggers:
        logger.addFilter(redacted)
    try:
        with httpx.Client(timeout=timeout, headers={"Accept": _ACCEPT}) as client:
            return _get(client, url, max_bytes, safe)
    except httpx.TimeoutException as exc:
        phase = next((text for kind, text in _TIMEOUT_PHASES if isinstance(exc, kind)), "fetching")
        raise SpecFetchError(f"timed out after {timeout:g} s {phase} {label} (--timeout)") from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        reason = scrub_url(str(exc) or type(exc).__name__, url, safe)
        raise SpecFetchError(f"cannot fetch {label}: {reason}") from None
    finally:
        for logger in loggers:
            logger.removeFilter(redacted)


def _get(client: httpx.Client, url: str, max_bytes: int, safe: Collection[str]) -> tuple[bytes, str | None]:
    request = client.build_request("GET", url)
    for _ in range(MAX_REDIRECTS + 1):
        response = client.send(request, stream=True)
        try:
            redirect = response.next_request
            if redirect is None:
                return _read_body(response, max_bytes, safe), response.headers.get("content-type")
        finally:
            response.close()
        if redirect.url.scheme not in _HTTP_SCHEMES:
            here, there = redact_url(str(request.url), safe), redact_url(str(redirect.url), safe)
            raise SpecFetchError(f"{here} redirects to {there}, which is not an http(s) URL")
        request = redirect
    raise SpecFetchError(f"{redact_url(url, safe)} redirects more than {MAX_REDIRECTS} times")


def _read_body(response: httpx.Response, max_bytes: int, safe: Collection[str]) -> bytes:
    label = redact_url(str(response.url), safe)
    if response.status_code >= 300:
        raise SpecFetchError(f"HTTP {response.status_code} {response.reason_phrase} from {label}")
    declared = response.headers.get("content-length", "")
    if declared.isdecimal() and int(declared) > max_bytes:
        raise SpecFetchError(
            f"{label} declares Content-Length {declared}, more than the limit of {max_bytes} bytes (--max-bytes)"
        )
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise SpecFetchError(f"{label} is larger than the limit of {max_bytes} bytes (--max-bytes)")
        chunks.append(chunk)
    return b"".join(chunks)


def _read_file(path: Path, max_bytes: int) -> bytes:
    try:
        with path.open("rb") as stream:
            data = stream.read(max_bytes + 1)
    except FileNotFoundError:
        raise SpecFetchError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise SpecFetchError(f"{path} is a directory, not a file") from None
    except OSError as exc:
        raise SpecFetchError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise SpecFetchError(f"{path} is larger than the limit of {max_bytes} bytes (--max-bytes)")
    return data


def _converter_info(root: Path) -> dict[str, str]:
    package = root / "node_modules" / "swagger2openapi" / "package.json"
    if not (root / "node_modules" / ".bin" / "swagger2openapi").exists() or not package.is_file():
        raise SpecFetchError(f"Swagger 2.0 needs swagger2openapi, which is not installed: run `npm ci` in {root}")
    try:
        version = json.loads(package.read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError) as exc:
        raise SpecFetchError(f"cannot read the swagger2openapi version from {package}: {exc}") from None
    return {"name": "swagger2openapi", "version": str(version)}


def _run_converter(root: Path, source: Path, target: Path, timeout: float) -> None:
    command = [str(root / "node_modules" / ".bin" / "swagger2openapi"), str(source), "--outfile", str(target)]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise SpecFetchError(f"swagger2openapi did not finish within {timeout:g} s") from None
    except OSError as exc:
        raise SpecFetchError(f"cannot run swagger2openapi ({exc.strerror or exc}): run `npm ci` in {root}") from None
    if result.returncode != 0:
        first_line = next((line for line in result.stderr.splitlines() if line.strip()), "")
        reason = first_line.strip() or f"exit status {result.returncode}"
        raise SpecFetchError(f"swagger2openapi could not convert the Swagger 2.0 document: {reason}")


def _keep_recorded_source(spec_dir: Path, record: dict[str, Any]) -> dict[str, Any]:
    """The record, keeping the recorded raw source: the input is the snapshot itself, already normalized.

    Re-reading it (as `regenerate` does for a reconstruction edited by hand) must not replace the record of
    where its content came from.
    """
    old = _read_existing(spec_dir / RECORD_NAME)
    try:
        previous = json.loads(old) if old is not None else None
    except ValueError:
        return record
    if not isinstance(previous, dict) or previous.get("snapshot_sha256") != record["snapshot_sha256"]:
        return record
    same_origin = previous.get("origin") == record["origin"]
    return {**record, "sha256": previous.get("sha256"), "source": previous.get("source")} if same_origin else record


def _read_existing(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SpecFetchError(f"cannot read {path}: {exc.strerror or exc}") from None


def _same_record(old: bytes | None, record: Mapping[str, Any]) -> bool:
    if old is None:
        return False
    try:
        previous = json.loads(old)
    except ValueError:
        return False
    if not isinstance(previous, dict):
        return False
    previous.pop("retrieved", None)
    return previous == {key: value for key, value in record.items() if key != "retrieved"}


def _replace_all(changes: list[tuple[Path, bytes, bytes | None]]) -> None:
    """Write every file to a temporary sibling first, then swap them in; on failure restore the old bytes."""
    staged: list[tuple[Path, Path, bytes | None]] = []
    replaced: list[tuple[Path, bytes | None]] = []
    try:
        for path, content, old in changes:
            staged.append((path, _stage(path, content), old))
        for path, temporary, old in staged:
            os.replace(temporary, path)
            replaced.append((path, old))
    except OSError as exc:
        _restore(replaced)
        raise SpecFetchError(f"cannot write {exc.filename or 'the spec directory'}: {exc.strerror or exc}") from None
    finally:
        for _, temporary, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()


def _stage(path: Path, content: bytes) -> Path:
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        temporary.chmod(_mode_of(path))
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def _mode_of(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        return 0o644


def _restore(replaced: list[tuple[Path, bytes | None]]) -> None:
    for path, old in reversed(replaced):
        with contextlib.suppress(OSError):
            if old is None:
                path.unlink()
                continue
            temporary = _stage(path, old)
            try:
                os.replace(temporary, path)
            finally:
                temporary.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
