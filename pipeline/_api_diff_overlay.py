"""Overlay level of the API diff: what ``overlay_alignment`` says of NEW that it did not say of OLD."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from pipeline._api_diff_report import Finding, code_span
from pipeline._api_diff_spec import operation_key

__all__ = ["classify", "facade_methods", "overlay_findings"]

_OP = r"(?P<op>(?:[A-Z]+ )?\S+)"
"""An operation as alignment messages name it: ``GET /a/{b}``, or an operationId in older messages."""
_PATTERNS: tuple[tuple[re.Pattern[str], str, str, str], ...] = tuple(
    (re.compile(pattern.replace("{OP}", _OP)), state, kind, name)
    for pattern, state, kind, name in (
        (r"^operation {OP} \(.*\) has no facade method in the overlay$", "missing", "facade method", "op"),
        (r"^overlay method (?P<name>\S+) calls {OP}, which the spec lacks$", "orphaned", "facade method", "name"),
        (
            r"^overlay route template '(?P<name>[^']*)' \(.*\) has no spec operation$",
            "orphaned",
            "route template",
            "name",
        ),
        (r"^operation {OP}: overlay route template ", "changed", "route template", "op"),
        (r"^operation {OP}: path parameters ", "changed", "route template", "op"),
        (r"^operation {OP}: operationId ", "changed", "operationId", "op"),
        (
            r"^operation {OP}: requires \w+ parameter (?P<name>\S+), which the facade",
            "missing",
            "facade parameter",
            "name",
        ),
        (r"^operation {OP}: 200 schema .* overlay returns \w+ (?P<name>\S+)$", "changed", "model", "name"),
        (r"^operation {OP}: (?P<name>\w+\.\w+)", "changed", "facade method", "name"),
        (r"^operation {OP} is \w+, the overlay only sends GET$", "changed", "facade method", "op"),
        (r"^(?P<name>\w+\.\w+) is public but stands for no spec operation$", "orphaned", "facade method", "name"),
        (r"^problem type (?P<name>\S+) \(HTTP .*\) has no exception class", "missing", "exception class", "name"),
        (r"^problem type (?P<code>\S+): (?P<name>\w+) ", "changed", "exception class", "name"),
        (
            r"^exception class (?P<name>\w+) maps problem type \S+, which the spec lacks$",
            "orphaned",
            "exception class",
            "name",
        ),
    )
)


def classify(message: str) -> tuple[str, str, str]:
    """(state, kind, name) of an alignment message: state is missing, orphaned or changed."""
    for pattern, state, kind, group in _PATTERNS:
        match = pattern.match(message)
        if match:
            return state, kind, match[group]
    return "changed", "overlay", ""


def overlay_findings(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Finding]:
    """Messages of ``overlay_alignment`` new in NEW (breaking), and those NEW resolves."""
    try:
        from pipeline.overlay_alignment import overlay_alignment  # noqa: PLC0415 - imports the overlay

        before, after = Counter(overlay_alignment(old)), Counter(overlay_alignment(new))
    except Exception as exc:
        reason = " ".join(f"{type(exc).__name__}: {exc}".split())
        return [Finding("overlay", f"the overlay cannot be checked: {reason}", "overlay", True, "overlay_alignment")]
    return [*_findings(after - before, breaking=True), *_findings(before - after, breaking=False)]


def facade_methods(operations: Iterable[str]) -> list[str]:
    """The facade methods that call the given operations, each named ``METHOD /path/{template}``.

    The facade's endpoints are matched by method and path template (parameter names aside), never by
    operationId.
    """
    try:
        from payex_billing_invoice._operations import ENDPOINTS  # noqa: PLC0415 - imports the overlay
        from payex_billing_invoice._routes import OPERATIONS  # noqa: PLC0415
    except Exception:
        return []
    wanted = {operation_key(*label.split(" ", 1)) for label in operations if " " in label}
    return sorted(
        endpoint.method_name
        for operation_id, endpoint in ENDPOINTS.items()
        if operation_id in OPERATIONS
        and operation_key(OPERATIONS[operation_id].method, OPERATIONS[operation_id].path_template) in wanted
    )


def _findings(messages: Counter[str], *, breaking: bool) -> list[Finding]:
    found = []
    for message in sorted(messages):
        state, kind, name = classify(message)
        change = f"{state}: {message}" if breaking else f"resolved: {message}"
        where = f"{kind} for {code_span(name)}" if state == "missing" else f"{kind} {code_span(name)}" if name else kind
        # A new operation without a facade method breaks no caller of the facade: a gap to fill, a warning.
        gap = breaking and (state, kind) == ("missing", "facade method")
        severity = "warning" if gap else ""
        finding = Finding("overlay", change, where, breaking and not gap, "overlay_alignment", state, severity=severity)
        found.append(finding)
    return found
