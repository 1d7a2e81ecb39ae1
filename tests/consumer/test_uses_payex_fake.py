"""What a service's own tests look like with the kit: only the public API and the `payex_fake` fixture.

`tests/test_testing_kit.py` also runs this file in a fresh environment with the built wheel, under `-W error`.
"""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal

import pytest

from payex_billing_invoice import InvoiceLines, InvoiceNotFound, ServerError
from payex_billing_invoice.testing import FakeInvoice, FakePayEx, FakeRecurringProduct, FakeSubscription, Fault


def test_the_documented_invoice(payex_fake: FakePayEx) -> None:
    with payex_fake.client() as client:
        invoice = client.exact.get_invoice("603010")
    assert (invoice.invoice_no, invoice.invoice_date, invoice.invoice_amount) == (
        "603010",
        date(2026, 3, 1),
        Decimal(499),
    )


def test_an_unknown_invoice_is_invoice_not_found(payex_fake: FakePayEx) -> None:
    with payex_fake.client() as client, pytest.raises(InvoiceNotFound) as caught:
        client.get_invoice("999999")
    assert caught.value.status_code == 404
    assert caught.value.code == "invoice-not-found"
    assert caught.value.instance


def test_the_lines_add_up_to_the_invoice_amount(payex_fake: FakePayEx) -> None:
    with payex_fake.client() as client:
        lines = client.invoice_lines("603010")
    assert lines.total == lines.invoice.invoice_amount == Decimal("499")


def test_the_async_client(payex_fake: FakePayEx) -> None:
    async def fetch() -> InvoiceLines:
        async with payex_fake.async_client() as client:
            return await client.invoice_lines("603010")

    assert asyncio.run(fetch()).total == Decimal("499")


def test_the_requests_are_recorded(payex_fake: FakePayEx) -> None:
    with payex_fake.client() as client:
        client.list_invoices()
        client.get_invoice("603010")
    assert [(r.operation, dict(r.arguments)) for r in payex_fake.requests] == [
        ("list_invoices", {}),
        ("get_invoice", {"invoice_no": "603010"}),
    ]
    assert payex_fake.requests[0].headers["authorization"].startswith("Bearer ")


def test_own_data_with_exact_amounts(payex_fake: FakePayEx) -> None:
    payex_fake.add_invoice(
        FakeInvoice(
            "700001",
            invoice_date=date(2026, 5, 1),
            recurring_products=(FakeRecurringProduct("FEE", "Invoice fee", Decimal("0.10"), "SEK"),),
            subscriptions=(FakeSubscription("+46 70 123", (FakeRecurringProduct(amount=Decimal("0.20")),)),),
        )
    )
    with payex_fake.client() as client:
        lines = client.invoice_lines("700001")
    assert lines.total == lines.invoice.invoice_amount == Decimal("0.30")
    assert lines.subscriptions[0].subscription.subscription_no == "+46 70 123"


def test_a_503_is_retried_without_sleeping(payex_fake: FakePayEx) -> None:
    payex_fake.fail_next(fault=Fault.UNAVAILABLE, operation="get_invoice")
    with payex_fake.client() as client:
        assert client.get_invoice("603010").invoice_no == "603010"
    assert [r.status_code for r in payex_fake.requests] == [503, 200]
    payex_fake.fail_next(status=503, times=3)
    with payex_fake.client() as client, pytest.raises(ServerError):
        client.list_invoices()
