"""Per-call extra headers: checked, and never able to replace what the client itself sends."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final, TypeAlias

from payex_billing_invoice._exceptions import ClientConfigurationError

__all__ = ["ExtraHeaders", "merge_extra_headers"]

ExtraHeaders: TypeAlias = Mapping[str, str]
"""Headers to add to one call, e.g. `{"X-Correlation-Id": "…"}`."""

_NAME: Final = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}")
_VALUE: Final = re.compile(r"[\x20-\x7e]{0,8192}")
_RESERVED: Final = frozenset(
    {"accept", "authorization", "proxy-authorization", "host", "content-length", "transfer-encoding"}
)


def merge_extra_headers(headers: dict[str, str], extra: ExtraHeaders | None, tracking_header: str | None) -> None:
    """Add `extra` to `headers`; refuse (ClientConfigurationError) a bad header, `Authorization`, `Accept`, the tracking
    header and the framing headers, whose values the client owns. Messages name the header, never its value."""
    if not extra:
        return
    reserved = _RESERVED | ({tracking_header.lower()} if tracking_header else set())
    for name, value in extra.items():
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise ClientConfigurationError(f"extra_headers: {str(name)[:60]!r} is not a valid header name")
        if name.lower() in reserved:
            raise ClientConfigurationError(f"extra_headers must not set {name}: the client sets it on every request")
        if not isinstance(value, str) or not _VALUE.fullmatch(value):
            raise ClientConfigurationError(f"extra_headers: the value of {name} must be printable ASCII on one line")
        headers[name] = value
