"""What the fault tests of the clients share: the test token and invoice, fast retries, and the secrecy check."""

from __future__ import annotations

import logging
import traceback

import pytest

from payex_billing_invoice import AsyncBillingInvoiceClient, RetryPolicy
from tests._fault_server import FaultServer, Respond

TOKEN = "tok-SECRET-9f8e7d"
OWNER_NO = "xxx"
INVOICE_NO = "603010"
FAST = RetryPolicy(max_retries=2, initial_delay=0.01, max_delay=0.05, max_retry_after=0.2)
BOUND = 5.0
"""Seconds no single call may take: a sanity bound, not a benchmark."""
STALL = 5.0
"""Seconds a stalling action holds back; longer than any client timeout used here."""
LOGGERS = ("payex_billing_invoice", "httpx", "httpcore")
INVOICE = {
    "invoiceNo": INVOICE_NO,
    "invoiceDate": "2026-03-01",
    "invoiceAmount": 499.00,
    "recurringProducts": f"/billing/invoice/v1/{OWNER_NO}/invoices/{INVOICE_NO}/recurring-products",
    "subscriptions": f"/billing/invoice/v1/{OWNER_NO}/invoices/{INVOICE_NO}/subscriptions",
}
OK = Respond.json(INVOICE)


def async_client(server: FaultServer, policy: RetryPolicy = FAST) -> AsyncBillingInvoiceClient:
    """An async client of `server`."""
    return AsyncBillingInvoiceClient(base_url=server.url, owner_no=OWNER_NO, token=TOKEN, retry_policy=policy)


def assert_hidden(secret: str, *objects: object) -> None:
    """`secret` is in no str, repr or attribute of `objects`, nor of any exception chained to them or its traceback."""
    for item in objects:
        chain: object = item
        while chain is not None:
            assert secret not in str(chain)
            assert secret not in repr(chain)
            assert secret not in repr(getattr(chain, "__dict__", {}))
            for name in ("problem", "headers"):
                assert secret not in repr(getattr(getattr(chain, name, None), "raw", ""))
            if not isinstance(chain, BaseException):
                break
            assert secret not in "".join(traceback.format_exception(chain))
            chain = chain.__cause__ or chain.__context__


def assert_logs_hide(secret: str, logs: pytest.LogCaptureFixture) -> None:
    """No record, as formatted with its traceback, shows `secret`."""
    formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")
    for record in logs.records:
        assert secret not in formatter.format(record)
        assert secret not in repr(vars(record))


def assert_sealed(server: FaultServer, logs: pytest.LogCaptureFixture, *objects: object, attempts: int) -> None:
    """The server saw `attempts` requests, each carrying the token; no log record, str or repr shows it."""
    requests = server.requests
    assert len(requests) == attempts
    for request in requests:
        assert request.header_values("Authorization") == [f"Bearer {TOKEN}"]
    assert_logs_hide(TOKEN, logs)
    assert_hidden(TOKEN, *objects)
