"""The deadline of one attempt, enforced on every socket operation of the sync client's transports.

httpx's timeouts bound each read, so a body dripped a byte at a time never trips them. The transports the sync
client uses get a network backend whose every connect, read and write is given at most the time left before the
deadline of the attempt in progress (a context variable, so other users of the transport are unaffected).
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import httpcore
import httpx

__all__ = ["deadline", "enforce_deadlines", "time_left"]

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


def _capped(timeout: float | None, error: type[httpcore.TimeoutException]) -> float | None:
    moment = _DEADLINE.get()
    if moment is None:
        return timeout
    left = moment - time.monotonic()
    if left <= 0:
        raise error("the deadline of the attempt passed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _capped(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _capped(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return _Stream(self._stream.start_tls(ssl_context, server_hostname, _capped(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str) -> object:
        return self._stream.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        capped = _capped(timeout, httpcore.ConnectTimeout)
        return _Stream(self._backend.connect_tcp(host, port, capped, local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None
    ) -> httpcore.NetworkStream:
        capped = _capped(timeout, httpcore.ConnectTimeout)
        return _Stream(self._backend.connect_unix_socket(path, capped, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def enforce_deadlines(client: httpx.Client) -> None:
    """Give every httpx transport of `client` (and its proxy mounts) the deadline-aware backend.

    Reaches into httpx's and httpcore's internals (pinned below 0.29 and 2); a transport of another kind is left
    as it is, and the sync client then checks the deadline between body chunks only.
    """
    transports = [getattr(client, "_transport", None), *getattr(client, "_mounts", {}).values()]
    for transport in transports:
        pool = getattr(transport, "_pool", None) if isinstance(transport, httpx.HTTPTransport) else None
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, httpcore.NetworkBackend) and not isinstance(backend, _Backend):
            pool._network_backend = _Backend(backend)  # type: ignore[union-attr]
