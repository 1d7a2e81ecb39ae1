"""Run ``optic diff --check`` (npm ``@useoptic/optic``, from ``node_modules``) offline and read its findings.

Optic writes its check results as JSON only in CI mode (``ci-run-details.json`` in its working directory), so it
runs with ``CI=true`` in a scratch directory, with its telemetry and update check off.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pipeline._api_diff_report import Finding
from pipeline._api_diff_spec import HTTP_METHODS, describe, lookup, split, type_change

__all__ = ["OPTIC_ENVIRONMENT", "OpticError", "OpticOutput", "optic_findings", "optic_version", "run_optic"]

OPTIC_ENVIRONMENT = {
    "CI": "true",
    "OPTIC_TELEMETRY_LEVEL": "off",
    "NO_UPDATE_NOTIFIER": "1",
    "SCARF_ANALYTICS": "false",
}
"""CI mode (JSON results, no update check), no Segment or Sentry telemetry."""
RESULTS_FILE = "ci-run-details.json"
DEFAULT_TIMEOUT = 300.0
_BOILERPLATE = " This is a breaking change."
_OPTIC_TYPE_WORDING = ("not to be expanded", "not to be narrowed")
"""How optic words a changed type; our own wording (``type changed: A → B``) replaces it."""
_ENUM_PHRASES = (
    ("add enum option", "enum-added"),
    ("remove enum option", "enum-removed"),
    ("cannot add an enum", "enum-introduced"),
    ("cannot add enum or const", "enum-introduced"),
    ("cannot remove enum or const", "enum-dropped"),
)
_RULE_PREFIXES = (
    ("prevent new required", "parameter-added-required"),
    ("prevent requiring existing", "parameter-made-required"),
    ("prevent making response property optional", "property-optional"),
    ("prevent changing request property to required", "property-required"),
)


class OpticError(Exception):
    """Optic could not be run or wrote nothing readable; the message is one line."""


@dataclass(frozen=True)
class OpticOutput:
    """Optic's failed checks and its structural diffs."""

    results: list[Mapping[str, Any]] = field(default_factory=list)
    diffs: list[Mapping[str, Any]] = field(default_factory=list)


def optic_version(root: Path) -> str:
    """The installed optic version, or ``not installed``."""
    try:
        return str(json.loads((root / "node_modules" / "@useoptic" / "optic" / "package.json").read_text())["version"])
    except (OSError, ValueError, KeyError):
        return "not installed"


def run_optic(
    old: Path, new: Path, root: Path, *, cache: Path | None = None, timeout: float = DEFAULT_TIMEOUT
) -> OpticOutput:
    """``optic diff OLD NEW --check`` with loose validation (the inputs are validated already).

    With ``cache``, optic's results for the same two documents and the same optic version are read from there.
    """
    binary = root / "node_modules" / ".bin" / "optic"
    if not binary.exists():
        raise OpticError(f"optic is not installed: run `npm ci` in {root}")
    key = hashlib.sha256(b"\0".join([old.read_bytes(), new.read_bytes(), optic_version(root).encode()])).hexdigest()
    cached = cache / f"optic-{key[:24]}.json" if cache is not None else None
    if cached is not None and cached.is_file():
        return _read_results(json.loads(cached.read_text(encoding="utf-8")))
    data = _run(binary, old, new, timeout)
    output = _read_results(data)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        staging = cached.with_name(f".{cached.name}.{os.getpid()}")
        staging.write_text(json.dumps(data), encoding="utf-8")
        staging.replace(cached)
    return output


def _run(binary: Path, old: Path, new: Path, timeout: float) -> Any:
    command = [str(binary), "diff", str(old.resolve()), str(new.resolve()), "--check", "--validation", "loose"]
    with tempfile.TemporaryDirectory(prefix="api-diff-optic-") as scratch:
        try:
            result = subprocess.run(
                command,
                cwd=scratch,
                env={**os.environ, **OPTIC_ENVIRONMENT},
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise OpticError(f"optic did not finish within {timeout:g} s") from None
        except OSError as exc:
            raise OpticError(f"cannot run optic ({exc.strerror or exc}): run `npm ci`") from None
        try:
            data = json.loads(Path(scratch, RESULTS_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            lines = [line.strip() for line in (result.stderr + result.stdout).splitlines() if line.strip()]
            reason = lines[0] if lines else f"exit status {result.returncode}"
            raise OpticError(f"optic wrote no results: {reason}") from None
    return data


def _read_results(data: Any) -> OpticOutput:
    if not isinstance(data, Mapping):
        raise OpticError("optic wrote results that are not a JSON object")
    failed = data.get("failed") or []
    if failed:
        first = failed[0] if isinstance(failed[0], Mapping) else {}
        raise OpticError(f"optic failed: {' '.join(str(first.get('error', failed[0])).split())}")
    results: list[Mapping[str, Any]] = []
    diffs: list[Mapping[str, Any]] = []
    for completed in data.get("completed") or []:
        comparison = completed.get("comparison") or {}
        results += [r for r in comparison.get("results") or [] if isinstance(r, Mapping)]
        endpoints = (comparison.get("groupedDiffs") or {}).get("endpoints") or {}
        diffs += list(_diffs(endpoints))
    return OpticOutput(results, diffs)


def _diffs(node: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == "diffs" and isinstance(value, list):
                yield from (diff for diff in value if isinstance(diff, Mapping))
            elif key != "rules":
                yield from _diffs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _diffs(value)


def optic_findings(output: OpticOutput, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Finding]:
    """Optic's failed checks (breaking) and its added/removed operations, parameters, responses and properties.

    ``old`` and ``new`` are the documents with ``$ref`` resolved. A failed check inside something whose removal
    is itself a failed check (a property of a removed response) is counted as a consequence of it.
    """
    failures = [_failure(result, old, new) for result in output.results if _failed(result)]
    failures.sort(key=lambda finding: len(finding.pointer))
    kept: list[Finding] = []
    for finding in failures:
        parent = next((i for i, k in enumerate(kept) if k.category == "removed" and _inside(finding, k)), None)
        if parent is None:
            kept.append(finding)
        else:
            kept[parent] = replace(kept[parent], consequences=kept[parent].consequences + 1)
    flagged = [finding.pointer for finding in kept]
    for diff in output.diffs:
        structural = _structural(diff, old, new)
        if structural and not any(structural.pointer == p or structural.pointer.startswith(p + "/") for p in flagged):
            kept.append(structural)
    return kept


def _failed(result: Mapping[str, Any]) -> bool:
    return result.get("passed") is False and not result.get("exempted")


def _inside(finding: Finding, container: Finding) -> bool:
    return finding.pointer.startswith(container.pointer + "/")


def _failure(result: Mapping[str, Any], old: Mapping[str, Any], new: Mapping[str, Any]) -> Finding:
    location = result.get("location") or {}
    pointer = str(location.get("jsonPath", ""))
    scope, where = describe(pointer, old if location.get("spec") == "before" else new)
    message = " ".join(str(result.get("error", "")).split()).removesuffix(_BOILERPLATE).removesuffix(".")
    rule = str(result.get("name", ""))
    category = _category(rule, message, str(result.get("type", "")))
    if category == "type" and any(wording in message for wording in _OPTIC_TYPE_WORDING):
        message = type_change(lookup(old, pointer), lookup(new, pointer))
    return Finding(
        "spec",
        message or rule,
        where,
        int(result.get("severity", 2)) >= 2,
        "optic",
        category=category,
        scope=scope,
        pointer=pointer,
    )


def _category(rule: str, message: str, change: str) -> str:
    """Optic's rule as one of the categories our checks use, so the same finding is reported once."""
    if rule.endswith(("parameters type changes", "property type changes")):
        return "type"
    if "enum" in rule:
        return next((category for phrase, category in _ENUM_PHRASES if phrase in message), rule)
    category = next((category for prefix, category in _RULE_PREFIXES if rule.startswith(prefix)), None)
    return category or ("removed" if change == "removed" else rule)


def _structural(diff: Mapping[str, Any], old: Mapping[str, Any], new: Mapping[str, Any]) -> Finding | None:
    """An added or removed operation, parameter, response or property; other diffs are left to the checks."""
    change = str(diff.get("change", ""))
    if change not in ("added", "removed") or diff.get("trail"):
        return None
    pointer = str(diff.get("after") if change == "added" else diff.get("before") or "")
    tokens = split(pointer)
    if len(tokens) < 3 or tokens[0] != "paths" or tokens[2] not in HTTP_METHODS:
        return None
    kind = _kind(tokens[3:])
    if kind is None:
        return None
    scope, where = describe(pointer, new if change == "added" else old)
    if where.startswith("path parameter"):
        return None  # a path parameter of an operation both documents have was renamed: our checks say so
    return Finding(
        "spec", f"{kind} {change}", where, False, "optic", category=f"{kind}-{change}", scope=scope, pointer=pointer
    )


def _kind(rest: Sequence[str]) -> str | None:
    if not rest:
        return "operation"
    if len(rest) == 2 and rest[0] == "parameters":
        return "parameter"
    if len(rest) == 2 and rest[0] == "responses":
        return "response"
    if len(rest) >= 2 and rest[-2] == "properties":
        return "property"
    if rest == ["requestBody"]:
        return "request body"
    return None
