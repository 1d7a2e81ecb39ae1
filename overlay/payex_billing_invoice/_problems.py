"""Parsing of PayEx problem bodies (``application/problem+json``), tolerant of every casing PayEx uses."""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

__all__ = ["MAX_PROBLEM_BYTES", "ProblemDetails", "decode_text", "parse_problem", "problem_code"]

MAX_PROBLEM_BYTES = 1024 * 1024
"""Bodies larger than this are not parsed as problems (no problem body comes near it)."""

_T = TypeVar("_T")
_CODE = re.compile(r"[a-z0-9][a-z0-9._-]*")
_CODE_PARENTS = frozenset({"problems", "service"})


@dataclass(frozen=True)
class ProblemDetails:
    """A problem body; every member is optional, since PayEx's casing and completeness vary."""

    type: str | None = None
    """The typecode as sent, e.g. ``billing/invoice/problems/validation``."""
    code: str | None = None
    """The last segment of the typecode, e.g. ``validation``."""
    title: str | None = None
    status: int | None = None
    detail: str | None = None
    instance: str | None = None
    """The id PayEx support asks for."""
    problems: Mapping[str, str] = field(default_factory=dict, hash=False)
    """Field path -> message, merged from the list of single-key objects."""
    raw: Mapping[str, object] = field(default_factory=dict, hash=False, repr=False)
    """The whole JSON object."""


def parse_problem(body: bytes, content_type: str | None = None) -> ProblemDetails | None:
    """Parse a problem body; None if it is not a JSON object. Never raises.

    Members are looked up case-insensitively (``type``, ``Type``, ``TYPE``...); a member of the wrong type
    counts as absent. The ``charset`` of ``content_type``, if any, picks the decoding (UTF-8 if it is unknown
    or fails); the media type itself is not trusted, since gateways mislabel bodies both ways.
    """
    if not body or len(body) > MAX_PROBLEM_BYTES:
        return None
    try:
        data = json.loads(_decode(body, content_type, "strict"))
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return None
    if not isinstance(data, dict):
        return None
    members: dict[str, list[object]] = {}
    for key, value in data.items():
        members.setdefault(key.lower(), []).append(value)
    typecode = _first(members, "type", _text)
    return ProblemDetails(
        type=typecode,
        code=problem_code(typecode) if typecode is not None else None,
        title=_first(members, "title", _text),
        status=_first(members, "status", _status),
        detail=_first(members, "detail", _text),
        instance=_first(members, "instance", _text),
        problems=_first(members, "problems", _field_messages) or {},
        raw=data,
    )


def problem_code(typecode: str) -> str | None:
    """The code of a typecode: ``.../problems/<code>`` or ``.../service/<code>`` (a path or a URI), or a bare code."""
    path = typecode.strip().split("#", 1)[0].split("?", 1)[0].rstrip("/")
    segments = path.split("/")
    if len(segments) >= 2 and segments[-2].lower() in _CODE_PARENTS:
        candidate = segments[-1].lower()
    elif len(segments) == 1 and ":" not in path:
        candidate = path.lower()
    else:
        return None
    return candidate if _CODE.fullmatch(candidate) else None


def decode_text(body: bytes, content_type: str | None = None, *, limit: int | None = None) -> str:
    """The text of a body, decoded leniently (undecodable bytes become U+FFFD), cut to ``limit`` bytes first."""
    return _decode(body if limit is None else body[:limit], content_type, "replace")


def _decode(body: bytes, content_type: str | None, errors: str) -> str:
    try:
        return body.decode(_charset(content_type), errors)
    except (LookupError, UnicodeError):  # not a text codec (rot13), or one that ignores `errors` (idna)
        return body.decode("utf-8-sig", errors)


def _charset(content_type: str | None) -> str:
    for parameter in (content_type or "").split(";")[1:]:
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "charset":
            try:
                name = codecs.lookup(value.strip().strip("\"'")).name
            except (LookupError, ValueError):
                break
            return "utf-8-sig" if name == "utf-8" else name
    return "utf-8-sig"


def _first(members: Mapping[str, list[object]], name: str, convert: Callable[[object], _T | None]) -> _T | None:
    for value in members.get(name, ()):
        converted = convert(value)
        if converted is not None:
            return converted
    return None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _status(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        value = value.strip()
        value = int(value) if len(value) == 3 and value.isascii() and value.isdigit() else None
    return value if isinstance(value, int) and 100 <= value <= 599 else None


def _field_messages(value: object) -> dict[str, str] | None:
    entries = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
    merged: dict[str, str] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        for path, message in entry.items():
            text = _message(message)
            if text is not None:
                merged[path] = f"{merged[path]}; {text}" if path in merged else text
    return merged or None


def _message(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "; ".join(item for item in value if isinstance(item, str)) or None
    return None
