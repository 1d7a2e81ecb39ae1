"""Hypercorn on loopback in a child process, for HTTP/2 (cleartext, prior knowledge) against HTTP/1.1 on the
same server: canned bodies per path, each answered after `latency` seconds."""

from __future__ import annotations

import asyncio
import multiprocessing
import socket
import time
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from types import TracebackType
from typing import Any, Self

__all__ = ["HypercornProcess"]

_START_SECONDS = 30.0
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def _app(routes: Mapping[str, bytes], latency: float) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = routes.get(scope["path"])
        await asyncio.sleep(latency)
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body or b"")).encode())]
        await send({"type": "http.response.start", "status": 200 if body is not None else 404, "headers": headers})
        await send({"type": "http.response.body", "body": body or b""})

    return app


def _serve(routes: Mapping[str, bytes], latency: float, port: int) -> None:
    from hypercorn.asyncio import serve  # noqa: PLC0415 - only the child process needs it
    from hypercorn.config import Config  # noqa: PLC0415

    config = Config()
    config.bind = [f"127.0.0.1:{port}"]
    config.accesslog = None
    config.errorlog = None
    config.keep_alive_max_requests = 1_000_000
    config.h2_max_concurrent_streams = 256
    asyncio.run(serve(_app(routes, latency), config))  # type: ignore[arg-type]


class HypercornProcess:
    """Hypercorn serving `routes` in a child process; `url` once started."""

    def __init__(self, routes: Mapping[str, bytes], *, latency: float) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._process = multiprocessing.get_context("spawn").Process(
            target=_serve, args=(dict(routes), latency, self.port), daemon=True
        )

    def __enter__(self) -> Self:
        self._process.start()
        deadline = time.monotonic() + _START_SECONDS
        while time.monotonic() < deadline:
            with socket.socket() as attempt:
                if attempt.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.05)
        self._process.terminate()
        raise RuntimeError("hypercorn did not start")

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._process.terminate()
        self._process.join(5.0)
