"""The deadline of one attempt, enforced on every socket operation of the sync client's transports.

httpx's timeouts bound each read, so a body dripped a byte at a time never trips them. The transports the sync
client uses get a network backend whose every connect, read and write is given at most the time left before the
deadline of the attempt in progress (a context variable, so other users of the transport are unaffected).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import httpx

__all__ = ["current_deadline", "deadline", "enforce_deadlines", "time_left"]

_DEADLINE: ContextVar[float | None] = ContextVar("payex_billing_invoice_deadline", default=None)


@contextmanager
def deadline(moment: float) -> Iterator[None]:
    """While the block runs, socket operations end by `moment` (`time.monotonic()`)."""
    token = _DEADLINE.set(moment)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def time_left(moment: float) -> float:
    """Seconds until `moment`, never negative."""
    return max(moment - time.monotonic(), 0.0)


def current_deadline() -> float | None:
    """The deadline of the attempt in progress in this context, if any."""
    return _DEADLINE.get()


def enforce_deadlines(client: httpx.Client) -> None:
    """Give every httpx transport of `client` (and its proxy mounts) the deadline-aware backend.

    Reaches into httpx's and httpcore's internals (pinned below 0.29 and 2); a transport of another kind is left
    as it is, and the sync client then checks the deadline between body chunks only.
    """
    import httpcore  # noqa: PLC0415 - httpx imports it with its first transport; `import payex_billing_invoice` need not

    from payex_billing_invoice._deadline_backend import DeadlineBackend  # noqa: PLC0415 - it subclasses httpcore's

    transports = [getattr(client, "_transport", None), *getattr(client, "_mounts", {}).values()]
    for transport in transports:
        pool = getattr(transport, "_pool", None) if isinstance(transport, httpx.HTTPTransport) else None
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, httpcore.NetworkBackend) and not isinstance(backend, DeadlineBackend):
            pool._network_backend = DeadlineBackend(backend)  # type: ignore[union-attr]
