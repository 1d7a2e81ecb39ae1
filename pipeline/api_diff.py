"""What a new API document breaks: in the spec, in the regenerated Python API and in the overlay.

    python -m pipeline.api_diff [OLD] [NEW] [--markdown PATH] [--json PATH] [--warn-only] [--summary]
                                [--cache-dir DIR]

OLD and NEW are spec files (OpenAPI 3.0/3.1 or Swagger 2.0, JSON or YAML, or an http(s) URL) or git refs:
``REF`` reads ``git show REF:spec/openapi.yaml``, ``REF:PATH`` another path. Defaults: ``HEAD`` and the working
tree's ``spec/openapi.yaml``. Both go through fetch_spec's parsing, Swagger 2.0 conversion, validation and
normalization.

The spec level is optic's diff and breaking-change checks plus ours (enums, problem types, formats, servers,
security, renamed path parameters); the Python level regenerates both documents with the pinned generators and
compares the packages with griffe plus ours; the overlay level compares ``overlay_alignment`` of OLD and NEW.
Provenance moves (``inferred`` ⇄ ``documented``) are listed last.

Exit status: 0 when nothing breaks (or with --warn-only), 1 when something breaks, 2 when an input cannot be
read or a tool cannot run (one line on stderr says why).
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pipeline._api_diff_optic import OpticError, OpticOutput, optic_findings, optic_version, run_optic
from pipeline._api_diff_overlay import facade_methods, overlay_findings
from pipeline._api_diff_python import generated_package, generator_versions, load_package, python_findings
from pipeline._api_diff_report import Finding, Report, Side, group, render_json, render_markdown, render_summary
from pipeline._api_diff_spec import (
    hint_renames,
    merge_findings,
    provenance_findings,
    resolve_refs,
    spec_findings,
)
from pipeline._spec_document import SpecFetchError, load_yaml
from pipeline.fetch_spec import DEFAULT_MAX_BYTES, build_snapshot, load_source
from pipeline.generate import GenerationError

__all__ = ["Input", "InputError", "build_report", "main", "read_input"]

REPO_ROOT = Path(__file__).resolve().parent.parent
PROG = "api_diff"
SPEC_PATH = "spec/openapi.yaml"
DEFAULT_MARKDOWN = Path("reports/api-diff.md")
DEFAULT_JSON = Path("reports/api-diff.json")
GIT_TIMEOUT = 60.0

T = TypeVar("T")


class InputError(Exception):
    """OLD or NEW cannot be read as an API document; the message is one line."""


@dataclass(frozen=True)
class Input:
    """A document as compared: normalized snapshot bytes and the parsed document."""

    label: str
    snapshot: bytes
    document: dict[str, Any]
    input_version: str

    def side(self) -> Side:
        """How the report names this document."""
        info = self.document.get("info")
        version = info.get("version") if isinstance(info, Mapping) else None
        return Side(self.label, hashlib.sha256(self.snapshot).hexdigest(), self.input_version, str(version))


def read_input(argument: str, role: str, *, root: Path = REPO_ROOT) -> Input:
    """Read a file, URL or git ref and turn it into a normalized OpenAPI 3 document, as fetch_spec does."""
    try:
        if Path(argument).exists() or "://" in argument:
            raw = load_source(argument, root=root)
            data, label = raw.data, raw.source
        else:
            data, label = _git_show(argument, root)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            snapshot = build_snapshot(data, name=label, root=root)
    except (SpecFetchError, InputError) as exc:
        raise InputError(f"{role}: {exc}") from None
    except RecursionError:
        raise InputError(f"{role}: {argument} nests too deeply") from None
    return Input(label, snapshot.content, load_yaml(snapshot.content.decode("utf-8")), str(snapshot.input_version))


def build_report(old: Input, new: Input, *, root: Path = REPO_ROOT, cache: Path | None = None) -> Report:
    """Compare two documents at every level; raise OpticError when optic cannot run."""
    tools = {"optic": optic_version(root), **generator_versions()}
    report = Report(old.side(), new.side(), [], tools=tools)
    if old.snapshot == new.snapshot:
        report.notes.append("OLD and NEW are the same document once normalized: nothing changed.")
        return report
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="api-diff-") as scratch:
        work = Path(scratch)
        paths = {"old": work / "old.yaml", "new": work / "new.yaml"}
        paths["old"].write_bytes(old.snapshot)
        paths["new"].write_bytes(new.snapshot)
        with ThreadPoolExecutor(max_workers=1) as pool:  # optic beside the generators; more only contends
            optic = pool.submit(_timed, _optic, paths["old"], paths["new"], root, cache)
            packages = {}
            for side, document in (("old", old), ("new", new)):
                packages[side], report.timings[f"generate_{side}"] = _timed(
                    _generate, document.snapshot, work / "generated", cache
                )
            optic_output, report.timings["optic"] = optic.result()
        old_resolved, new_resolved = resolve_refs(old.document), resolve_refs(new.document)
        findings = merge_findings(
            optic_findings(optic_output, old_resolved, new_resolved), spec_findings(old.document, new.document)
        )
        findings = hint_renames(findings, old_resolved, new_resolved)
        griffe_started = time.perf_counter()
        findings += _python_level(packages["old"], packages["new"])
        report.timings["griffe"] = time.perf_counter() - griffe_started
    overlay_started = time.perf_counter()
    findings += overlay_findings(old.document, new.document)
    report.timings["overlay"] = time.perf_counter() - overlay_started
    findings += provenance_findings(old.document, new.document)
    report.rows = group(findings)
    report.affected_methods = facade_methods({f.scope for f in findings if f.level == "spec" and f.breaking})
    report.timings["total"] = time.perf_counter() - started
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        old = read_input(args.old, "OLD")
        new = read_input(args.new, "NEW")
        report = build_report(old, new, cache=args.cache_dir)
    except (InputError, OpticError) as exc:
        return _fail(str(exc))
    except Exception as exc:  # exit status 1 means "something breaks", which a crash does not say
        return _fail(f"unexpected {type(exc).__name__}: {exc}")
    markdown = render_markdown(report)
    try:
        for path, text in ((args.markdown, markdown), (args.json, render_json(report))):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    except OSError as exc:
        return _fail(f"cannot write the report: {exc}")
    sys.stdout.write(render_summary(report) if args.summary else markdown)
    return 1 if report.breaking() and not args.warn_only else 0


def _fail(message: str) -> int:
    print(f"{PROG}: error: {' '.join(message.split())}", file=sys.stderr)
    return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="Report what NEW breaks against OLD: in the spec, the Python API and the overlay."
    )
    parser.add_argument("old", nargs="?", default="HEAD", metavar="OLD", help="file, URL or git ref (default: HEAD)")
    parser.add_argument(
        "new", nargs="?", default=str(REPO_ROOT / SPEC_PATH), metavar="NEW", help=f"default: {SPEC_PATH}"
    )
    parser.add_argument("--markdown", type=Path, default=DEFAULT_MARKDOWN, metavar="PATH", help=f"{DEFAULT_MARKDOWN}")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, metavar="PATH", help=f"default: {DEFAULT_JSON}")
    parser.add_argument("--warn-only", action="store_true", help="exit 0 even when something breaks")
    parser.add_argument("--summary", action="store_true", help="print the verdict and counts, not the whole report")
    parser.add_argument(
        "--cache-dir", type=Path, metavar="DIR", help="reuse generated packages and optic results kept here"
    )
    return parser


def _timed(function: Callable[..., T], *args: Any) -> tuple[T, float]:
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started


def _optic(old: Path, new: Path, root: Path, cache: Path | None) -> OpticOutput:
    return run_optic(old, new, root, cache=cache)


def _generate(snapshot: bytes, work: Path, cache: Path | None) -> Path | str:
    """The folder of the generated package, or why the generators refused the document."""
    try:
        return generated_package(snapshot, work, cache)
    except GenerationError as exc:
        return str(exc)


def _python_level(old: Path | str, new: Path | str) -> list[Finding]:
    if isinstance(new, str):
        change = f"the pinned generators reject NEW: {new}"
        return [Finding("python", change, "generation", True, "ours", category="generation")]
    if isinstance(old, str):
        change = f"OLD cannot be generated, so the Python API is not compared: {old}"
        return [Finding("python", change, "generation", False, "ours", category="generation")]
    return python_findings(load_package(old), load_package(new))


def _git_show(argument: str, root: Path) -> tuple[bytes, str]:
    if argument.startswith("-"):
        raise InputError(f"{argument!r} is neither a file nor a git ref")
    target = argument if ":" in argument else f"{argument}:{SPEC_PATH}"
    try:
        result = subprocess.run(
            ["git", "show", target], cwd=root, capture_output=True, timeout=GIT_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InputError(f"no such file: {argument} (and git cannot read it as a ref: {exc})") from None
    if result.returncode != 0:
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = lines[0] if lines else f"exit status {result.returncode}"
        raise InputError(f"{argument!r} is neither a file nor a git ref with {SPEC_PATH} (git: {reason})")
    if len(result.stdout) > DEFAULT_MAX_BYTES:
        raise InputError(f"{target} is larger than the limit of {DEFAULT_MAX_BYTES} bytes")
    return result.stdout, target


if __name__ == "__main__":
    sys.exit(main())
