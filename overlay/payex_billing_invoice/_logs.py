"""Log hygiene: server text escaped onto one line; during a call, no secret in httpx's or httpcore's records and no
raw id in httpx's request line."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Final, NamedTuple

__all__ = ["call_logging", "escape", "logger"]

logger = logging.getLogger("payex_billing_invoice")

_DRIVEN: Final = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)
"""The loggers of the libraries the client drives."""


class _Call(NamedTuple):
    url: str
    redact: Callable[[str], str]


_CALL: ContextVar[_Call | None] = ContextVar("payex_billing_invoice_call", default=None)


def escape(text: str, limit: int = 200) -> str:
    """`text` on one line for a log record: control characters (CR, LF, ESC...) shown as escapes, cut to `limit`."""
    cut = text[:limit]
    shown = cut if cut.isprintable() else "".join(char if char.isprintable() else repr(char)[1:-1] for char in cut)
    return shown + ("…" if len(text) > limit else "")


@contextmanager
def call_logging(url: str, redact: Callable[[str], str]) -> Iterator[None]:
    """While the block runs, records of httpx and httpcore have the secrets scrubbed, and httpx's `HTTP Request:`
    line shows `url` (the route template) instead of the real URL with its ids."""
    token = _CALL.set(_Call(url, redact))
    try:
        yield
    finally:
        _CALL.reset(token)


class _CallRecords(logging.Filter):
    """Rewrites the records of this client's calls only (other users of httpx are left alone)."""

    def filter(self, record: logging.LogRecord) -> bool:
        call = _CALL.get()
        if call is None:
            return True
        if record.name == "httpx" and str(record.msg).startswith("HTTP Request") and isinstance(record.args, tuple):
            record.args = (*record.args[:1], call.url, *record.args[2:])
        message = record.getMessage()
        scrubbed = call.redact(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True


for _name in _DRIVEN:
    _driven = logging.getLogger(_name)
    if not any(isinstance(existing, _CallRecords) for existing in _driven.filters):
        _driven.addFilter(_CallRecords())
