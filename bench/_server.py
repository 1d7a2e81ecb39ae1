"""A fast HTTP/1.1 server on loopback for benchmarks: canned bodies per path, an optional latency, keep-alive.

`BenchServer` runs an asyncio event loop in one background thread. Every response is prepared once (status
line, headers and body in one `bytes`), so a request costs the server a header scan, a dict look-up and one
write. With `latency`, each response is sent that many seconds after its request arrived, by a timer on the
loop, so concurrent requests wait side by side instead of one after the other.

    with BenchServer({"/a": b'{"x": 1}'}, latency=0.02) as server:
        httpx.get(server.url + "/a")

A path that is not in `routes` gets a 404 problem body. Requests on one connection are answered in order.
`BenchServerProcess` runs the same server in a child process.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import threading
from collections import deque
from collections.abc import Mapping
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Self, cast

__all__ = ["BenchServer", "BenchServerProcess"]

_MAX_HEAD_BYTES = 64 * 1024
_NOT_FOUND_BODY = b'{"type": "about:blank", "title": "Not Found", "status": 404}'
_JOIN_SECONDS = 5.0
_START_SECONDS = 30.0


def _response(status: str, body: bytes, content_type: str) -> bytes:
    head = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode("ascii") + body


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            return int(value.strip())
    return 0


def _wants_close(head: bytes) -> bool:
    request_line, _, fields = head.partition(b"\r\n")
    return request_line.endswith(b"HTTP/1.0") or b"connection: close" in fields.lower()


class _Connection(asyncio.Protocol):
    """One client connection: parses request heads, queues the canned responses, writes them when due."""

    def __init__(self, server: BenchServer) -> None:
        self._server = server
        self._buffer = b""
        self._skip = 0
        self._due: deque[tuple[float, bytes, bool]] = deque()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)
        self._server._opened(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self._server._closed(self)
        self._transport = None

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer + data
        while True:
            if self._skip:
                skipped = min(self._skip, len(buffer))
                buffer, self._skip = buffer[skipped:], self._skip - skipped
                if self._skip:
                    break
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(buffer) > _MAX_HEAD_BYTES:
                    self.close()
                    return
                break
            head, buffer = buffer[:end], buffer[end + 4 :]
            self._skip = _content_length(head)
            self._answer(head)
        self._buffer = buffer

    def _answer(self, head: bytes) -> None:
        server = self._server
        target = head.split(b" ", 2)[1] if head.count(b" ") >= 2 else b""
        response = server._responses.get(target.split(b"?", 1)[0], server._not_found)
        close = _wants_close(head)
        server.requests += 1
        server._in_flight += 1
        server.max_in_flight = max(server.max_in_flight, server._in_flight)
        if server.latency <= 0:
            self._send(response, close)
            return
        loop = asyncio.get_running_loop()
        due = loop.time() + server.latency
        if self._due:
            due = max(due, self._due[-1][0])
        self._due.append((due, response, close))
        loop.call_at(due, self._flush)

    def _flush(self) -> None:
        now = asyncio.get_running_loop().time()
        while self._due and self._due[0][0] <= now:
            _, response, close = self._due.popleft()
            self._send(response, close)

    def _send(self, response: bytes, close: bool) -> None:
        self._server._in_flight -= 1
        if self._transport is None or self._transport.is_closing():
            return
        self._transport.write(response)
        if close:
            self._transport.close()


class BenchServer:
    """An HTTP/1.1 server on `host` (a free port) answering each path of `routes` with its body (status 200).

    `connections`, `requests` and `max_in_flight` (the most requests waiting for their response at once)
    count what the server saw, for checking that a benchmark measured what it meant to.
    """

    def __init__(
        self,
        routes: Mapping[str, bytes],
        *,
        latency: float = 0.0,
        host: str = "127.0.0.1",
        content_type: str = "application/json",
    ) -> None:
        if latency < 0:
            raise ValueError("latency must not be negative")
        self.host = host
        self.latency = latency
        self.port = 0
        self.connections = 0
        self.requests = 0
        self.max_in_flight = 0
        self._in_flight = 0
        self._responses = {
            path.encode("ascii"): _response("200 OK", body, content_type) for path, body in routes.items()
        }
        self._not_found = _response("404 Not Found", _NOT_FOUND_BODY, "application/problem+json")
        self._open: set[_Connection] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopped: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="bench-server", daemon=True)

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:43117``."""
        return f"http://{self.host}:{self.port}"

    def reset_counts(self) -> None:
        """Zero `connections`, `requests` and `max_in_flight` (open connections stay open)."""
        self.connections = self.requests = self.max_in_flight = 0

    def start(self) -> Self:
        """Listen and serve in the background; return once the port is bound."""
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            raise RuntimeError("the benchmark server did not start") from self._error
        return self

    def stop(self) -> None:
        """Close the listener and every connection, end the loop and join its thread."""
        loop, stopped = self._loop, self._stopped
        if loop is not None and stopped is not None and self._thread.is_alive():
            loop.call_soon_threadsafe(stopped.set)
        self._thread.join(_JOIN_SECONDS)
        if self._thread.is_alive():
            raise RuntimeError("the benchmark server thread did not stop")

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    def _opened(self, connection: _Connection) -> None:
        self.connections += 1
        self._open.add(connection)

    def _closed(self, connection: _Connection) -> None:
        self._open.discard(connection)

    def _main(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as error:  # handed to start(), which raises it in the caller's thread
            self._error = error
            self._ready.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopped = asyncio.Event()
        server = await self._loop.create_server(lambda: _Connection(self), self.host, 0, backlog=512)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await self._stopped.wait()
            for connection in list(self._open):
                connection.close()
            for _ in range(100):
                if not self._open:
                    break
                await asyncio.sleep(0.001)


class BenchServerProcess:
    """A `BenchServer` in a child process, so that serving costs the measured process neither CPU nor the GIL.

    The same interface as `BenchServer`; the counts are fetched from the child when read.
    """

    def __init__(
        self,
        routes: Mapping[str, bytes],
        *,
        latency: float = 0.0,
        host: str = "127.0.0.1",
        content_type: str = "application/json",
    ) -> None:
        self.host = host
        self.port = 0
        context = multiprocessing.get_context("spawn")
        self._pipe, child_end = context.Pipe()
        self._process = context.Process(
            target=_child_main,
            args=(child_end, dict(routes), latency, host, content_type),
            name="bench-server",
            daemon=True,
        )

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:43117``."""
        return f"http://{self.host}:{self.port}"

    @property
    def connections(self) -> int:
        """Connections the server accepted."""
        return self._ask("counts")[0]

    @property
    def requests(self) -> int:
        """Requests the server answered or is about to."""
        return self._ask("counts")[1]

    @property
    def max_in_flight(self) -> int:
        """The most requests that waited for their response at once."""
        return self._ask("counts")[2]

    def reset_counts(self) -> None:
        """Zero the counts (open connections stay open)."""
        self._ask("reset")

    def start(self) -> Self:
        """Start the child and return once it listens."""
        self._process.start()
        if not self._pipe.poll(_START_SECONDS):
            self._process.kill()
            raise RuntimeError("the benchmark server process did not start")
        self.port = self._pipe.recv()
        return self

    def stop(self) -> None:
        """Stop the server and wait for the child to exit."""
        if self._process.is_alive():
            with contextlib.suppress(OSError):
                self._ask("stop")
            self._process.join(_JOIN_SECONDS)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(_JOIN_SECONDS)
            raise RuntimeError("the benchmark server process did not stop")
        self._pipe.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    def _ask(self, command: str) -> tuple[int, int, int]:
        self._pipe.send(command)
        counts: tuple[int, int, int] = self._pipe.recv()
        return counts


def _child_main(pipe: Connection, routes: dict[str, bytes], latency: float, host: str, content_type: str) -> None:
    """The child process: serve, and answer the parent's commands until it says stop."""
    with BenchServer(routes, latency=latency, host=host, content_type=content_type) as server:
        pipe.send(server.port)
        while True:
            command = pipe.recv()
            if command == "reset":
                server.reset_counts()
            pipe.send((server.connections, server.requests, server.max_in_flight))
            if command == "stop":
                return
