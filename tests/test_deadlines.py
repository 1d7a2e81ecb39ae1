"""Deadlines: an attempt ends by `request_deadline` (connect to last byte) however slowly the server drips, and a
call by `call_deadline`, retries and their waits included; both end as `ApiTimeoutError`."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from payex_billing_invoice import (
    ApiTimeoutError,
    AsyncBillingInvoiceClient,
    BillingInvoiceClient,
    ClientConfigurationError,
    RetryPolicy,
    ServerError,
)
from tests._client_faults import INVOICE, INVOICE_NO, OWNER_NO, TOKEN
from tests._fault_server import Drip, FaultServer, Respond, StallBeforeHeaders

DEADLINE = 1.0
SLACK = 2.0
"""Generous: the deadline is checked on every socket operation, so it is overrun by milliseconds, not seconds."""
DRIP_SECONDS = 0.1
BODY = json.dumps({**INVOICE, "padding": "x" * 400}).encode()
HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(BODY)
NO_RETRIES = RetryPolicy(max_retries=0)


DRIPS = [
    pytest.param(Drip(HEAD, BODY, DRIP_SECONDS), id="dripped-body"),
    pytest.param(Drip(b"", HEAD + BODY, DRIP_SECONDS), id="dripped-head"),
]
RETRYING = RetryPolicy(max_retries=20, initial_delay=0.01, max_delay=0.01)
STALLS = [StallBeforeHeaders(5.0)] * 20
SETTINGS: dict[str, dict[str, Any]] = {
    "request": {"timeout": 0.5, "retry_policy": NO_RETRIES, "request_deadline": DEADLINE},
    "call": {"timeout": 0.4, "retry_policy": RETRYING, "call_deadline": DEADLINE},
}


def _options(server: FaultServer, which: str) -> dict[str, Any]:
    return {"base_url": server.url, "owner_no": OWNER_NO, "token": TOKEN, **SETTINGS[which]}


@pytest.mark.parametrize("drip", DRIPS)
def test_a_dripped_response_ends_at_the_request_deadline(server: FaultServer, drip: Drip) -> None:
    server.script(drip)
    started = time.monotonic()
    with BillingInvoiceClient(**_options(server, "request")) as client, pytest.raises(ApiTimeoutError):
        client.get_invoice(INVOICE_NO)
    elapsed = time.monotonic() - started
    assert DEADLINE * 0.9 <= elapsed < DEADLINE + SLACK


@pytest.mark.parametrize("drip", DRIPS)
async def test_async_a_dripped_response_ends_at_the_request_deadline(server: FaultServer, drip: Drip) -> None:
    server.script(drip)
    started = time.monotonic()
    async with AsyncBillingInvoiceClient(**_options(server, "request")) as client:
        with pytest.raises(ApiTimeoutError, match="request_deadline"):
            await client.get_invoice(INVOICE_NO)
    assert time.monotonic() - started < DEADLINE + SLACK


def test_retries_end_at_the_call_deadline(server: FaultServer) -> None:
    server.script(*STALLS)
    started = time.monotonic()
    with BillingInvoiceClient(**_options(server, "call")) as client, pytest.raises(ApiTimeoutError):
        client.get_invoice(INVOICE_NO)
    assert time.monotonic() - started < DEADLINE + SLACK
    assert 2 <= len(server.requests) <= 4


async def test_async_retries_end_at_the_call_deadline(server: FaultServer) -> None:
    server.script(*STALLS)
    started = time.monotonic()
    async with AsyncBillingInvoiceClient(**_options(server, "call")) as client:
        with pytest.raises(ApiTimeoutError):
            await client.get_invoice(INVOICE_NO)
    assert time.monotonic() - started < DEADLINE + SLACK


def test_a_retry_that_could_not_start_in_time_is_not_waited_for(server: FaultServer) -> None:
    unavailable = Respond.json({"status": 503}, 503, headers=(("Retry-After", "30"),))
    server.script(unavailable, unavailable)
    started = time.monotonic()
    with (
        BillingInvoiceClient(
            base_url=server.url,
            owner_no=OWNER_NO,
            token=TOKEN,
            retry_policy=RetryPolicy(max_retries=1, max_retry_after=60.0),
            call_deadline=DEADLINE,
        ) as client,
        pytest.raises(ServerError),
    ):
        client.get_invoice(INVOICE_NO)
    assert time.monotonic() - started < DEADLINE
    assert len(server.requests) == 1


@pytest.mark.parametrize("name", ["request_deadline", "call_deadline"])
@pytest.mark.parametrize("value", [0, -1, float("nan"), float("inf"), "5", True, None])
def test_a_deadline_must_be_positive_finite_seconds(name: str, value: object) -> None:
    with pytest.raises(ClientConfigurationError, match=name):
        BillingInvoiceClient(owner_no=OWNER_NO, token=TOKEN, **{name: value})  # type: ignore[arg-type]
