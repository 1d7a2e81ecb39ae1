"""Log hygiene: server text escaped onto one line, and no raw id in httpx's request line during a call."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Final

__all__ = ["escape", "logger", "redacted_url"]

logger = logging.getLogger("payex_billing_invoice")

_HTTPX: Final = logging.getLogger("httpx")
_CALL_URL: ContextVar[str | None] = ContextVar("payex_billing_invoice_call_url", default=None)


def escape(text: str, limit: int = 200) -> str:
    """`text` on one line for a log record: control characters (CR, LF, ESC...) shown as escapes, cut to `limit`."""
    cut = text[:limit]
    shown = "".join(char if char.isprintable() else repr(char)[1:-1] for char in cut)
    return shown + ("…" if len(text) > limit else "")


@contextmanager
def redacted_url(url: str) -> Iterator[None]:
    """While the block runs, httpx's `HTTP Request:` line shows `url` (the route template) instead of the real URL."""
    token = _CALL_URL.set(url)
    try:
        yield
    finally:
        _CALL_URL.reset(token)


class _TemplateUrls(logging.Filter):
    """Rewrites httpx's request line of this client's calls only (other httpx users are left alone)."""

    def filter(self, record: logging.LogRecord) -> bool:
        url = _CALL_URL.get()
        if url is not None and str(record.msg).startswith("HTTP Request") and isinstance(record.args, tuple):
            record.args = (*record.args[:1], url, *record.args[2:])
        return True


if not any(isinstance(existing, _TemplateUrls) for existing in _HTTPX.filters):
    _HTTPX.addFilter(_TemplateUrls())
