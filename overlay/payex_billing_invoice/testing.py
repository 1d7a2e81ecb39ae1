"""Test code that uses the client without PayEx: `FakePayEx`, the API in-process, and its typed data.

With pytest, the fixture `payex_fake` (registered by this distribution's pytest plugin) gives a fresh
`FakePayEx` per test::

    def test_shows_the_invoice(payex_fake):
        with payex_fake.client() as client:
            assert client.get_invoice("603010").invoice_no == "603010"
"""

from payex_billing_invoice._fake import (
    FAKE_BASE_URL,
    FAKE_OWNER_NO,
    FAKE_TOKEN,
    FakeInvoice,
    FakePayEx,
    FakeRecurringProduct,
    FakeSubscription,
    Fault,
    RecordedRequest,
    effective_spec,
)

__all__ = [
    "FAKE_BASE_URL",
    "FAKE_OWNER_NO",
    "FAKE_TOKEN",
    "FakeInvoice",
    "FakePayEx",
    "FakeRecurringProduct",
    "FakeSubscription",
    "Fault",
    "RecordedRequest",
    "effective_spec",
]
