"""Prism serving the committed API document on loopback, for the `mock` command and the `--mock` option."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Final

import httpx

from payex_billing_invoice._fake import FakePayEx

__all__ = [
    "MockFiles",
    "MockUnavailableError",
    "RunningMock",
    "find_mock_files",
    "free_port",
    "prism_available",
    "running_prism",
    "serving_fake",
]

SPEC: Final = Path("spec") / "openapi.yaml"
PRISM: Final = Path("node_modules") / ".bin" / "prism"
HOST: Final = "127.0.0.1"
STARTUP_SECONDS: Final = 30.0
STOP_SECONDS: Final = 10.0
_POLL_SECONDS: Final = 0.1
_LOG_TAIL: Final = 1500


class MockUnavailableError(Exception):
    """The local mock could not be started: no spec, no Prism, or Prism did not come up."""


@dataclass(frozen=True, slots=True)
class MockFiles:
    """The API document to serve and the Prism executable to serve it with."""

    spec: Path
    prism: Path


@dataclass(frozen=True, slots=True)
class RunningMock:
    """A Prism process answering on `url`."""

    url: str
    process: subprocess.Popen[bytes]

    @property
    def pid(self) -> int:
        """Prism's process id (it leads its own process group)."""
        return self.process.pid


def _repository_root() -> Path | None:
    """The nearest folder holding `spec/openapi.yaml`, above this module or else above the working directory."""
    for start in (Path(__file__).resolve().parent, Path.cwd().resolve()):
        for folder in (start, *start.parents):
            if (folder / SPEC).is_file():
                return folder
    return None


def find_mock_files() -> MockFiles:
    """The committed spec and `node_modules/.bin/prism` of the repository (Prism on PATH as a fallback)."""
    root = _repository_root()
    if root is None:
        raise MockUnavailableError(
            f"cannot find {SPEC}: the mock serves the committed API document, so run this from a checkout "
            "of the repository (or an editable install of it)"
        )
    prism = root / PRISM
    if not prism.is_file():
        found = shutil.which("prism")
        if found is None:
            raise MockUnavailableError(f"Prism is not installed: run `npm ci` in {root} (it installs {PRISM})")
        prism = Path(found)
    return MockFiles(spec=root / SPEC, prism=prism)


def prism_available() -> bool:
    """Whether Prism can serve here: Node on PATH and a checkout's spec with its Prism."""
    if shutil.which("node") is None:
        return False
    try:
        find_mock_files()
    except MockUnavailableError:
        return False
    return True


def free_port() -> int:
    """A port on the loopback interface that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _check_free(port: int) -> None:
    """Refuse a port something already listens on: Prism would fail, and that other server would answer."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError as error:
            raise MockUnavailableError(f"cannot serve on {HOST}:{port}: {error.strerror or error}") from None


def _tail(log: IO[bytes] | None) -> str:
    if log is None:
        return ""
    log.flush()
    log.seek(0)
    text = log.read().decode("utf-8", "replace").strip()
    return f":\n{text[-_LOG_TAIL:]}" if text else ""


def _wait_until_answering(process: subprocess.Popen[bytes], url: str, log: IO[bytes] | None) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise MockUnavailableError(f"Prism exited with status {process.returncode} on startup{_tail(log)}")
        with contextlib.suppress(httpx.TransportError):
            httpx.get(url, timeout=1.0, trust_env=False)
            return
        time.sleep(_POLL_SECONDS)
    raise MockUnavailableError(f"Prism did not answer on {url} within {STARTUP_SECONDS:.0f} s{_tail(log)}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop Prism by its PID (its process group): SIGTERM, then SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_SECONDS)


@contextlib.contextmanager
def running_prism(files: MockFiles, *, port: int | None = None, log: IO[bytes] | None = None) -> Iterator[RunningMock]:
    """Start Prism on `port` (a free one if None, retried on a race), yield it once it answers, then stop it.

    Prism writes to `log`, or to this process's stderr if None. It runs in its own session, so a Ctrl-C in
    the terminal reaches only this process, which then stops Prism by its PID.
    """
    attempts = 1 if port is not None else 3
    for attempt in range(1, attempts + 1):
        chosen = port if port is not None else free_port()
        _check_free(chosen)
        url = f"http://{HOST}:{chosen}"
        command = [str(files.prism), "mock", str(files.spec), "--host", HOST, "--port", str(chosen)]
        try:
            process = subprocess.Popen(  # noqa: S603 - a fixed command line, no shell
                command,
                stdin=subprocess.DEVNULL,
                stdout=log if log is not None else sys.stderr,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as error:
            raise MockUnavailableError(f"cannot run {files.prism}: {error}") from None
        try:
            _wait_until_answering(process, url, log)
        except MockUnavailableError:
            stop(process)
            if attempt == attempts:
                raise
            continue
        except BaseException:
            stop(process)
            raise
        try:
            yield RunningMock(url, process)
        finally:
            stop(process)
        return


class _FakeHandler(BaseHTTPRequestHandler):
    """Hands each request to the server's `FakePayEx`; a staged fault closes the connection."""

    server: _FakeServer
    protocol_version = "HTTP/1.1"

    def _dispatch(self) -> None:
        """Hand any method to the fake, which answers 405 with `Allow` to what the API does not take; a HEAD
        answer carries GET's headers and no body."""
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        url = f"http://{HOST}{self.path}"
        request = httpx.Request(self.command, url, headers=list(self.headers.items()), content=body)
        try:
            response = self.server.fake.handle_request(request)
        except httpx.TransportError:
            self.close_connection = True
            return
        self.send_response(response.status_code)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.content)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _dispatch  # noqa: N815 - http.server names
    do_TRACE = do_CONNECT = do_QUERY = _dispatch  # noqa: N815 - the standard library would answer 501 text/html

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the clients log their requests."""


class _FakeServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, fake: FakePayEx) -> None:
        self.fake = fake
        super().__init__((HOST, port), _FakeHandler)


@contextlib.contextmanager
def serving_fake(fake: FakePayEx, *, port: int | None = None) -> Iterator[str]:
    """Serve `fake` over HTTP on loopback (`port`, or a free one) in a thread; yield the base URL, then stop."""
    try:
        server = _FakeServer(port or 0, fake)
    except OSError as error:
        raise MockUnavailableError(f"cannot serve on {HOST}:{port}: {error.strerror or error}") from None
    thread = threading.Thread(target=server.serve_forever, name="payex-fake", daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(STOP_SECONDS)
