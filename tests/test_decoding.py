"""Decoding: every `Content-Encoding` stack is undone incrementally within `max_response_bytes`, so no bomb takes
more memory than that; a 2xx that does not decode as it claims is a `ResponseValidationError`, never retried."""

from __future__ import annotations

import gzip
import json
import tracemalloc
import zlib
from collections.abc import Callable

import pytest

from payex_billing_invoice import (
    AsyncBillingInvoiceClient,
    BillingInvoiceClient,
    ResponseValidationError,
    ServerError,
)
from tests._client_faults import FAST, INVOICE, INVOICE_NO, OWNER_NO, TOKEN
from tests._fault_server import FaultServer, Respond

LIMIT = 1024 * 1024
BOMB_BYTES = 256 * 1024 * 1024
PEAK_BOUND = 16 * 1024 * 1024
"""Generous: about the limit, the body, the decoders' windows and the parsers; the old client took 256 MiB+."""
BODY = json.dumps(INVOICE).encode()


def _gzip_of_zeros(size: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    piece = bytes(1024 * 1024)
    return b"".join([*(packer.compress(piece) for _ in range(size // len(piece))), packer.flush()])


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


def _client(server: FaultServer) -> BillingInvoiceClient:
    return BillingInvoiceClient(
        base_url=server.url, owner_no=OWNER_NO, token=TOKEN, retry_policy=FAST, max_response_bytes=LIMIT
    )


def _encoded(body: bytes, encoding: str, status: int = 200) -> Respond:
    return Respond(status, body, (("Content-Type", "application/json"), ("Content-Encoding", encoding)))


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        pytest.param("gzip", gzip.compress, id="gzip"),
        pytest.param("x-gzip", gzip.compress, id="x-gzip"),
        pytest.param("GZIP", gzip.compress, id="upper-case"),
        pytest.param("deflate", zlib.compress, id="deflate"),
        pytest.param("deflate", _raw_deflate, id="raw-deflate"),
        pytest.param("gzip, deflate", lambda data: zlib.compress(gzip.compress(data)), id="gzip-then-deflate"),
        pytest.param("identity, gzip", gzip.compress, id="identity-listed"),
        pytest.param("gzip", lambda data: gzip.compress(data[:10]) + gzip.compress(data[10:]), id="two-members"),
    ],
)
def test_every_supported_encoding_stack_decodes(
    server: FaultServer, encoding: str, encode: Callable[[bytes], bytes]
) -> None:
    server.script(_encoded(encode(BODY), encoding))
    with _client(server) as client:
        assert client.get_invoice(INVOICE_NO).invoice_no == INVOICE_NO
    assert server.requests[0].header("Accept-Encoding") == "gzip, deflate"


@pytest.mark.parametrize("encoding", ["gzip", "gzip, gzip", "gzip, gzip, deflate"])
def test_a_bomb_is_refused_within_the_limit_in_memory(server: FaultServer, encoding: str) -> None:
    body = _gzip_of_zeros(BOMB_BYTES)
    for layer in encoding.split(", ")[1:]:
        body = gzip.compress(body) if layer == "gzip" else zlib.compress(body)
    server.script(_encoded(body, encoding))
    with _client(server) as client:
        tracemalloc.start()
        try:
            with pytest.raises(ResponseValidationError, match=f"larger than {LIMIT} bytes"):
                client.get_invoice(INVOICE_NO)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < PEAK_BOUND
    assert len(server.requests) == 1


async def test_async_a_double_gzip_bomb_is_refused_within_the_limit(server: FaultServer) -> None:
    server.script(_encoded(gzip.compress(_gzip_of_zeros(BOMB_BYTES)), "gzip, gzip"))
    async with AsyncBillingInvoiceClient(
        base_url=server.url, owner_no=OWNER_NO, token=TOKEN, retry_policy=FAST, max_response_bytes=LIMIT
    ) as client:
        tracemalloc.start()
        try:
            with pytest.raises(ResponseValidationError, match="larger than"):
                await client.get_invoice(INVOICE_NO)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < PEAK_BOUND


@pytest.mark.parametrize(
    ("body", "encoding"),
    [
        pytest.param(BODY, "gzip", id="plain-body-claiming-gzip"),
        pytest.param(gzip.compress(BODY)[:-12], "gzip", id="truncated-gzip"),
        pytest.param(gzip.compress(BODY) + b"trailing", "gzip", id="garbage-after-gzip"),
        pytest.param(zlib.compress(BODY) + b"trailing", "deflate", id="garbage-after-deflate"),
        pytest.param(BODY, "br", id="unsupported-br"),
        pytest.param(BODY, "gzip, gzip, gzip, gzip, gzip", id="too-many-layers"),
    ],
)
def test_a_2xx_that_does_not_decode_is_a_validation_error_and_not_retried(
    server: FaultServer, body: bytes, encoding: str
) -> None:
    server.script(*[_encoded(body, encoding)] * 3)
    with _client(server) as client, pytest.raises(ResponseValidationError, match="cannot be decoded"):
        client.get_invoice(INVOICE_NO)
    assert len(server.requests) == 1


def test_an_error_status_that_does_not_decode_keeps_its_class(server: FaultServer) -> None:
    server.script(*[_encoded(b"<html>bad gateway</html>", "gzip", 502)] * 3)
    with _client(server) as client, pytest.raises(ServerError) as caught:
        client.get_invoice(INVOICE_NO)
    assert caught.value.status_code == 502
    assert len(server.requests) == 3
