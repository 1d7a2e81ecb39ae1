"""Findings of the API diff, grouped into report rows, rendered as Markdown and as JSON."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Level = Literal["stale", "spec", "effective", "python", "overlay", "provenance"]
Severity = Literal["error", "warning", "info"]
SEVERITY_MARKS: Mapping[str, str] = {"error": "❌ yes", "warning": "⚠️ warning", "info": "no"}
MAX_CELL_CHARS = 1000
"""Most characters of a text a report cell shows (the JSON report keeps it whole); this project's longest is about
300."""
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")
"""Control, zero-width and bidirectional characters: in a job summary or a terminal they hide or reorder text."""
_BACKTICKS = re.compile(r"`+")
_MARKUP = re.compile(r"[\\`\[\]<>&|]")
"""What Markdown or HTML reads outside a code span and could act with: escapes, code spans, links and images,
tags, comments and entities, table cells. Emphasis (``*``, ``_``, ``~``) only styles, and is left as it is so that
a report of this project's own names (``payex_billing_invoice``) reads as it always has."""
_MENTION = re.compile(r"(?<=[@#])(?=\w)")
"""Where GitHub would link a mention (``@team``) or an issue (``#12``): a zero-width joiner there keeps it text."""
_JOINER = "\u200d"

LEVELS: tuple[Level, ...] = ("stale", "spec", "effective", "python", "overlay", "provenance")
LEVEL_TITLES: Mapping[Level, str] = {
    "stale": "Stale overlay actions",
    "spec": "Spec (upstream)",
    "effective": "Spec (effective)",
    "python": "Python API",
    "overlay": "Overlay",
    "provenance": "Provenance",
}
LEVEL_HEADINGS: Mapping[Level, tuple[str, str]] = {
    "stale": (
        "## Stale overlay actions: what `spec/payex.overlay.yaml` knows that NEW no longer fits",
        "Actions of the overlay whose target selects nothing in NEW's upstream document. The pipeline refuses "
        "NEW until each one is updated or removed; the effective NEW below is made without them.",
    ),
    "spec": (
        "## Spec, upstream level: what PayEx changed on the wire",
        "OLD's upstream document against NEW's, as published (optic and our checks).",
    ),
    "effective": (
        "## Spec, effective level: what the generators read",
        "OLD's effective document (upstream + overlay) against NEW's; only what the upstream level does not "
        "already say.",
    ),
    "python": (
        "## Python API: the regenerated `payex_billing_invoice_openapi`",
        "Both generators on OLD's and NEW's effective documents, the packages compared with griffe and our checks.",
    ),
    "overlay": (
        "## Overlay: `payex_billing_invoice` against the effective NEW",
        "",
    ),
    "provenance": (
        "## Provenance: what is documented now",
        "`x-payex-provenance` of OLD's and NEW's effective documents.",
    ),
}
SOURCE_NOTES: Mapping[str, str] = {
    "optic": "`@useoptic/optic` diff and its breaking-change checks",
    "ours": "this project's checks (`pipeline/_api_diff_*.py`)",
    "griffe": "`griffe.find_breaking_changes` on the two regenerated packages",
    "overlay_alignment": "`pipeline.overlay_alignment` on OLD and on NEW",
    "overlay": "`pipeline._overlay.apply_overlay` on NEW's upstream document",
}


@dataclass(frozen=True)
class Finding:
    """One change found by one source.

    ``scope`` is what several findings may share a row by (an operationId, a module or class path); ``where``
    is the rest of the location. ``pointer`` is a JSON pointer (spec level) or an object path (Python level).
    """

    level: Level
    change: str
    where: str
    breaking: bool
    source: str
    category: str = ""
    scope: str = ""
    pointer: str = ""
    detail: str = ""
    consequences: int = 0
    action: str = ""
    """What the upgrader must do about a breaking change (one line; see ``_api_diff_advice``)."""
    severity: str = ""
    """error, warning or info, once ``_api_diff_policy`` has judged it (error exactly when ``breaking``)."""


@dataclass(frozen=True)
class Row:
    """Findings that differ only in their scope, shown as one line of a report table.

    Spec rows read ``scopes · where`` (operations, then the place in them); Python rows read ``where: scopes``
    (a module or class, then the names in it).
    """

    level: Level
    change: str
    where: str
    breaking: bool
    source: str
    category: str
    scopes: tuple[str, ...]
    pointers: tuple[str, ...]
    detail: str
    consequences: int
    action: str = ""
    severity: str = ""

    def location(self) -> str:
        """The scopes and the location within them, as one string."""
        scopes = ", ".join(code_span(scope) for scope in self.scopes)
        if not (scopes and self.where):
            return scopes or self.where
        return f"{self.where}: {scopes}" if self.level == "python" else f"{scopes} · {self.where}"


@dataclass(frozen=True)
class Side:
    """One of the two documents compared."""

    label: str
    sha256: str
    input_version: str
    api_version: str
    overlay: str = ""
    """Where the overlay applied to it came from; empty when the document is taken as effective as it is."""
    effective_sha256: str = ""
    """The sha256 of the effective document, empty when it cannot be built."""


@dataclass
class Report:
    """Everything the API diff found, ready to render."""

    old: Side
    new: Side
    rows: list[Row]
    affected_methods: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    level_notes: dict[str, str] = field(default_factory=dict)
    """A note shown under one level's heading, e.g. why it was not compared."""
    tools: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    def breaking(self, level: Level | None = None) -> int:
        """How many rows (of one level, or of all) break a client: the errors."""
        return sum(1 for row in self.rows if row.breaking and level in (None, row.level))

    def warnings(self, level: Level | None = None) -> int:
        """How many rows (of one level, or of all) are warnings."""
        return sum(1 for row in self.rows if row.severity == "warning" and level in (None, row.level))

    def count(self, level: Level) -> int:
        """How many rows a level has."""
        return sum(1 for row in self.rows if row.level == level)


def group(findings: Iterable[Finding]) -> list[Row]:
    """Merge findings that differ only in scope; order breaking rows first, then by level, source and place."""
    merged: dict[tuple[Any, ...], list[Finding]] = {}
    for finding in findings:
        key = (
            finding.level,
            finding.change,
            finding.where,
            finding.breaking,
            finding.source,
            finding.category,
            finding.detail,
            finding.action,
            finding.severity,
        )
        merged.setdefault(key, []).append(finding)
    rows = [
        Row(
            level=first.level,
            change=first.change,
            where=first.where,
            breaking=first.breaking,
            source=first.source,
            category=first.category,
            scopes=tuple(sorted({f.scope for f in members if f.scope})),
            pointers=tuple(sorted({f.pointer for f in members if f.pointer})),
            detail=first.detail,
            consequences=sum(f.consequences for f in members),
            action=first.action,
            severity=first.severity or ("error" if first.breaking else "info"),
        )
        for members in merged.values()
        for first in members[:1]
    ]
    return sorted(rows, key=lambda r: (LEVELS.index(r.level), not r.breaking, r.source, r.location(), r.change))


def verdict(report: Report) -> str:
    """The first line of the report: does anything break, and where."""
    breaking, warnings = report.breaking(), report.warnings()
    others = plural(len(report.rows) - breaking - warnings, "other change")
    if warnings:
        others = f"{plural(warnings, 'warning')} and {others}"
    if not breaking:
        return f"{'⚠️' if warnings else '✅'} **Nothing breaks** ({others})."
    per_level = " · ".join(
        f"{LEVEL_TITLES[level]} {report.breaking(level)}" for level in LEVELS if report.breaking(level)
    )
    joined = ", " if warnings else " and "
    return f"❌ **{plural(breaking, 'breaking change')}** ({per_level}){joined}{others}."


def render_summary(report: Report) -> str:
    """The verdict and one line per level: what `regenerate` prints."""
    lines = [_plain(verdict(report)), f"  {report.old.label} -> {report.new.label}"]
    for level in LEVELS:
        if level == "stale" and not report.count(level):
            continue
        warnings = f", {plural(report.warnings(level), 'warning')}" if report.warnings(level) else ""
        lines.append(
            f"  {LEVEL_TITLES[level]}: {plural(report.count(level), 'change')}, {report.breaking(level)} breaking"
            + warnings
        )
    lines.extend(f"  note: {note}" for note in report.notes)
    return "\n".join(lines) + "\n"


def render_markdown(report: Report) -> str:
    """The report for a person deciding whether to merge: verdict, documents, one table per level."""
    lines = [
        verdict(report),
        "",
        f"**API diff** {_source(report.old.label, in_table=False)} → {_source(report.new.label, in_table=False)}",
        "",
        "| | OLD | NEW |",
        "|---|---|---|",
        f"| document | {_source(report.old.label)} | {_source(report.new.label)} |",
        f"| format | {_cell(report.old.input_version)} | {_cell(report.new.input_version)} |",
        f"| `info.version` | {_cell(report.old.api_version)} | {_cell(report.new.api_version)} |",
        f"| upstream sha256 (normalized) | `{report.old.sha256[:12]}` | `{report.new.sha256[:12]}` |",
        f"| overlay | {_source(report.old.overlay)} | {_source(report.new.overlay)} |",
        f"| effective sha256 | {_sha(report.old.effective_sha256)} | {_sha(report.new.effective_sha256)} |",
        "",
    ]
    lines.extend(f"> {_cell(note, in_table=False)}\n" for note in report.notes)
    for level in LEVELS:
        rows = [row for row in report.rows if row.level == level]
        if level == "stale" and not rows:
            continue
        heading, intro = LEVEL_HEADINGS[level]
        lines += [heading, ""]
        lines += [intro, ""] if intro else []
        lines += [f"> {_cell(note, in_table=False)}", ""] if (note := report.level_notes.get(level)) else []
        if level == "provenance":
            lines += _provenance_table(rows)
        elif level == "stale":
            lines += _stale_table(rows)
        else:
            lines += _table(rows)
        if level == "overlay" and report.affected_methods:
            methods = ", ".join(code_span(name) for name in report.affected_methods)
            lines += ["", f"Facade methods whose operation has a breaking spec change: {methods}."]
        lines.append("")
    sources = sorted({row.source for row in report.rows})
    if sources:
        lines += ["Sources: " + "; ".join(f"**{s}**: {SOURCE_NOTES.get(s, s)}" for s in sources) + ".", ""]
    return "\n".join(lines)


def render_json(report: Report) -> str:
    """The report for machines."""
    document = {
        "breaking": report.breaking(),
        "warnings": report.warnings(),
        "verdict": _plain(verdict(report)),
        "old": vars(report.old),
        "new": vars(report.new),
        "counts": {
            level: {
                "changes": report.count(level),
                "breaking": report.breaking(level),
                "warnings": report.warnings(level),
            }
            for level in LEVELS
        },
        "findings": [
            {
                "level": row.level,
                "change": row.change,
                "where": row.location(),
                "breaking": row.breaking,
                "severity": row.severity,
                "source": row.source,
                "category": row.category,
                "scopes": list(row.scopes),
                "pointers": list(row.pointers),
                "detail": row.detail,
                "consequences": row.consequences,
                "action": row.action,
            }
            for row in report.rows
        ],
        "affected_methods": report.affected_methods,
        "notes": report.notes,
        "level_notes": report.level_notes,
        "tools": report.tools,
        "timings_s": {name: round(seconds, 2) for name, seconds in report.timings.items()},
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _table(rows: Sequence[Row]) -> list[str]:
    if not rows:
        return ["No changes."]
    lines = ["| change | where | breaking? | what to do | source |", "|---|---|---|---|---|"]
    for row in rows:
        change = row.change
        if row.detail:
            change += f" — {row.detail}"
        if row.consequences:
            change += f" (and {row.consequences} consequent finding{'s' if row.consequences != 1 else ''})"
        mark = SEVERITY_MARKS.get(row.severity, "no")
        lines.append(f"| {_cell(change)} | {_cell(row.location())} | {mark} | {_cell(row.action)} | {row.source} |")
    return lines


def _stale_table(rows: Sequence[Row]) -> list[str]:
    lines = ["| action | target | breaking? | what to do |", "|---|---|---|---|"]
    lines += [f"| {_cell(row.change)} | {_cell(row.where)} | ❌ yes | {_cell(row.action)} |" for row in rows]
    return lines


def _source(label: str, *, in_table: bool = True) -> str:
    return _cell(code_span(label), in_table=in_table) if label else "none (already effective)"


def _sha(value: str) -> str:
    return f"`{value[:12]}`" if value else "cannot be built"


def _provenance_table(rows: Sequence[Row]) -> list[str]:
    if not rows:
        return ["No changes."]
    lines = ["| where | OLD → NEW | source |", "|---|---|---|"]
    lines += [f"| {_cell(row.location())} | {_cell(row.change)} | {row.source} |" for row in rows]
    return lines


def plural(number: int, noun: str) -> str:
    """``1 change``, ``2 changes``."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def code_span(text: object) -> str:
    """``text`` as a Markdown code span, fenced with more backticks than its longest run of them: an upstream
    value cannot end the span early and have the rest read as Markdown or HTML."""
    value = str(text)
    fence = "`" * (max(map(len, _BACKTICKS.findall(value)), default=0) + 1)
    pad = " " if value[:1] in ("`", " ") or value[-1:] in ("`", " ") or not value else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def _cell(text: str, *, in_table: bool = True) -> str:
    """Report text made inert, as one table cell or one line: no line breaks, invisible characters spelled out,
    at most ``MAX_CELL_CHARS`` characters with a marker saying how many were cut, and outside its code spans no
    Markdown, no HTML (tags, ``<!--``), no live mention; in a table, pipes escaped in code spans too."""
    flat = _INVISIBLE.sub(lambda found: f"\\u{ord(found[0]):04x}", " ".join(text.split()))
    cut = len(flat) - MAX_CELL_CHARS
    shown = _inert(flat[:MAX_CELL_CHARS], "\\|" if in_table else "|")
    return f"{shown} … ({cut} more characters)" if cut > 0 else shown


def _inert(text: str, pipe: str) -> str:
    """Code spans as CommonMark reads them (a backtick run closed by the next run of the same length) kept, their
    pipes written as ``pipe``; every other character that Markdown reads escaped, and mentions broken."""
    parts: list[str] = []
    plain_from = position = 0
    while opener := _BACKTICKS.search(text, position):
        position = opener.end()
        closer = next((run for run in _BACKTICKS.finditer(text, position) if len(run[0]) == len(opener[0])), None)
        if closer is None:
            continue  # a lone run is literal backticks, escaped with the plain text around it
        parts += [_escaped(text[plain_from : opener.start()]), text[opener.start() : closer.end()].replace("|", pipe)]
        plain_from = position = closer.end()
    parts.append(_escaped(text[plain_from:]))
    return "".join(parts)


def _escaped(plain: str) -> str:
    return _MENTION.sub(_JOINER, _MARKUP.sub(lambda found: "\\" + found[0], plain))


def _plain(text: str) -> str:
    return text.replace("**", "")
