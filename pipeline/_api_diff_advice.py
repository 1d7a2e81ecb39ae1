"""What the upgrader must do about a breaking change: one line per rule, derived from the finding's level,
category and place, never written for one document."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from pipeline._api_diff_report import Finding, code_span
from pipeline._api_diff_spec import split

__all__ = ["STALE_ACTION", "advise", "with_advice"]

STALE_ACTION = "update or remove this overlay action in spec/payex.overlay.yaml (its target must select a node)"
_FACADE = "the facade (overlay/payex_billing_invoice: _operations.py, _models.py, _lines.py)"
_FIELD = re.compile(r"`([^`]*)`\s*$")
_PARAMETER = re.compile(r"(\w+) parameter `([^`]*)`")
_MEDIA = re.compile(r"(`[^`]+/[^`]+`)")


def with_advice(findings: Iterable[Finding]) -> list[Finding]:
    """The findings, each error and warning with its what-to-do line."""
    return [replace(f, action=f.action or advise(f)) if f.breaking or f.severity == "warning" else f for f in findings]


def advise(finding: Finding) -> str:
    """One line on what to do about a breaking finding."""
    if finding.level == "stale":
        return STALE_ACTION
    if finding.level in ("spec", "effective"):
        return _spec_advice(finding)
    if finding.level == "python":
        return _python_advice(finding)
    if finding.level == "overlay":
        return _overlay_advice(finding)
    return "check the code that depends on it"


def _member(finding: Finding) -> str:
    match = _FIELD.search(finding.where)
    return f"{code_span(match[1])}" if match and "·" in finding.where else "it"


_SEND_PARAMETER = "every call must now send {parameter}: add it to the facade method's signature in {facade}"
_SPEC_ADVICE = {
    "parameter-added-required": _SEND_PARAMETER,
    "parameter-made-required": _SEND_PARAMETER,
    "property-optional": "{member} may be absent now: code reading it must cope with a missing value",
    "property-required": "{member} is required in a request now: send it from {facade}",
    "type": "{member} has another type: code reading or sending it gets another Python type; check {facade}",
    "format": "{member} has another format: the generated models parse and type it differently; check {facade}",
    "nullable": "null is no longer accepted for {member}: stop sending null",
    "enum-removed": "a value of {member} is gone: code comparing with it never matches; drop it in {facade}",
    "enum-added": "{member} may carry values OLD's models reject: regenerate and handle the new values",
    "enum-dropped": "{member} may carry values OLD's models reject: regenerate and handle the new values",
    "enum-introduced": "only the listed values of {member} are accepted now: send one of them",
    "problem-type-removed": "align the exception classes (overlay/payex_billing_invoice/_problems.py) with the spec",
    "problem-type-changed": "align the exception classes (overlay/payex_billing_invoice/_problems.py) with the spec",
    "security-requirement": "the credentials change: update the client's authentication settings",
    "request-body-required": "every call must now send a body: add it to the facade method in {facade}",
    "media-type-removed": "{media} is no longer served or accepted: send and read another media type in {facade}",
    "constraint-tightened": "{member} accepts fewer values now: check what {facade} sends",
    "constraint-added": "{member} is bounded now: check what {facade} sends",
    "constraint-loosened": "{member} may carry values OLD's strict models reject: regenerate and check readers",
    "constraint-removed": "{member} may carry values OLD's strict models reject: regenerate and check readers",
    "pattern-added": "{member} must match a pattern now: check what {facade} sends",
    "pattern-changed": "{member} must match another pattern: check what {facade} sends and reads",
    "pattern-removed": "{member} may carry values OLD's strict models reject: regenerate and check readers",
    "document-defect": "tell PayEx; the diff read the document as the warning says",
    "security-scheme": "the credentials change: update the client's authentication settings",
}


def _spec_advice(finding: Finding) -> str:
    member = _member(finding)
    parameter = _PARAMETER.search(finding.where)
    named = f"the {parameter[1]} parameter {code_span(parameter[2])}" if parameter else "the parameter"
    if finding.category == "removed":
        return _removal_advice(finding, member, named)
    template = _SPEC_ADVICE.get(finding.category, "check what reads or sends {member} in {facade}")
    media = _MEDIA.search(finding.change)
    return template.format(member=member, parameter=named, facade=_FACADE, media=media[1] if media else "it")


def _removal_advice(finding: Finding, member: str, parameter: str) -> str:
    if len(split(finding.pointer)) == 3:
        return f"the operation is gone: its facade method fails; drop or re-bind it in {_FACADE} and the overlay"
    if member != "it":
        response = "response" in finding.where
        return (
            f"a {'response' if response else 'request'} member is gone: code {'reading' if response else 'sending'} "
            f"{member} breaks; rename it in the overlay's targets and in {_FACADE}"
        )
    if "parameter" in finding.where:
        return f"{parameter} is gone: stop sending it from {_FACADE}"
    return f"a documented response or body is gone: check the overlay's actions on it and {_FACADE}"


def _python_advice(finding: Finding) -> str:
    if finding.category == "generation":
        return "make NEW generate: fix the overlay's normalizations or the generator configuration, then rerun"
    if finding.category == "attribute-nullable":
        return "code reading these attributes must handle None (mypy --strict shows where), the facade included"
    return (
        "the generated package's API changed: update the facade's imports and calls of it "
        "(overlay/payex_billing_invoice) and tell users of the raw client"
    )


def _overlay_advice(finding: Finding) -> str:
    if finding.category == "missing":
        return "add what is missing to the facade (overlay/payex_billing_invoice), or an overlay action naming it"
    if finding.category == "orphaned":
        return "remove it from the facade, or re-bind it to NEW's method and path"
    return "make the facade agree with the effective NEW (names come from spec/payex.overlay.yaml)"
