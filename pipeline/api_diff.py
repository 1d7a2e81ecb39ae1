"""What a new API document breaks: on the wire, in what we generate from, in the regenerated Python API and in
the overlay.

    python -m pipeline.api_diff [OLD] [NEW] [--overlay PATH] [--markdown PATH] [--json PATH] [--warn-only]
                                [--fail-on error|warning] [--summary] [--cache-dir DIR] [--no-cache]

OLD and NEW are *upstream* documents (OpenAPI 3.0/3.1 or Swagger 2.0, JSON or YAML): a file, an http(s) URL or a
git ref. A git ref ``REF`` means ``REF:spec/upstream.yaml`` with the overlay ``REF:spec/payex.overlay.yaml``; a
commit older than that split has only ``spec/openapi.yaml``, taken as an already effective document.
``REF:PATH``, a file or a URL is an upstream document with the working tree's ``spec/payex.overlay.yaml`` applied
(``--overlay PATH`` for another). A document that carries the root ``x-payex-problem-types`` is effective already:
no overlay is applied, and its upstream level is itself. Defaults: ``HEAD`` and the working tree's
``spec/upstream.yaml``. Every document goes through fetch_spec's parsing, Swagger 2.0 conversion, validation and
normalization, read leniently (path parameters that do not fit their template are repaired, the semantic checks'
findings let pass: NEW's are warning rows); the effective one is ``pipeline._effective.build_effective`` of it.

The report compares, operations matched by method and path everywhere:

- stale overlay actions: the overlay's actions that select nothing in NEW's upstream document but did in OLD's
  (breaking: the pipeline refuses such a document); the effective NEW is then made without them, so the levels
  below still say what the rest would give;
- the spec, upstream level: OLD's upstream against NEW's (optic's diff and checks, plus ours: enums, formats,
  nullability, problem types, servers, security, renamed path parameters, operationIds);
- the spec, effective level: OLD's effective document against NEW's, the rows the upstream level does not have;
- the Python level: both generators on the effective documents, the packages compared with griffe and ours;
- the overlay level: ``overlay_alignment`` of the effective OLD and NEW;
- provenance moves (``inferred`` ⇄ ``documented``) between the effective documents.

Each row is an error, a warning or info by the policy of ``docs/api-diff-policy.md`` (``_api_diff_policy``); every
error and warning says what the upgrader must do. A document the generators refuse (or whose effective document
cannot be built) is one row, not a breaking change of every name; when neither OLD nor NEW generates, the Python
level is not comparable (one note). Generated packages and optic's results are reused by content hash from
``--cache-dir`` (default ``.cache/api-diff``).

Exit status: 0 when no row is an error (or with --warn-only), 1 when one is (``--fail-on warning``: or a warning),
2 when an input cannot be read or a tool cannot run (one line on stderr says why).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pipeline._api_diff_advice import STALE_ACTION, with_advice
from pipeline._api_diff_optic import OpticError, OpticOutput, optic_findings, optic_version, run_optic
from pipeline._api_diff_overlay import facade_methods, overlay_findings
from pipeline._api_diff_policy import judge, python_policy, spec_policy
from pipeline._api_diff_python import generated_package, generator_versions, load_package, python_findings
from pipeline._api_diff_report import (
    Finding,
    Level,
    Report,
    Side,
    code_span,
    group,
    plural,
    render_json,
    render_markdown,
    render_summary,
)
from pipeline._api_diff_spec import (
    collapse_media_types,
    hint_renames,
    media_free,
    merge_findings,
    provenance_findings,
    resolve_refs,
    spec_findings,
    with_shared_parameters,
)
from pipeline._effective import apply_to_upstream, build_effective
from pipeline._overlay import Action
from pipeline._spec_document import Document, SpecFetchError, dump_snapshot, load_yaml, parse_document
from pipeline.fetch_spec import DEFAULT_MAX_BYTES, build_snapshot, load_source, redact_url, scrub_url
from pipeline.generate import GenerationError

__all__ = ["Input", "InputError", "Stage", "build_report", "main", "read_input"]

REPO_ROOT = Path(__file__).resolve().parent.parent
PROG = "api_diff"
UPSTREAM_PATH = "spec/upstream.yaml"
OVERLAY_PATH = "spec/payex.overlay.yaml"
EFFECTIVE_PATH = "spec/openapi.yaml"
EFFECTIVE_MARK = "x-payex-problem-types"
"""A root member only the overlay adds: a document that has it is effective already."""
DEFAULT_MARKDOWN = Path("reports/api-diff.md")
DEFAULT_JSON = Path("reports/api-diff.json")
DEFAULT_CACHE = REPO_ROOT / ".cache" / "api-diff"
"""Generated packages and optic results by content hash: a repeated run reuses them."""
GIT_TIMEOUT = 60.0
_ADDRESS = re.compile(r"\s*\bat 0x[0-9a-fA-F]+")

T = TypeVar("T")


class InputError(Exception):
    """OLD or NEW cannot be read as an API document; the message is one line."""


@dataclass(frozen=True)
class Stage:
    """A document at one level: normalized snapshot bytes and what they parse to."""

    snapshot: bytes
    document: Document


@dataclass(frozen=True)
class Input:
    """A document as compared: its upstream level and the effective document made of it.

    ``snapshot`` and ``document`` are the upstream level. ``effective`` is None when upstream + overlay cannot
    be made into a valid document (``problem`` says why); with stale actions it is made without them.
    """

    label: str
    snapshot: bytes
    document: Document
    input_version: str
    effective: Stage | None = None
    overlay: str = ""
    """Where the overlay came from; empty when the document is effective as it is."""
    stale: tuple[Action, ...] = ()
    problem: str = ""
    notes: tuple[str, ...] = field(default=())
    defects: tuple[str, ...] = ()
    """What the lenient reading repaired or let pass (a path parameter not declared, ...)."""
    applied: str = ""
    """The sha256 of the overlay actions applied to make the effective document."""

    def side(self) -> Side:
        """How the report names this document."""
        info = self.document.get("info")
        version = info.get("version") if isinstance(info, Mapping) else None
        effective = hashlib.sha256(self.effective.snapshot).hexdigest() if self.effective else ""
        return Side(
            self.label,
            hashlib.sha256(self.snapshot).hexdigest(),
            self.input_version,
            str(version),
            overlay=self.overlay,
            effective_sha256=effective,
        )


def read_input(argument: str, role: str, *, root: Path = REPO_ROOT, overlay: Path | None = None) -> Input:
    """Read a file, URL or git ref as an upstream document and make the effective document of it.

    ``overlay`` replaces the working tree's overlay for a file, a URL or ``REF:PATH`` (a bare ``REF`` brings
    its own).
    """
    try:
        overlay_bytes: bytes | None = None
        if Path(argument).exists() or "://" in argument:
            raw = load_source(argument, root=root)
            data, label = raw.data, raw.source
        elif ":" in argument:
            data, label = _git_show(argument, root, argument)
        else:
            data, label, overlay_bytes = _git_ref(argument, root)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            snapshot = build_snapshot(data, name=label, root=root, lenient=True)
        document = load_yaml(snapshot.content.decode("utf-8"))
        version = str(snapshot.input_version)
        if EFFECTIVE_MARK in document or (label.endswith(":" + EFFECTIVE_PATH) and overlay_bytes is None):
            note = f"{label} is an effective document already: no overlay applied, its upstream level is itself"
            stage = Stage(snapshot.content, document)
            return Input(label, snapshot.content, document, version, stage, notes=(note,), defects=snapshot.warnings)
        if overlay_bytes is not None:
            overlay_label = f"{label.partition(':')[0]}:{OVERLAY_PATH}"
        else:
            overlay_path = overlay or root / OVERLAY_PATH
            overlay_bytes, overlay_label = _read_overlay_file(overlay_path), _relative(overlay_path, root)
        overlay_document = parse_document(overlay_bytes, name=overlay_label).document
    except (SpecFetchError, InputError) as exc:
        raise InputError(f"{role}: {exc}") from None
    except RecursionError:
        raise InputError(f"{role}: {redact_url(argument)} nests too deeply") from None
    upstream = Input(label, snapshot.content, document, version, overlay=overlay_label, defects=snapshot.warnings)
    return _with_overlay(upstream, overlay_document)


def _with_overlay(upstream: Input, overlay: Document) -> Input:
    """The input with its effective document: upstream + overlay, without the actions that are stale."""
    try:
        stale = apply_to_upstream(upstream.document, overlay).stale
        indices = {action.index for action in stale}
        kept = [action for index, action in enumerate(overlay.get("actions") or []) if index not in indices]
        effective = build_effective(upstream.document, {**overlay, "actions": kept}, lenient=True) if kept else None
    except SpecFetchError as exc:
        return _replace(upstream, problem=f"upstream + overlay cannot be made effective: {exc}")
    if effective is None:
        return _replace(upstream, stale=stale, problem="every overlay action is stale")
    snapshot = dump_snapshot(effective)
    applied = hashlib.sha256(json.dumps(kept, sort_keys=True).encode()).hexdigest()
    stage = Stage(snapshot, load_yaml(snapshot.decode("utf-8")))
    return _replace(upstream, effective=stage, stale=stale, applied=applied)


def _replace(value: Input, **changes: Any) -> Input:
    fields = {**vars(value), **changes}
    return Input(**fields)


def build_report(old: Input, new: Input, *, root: Path = REPO_ROOT, cache: Path | None = None) -> Report:
    """Compare two documents at every level; raise OpticError when optic cannot run."""
    tools = {"optic": optic_version(root), **generator_versions()}
    report = Report(old.side(), new.side(), [], tools=tools)
    report.notes += [f"OLD: {note}" for note in old.notes] + [f"NEW: {note}" for note in new.notes]
    report.notes += [f"OLD read leniently: {defect}" for defect in old.defects]
    findings: list[Finding] = [_defect_finding(defect) for defect in new.defects if defect not in old.defects]
    stale_before = {action.target for action in old.stale}  # by target: the two overlays may differ
    findings += [_stale_finding(action) for action in new.stale if action.target not in stale_before]
    if both_stale := sum(1 for action in new.stale if action.target in stale_before):
        report.notes.append(
            f"Not comparable: {plural(both_stale, 'overlay action')} {'selects' if both_stale == 1 else 'select'} "
            "nothing in OLD either; only the actions NEW stales are rows."
        )
    same_upstream = old.snapshot == new.snapshot
    old_effective, new_effective = old.effective, new.effective
    same_effective = old_effective is not None and new_effective is not None
    same_effective = same_effective and old_effective.snapshot == new_effective.snapshot  # type: ignore[union-attr]
    if same_upstream and (same_effective or old.problem == new.problem != ""):
        report.notes.append("OLD and NEW are the same document once normalized: nothing changed.")
        report.rows = group(with_advice(judge(findings)))
        return report
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="api-diff-") as scratch:
        work = Path(scratch)
        findings += _compare(old, new, work, root=root, cache=cache, report=report)
    findings = judge(findings)
    report.rows = group(with_advice(findings))
    spec_breaking = {f.scope for f in findings if f.level in ("spec", "effective") and f.breaking}
    report.affected_methods = facade_methods(spec_breaking)
    report.timings["total"] = time.perf_counter() - started
    return report


def _compare(old: Input, new: Input, work: Path, *, root: Path, cache: Path | None, report: Report) -> list[Finding]:
    """Every level's findings but the stale actions'; timings and level notes go into ``report``."""
    pairs: dict[Level, tuple[Stage, Stage]] = {}
    if old.snapshot != new.snapshot:
        pairs["spec"] = (Stage(old.snapshot, old.document), Stage(new.snapshot, new.document))
    else:
        report.level_notes["spec"] = "OLD's and NEW's upstream documents are the same once normalized."
    effective_pair = (old.effective, new.effective) if old.effective and new.effective else None
    same_levels = old.effective and new.effective and _is_upstream(old) and _is_upstream(new)
    if effective_pair and not same_levels and effective_pair[0].snapshot != effective_pair[1].snapshot:
        pairs["effective"] = effective_pair
    elif same_levels:
        report.level_notes["effective"] = "Both documents are effective as they are: the upstream level says it all."
    skipped: set[Level] = set()
    if "effective" in pairs and "spec" in pairs and old.applied == new.applied != "":
        skipped.add("effective")
        report.level_notes["effective"] = (
            "optic not run: both effective documents apply the same overlay actions, so its rows would repeat the "
            "upstream level's; our checks compare the effective documents."
        )
    with ThreadPoolExecutor(max_workers=3) as pool:
        optic = {
            level: pool.submit(_timed, _optic, pair, work / level, root, cache)
            for level, pair in pairs.items()
            if level not in skipped
        }
        generating = {
            side: pool.submit(_timed, _generate, stage.snapshot, work / "generated" / side, cache)
            for side, stage in (("old", old.effective), ("new", new.effective))
            if stage
        }
        packages = {side: generating[side].result() if side in generating else (None, 0.0) for side in ("old", "new")}
        outputs = {level: future.result() for level, future in optic.items()}
    outputs.update({level: (OpticOutput(), 0.0) for level in skipped})
    for side, (_, seconds) in packages.items():
        report.timings[f"generate_{side}"] = seconds
    findings: list[Finding] = []
    for level, (output, seconds) in outputs.items():
        report.timings[f"optic_{level}"] = seconds
        old_stage, new_stage = pairs[level]
        findings += _spec_level(level, output, old_stage.document, new_stage.document)
    findings = _without_repeats(findings)
    if not effective_pair:
        report.level_notes["effective"] = "Not compared: " + _problems(old, new)
    griffe_started = time.perf_counter()
    python, comparable = _python_level(old, new, packages["old"][0], packages["new"][0])
    report.timings["griffe"] = time.perf_counter() - griffe_started
    findings += python_policy(python, findings)
    if comparable is not None:
        report.notes.append(comparable)
    if packages["new"][0] is None or isinstance(packages["new"][0], str) or not new.effective:
        report.level_notes["overlay"] = "Not compared: NEW cannot be generated, so the facade cannot be built on it."
        report.level_notes["provenance"] = "Not compared: NEW has no effective document." if not new.effective else ""
        if new.effective and old.effective:
            findings += provenance_findings(old.effective.document, new.effective.document)
        return findings
    overlay_started = time.perf_counter()
    if old.effective:
        findings += overlay_findings(old.effective.document, new.effective.document)
        findings += provenance_findings(old.effective.document, new.effective.document)
    report.timings["overlay"] = time.perf_counter() - overlay_started
    return findings


def _is_upstream(value: Input) -> bool:
    """Whether the input's upstream level is its effective document (it was taken as effective as it is)."""
    return value.effective is not None and value.effective.snapshot == value.snapshot


def _problems(old: Input, new: Input) -> str:
    parts = [f"{role} has no effective document ({value.problem})" for role, value in (("OLD", old), ("NEW", new))]
    return "; ".join(part for part, value in zip(parts, (old, new), strict=True) if value.problem) + "."


def _spec_level(level: Level, output: OpticOutput, old: Document, new: Document) -> list[Finding]:
    """Optic's findings and ours between two documents of one level, weighed by the policy."""
    old_resolved = resolve_refs(with_shared_parameters(old))
    new_resolved = resolve_refs(with_shared_parameters(new))
    findings = merge_findings(optic_findings(output, old_resolved, new_resolved), spec_findings(old, new))
    findings = hint_renames(findings, old_resolved, new_resolved)
    return spec_policy(collapse_media_types([_at_level(finding, level) for finding in findings]), old_resolved)


def _at_level(finding: Finding, level: Level) -> Finding:
    return Finding(**{**vars(finding), "level": level})


def _without_repeats(findings: list[Finding]) -> list[Finding]:
    """The findings without the effective level's repeats of upstream-level ones."""
    upstream = {_identity(finding) for finding in findings if finding.level == "spec"}
    return [f for f in findings if f.level != "effective" or _identity(f) not in upstream]


def _identity(finding: Finding) -> tuple[Any, ...]:
    return finding.change, media_free(finding.where), finding.scope, finding.breaking, finding.category


def _defect_finding(defect: str) -> Finding:
    return Finding(
        "spec", f"NEW read leniently: {defect}", "document", False, "ours", "document-defect", severity="warning"
    )


def _stale_finding(action: Action) -> Finding:
    change = action.description or "(no description)"
    return Finding(
        "stale",
        change,
        f"actions[{action.index}] {code_span(action.target)}",
        True,
        "overlay",
        category="stale",
        pointer=action.target,
        action=STALE_ACTION,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        old = read_input(args.old, "OLD", overlay=args.overlay)
        new = read_input(args.new, "NEW", overlay=args.overlay)
        report = build_report(old, new, cache=None if args.no_cache else args.cache_dir)
    except (InputError, OpticError) as exc:
        return _fail(_scrubbed(str(exc), args))
    except Exception as exc:  # exit status 1 means "something breaks", which a crash does not say
        return _fail(_scrubbed(f"unexpected {type(exc).__name__}: {exc}", args))
    markdown = render_markdown(report)
    try:
        for path, text in ((args.markdown, markdown), (args.json, render_json(report))):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    except OSError as exc:
        return _fail(f"cannot write the report: {exc}")
    sys.stdout.write(render_summary(report) if args.summary else markdown)
    failing = report.breaking() + (report.warnings() if args.fail_on == "warning" else 0)
    return 1 if failing and not args.warn_only else 0


def _scrubbed(message: str, args: argparse.Namespace) -> str:
    """``message`` without the credentials an OLD or NEW URL may carry."""
    return scrub_url(scrub_url(message, args.old), args.new)


def _fail(message: str) -> int:
    print(f"{PROG}: error: {' '.join(message.split())}", file=sys.stderr)
    return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Report what NEW breaks against OLD: on the wire, in the effective spec, the Python API and "
        "the overlay.",
    )
    parser.add_argument(
        "old", nargs="?", default="HEAD", metavar="OLD", help="upstream file, URL or git ref (default: HEAD)"
    )
    parser.add_argument(
        "new", nargs="?", default=str(REPO_ROOT / UPSTREAM_PATH), metavar="NEW", help=f"default: {UPSTREAM_PATH}"
    )
    parser.add_argument(
        "--overlay",
        type=Path,
        metavar="PATH",
        help=f"the overlay for a file or URL (default: the working tree's {OVERLAY_PATH}; a git ref brings its own)",
    )
    parser.add_argument("--markdown", type=Path, default=DEFAULT_MARKDOWN, metavar="PATH", help=f"{DEFAULT_MARKDOWN}")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, metavar="PATH", help=f"default: {DEFAULT_JSON}")
    parser.add_argument("--warn-only", action="store_true", help="exit 0 even when something breaks")
    parser.add_argument(
        "--fail-on",
        choices=("error", "warning"),
        default="error",
        help="exit 1 on errors (default), or on warnings too; see docs/api-diff-policy.md",
    )
    parser.add_argument("--summary", action="store_true", help="print the verdict and counts, not the whole report")
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=DEFAULT_CACHE,
        metavar="DIR",
        help="reuse generated packages and optic results kept here (default: .cache/api-diff)",
    )
    parser.add_argument("--no-cache", action="store_true", help="generate and run optic afresh, keep nothing")
    return parser


def _timed(function: Callable[..., T], *args: Any) -> tuple[T, float]:
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started


def _optic(pair: tuple[Stage, Stage], work: Path, root: Path, cache: Path | None) -> OpticOutput:
    """Optic on the two documents, path items' parameters pushed down into their operations."""
    work.mkdir(parents=True, exist_ok=True)
    old, new = work / "old.yaml", work / "new.yaml"
    old.write_bytes(dump_snapshot(with_shared_parameters(pair[0].document)))
    new.write_bytes(dump_snapshot(with_shared_parameters(pair[1].document)))
    return run_optic(old, new, root, cache=cache)


def _generate(snapshot: bytes, work: Path, cache: Path | None) -> Path | str:
    """The folder of the generated package, or why the generators refused the document (the same words for
    the same refusal: no scratch paths, no object addresses)."""
    try:
        return generated_package(snapshot, work, cache)
    except GenerationError as exc:
        text = str(exc).replace(f"{work}/", "").replace(str(work), "")
        return " ".join(_ADDRESS.sub("", text).split())


def _python_level(
    old: Input, new: Input, old_package: Path | str | None, new_package: Path | str | None
) -> tuple[list[Finding], str | None]:
    """The Python level's findings, and a note when neither document can be generated."""
    old_reason = _refusal(old, old_package)
    new_reason = _refusal(new, new_package)
    if old_reason and new_reason:
        same = "both for the same reason" if old_reason == new_reason else f"OLD: {old_reason}; NEW"
        return [], f"Python API not comparable: neither OLD nor NEW can be generated, {same}: {new_reason}"
    if new_reason:
        detail = f"OLD could not be generated either: {old_reason}" if old_reason else ""
        change = f"NEW cannot be generated: {new_reason}"
        return [Finding("python", change, "generation", True, "ours", category="generation", detail=detail)], None
    if old_reason or not isinstance(old_package, Path) or not isinstance(new_package, Path):
        change = f"OLD cannot be generated, so the Python API is not compared: {old_reason}"
        return [Finding("python", change, "generation", False, "ours", category="generation")], None
    return python_findings(load_package(old_package), load_package(new_package)), None


def _refusal(value: Input, package: Path | str | None) -> str:
    if isinstance(package, str):
        return package
    return value.problem if package is None else ""


def _git_ref(ref: str, root: Path) -> tuple[bytes, str, bytes | None]:
    """A ref's upstream document and overlay, or (for a commit before the split) its effective document."""
    try:
        data, label = _git_show(f"{ref}:{UPSTREAM_PATH}", root, ref)
    except InputError:
        data, label = _git_show(f"{ref}:{EFFECTIVE_PATH}", root, ref)
        return data, label, None
    overlay, _ = _git_show(f"{ref}:{OVERLAY_PATH}", root, ref)
    return data, label, overlay


def _git_show(target: str, root: Path, argument: str) -> tuple[bytes, str]:
    if argument.startswith("-"):
        raise InputError(f"{argument!r} is neither a file nor a git ref")
    try:
        result = subprocess.run(
            ["git", "show", target], cwd=root, capture_output=True, timeout=GIT_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InputError(f"no such file: {argument} (and git cannot read it as a ref: {exc})") from None
    if result.returncode != 0:
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = lines[0] if lines else f"exit status {result.returncode}"
        wanted = target.partition(":")[2] if ":" not in argument else target
        paths = f"{UPSTREAM_PATH} or {EFFECTIVE_PATH}" if wanted == EFFECTIVE_PATH else wanted
        raise InputError(f"{argument!r} is neither a file nor a git ref with {paths} (git: {reason})")
    if len(result.stdout) > DEFAULT_MAX_BYTES:
        raise InputError(f"{target} is larger than the limit of {DEFAULT_MAX_BYTES} bytes")
    return result.stdout, target


def _read_overlay_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the overlay {path}: {exc.strerror or exc}") from None


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
