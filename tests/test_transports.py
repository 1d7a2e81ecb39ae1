"""The async client's optional transport: `http_backend="aiohttp"` (httpx-aiohttp)."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from payex_billing_invoice import AsyncBillingInvoiceClient, ClientConfigurationError, InvoiceNotFound
from tests._fault_server import FaultServer, Respond

INVOICE = {"invoiceNo": "603010", "invoiceDate": "2026-03-01", "invoiceAmount": 499.5}
NOT_FOUND = {"type": "billing/invoice/problems/invoice-not-found", "title": "Invoice not found", "status": 404}


async def test_the_aiohttp_backend_decodes_like_httpx() -> None:
    with FaultServer(fallback=lambda request: Respond.json(INVOICE)) as server:
        async with AsyncBillingInvoiceClient(
            owner_no="xxx", token="tok-aiohttp-1", base_url=server.url, http_backend="aiohttp"
        ) as client:
            exact = await client.exact.get_invoice("603010")
            model = await client.get_invoice("603010")
        sent = server.requests[0]
    assert (exact.invoice_no, exact.invoice_amount) == ("603010", Decimal("499.5"))
    assert model.to_dict() == INVOICE
    assert sent.header_values("authorization") == ["Bearer tok-aiohttp-1"]


async def test_the_aiohttp_backend_maps_problems() -> None:
    with FaultServer(fallback=lambda request: Respond.json(NOT_FOUND, 404)) as server:
        async with AsyncBillingInvoiceClient(
            owner_no="xxx", token="tok-aiohttp-2", base_url=server.url, http_backend="aiohttp", max_retries=0
        ) as client:
            with pytest.raises(InvoiceNotFound):
                await client.get_invoice("603010")


def test_a_backend_with_a_transport_or_an_unknown_backend_is_refused() -> None:
    with pytest.raises(ClientConfigurationError, match="not both"):
        AsyncBillingInvoiceClient(
            owner_no="xxx", token="t", http_backend="aiohttp", transport=httpx.AsyncHTTPTransport()
        )
    with pytest.raises(ClientConfigurationError, match="http_backend must be"):
        AsyncBillingInvoiceClient(owner_no="xxx", token="t", http_backend="curl")  # type: ignore[arg-type]
