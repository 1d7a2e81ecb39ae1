"""Mutual TLS on loopback: a real TLS server with a throwaway CA that demands a client certificate.

The server answers every GET with the spec's documented `getInvoice` example and records, per connection, the
client certificate's subject and TLS version, or why the handshake failed.
"""

from __future__ import annotations

import json
import ssl
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from socketserver import TCPServer
from typing import Any

import httpx
import pytest
import trustme

from payex_billing_invoice import (
    ApiConnectionError,
    ApiTimeoutError,
    AsyncBillingInvoiceClient,
    BillingInvoiceClient,
)

OWNER_NO = "xxx"
INVOICE_NO = "603010"
TOKEN = "tok-mtls-5b1c"
CLIENT_NAME = "payex-billing-test-client"
INVOICE_PATH = f"/billing/invoice/v1/{OWNER_NO}/invoices/{INVOICE_NO}"
WAIT = 5.0


@dataclass
class Seen:
    """What a server observed: one entry per completed request and per failed handshake."""

    subjects: list[dict[str, str]] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    authorizations: list[str | None] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def wait_for_failures(self, count: int) -> list[str]:
        """The handshake failures, once there are `count` of them (the server may record them after the client)."""
        with self.changed:
            self.changed.wait_for(lambda: len(self.failures) >= count, WAIT)
            return list(self.failures)


def _subject(certificate: dict[str, Any] | None) -> dict[str, str]:
    """The subject of a peer certificate as returned by `getpeercert()`, attribute name -> value."""
    rdns: tuple[tuple[tuple[str, str], ...], ...] = (certificate or {}).get("subject", ())
    return {name: value for rdn in rdns for name, value in rdn}


class _Handler(BaseHTTPRequestHandler):
    """Completes the handshake in the connection's own thread, then answers GETs with the invoice example."""

    server: _MutualTLSServer
    timeout = WAIT

    def handle(self) -> None:
        connection = self.connection
        assert isinstance(connection, ssl.SSLSocket)
        try:
            connection.do_handshake()
        except (ssl.SSLError, OSError) as error:
            reason = str(error)
            self.server.record(lambda seen: seen.failures.append(reason))
            return
        super().handle()

    def do_GET(self) -> None:
        connection = self.connection
        assert isinstance(connection, ssl.SSLSocket)
        subject = _subject(connection.getpeercert())
        version = connection.version() or ""
        authorization = self.headers.get("Authorization")

        def note(seen: Seen) -> None:
            seen.subjects.append(subject)
            seen.versions.append(version)
            seen.paths.append(self.path)
            seen.authorizations.append(authorization)

        self.server.record(note)
        body = json.dumps(self.server.body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test asserts on `Seen` instead."""


class _MutualTLSServer(ThreadingHTTPServer):
    """A threading HTTPS server on 127.0.0.1 (a free port); every handler thread is joined on close."""

    daemon_threads = False
    block_on_close = True

    def __init__(self, context: ssl.SSLContext, body: object) -> None:
        self.context = context
        self.body = body
        self.seen = Seen()
        super().__init__(("127.0.0.1", 0), _Handler)

    def server_bind(self) -> None:
        TCPServer.server_bind(self)
        self.server_name, self.server_port = "localhost", self.server_address[1]

    def get_request(self) -> tuple[Any, Any]:
        sock, address = self.socket.accept()
        return self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

    def record(self, change: Callable[[Seen], None]) -> None:
        with self.seen.changed:
            change(self.seen)
            self.seen.changed.notify_all()

    @property
    def url(self) -> str:
        return f"https://localhost:{self.server_address[1]}"


@contextmanager
def serving(context: ssl.SSLContext, body: object) -> Iterator[_MutualTLSServer]:
    """Run a server in a thread; afterwards shut it down, join every thread and close the listening socket."""
    server = _MutualTLSServer(context, body)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="mtls-server")
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        thread.join(WAIT)
        server.server_close()
        assert not thread.is_alive()
        assert server.socket.fileno() == -1


def _allow_only_tls_1_1(context: ssl.SSLContext) -> None:
    """Limit `context` to TLS 1.1 with legacy ciphers (OpenSSL 3 speaks it only at security level 0).

    Python deprecates these versions, which is the point here: a peer limited to them must be refused.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = ssl.TLSVersion.TLSv1_1
        context.maximum_version = ssl.TLSVersion.TLSv1_1
    context.set_ciphers("DEFAULT:@SECLEVEL=0")


@dataclass(frozen=True)
class Pki:
    """A throwaway CA, the server's certificate, and a client certificate written to PEM files."""

    ca: trustme.CA
    server: trustme.LeafCert
    client: trustme.LeafCert
    ca_file: Path
    cert_file: Path
    key_file: Path


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """The CA, a server certificate for localhost and 127.0.0.1, and a client certificate with its PEM files."""
    folder = tmp_path_factory.mktemp("pki")
    ca = trustme.CA()
    client = ca.issue_cert("client.payex.test", common_name=CLIENT_NAME)
    pki = Pki(
        ca,
        ca.issue_cert("localhost", "127.0.0.1"),
        client,
        folder / "ca.pem",
        folder / "client.pem",
        folder / "client.key",
    )
    ca.cert_pem.write_to_path(str(pki.ca_file))
    for blob in client.cert_chain_pems:
        blob.write_to_path(str(pki.cert_file), append=True)
    client.private_key_pem.write_to_path(str(pki.key_file))
    return pki


def _server_context(pki: Pki) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    pki.server.configure_cert(context)
    pki.ca.configure_trust(context)
    context.verify_mode = ssl.CERT_REQUIRED
    return context


@pytest.fixture(scope="module")
def invoice_example(spec: dict[str, Any]) -> dict[str, Any]:
    """The documented `getInvoice` response of the committed spec."""
    content = spec["paths"]["/billing/invoice/v1/{ownerNo}/invoices/{invoiceNo}"]["get"]["responses"]["200"]["content"]
    example: dict[str, Any] = content["application/json"]["examples"]["documented"]["value"]
    return example


@pytest.fixture(scope="module")
def server(pki: Pki, invoice_example: dict[str, Any]) -> Iterator[_MutualTLSServer]:
    """A TLS 1.2+ server that requires a client certificate issued by the throwaway CA."""
    context = _server_context(pki)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    with serving(context, invoice_example) as running:
        yield running


@pytest.fixture(scope="module")
def legacy_server(pki: Pki, invoice_example: dict[str, Any]) -> Iterator[_MutualTLSServer]:
    """The same server limited to TLS 1.1 (legacy ciphers allowed so that OpenSSL 3 will speak it at all)."""
    context = _server_context(pki)
    _allow_only_tls_1_1(context)
    with serving(context, invoice_example) as running:
        yield running


def _trusting_context(pki: Pki, *, with_certificate: bool) -> ssl.SSLContext:
    context = ssl.create_default_context()
    pki.ca.configure_trust(context)
    if with_certificate:
        pki.client.configure_cert(context)
    return context


def _client(server: _MutualTLSServer, **options: Any) -> BillingInvoiceClient:
    return BillingInvoiceClient(base_url=server.url, owner_no=OWNER_NO, token=TOKEN, max_retries=0, **options)


def _assert_presented(server: _MutualTLSServer, since: int, requests: int) -> None:
    """Exactly `requests` more requests arrived, each with the client certificate, over TLS 1.2+, on the route."""
    seen = server.seen
    assert len(seen.subjects) == since + requests
    for subject, version, path, authorization in list(
        zip(seen.subjects, seen.versions, seen.paths, seen.authorizations, strict=True)
    )[since:]:
        assert subject["commonName"] == CLIENT_NAME
        assert subject["organizationName"].startswith("trustme")
        assert version in {"TLSv1.2", "TLSv1.3"}
        assert path == INVOICE_PATH
        assert authorization == f"Bearer {TOKEN}"


def test_a_client_certificate_in_an_ssl_context_completes_mutual_tls(
    pki: Pki, server: _MutualTLSServer, invoice_example: dict[str, Any]
) -> None:
    since = len(server.seen.subjects)
    with _client(server, ssl_context=_trusting_context(pki, with_certificate=True)) as client:
        invoice = client.get_invoice(INVOICE_NO)
        exact = client.exact.get_invoice(INVOICE_NO)
    assert invoice.to_dict() == invoice_example
    assert exact.invoice_amount == Decimal(str(invoice_example["invoiceAmount"]))
    _assert_presented(server, since, requests=2)


async def test_the_async_client_completes_mutual_tls(
    pki: Pki, server: _MutualTLSServer, invoice_example: dict[str, Any]
) -> None:
    context = _trusting_context(pki, with_certificate=True)
    since = len(server.seen.subjects)
    async with AsyncBillingInvoiceClient(
        base_url=server.url, owner_no=OWNER_NO, token=TOKEN, max_retries=0, ssl_context=context
    ) as client:
        invoice = await client.get_invoice(INVOICE_NO)
    assert invoice.to_dict() == invoice_example
    _assert_presented(server, since, requests=1)


@pytest.mark.parametrize("given_as", ["arguments", "environment"])
def test_the_certificate_and_key_files_are_loaded_and_presented(
    pki: Pki,
    server: _MutualTLSServer,
    invoice_example: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    given_as: str,
) -> None:
    """`client_cert`/`client_key`/`ca_bundle` (or their variables) build the client's own context."""
    if given_as == "arguments":
        options: dict[str, Any] = {
            "client_cert": pki.cert_file,
            "client_key": str(pki.key_file),
            "ca_bundle": pki.ca_file,
        }
    else:
        monkeypatch.setenv("PAYEX_BILLING_CLIENT_CERT", str(pki.cert_file))
        monkeypatch.setenv("PAYEX_BILLING_CLIENT_KEY", str(pki.key_file))
        monkeypatch.setenv("PAYEX_BILLING_CA_BUNDLE", str(pki.ca_file))
        options = {}
    since = len(server.seen.subjects)
    with _client(server, **options) as client:
        invoice = client.get_invoice(INVOICE_NO)
    assert invoice.to_dict() == invoice_example
    _assert_presented(server, since, requests=1)


def _assert_refused_by_the_handshake(error: ApiConnectionError, server: _MutualTLSServer, failures: int) -> list[str]:
    """A plain connection error caused by a transport error, with no request reaching the handler."""
    assert type(error) is ApiConnectionError
    assert not isinstance(error, ApiTimeoutError)
    assert isinstance(error.__cause__, httpx.TransportError)
    assert TOKEN not in str(error)
    return server.seen.wait_for_failures(failures)


def test_without_a_client_certificate_the_call_fails_typed(pki: Pki, server: _MutualTLSServer) -> None:
    requests, failures = len(server.seen.paths), len(server.seen.failures)
    with (
        _client(server, ssl_context=_trusting_context(pki, with_certificate=False)) as client,
        pytest.raises(ApiConnectionError) as caught,
    ):
        client.get_invoice(INVOICE_NO)
    seen_failures = _assert_refused_by_the_handshake(caught.value, server, failures + 1)
    assert "peer did not return a certificate" in seen_failures[-1]
    assert len(server.seen.paths) == requests


def test_a_certificate_from_another_ca_is_refused(pki: Pki, server: _MutualTLSServer) -> None:
    stranger = trustme.CA().issue_cert("client.payex.test", common_name=CLIENT_NAME)
    context = _trusting_context(pki, with_certificate=False)
    stranger.configure_cert(context)
    requests, failures = len(server.seen.paths), len(server.seen.failures)
    with _client(server, ssl_context=context) as client, pytest.raises(ApiConnectionError) as caught:
        client.get_invoice(INVOICE_NO)
    seen_failures = _assert_refused_by_the_handshake(caught.value, server, failures + 1)
    assert "certificate verify failed" in seen_failures[-1]
    assert len(server.seen.paths) == requests


def test_a_tls_1_1_server_is_refused_by_the_clients_own_context(pki: Pki, legacy_server: _MutualTLSServer) -> None:
    requests, failures = len(legacy_server.seen.paths), len(legacy_server.seen.failures)
    with (
        _client(legacy_server, client_cert=pki.cert_file, client_key=pki.key_file, ca_bundle=pki.ca_file) as client,
        pytest.raises(ApiConnectionError) as caught,
    ):
        client.get_invoice(INVOICE_NO)
    seen_failures = _assert_refused_by_the_handshake(caught.value, legacy_server, failures + 1)
    assert "unsupported protocol" in seen_failures[-1]
    assert len(legacy_server.seen.paths) == requests


def test_the_tls_1_1_server_does_answer_a_client_that_allows_tls_1_1(
    pki: Pki, legacy_server: _MutualTLSServer, invoice_example: dict[str, Any]
) -> None:
    """The control of the test above: the refusal comes from the client's TLS 1.2 floor, not a broken server."""
    context = _trusting_context(pki, with_certificate=True)
    _allow_only_tls_1_1(context)
    started = time.monotonic()
    with _client(legacy_server, ssl_context=context) as client:
        invoice = client.get_invoice(INVOICE_NO)
    assert time.monotonic() - started < WAIT
    assert invoice.to_dict() == invoice_example
    assert legacy_server.seen.versions[-1] == "TLSv1.1"
    assert legacy_server.seen.subjects[-1]["commonName"] == CLIENT_NAME
