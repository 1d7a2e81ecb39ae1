"""A real HTTP server on loopback serving configurable routes, and a scratch copy of the spec directory."""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Route:
    """What the server answers on one path."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    stall: float = 0.0
    """Seconds to wait before answering (the server's shutdown ends the wait)."""
    stream_bytes: int = 0
    """Filler bytes streamed after ``body`` with no Content-Length, until the client hangs up."""


class LoopbackServer(ThreadingHTTPServer):
    """ThreadingHTTPServer with a route table and a log of the paths requested."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Route] = {}
        self.requested: list[str] = []
        self.closing = threading.Event()

    def url(self, path: str) -> str:
        """Absolute URL of a path on this server."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}{path}"

    def serve(self, path: str, route: Route) -> str:
        """Answer ``path`` with ``route``; return its URL."""
        self.routes[path] = route
        return self.url(path)


class _Handler(BaseHTTPRequestHandler):
    server: LoopbackServer

    def do_GET(self) -> None:
        server = self.server
        server.requested.append(self.path)
        route = server.routes.get(self.path, Route(b"no such route", status=404))
        if route.stall and server.closing.wait(route.stall):
            return
        self.send_response(route.status)
        headers = {"Content-Length": str(len(route.body)), **route.headers}
        if route.stream_bytes:
            headers.pop("Content-Length", None)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(route.body)
            self._stream_filler(route.stream_bytes)
        except (BrokenPipeError, ConnectionResetError):
            return

    def _stream_filler(self, size: int) -> None:
        chunk = b"#" * _CHUNK
        for _ in range(0, size, _CHUNK):
            self.wfile.write(chunk)

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


@pytest.fixture
def http_server() -> Iterator[LoopbackServer]:
    """A ThreadingHTTPServer on 127.0.0.1 (free port) run in a thread; shut down after the test."""
    server = LoopbackServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.closing.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def spec_dir(tmp_path: Path) -> Path:
    """A scratch copy of the repository's spec directory."""
    target = tmp_path / "spec"
    shutil.copytree(ROOT / "spec", target)
    return target


@pytest.fixture
def closed_port() -> int:
    """A loopback port with nothing listening on it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
