"""Per-call `extra_headers` and `with_raw_response`, on both clients, against the fake."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from payex_billing_invoice import ClientConfigurationError, InvoiceNotFound, ResponseValidationError
from payex_billing_invoice.testing import FakePayEx


def test_extra_headers_reach_every_request_of_a_call(payex_fake: FakePayEx) -> None:
    with payex_fake.client() as client:
        client.invoice_lines("603010", extra_headers={"X-Correlation-Id": "case-42"})
        client.get_invoice("603010")
    sent = [r.headers.get("x-correlation-id") for r in payex_fake.requests]
    assert sent == ["case-42"] * 4 + [None]


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({"Authorization": "Bearer other"}, "must not set Authorization"),
        ({"x-request-id": "mine"}, "must not set x-request-id"),
        ({"Host": "elsewhere"}, "must not set Host"),
        ({"Bad Name": "x"}, "not a valid header name"),
        ({"X-Case": "line\r\nInjected: 1"}, "printable ASCII"),
    ],
)
def test_extra_headers_never_replace_what_the_client_sends(
    payex_fake: FakePayEx, headers: dict[str, str], message: str
) -> None:
    with payex_fake.client() as client, pytest.raises(ClientConfigurationError, match=message) as caught:
        client.get_invoice("603010", extra_headers=headers)
    assert "Injected" not in str(caught.value)
    assert "other" not in str(caught.value)
    assert payex_fake.requests == ()


def test_the_tracking_header_is_free_when_tracking_is_off(payex_fake: FakePayEx) -> None:
    with payex_fake.client(tracking_header=None) as client:
        client.list_invoices(extra_headers={"X-Request-Id": "mine"})
    assert payex_fake.requests[0].headers["x-request-id"] == "mine"


def test_a_raw_response_has_the_status_headers_and_exact_bytes(payex_fake: FakePayEx) -> None:
    with payex_fake.client() as client:
        raw = client.with_raw_response.get_invoice("603010", extra_headers={"X-Case": "1"})
    assert raw.status_code == 200
    assert raw.headers["content-type"] == "application/json"
    assert b'"invoiceAmount":499.0' in raw.content
    assert raw.parse().invoice_no == "603010"
    assert raw.parse_exact().invoice_amount == Decimal("499.0")
    assert raw.operation_id == "getInvoice"
    assert payex_fake.requests[0].headers["x-case"] == "1"


async def test_the_async_client_has_raw_responses_too(payex_fake: FakePayEx) -> None:
    async with payex_fake.async_client() as client:
        raw = await client.with_raw_response.list_subscription_recurring_products("603010", "46701234567")
        with pytest.raises(InvoiceNotFound):
            await client.with_raw_response.get_invoice("999999")
        await client.invoice_lines("603010", extra_headers={"X-Case": "2"})
    assert raw.parse_exact().items[0].amount == Decimal("100.0")  # type: ignore[index]
    assert [r.headers.get("x-case") for r in payex_fake.requests[2:]] == ["2"] * 4


def test_a_body_that_does_not_fit_is_refused_only_when_parsed(payex_fake: FakePayEx) -> None:
    with payex_fake.client() as client:
        raw = client.with_raw_response.get_invoice("603010")
    broken = dataclasses.replace(raw, content=b'{"invoiceAmount": "lots"}')
    with pytest.raises(ResponseValidationError):
        broken.parse_exact()
