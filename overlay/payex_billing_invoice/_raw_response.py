"""`client.with_raw_response`: the operations returning the response itself (status, headers, exact bytes)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

import httpx

from payex_billing_invoice._base_client import Received, Timeout, _decode_exact, _decode_model
from payex_billing_invoice._headers import ExtraHeaders
from payex_billing_invoice._operations import (
    GET_INVOICE,
    GET_INVOICE_SUBSCRIPTION,
    LIST_INVOICE_RECURRING_PRODUCTS,
    LIST_INVOICE_SUBSCRIPTIONS,
    LIST_INVOICES,
    LIST_SUBSCRIPTION_RECURRING_PRODUCTS,
    Endpoint,
    GeneratedModel,
)
from payex_billing_invoice._secrets import Redactor
from payex_billing_invoice_openapi import exact_models, models
from payex_billing_invoice_openapi._exact_base import ExactStruct

if TYPE_CHECKING:
    from payex_billing_invoice._client import AsyncBillingInvoiceClient, BillingInvoiceClient

__all__ = ["AsyncRawResponses", "RawResponse", "RawResponses"]

M = TypeVar("M", bound=GeneratedModel)
E = TypeVar("E", bound=ExactStruct)
Segments = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class RawResponse(Generic[M, E]):
    """A 2xx response as PayEx sent it; `parse()` and `parse_exact()` validate and decode it on demand.

    Error statuses still raise the typed exceptions, which carry the status, headers and body too.
    """

    status_code: int
    headers: httpx.Headers
    content: bytes
    """The body, byte for byte (after content decoding)."""
    operation_id: str
    _endpoint: Endpoint[M, E] = field(repr=False)
    _redact: Redactor = field(repr=False)

    def parse(self) -> M:
        """The generated attrs model, as the plain method returns it; `ResponseValidationError` if it does not fit."""
        return _decode_model(self._endpoint, self._redact, self._received())

    def parse_exact(self) -> E:
        """The strict model (exact `Decimal` money, `date` dates), as `client.exact` returns it."""
        return _decode_exact(self._endpoint, self._redact, self._received())

    def _received(self) -> Received:
        return Received(self.status_code, self.headers, self.content)


def _raw(endpoint: Endpoint[M, E], received: Received, redact: Redactor) -> RawResponse[M, E]:
    return RawResponse(
        received.status_code, received.headers, received.content, endpoint.operation_id, endpoint, redact
    )


class RawResponses:
    """The operations of a `BillingInvoiceClient`, each returning a `RawResponse`."""

    def __init__(self, client: BillingInvoiceClient) -> None:
        self._client = client

    def _call(
        self, endpoint: Endpoint[M, E], segments: Segments, timeout: Timeout, extra: ExtraHeaders | None
    ) -> RawResponse[M, E]:
        core = self._client._core
        return _raw(endpoint, self._client._run(core.call_raw(endpoint, segments, timeout, extra)), core.redact)

    def list_invoices(
        self, *, timeout: Timeout = None, extra_headers: ExtraHeaders | None = None
    ) -> RawResponse[models.InvoiceList, exact_models.InvoiceList]:
        """`listInvoices`."""
        return self._call(LIST_INVOICES, {}, timeout, extra_headers)

    def get_invoice(
        self, invoice_no: str, *, timeout: Timeout = None, extra_headers: ExtraHeaders | None = None
    ) -> RawResponse[models.Invoice, exact_models.Invoice]:
        """`getInvoice`."""
        return self._call(GET_INVOICE, {"invoice_no": invoice_no}, timeout, extra_headers)

    def list_recurring_products(
        self, invoice_no: str, *, timeout: Timeout = None, extra_headers: ExtraHeaders | None = None
    ) -> RawResponse[models.RecurringProductList, exact_models.RecurringProductList]:
        """`listInvoiceRecurringProducts`."""
        return self._call(LIST_INVOICE_RECURRING_PRODUCTS, {"invoice_no": invoice_no}, timeout, extra_headers)

    def list_subscriptions(
        self, invoice_no: str, *, timeout: Timeout = None, extra_headers: ExtraHeaders | None = None
    ) -> RawResponse[models.SubscriptionList, exact_models.SubscriptionList]:
        """`listInvoiceSubscriptions`."""
        return self._call(LIST_INVOICE_SUBSCRIPTIONS, {"invoice_no": invoice_no}, timeout, extra_headers)

    def get_subscription(
        self,
        invoice_no: str,
        subscription_no: str,
        *,
        timeout: Timeout = None,
        extra_headers: ExtraHeaders | None = None,
    ) -> RawResponse[models.Subscription, exact_models.Subscription]:
        """`getInvoiceSubscription`."""
        segments = {"invoice_no": invoice_no, "subscription_no": subscription_no}
        return self._call(GET_INVOICE_SUBSCRIPTION, segments, timeout, extra_headers)

    def list_subscription_recurring_products(
        self,
        invoice_no: str,
        subscription_no: str,
        *,
        timeout: Timeout = None,
        extra_headers: ExtraHeaders | None = None,
    ) -> RawResponse[models.RecurringProductList, exact_models.RecurringProductList]:
        """`listSubscriptionRecurringProducts`."""
        segments = {"invoice_no": invoice_no, "subscription_no": subscription_no}
        return self._call(LIST_SUBSCRIPTION_RECURRING_PRODUCTS, segments, timeout, extra_headers)


class AsyncRawResponses:
    """The operations of an `AsyncBillingInvoiceClient`, each returning a `RawResponse`."""

    def __init__(self, client: AsyncBillingInvoiceClient) -> None:
        self._client = client

    async def _call(
        self, endpoint: Endpoint[M, E], segments: Segments, timeout: Timeout, extra: ExtraHeaders | None
    ) -> RawResponse[M, E]:
        core = self._client._core
        received = await self._client._run(core.call_raw(endpoint, segments, timeout, extra))
        return _raw(endpoint, received, core.redact)

    async def list_invoices(
        self, *, timeout: Timeout = None, extra_headers: ExtraHeaders | None = None
    ) -> RawResponse[models.InvoiceList, exact_models.InvoiceList]:
        """`listInvoices`."""
        return await self._call(LIST_INVOICES, {}, timeout, extra_headers)

    async def get_invoice(
        self, invoice_no: str, *, timeout: Timeout = None, extra_headers: ExtraHeaders | None = None
    ) -> RawResponse[models.Invoice, exact_models.Invoice]:
        """`getInvoice`."""
        return await self._call(GET_INVOICE, {"invoice_no": invoice_no}, timeout, extra_headers)

    async def list_recurring_products(
        self, invoice_no: str, *, timeout: Timeout = None, extra_headers: ExtraHeaders | None = None
    ) -> RawResponse[models.RecurringProductList, exact_models.RecurringProductList]:
        """`listInvoiceRecurringProducts`."""
        return await self._call(LIST_INVOICE_RECURRING_PRODUCTS, {"invoice_no": invoice_no}, timeout, extra_headers)

    async def list_subscriptions(
        self, invoice_no: str, *, timeout: Timeout = None, extra_headers: ExtraHeaders | None = None
    ) -> RawResponse[models.SubscriptionList, exact_models.SubscriptionList]:
        """`listInvoiceSubscriptions`."""
        return await self._call(LIST_INVOICE_SUBSCRIPTIONS, {"invoice_no": invoice_no}, timeout, extra_headers)

    async def get_subscription(
        self,
        invoice_no: str,
        subscription_no: str,
        *,
        timeout: Timeout = None,
        extra_headers: ExtraHeaders | None = None,
    ) -> RawResponse[models.Subscription, exact_models.Subscription]:
        """`getInvoiceSubscription`."""
        segments = {"invoice_no": invoice_no, "subscription_no": subscription_no}
        return await self._call(GET_INVOICE_SUBSCRIPTION, segments, timeout, extra_headers)

    async def list_subscription_recurring_products(
        self,
        invoice_no: str,
        subscription_no: str,
        *,
        timeout: Timeout = None,
        extra_headers: ExtraHeaders | None = None,
    ) -> RawResponse[models.RecurringProductList, exact_models.RecurringProductList]:
        """`listSubscriptionRecurringProducts`."""
        segments = {"invoice_no": invoice_no, "subscription_no": subscription_no}
        return await self._call(LIST_SUBSCRIPTION_RECURRING_PRODUCTS, segments, timeout, extra_headers)
