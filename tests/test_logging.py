"""Log records of a call: server text escaped onto one line, and no raw id at INFO or above from any logger the
client drives (its own, httpx, httpcore); other users of httpx keep their records as they were."""

from __future__ import annotations

import logging

import httpx
import pytest

from payex_billing_invoice import ROUTE_TEMPLATES, BillingInvoiceClient, NotFoundError
from tests._client_faults import INVOICE, INVOICE_NO, async_client
from tests._fault_server import FaultServer, Respond

SUBSCRIPTION_NO = "46701234567"
"""A subscription number is a phone number: personal data."""
FORGED = "fake\r\n2026-12-01 12:00:00 CRITICAL payex_billing_invoice: forged\x1b[2J\x00"
FORMAT = logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s %(payex_problem_instance)s")


def _not_found() -> Respond:
    problem = {"type": "billing/invoice/problems/subscription-not-found", "status": 404, "instance": FORGED}
    return Respond.json(problem, 404, content_type="application/problem+json")


def test_server_text_cannot_forge_a_record(
    server: FaultServer, client: BillingInvoiceClient, logs: pytest.LogCaptureFixture
) -> None:
    server.script(_not_found())
    with pytest.raises(NotFoundError):
        client.get_subscription(INVOICE_NO, SUBSCRIPTION_NO)
    ours = [record for record in logs.records if record.name == "payex_billing_invoice"]
    assert ours
    for record in ours:
        line = FORMAT.format(record)
        assert not any(character in line for character in "\r\n\x1b\x00")
        assert "\\r\\n" in line


def test_no_raw_id_at_info_or_above(
    server: FaultServer, client: BillingInvoiceClient, logs: pytest.LogCaptureFixture
) -> None:
    unavailable = Respond.json({"status": 503}, 503)
    server.script(unavailable, Respond.json({"subscriptionNo": SUBSCRIPTION_NO}))
    client.get_subscription(INVOICE_NO, SUBSCRIPTION_NO)
    loud = [record for record in logs.records if record.levelno >= logging.INFO]
    requests = [record for record in loud if record.name == "httpx"]
    assert len(requests) == 2
    for record in loud:
        text = FORMAT.format(record) if hasattr(record, "payex_problem_instance") else record.getMessage()
        assert SUBSCRIPTION_NO not in text
        assert INVOICE_NO not in text
    assert ROUTE_TEMPLATES["getInvoiceSubscription"] in requests[0].getMessage()


async def test_async_no_raw_id_at_info_or_above(server: FaultServer, logs: pytest.LogCaptureFixture) -> None:
    server.script(Respond.json({"subscriptionNo": SUBSCRIPTION_NO}))
    async with async_client(server) as client:
        await client.get_subscription(INVOICE_NO, SUBSCRIPTION_NO)
    loud = [record.getMessage() for record in logs.records if record.levelno >= logging.INFO]
    assert loud
    assert not any(SUBSCRIPTION_NO in message or INVOICE_NO in message for message in loud)


def test_other_users_of_httpx_keep_their_records(
    server: FaultServer, client: BillingInvoiceClient, logs: pytest.LogCaptureFixture
) -> None:
    server.script(Respond.json(INVOICE), Respond.json({}))
    client.get_invoice(INVOICE_NO)
    with httpx.Client() as other:
        other.get(f"{server.url}/elsewhere/{SUBSCRIPTION_NO}")
    theirs = [record.getMessage() for record in logs.records if record.name == "httpx"]
    assert SUBSCRIPTION_NO in theirs[-1]
    assert INVOICE_NO not in theirs[0]
