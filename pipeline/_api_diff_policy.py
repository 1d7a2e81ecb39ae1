"""The verdict of the API diff: each finding's level (error, warning or info), by the policy of
``docs/api-diff-policy.md``, close to oasdiff's levels.

An error breaks a client written against OLD and decides the exit status; a warning may break one (teams that want
it fail on it with ``--fail-on warning``); info breaks nothing. Our checks and optic's say whether a finding breaks;
the policy then weighs the cases they cannot know by themselves: which way a value travels (a request accepts, a
response answers), whether a removed operation was deprecated past its ``x-sunset``, whether a removed response
was a success.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from pipeline._api_diff_report import Finding, Severity
from pipeline._api_diff_spec import lookup, place, split

__all__ = ["judge", "python_policy", "spec_policy"]

BY_DIRECTION: Mapping[str, tuple[Severity, Severity]] = {
    "enum-removed": ("error", "info"),
    "enum-added": ("info", "warning"),
    "enum-dropped": ("info", "warning"),
    "enum-introduced": ("error", "info"),
    "constraint-tightened": ("error", "info"),
    "constraint-loosened": ("info", "warning"),
    "constraint-added": ("warning", "info"),
    "constraint-removed": ("info", "warning"),
    "pattern-added": ("warning", "info"),
    "pattern-changed": ("warning", "warning"),
    "pattern-removed": ("info", "warning"),
}
"""Category -> (level in a request or parameter, level in a response): the direction decides."""
_SUNSET_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_FOLDED = "media-type-removed"


def judge(findings: Iterable[Finding]) -> list[Finding]:
    """The findings with a level each: the one a rule gave, else error when breaking and info otherwise."""
    judged = []
    for finding in findings:
        severity = finding.severity or ("error" if finding.breaking else "info")
        judged.append(replace(finding, severity=severity, breaking=severity == "error"))
    return judged


def spec_policy(
    findings: Sequence[Finding], old: Mapping[str, Any], today: datetime.date | None = None
) -> list[Finding]:
    """Spec-level findings weighed by direction, deprecation and status; what lies inside a removed media type
    is folded into that one finding. ``old`` is OLD's document with ``$ref`` resolved."""
    day = today or datetime.date.today()
    removed = [f for f in findings if f.category == _FOLDED]
    kept: list[Finding] = []
    folded: dict[int, int] = {}
    for finding in findings:
        container = next(
            (index for index, media in enumerate(removed) if finding is not media and _within(finding, media)), None
        )
        if container is None:
            kept.append(finding)
        else:
            folded[container] = folded.get(container, 0) + 1 + finding.consequences
    kept = [
        replace(f, consequences=f.consequences + folded.get(removed.index(f), 0)) if f in removed else f for f in kept
    ]
    return judge(_weighed(f, old, day) for f in kept)


def _weighed(finding: Finding, old: Mapping[str, Any], today: datetime.date) -> Finding:
    severity = _severity(finding, old, today)
    reason = _REASONS.get((finding.category, severity), "") if severity != finding.severity else ""
    detail = "; ".join(part for part in (finding.detail, reason) if part)
    return replace(finding, severity=severity, detail=detail)


_REASONS = {
    ("removed", "info"): "OLD deprecated it and its x-sunset (if any) has passed",
    ("removed", "warning"): "not a success response: a client never relied on getting it",
}


def python_policy(python: Sequence[Finding], spec: Sequence[Finding]) -> list[Finding]:
    """Python-level findings; a removed ``api`` module is info when every operation the spec levels remove was
    deprecated past its sunset (its generated module goes with it)."""
    removals = [f for f in spec if f.level in ("spec", "effective") and f.category == "removed" and _is_operation(f)]
    if not removals or any(f.severity != "info" for f in removals):
        return list(python)
    return [
        replace(f, breaking=False, severity="info", detail="its operation was removed after its deprecation")
        if f.category == "object_removed" and f.where.startswith("`api")
        else f
        for f in python
    ]


def _is_operation(finding: Finding) -> bool:
    tokens = split(finding.pointer)
    return len(tokens) == 3 and tokens[0] == "paths"


def _within(finding: Finding, media: Finding) -> bool:
    here, there = place(finding.pointer), place(media.pointer)
    return bool(finding.pointer) and (here == there or here.startswith(there + "/"))


def _severity(finding: Finding, old: Mapping[str, Any], today: datetime.date) -> Severity | str:
    tokens = split(finding.pointer)
    if finding.category in BY_DIRECTION:
        request, response = BY_DIRECTION[finding.category]
        return response if tokens[3:4] == ["responses"] else request
    if not finding.breaking or finding.category != "removed" or tokens[:1] != ["paths"]:
        return finding.severity
    if _is_operation(finding):
        return _removal_severity(lookup(old, finding.pointer), today)
    if len(tokens) == 5 and tokens[3] == "responses" and not tokens[4].startswith("2"):
        return "warning"
    return finding.severity


def _removal_severity(operation: Any, today: datetime.date) -> Severity:
    """An operation removed: an error unless OLD deprecated it, with no ``x-sunset`` or one that has passed."""
    if not (isinstance(operation, Mapping) and operation.get("deprecated") is True):
        return "error"
    sunset = operation.get("x-sunset")
    if sunset is None:
        return "info"
    match = _SUNSET_DATE.match(str(sunset))
    try:
        date = datetime.date(*(int(part) for part in match.groups())) if match else None
    except ValueError:
        date = None
    return "info" if date is not None and date <= today else "error"
