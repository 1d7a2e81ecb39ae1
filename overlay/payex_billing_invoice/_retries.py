"""When and how long to wait before retrying an idempotent GET."""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime

import httpx

from payex_billing_invoice._settings import check_count, check_seconds

__all__ = ["MAX_RETRIES", "RETRYABLE_STATUSES", "RetryPolicy"]

RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
MAX_RETRIES = 100
_MAX_DOUBLINGS = 64


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded retries with exponential backoff and jitter, honouring a capped `Retry-After`.

    `max_retries` counts the attempts after the first (an int from 0, which turns retrying off, to 100); the delays
    are finite seconds, at most a day. A bad setting is a `ClientConfigurationError` (a `ValueError`).
    """

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0

    def __post_init__(self) -> None:
        check_count("RetryPolicy.max_retries", self.max_retries, minimum=0, maximum=MAX_RETRIES)
        for name in ("initial_delay", "max_delay", "max_retry_after"):
            check_seconds(f"RetryPolicy.{name}", getattr(self, name), allow_zero=True)

    def should_retry(self, retries_done: int, status_code: int | None) -> bool:
        """Whether a failed attempt (a status, or None for a connection error) is worth another try."""
        return retries_done < self.max_retries and (status_code is None or status_code in RETRYABLE_STATUSES)

    def delay(self, retries_done: int, headers: httpx.Headers | None = None) -> float:
        """Seconds to wait before retry number `retries_done + 1`."""
        retry_after = _retry_after_seconds(headers) if headers is not None else None
        if retry_after is not None:
            return min(retry_after, self.max_retry_after)
        backoff = min(self.initial_delay * 2.0 ** min(retries_done, _MAX_DOUBLINGS), self.max_delay)
        return backoff * (1.0 - 0.25 * random.random())  # noqa: S311 - jitter, not cryptography


_NUMBER = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,6})?")


def _is_number(text: str) -> bool:
    """A plain decimal number: no sign, exponent, `nan` or `inf`."""
    return _NUMBER.fullmatch(text) is not None


def _retry_after_seconds(headers: httpx.Headers) -> float | None:
    """`Retry-After` (or `retry-after-ms`) as seconds from now; None when absent or unreadable."""
    milliseconds = headers.get("retry-after-ms", "").strip()
    if _is_number(milliseconds):
        return max(float(milliseconds) / 1000.0, 0.0)
    value = headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(moment.timestamp() - time.time(), 0.0)
