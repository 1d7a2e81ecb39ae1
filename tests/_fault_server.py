"""A misbehaving HTTP/1.1 server on loopback, scripted response by response, for fault tests of HTTP clients.

`FaultServer` listens on a free port, records every request exactly as it arrived, and answers each one with
the next scripted `Action` (or with its `fallback` once the script is used up). Actions work at the byte level:
they can stall, cut a body short, declare the wrong `Content-Length`, reset the connection or send raw bytes.

    with FaultServer() as server:
        server.script(Respond.text("<h1>Bad gateway</h1>", 502, content_type="text/html"), Respond.json({}))
        ...  # point a client at server.url
        assert len(server.requests) == 2

Connections are kept alive between responses unless an action ends them. `stop()` (or leaving the `with`
block) interrupts stalls, closes every socket and joins every thread.
"""

from __future__ import annotations

import contextlib
import json
import selectors
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from types import TracebackType
from typing import Protocol, Self

__all__ = [
    "Action",
    "CloseWithoutResponse",
    "Drip",
    "FaultServer",
    "OversizedBody",
    "RawBytes",
    "RecordedRequest",
    "ResetMidBody",
    "Respond",
    "StallBeforeHeaders",
    "StallMidBody",
    "TruncatedBody",
    "Wire",
    "unscripted",
]

_POLL_SECONDS = 0.05
_MAX_HEAD_BYTES = 64 * 1024
_CHUNK_BYTES = 64 * 1024
_JOIN_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as the server received it."""

    head: bytes
    """The request line and header block exactly as received, up to and including the blank line."""
    body: bytes
    """The body, read as far as `Content-Length` says (GET requests have none)."""
    arrived: float
    """`time.monotonic()` when the head was complete."""
    connection: int
    """The connection that carried it: 0 for the first one the server accepted, then 1, 2..."""

    @property
    def request_line(self) -> bytes:
        """The request line exactly as received, without its line ending, e.g. ``b"GET /x HTTP/1.1"``."""
        return self.head.split(b"\r\n", 1)[0]

    @property
    def method(self) -> str:
        """The method of the request line."""
        return self.request_line.split(b" ", 1)[0].decode("latin-1")

    @property
    def target(self) -> bytes:
        """The request-target of the request line, still percent-encoded."""
        parts = self.request_line.split(b" ")
        return parts[1] if len(parts) > 1 else b""

    @property
    def headers(self) -> tuple[tuple[str, str], ...]:
        """The header fields in arrival order, decoded as Latin-1 (lossless), values stripped of outer whitespace."""
        fields: list[tuple[str, str]] = []
        for line in self.head.split(b"\r\n")[1:]:
            name, colon, value = line.partition(b":")
            if colon:
                fields.append((name.decode("latin-1"), value.strip().decode("latin-1")))
        return tuple(fields)

    def header(self, name: str) -> str | None:
        """The first value of the header field `name` (case-insensitive), or None."""
        values = self.header_values(name)
        return values[0] if values else None

    def header_values(self, name: str) -> list[str]:
        """Every value of the header field `name` (case-insensitive), in arrival order."""
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]


class Wire:
    """The server's end of one connection, as an `Action` sees it."""

    def __init__(self, sock: socket.socket, stopping: threading.Event) -> None:
        self._sock = sock
        self._stopping = stopping
        self.closed = False

    def send(self, data: bytes) -> bool:
        """Send all of `data`; False if the peer went away or the server is stopping."""
        view = memoryview(data)
        while view:
            if self.closed or self._stopping.is_set():
                return False
            try:
                sent = self._sock.send(view[:_CHUNK_BYTES])
            except TimeoutError:
                continue
            except OSError:
                return False
            view = view[sent:]
        return True

    def pause(self, seconds: float) -> bool:
        """Wait `seconds`, less if the server stops; False if it is stopping."""
        return not self._stopping.wait(seconds)

    def close(self) -> None:
        """Close gracefully (FIN)."""
        if not self.closed:
            self.closed = True
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)
            self._sock.close()

    def reset(self) -> None:
        """Close abortively: with `SO_LINGER` 0 the kernel sends RST instead of FIN."""
        if not self.closed:
            with contextlib.suppress(OSError):
                self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.closed = True
            self._sock.close()


class Action(Protocol):
    """How the server answers one request."""

    def perform(self, wire: Wire, request: RecordedRequest) -> bool:
        """Answer `request` on `wire`; True to keep the connection open for the next request."""
        ...


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


@dataclass(frozen=True, slots=True)
class Respond:
    """A complete response; `Content-Length` is the body's length unless `headers` set it.

    Header names and values are sent UTF-8 encoded, in the given order.
    """

    status: int = 200
    body: bytes = b""
    headers: Sequence[tuple[str, str]] = ()
    reason: str | None = None
    keep_alive: bool = True

    @classmethod
    def json(
        cls,
        data: object,
        status: int = 200,
        *,
        content_type: str = "application/json",
        headers: Sequence[tuple[str, str]] = (),
    ) -> Respond:
        """A JSON body."""
        body = json.dumps(data).encode()
        return cls(status, body, (("Content-Type", content_type), *headers))

    @classmethod
    def text(
        cls,
        text: str,
        status: int = 200,
        *,
        content_type: str = "text/plain; charset=utf-8",
        headers: Sequence[tuple[str, str]] = (),
    ) -> Respond:
        """A text body, UTF-8 encoded."""
        return cls(status, text.encode(), (("Content-Type", content_type), *headers))

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> Respond:
        """A redirect to `location`, with an empty body."""
        return cls(status, headers=(("Location", location),))

    def head(self, content_length: int | None = None) -> bytes:
        """The status line and header block; `content_length` overrides any `Content-Length` of `headers`."""
        fields = list(self.headers)
        if content_length is not None:
            fields = [(name, value) for name, value in fields if name.lower() != "content-length"]
            fields.append(("Content-Length", str(content_length)))
        elif not any(name.lower() == "content-length" for name, _ in fields):
            fields.append(("Content-Length", str(len(self.body))))
        if not self.keep_alive and not any(name.lower() == "connection" for name, _ in fields):
            fields.append(("Connection", "close"))
        lines = [f"HTTP/1.1 {self.status} {self.reason if self.reason is not None else _reason(self.status)}"]
        lines += [f"{name}: {value}" for name, value in fields]
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    def perform(self, wire: Wire, request: RecordedRequest) -> bool:
        """Send the whole response."""
        return wire.send(self.head() + self.body) and self.keep_alive


@dataclass(frozen=True, slots=True)
class StallBeforeHeaders:
    """Send nothing for `seconds`, then close."""

    seconds: float

    def perform(self, wire: Wire, request: RecordedRequest) -> bool:
        """Stall, then close."""
        wire.pause(self.seconds)
        return False


@dataclass(frozen=True, slots=True)
class StallMidBody:
    """Send the head and the first `sent` body bytes of `response`, stall for `seconds`, then close."""

    response: Respond
    sent: int
    seconds: float

    def perform(self, wire: Wire, request: RecordedRequest) -> bool:
        """Send part of the response, stall, then close."""
        if wire.send(self.response.head() + self.response.body[: self.sent]):
            wire.pause(self.seconds)
        return False


@dataclass(frozen=True, slots=True)
class ResetMidBody:
    """Send the head and the first `sent` body bytes of `response`, then reset the connection (RST)."""

    response: Respond
    sent: int

    def perform(self, wire: Wire, request: RecordedRequest) -> bool:
        """Send part of the response, then reset."""
        wire.send(self.response.head() + self.response.body[: self.sent])
        wire.reset()
        return False


@dataclass(frozen=True, slots=True)
class TruncatedBody:
    """Declare the whole body of `response` in `Content-Length`, send only its first `sent` bytes, then close."""

    response: Respond
    sent: int

    def perform(self, wire: Wire, request: RecordedRequest) -> bool:
        """Send a body shorter than declared, then close (FIN)."""
        wire.send(self.response.head(len(self.response.body)) + self.response.body[: self.sent])
        return False


@dataclass(frozen=True, slots=True)
class OversizedBody:
    """Declare `declared` bytes in `Content-Length`, fewer than the body of `response`, and send the whole body."""

    response: Respond
    declared: int

    def perform(self, wire: Wire, request: RecordedRequest) -> bool:
        """Send more body than declared; the extra bytes stay on the connection."""
        return wire.send(self.response.head(self.declared) + self.response.body) and self.response.keep_alive


@dataclass(frozen=True, slots=True)
class Drip:
    """Send `prefix` at once, then `dripped` one byte every `interval` seconds, then close."""

    prefix: bytes
    dripped: bytes
    interval: float

    def perform(self, wire: Wire, request: RecordedRequest) -> bool:
        """Send the prefix, then drip the rest until done, the peer leaves or the server stops."""
        if not wire.send(self.prefix):
            return False
        for index in range(len(self.dripped)):
            if not (wire.pause(self.interval) and wire.send(self.dripped[index : index + 1])):
                return False
        return False


@dataclass(frozen=True, slots=True)
class CloseWithoutResponse:
    """Close the connection without sending a byte."""

    def perform(self, wire: Wire, request: RecordedRequest) -> bool:
        """Close."""
        return False


@dataclass(frozen=True, slots=True)
class RawBytes:
    """Send `data` as it is, whatever it contains."""

    data: bytes
    keep_alive: bool = False

    def perform(self, wire: Wire, request: RecordedRequest) -> bool:
        """Send the bytes."""
        return wire.send(self.data) and self.keep_alive


def unscripted(request: RecordedRequest) -> Action:
    """The default fallback: 418, which no client retries, naming the request that found the script empty."""
    return Respond.text(f"no scripted response left for {request.request_line!r}", 418)


def _content_length(head: bytes) -> int:
    """The request's `Content-Length`, 0 if it has none or an unreadable one."""
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            return int(value.strip())
    return 0


class _Reader:
    """Reads request heads and bodies from one connection, polling so that a stopping server is noticed."""

    def __init__(self, sock: socket.socket, stopping: threading.Event) -> None:
        self._sock = sock
        self._stopping = stopping
        self._buffer = b""

    def _fill(self) -> bool:
        while not self._stopping.is_set():
            try:
                data = self._sock.recv(_CHUNK_BYTES)
            except TimeoutError:
                continue
            except OSError:
                return False
            if not data:
                return False
            self._buffer += data
            return True
        return False

    def head(self) -> bytes | None:
        """The next request head, blank line included; None when the peer closed or sent too much."""
        while (end := self._buffer.find(b"\r\n\r\n")) < 0:
            if len(self._buffer) > _MAX_HEAD_BYTES or not self._fill():
                return None
        head, self._buffer = self._buffer[: end + 4], self._buffer[end + 4 :]
        return head

    def body(self, length: int) -> bytes | None:
        """The next `length` bytes; None if the peer closed first."""
        while len(self._buffer) < length:
            if not self._fill():
                return None
        body, self._buffer = self._buffer[:length], self._buffer[length:]
        return body


class FaultServer:
    """An HTTP/1.1 server on `host` (a free port) that answers every request with the next scripted action."""

    def __init__(self, host: str = "127.0.0.1", *, fallback: Callable[[RecordedRequest], Action] = unscripted) -> None:
        self.host = host
        self.fallback = fallback
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind((host, 0))
        self.port: int = self._listener.getsockname()[1]
        self._stopping = threading.Event()
        self._changed = threading.Condition()
        self._script: deque[Action] = deque()
        self._requests: list[RecordedRequest] = []
        self._connections = 0
        self._threads: list[threading.Thread] = []
        self._sockets: set[socket.socket] = set()
        self._acceptor = threading.Thread(target=self._accept, name=f"fault-server-{self.port}", daemon=True)

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:43117``."""
        return f"http://{self.host}:{self.port}"

    @property
    def requests(self) -> tuple[RecordedRequest, ...]:
        """Every request received so far, in arrival order."""
        with self._changed:
            return tuple(self._requests)

    @property
    def connections(self) -> int:
        """How many connections the server has accepted."""
        with self._changed:
            return self._connections

    @property
    def pending(self) -> int:
        """How many scripted actions are still unused."""
        with self._changed:
            return len(self._script)

    def script(self, *actions: Action) -> None:
        """Append `actions` to the script: each answers one request, in arrival order."""
        with self._changed:
            self._script.extend(actions)

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> tuple[RecordedRequest, ...]:
        """The requests, once there are at least `count` of them; raises TimeoutError after `timeout` seconds."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._requests) >= count, timeout):
                raise TimeoutError(f"{len(self._requests)} of {count} requests arrived within {timeout} s")
            return tuple(self._requests)

    def start(self) -> Self:
        """Start listening and serving."""
        self._listener.listen(64)
        self._listener.settimeout(_POLL_SECONDS)
        self._acceptor.start()
        return self

    def stop(self) -> None:
        """Interrupt every action, close every socket and join every thread; raise if a thread does not end."""
        self._stopping.set()
        if self._acceptor.is_alive():
            self._acceptor.join(_JOIN_SECONDS)
        self._listener.close()
        with self._changed:
            threads = list(self._threads)
        for thread in threads:
            thread.join(_JOIN_SECONDS)
        with self._changed:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()
        alive = [thread.name for thread in (self._acceptor, *threads) if thread.is_alive()]
        if alive:
            raise RuntimeError(f"fault server threads did not stop: {alive}")

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    def _accept(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self._listener, selectors.EVENT_READ)
            while not self._stopping.is_set():
                if not selector.select(_POLL_SECONDS):
                    continue
                try:
                    sock, _ = self._listener.accept()
                except OSError:
                    continue
                sock.settimeout(_POLL_SECONDS)
                with self._changed:
                    index = self._connections
                    self._connections += 1
                    self._sockets.add(sock)
                    self._threads = [thread for thread in self._threads if thread.is_alive()]
                    thread = threading.Thread(
                        target=self._serve, args=(sock, index), name=f"fault-connection-{index}", daemon=True
                    )
                    self._threads.append(thread)
                thread.start()

    def _serve(self, sock: socket.socket, index: int) -> None:
        wire = Wire(sock, self._stopping)
        reader = _Reader(sock, self._stopping)
        try:
            while not wire.closed:
                head = reader.head()
                if head is None:
                    return
                arrived = time.monotonic()
                body = reader.body(_content_length(head))
                if body is None:
                    return
                request = RecordedRequest(head, body, arrived, index)
                with self._changed:
                    self._requests.append(request)
                    action = self._script.popleft() if self._script else None
                    self._changed.notify_all()
                if action is None:
                    action = self.fallback(request)
                keep_alive = action.perform(wire, request)
                if not keep_alive or (request.header("Connection") or "").lower() == "close":
                    return
        finally:
            wire.close()
            with self._changed:
                self._sockets.discard(sock)
