"""`BillingInvoiceClient` and `AsyncBillingInvoiceClient`: the facade over the generated client."""

from __future__ import annotations

import asyncio
import os
import ssl
import time
from collections.abc import Awaitable, Callable, Sequence
from types import TracebackType
from typing import Any, Self, TypeAlias, TypeVar

import httpx

from payex_billing_invoice._base_client import (
    DEFAULT_TRACKING_HEADER,
    MAX_RESPONSE_BYTES,
    ClientCore,
    Exchange,
    Outcome,
    Received,
    ResponseTooLargeError,
    SendRequest,
    Sleep,
    Timeout,
    add_chunk,
    check_declared_size,
    new_tracking_id,
)
from payex_billing_invoice._exceptions import ClientConfigurationError, InvalidRouteError, ResponseValidationError
from payex_billing_invoice._lines import InvoiceLines, LinesProgress, ProgressCallback, SubscriptionLines
from payex_billing_invoice._models import listed
from payex_billing_invoice._operations import (
    GET_INVOICE,
    GET_INVOICE_SUBSCRIPTION,
    LIST_INVOICE_RECURRING_PRODUCTS,
    LIST_INVOICE_SUBSCRIPTIONS,
    LIST_INVOICES,
    LIST_SUBSCRIPTION_RECURRING_PRODUCTS,
    LinkedExactModel,
    LinkedModel,
)
from payex_billing_invoice._retries import RetryPolicy
from payex_billing_invoice._transports import HttpBackend, async_transport
from payex_billing_invoice_openapi import exact_models, models

__all__ = ["AsyncBillingInvoiceClient", "AsyncExactModels", "BillingInvoiceClient", "ExactModels"]

R = TypeVar("R")
PathLike: TypeAlias = str | os.PathLike[str]
DEFAULT_MAX_CONCURRENCY = 8


def _subscription_segments(invoice_no: str, subscription: exact_models.Subscription) -> dict[str, str]:
    if not isinstance(subscription.subscription_no, str):
        raise ResponseValidationError(
            status_code=200,
            body=b"",
            errors=("a subscription item has neither a recurringProducts link nor a subscriptionNo",),
            operation_id=LIST_INVOICE_SUBSCRIPTIONS.operation_id,
        )
    return {"invoice_no": invoice_no, "subscription_no": subscription.subscription_no}


def _unusable_link(reason: str) -> ResponseValidationError:
    """A subscription's recurringProducts link in a response that the client will not follow."""
    return ResponseValidationError(
        status_code=200,
        body=b"",
        errors=(f"a subscription's recurringProducts link cannot be followed: {reason}",),
        operation_id=LIST_INVOICE_SUBSCRIPTIONS.operation_id,
    )


def _subscription_products(
    core: ClientCore, invoice_no: str, subscription: exact_models.Subscription, timeout: Timeout
) -> Exchange[exact_models.RecurringProductList]:
    """Its recurring products: through its link when it has one (refused unless it is that operation)."""
    if isinstance(subscription.recurring_products, str):
        try:
            endpoint, segments = core.follow_endpoint(subscription.recurring_products)
        except InvalidRouteError as error:
            raise _unusable_link(str(error)) from None
        if endpoint is not LIST_SUBSCRIPTION_RECURRING_PRODUCTS:
            raise _unusable_link(f"it addresses {endpoint.operation_id}")
        return core.call_exact(LIST_SUBSCRIPTION_RECURRING_PRODUCTS, segments, timeout)
    segments = _subscription_segments(invoice_no, subscription)
    return core.call_exact(LIST_SUBSCRIPTION_RECURRING_PRODUCTS, segments, timeout)


async def _all_or_none(*tasks: asyncio.Future[Any]) -> None:
    """Wait for all tasks; on the first error cancel the others and raise it (never an ExceptionGroup)."""
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


class _Options:
    """Constructor handling shared by both clients."""

    def __init__(
        self,
        *,
        owner_no: str | None,
        token: str | None,
        base_url: str | None,
        client_cert: PathLike | None,
        client_key: PathLike | None,
        ca_bundle: PathLike | None,
        ssl_context: ssl.SSLContext | None,
        timeout: Timeout,
        max_retries: int | None,
        retry_policy: RetryPolicy | None,
        tracking_header: str | None,
        tracking_id_factory: Callable[[], str],
        allow_insecure_http: bool,
        max_response_bytes: int,
        custom_http: bool,
    ) -> None:
        self.core = ClientCore(
            owner_no=owner_no,
            token=token,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy,
            tracking_header=tracking_header,
            tracking_id_factory=tracking_id_factory,
            allow_insecure_http=allow_insecure_http,
            max_response_bytes=max_response_bytes,
        )
        if custom_http and (client_cert or client_key or ca_bundle or ssl_context):
            raise ClientConfigurationError(
                "configure TLS on the http_client you pass, or pass no http_client; not both"
            )
        self.http_args = (
            {} if custom_http else self.core.build_http_client_args(client_cert, client_key, ca_bundle, ssl_context)
        )


class BillingInvoiceClient:
    """Client of the PayEx Billing Invoice API.

    `owner_no`, `token` and `base_url` fall back to `PAYEX_BILLING_OWNER_NO`, `PAYEX_BILLING_TOKEN` and
    `PAYEX_BILLING_BASE_URL`; the client certificate to `PAYEX_BILLING_CLIENT_CERT` and `PAYEX_BILLING_CLIENT_KEY`,
    a CA bundle to trust instead of the system's to `PAYEX_BILLING_CA_BUNDLE`.
    Methods return the generated attrs models; `client.exact` returns the strict models (exact `Decimal` money).
    """

    def __init__(
        self,
        *,
        owner_no: str | None = None,
        token: str | None = None,
        base_url: str | None = None,
        client_cert: PathLike | None = None,
        client_key: PathLike | None = None,
        ca_bundle: PathLike | None = None,
        ssl_context: ssl.SSLContext | None = None,
        timeout: Timeout = None,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
        tracking_header: str | None = DEFAULT_TRACKING_HEADER,
        tracking_id_factory: Callable[[], str] = new_tracking_id,
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        allow_insecure_http: bool = False,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        options = _Options(
            owner_no=owner_no,
            token=token,
            base_url=base_url,
            client_cert=client_cert,
            client_key=client_key,
            ca_bundle=ca_bundle,
            ssl_context=ssl_context,
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy,
            tracking_header=tracking_header,
            tracking_id_factory=tracking_id_factory,
            allow_insecure_http=allow_insecure_http,
            max_response_bytes=max_response_bytes,
            custom_http=http_client is not None,
        )
        self._core = options.core
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(transport=transport, **options.http_args)
        self.exact = ExactModels(self)

    @property
    def owner_no(self) -> str:
        """The ledger number this client's token was issued for."""
        return self._core.owner_no

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._core!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections (not those of an `http_client` that was passed in)."""
        if self._owns_http:
            self._http.close()

    def _receive(self, step: SendRequest) -> Outcome:
        """Send one request and read the whole body, at most `max_response_bytes` of it."""
        limit = self._core.max_response_bytes
        try:
            request = self._http.build_request(step.method, step.url, headers=step.headers, timeout=step.timeout)
            response = self._http.send(request, auth=self._core.auth, stream=True)
            try:
                chunks, received = check_declared_size(response, limit), 0
                for chunk in response.iter_bytes():
                    received = add_chunk(chunks, chunk, received, limit, response)
            finally:
                response.close()
        except (httpx.HTTPError, ResponseTooLargeError) as error:
            return error
        return Received(response.status_code, response.headers, b"".join(chunks))

    def _run(self, exchange: Exchange[R]) -> R:
        step = next(exchange)
        while True:
            outcome: Outcome = None
            if isinstance(step, Sleep):
                time.sleep(step.seconds)
            else:
                outcome = self._receive(step)
            try:
                step = exchange.send(outcome)
            except StopIteration as stop:
                result: R = stop.value
                return result

    def list_invoices(self, *, timeout: Timeout = None) -> models.InvoiceList:
        """The ledger's invoices (`listInvoices`)."""
        return self._run(self._core.call(LIST_INVOICES, {}, timeout))

    def get_invoice(self, invoice_no: str, *, timeout: Timeout = None) -> models.Invoice:
        """One invoice (`getInvoice`)."""
        return self._run(self._core.call(GET_INVOICE, {"invoice_no": invoice_no}, timeout))

    def list_recurring_products(self, invoice_no: str, *, timeout: Timeout = None) -> models.RecurringProductList:
        """The invoice's recurring products on customer level (`listInvoiceRecurringProducts`)."""
        return self._run(self._core.call(LIST_INVOICE_RECURRING_PRODUCTS, {"invoice_no": invoice_no}, timeout))

    def list_subscriptions(self, invoice_no: str, *, timeout: Timeout = None) -> models.SubscriptionList:
        """The subscriptions invoiced on the invoice (`listInvoiceSubscriptions`)."""
        return self._run(self._core.call(LIST_INVOICE_SUBSCRIPTIONS, {"invoice_no": invoice_no}, timeout))

    def get_subscription(
        self, invoice_no: str, subscription_no: str, *, timeout: Timeout = None
    ) -> models.Subscription:
        """One invoiced subscription (`getInvoiceSubscription`)."""
        segments = {"invoice_no": invoice_no, "subscription_no": subscription_no}
        return self._run(self._core.call(GET_INVOICE_SUBSCRIPTION, segments, timeout))

    def list_subscription_recurring_products(
        self, invoice_no: str, subscription_no: str, *, timeout: Timeout = None
    ) -> models.RecurringProductList:
        """The subscription's recurring products (`listSubscriptionRecurringProducts`)."""
        segments = {"invoice_no": invoice_no, "subscription_no": subscription_no}
        return self._run(self._core.call(LIST_SUBSCRIPTION_RECURRING_PRODUCTS, segments, timeout))

    def follow(self, link: str, *, timeout: Timeout = None) -> LinkedModel:
        """The resource a hypermedia link of a response addresses (relative, or absolute on this client's host)."""
        endpoint, segments = self._core.follow_endpoint(link)
        result: LinkedModel = self._run(self._core.call(endpoint, segments, timeout))
        return result

    def invoice_lines(
        self, invoice_no: str, *, timeout: Timeout = None, on_progress: ProgressCallback | None = None
    ) -> InvoiceLines:
        """The invoice, its customer-level recurring products, and every subscription with its products.

        `on_progress(done, total)` is called after each response; `total` grows once the subscriptions are known.
        """
        progress = LinesProgress(on_progress)
        invoice = progress.step(self.exact.get_invoice(invoice_no, timeout=timeout))
        products = progress.step(self.exact.list_recurring_products(invoice_no, timeout=timeout))
        subscriptions = progress.expect(listed(self.exact.list_subscriptions(invoice_no, timeout=timeout).items))
        lines = tuple(
            SubscriptionLines(
                subscription,
                tuple(
                    listed(
                        progress.step(
                            self._run(_subscription_products(self._core, invoice_no, subscription, timeout))
                        ).items
                    )
                ),
            )
            for subscription in subscriptions
        )
        return InvoiceLines(invoice, tuple(listed(products.items)), lines)


class ExactModels:
    """The operations of a `BillingInvoiceClient`, returning the strict models: `Decimal` money, `date` dates."""

    def __init__(self, client: BillingInvoiceClient) -> None:
        self._client = client
        self._core = client._core

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._core!r})"

    def list_invoices(self, *, timeout: Timeout = None) -> exact_models.InvoiceList:
        """The ledger's invoices (`listInvoices`)."""
        return self._client._run(self._core.call_exact(LIST_INVOICES, {}, timeout))

    def get_invoice(self, invoice_no: str, *, timeout: Timeout = None) -> exact_models.Invoice:
        """One invoice (`getInvoice`)."""
        return self._client._run(self._core.call_exact(GET_INVOICE, {"invoice_no": invoice_no}, timeout))

    def list_recurring_products(self, invoice_no: str, *, timeout: Timeout = None) -> exact_models.RecurringProductList:
        """The invoice's recurring products on customer level (`listInvoiceRecurringProducts`)."""
        segments = {"invoice_no": invoice_no}
        return self._client._run(self._core.call_exact(LIST_INVOICE_RECURRING_PRODUCTS, segments, timeout))

    def list_subscriptions(self, invoice_no: str, *, timeout: Timeout = None) -> exact_models.SubscriptionList:
        """The subscriptions invoiced on the invoice (`listInvoiceSubscriptions`)."""
        segments = {"invoice_no": invoice_no}
        return self._client._run(self._core.call_exact(LIST_INVOICE_SUBSCRIPTIONS, segments, timeout))

    def get_subscription(
        self, invoice_no: str, subscription_no: str, *, timeout: Timeout = None
    ) -> exact_models.Subscription:
        """One invoiced subscription (`getInvoiceSubscription`)."""
        segments = {"invoice_no": invoice_no, "subscription_no": subscription_no}
        return self._client._run(self._core.call_exact(GET_INVOICE_SUBSCRIPTION, segments, timeout))

    def list_subscription_recurring_products(
        self, invoice_no: str, subscription_no: str, *, timeout: Timeout = None
    ) -> exact_models.RecurringProductList:
        """The subscription's recurring products (`listSubscriptionRecurringProducts`)."""
        segments = {"invoice_no": invoice_no, "subscription_no": subscription_no}
        return self._client._run(self._core.call_exact(LIST_SUBSCRIPTION_RECURRING_PRODUCTS, segments, timeout))

    def follow(self, link: str, *, timeout: Timeout = None) -> LinkedExactModel:
        """The resource a hypermedia link addresses, as a strict model."""
        endpoint, segments = self._core.follow_endpoint(link)
        result: LinkedExactModel = self._client._run(self._core.call_exact(endpoint, segments, timeout))
        return result


class AsyncBillingInvoiceClient:
    """Async client of the PayEx Billing Invoice API; the same options and methods as `BillingInvoiceClient`.

    `invoice_lines` fetches concurrently, with at most `max_concurrency` requests in flight.
    `http_backend="aiohttp"` sends requests through httpx-aiohttp (the `aiohttp` extra), which costs less CPU
    per request than httpx's own transport (see BENCHMARKS.md).
    """

    def __init__(
        self,
        *,
        owner_no: str | None = None,
        token: str | None = None,
        base_url: str | None = None,
        client_cert: PathLike | None = None,
        client_key: PathLike | None = None,
        ca_bundle: PathLike | None = None,
        ssl_context: ssl.SSLContext | None = None,
        timeout: Timeout = None,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
        tracking_header: str | None = DEFAULT_TRACKING_HEADER,
        tracking_id_factory: Callable[[], str] = new_tracking_id,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        allow_insecure_http: bool = False,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        http_backend: HttpBackend = "httpx",
    ) -> None:
        options = _Options(
            owner_no=owner_no,
            token=token,
            base_url=base_url,
            client_cert=client_cert,
            client_key=client_key,
            ca_bundle=ca_bundle,
            ssl_context=ssl_context,
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy,
            tracking_header=tracking_header,
            tracking_id_factory=tracking_id_factory,
            allow_insecure_http=allow_insecure_http,
            max_response_bytes=max_response_bytes,
            custom_http=http_client is not None,
        )
        if max_concurrency < 1:
            raise ClientConfigurationError("max_concurrency must be at least 1")
        if http_backend != "httpx" and (http_client is not None or transport is not None):
            raise ClientConfigurationError("pass http_backend, or an http_client or transport of your own; not both")
        http_args = options.http_args
        backend_transport = async_transport(http_backend, http_args.get("verify"))
        if backend_transport is not None:  # it verifies TLS itself
            http_args = {key: value for key, value in http_args.items() if key != "verify"}
        self._core = options.core
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(transport=transport or backend_transport, **http_args)
        self._max_concurrency = max_concurrency
        self.exact = AsyncExactModels(self)

    @property
    def owner_no(self) -> str:
        """The ledger number this client's token was issued for."""
        return self._core.owner_no

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._core!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the connections (not those of an `http_client` that was passed in)."""
        if self._owns_http:
            await self._http.aclose()

    async def _receive(self, step: SendRequest) -> Outcome:
        """Send one request and read the whole body, at most `max_response_bytes` of it."""
        limit = self._core.max_response_bytes
        try:
            request = self._http.build_request(step.method, step.url, headers=step.headers, timeout=step.timeout)
            response = await self._http.send(request, auth=self._core.auth, stream=True)
            try:
                chunks, received = check_declared_size(response, limit), 0
                async for chunk in response.aiter_bytes():
                    received = add_chunk(chunks, chunk, received, limit, response)
            finally:
                await response.aclose()
        except (httpx.HTTPError, ResponseTooLargeError) as error:
            return error
        return Received(response.status_code, response.headers, b"".join(chunks))

    async def _run(self, exchange: Exchange[R]) -> R:
        step = next(exchange)
        while True:
            outcome: Outcome = None
            if isinstance(step, Sleep):
                await asyncio.sleep(step.seconds)
            else:
                outcome = await self._receive(step)
            try:
                step = exchange.send(outcome)
            except StopIteration as stop:
                result: R = stop.value
                return result

    async def list_invoices(self, *, timeout: Timeout = None) -> models.InvoiceList:
        """The ledger's invoices (`listInvoices`)."""
        return await self._run(self._core.call(LIST_INVOICES, {}, timeout))

    async def get_invoice(self, invoice_no: str, *, timeout: Timeout = None) -> models.Invoice:
        """One invoice (`getInvoice`)."""
        return await self._run(self._core.call(GET_INVOICE, {"invoice_no": invoice_no}, timeout))

    async def list_recurring_products(self, invoice_no: str, *, timeout: Timeout = None) -> models.RecurringProductList:
        """The invoice's recurring products on customer level (`listInvoiceRecurringProducts`)."""
        return await self._run(self._core.call(LIST_INVOICE_RECURRING_PRODUCTS, {"invoice_no": invoice_no}, timeout))

    async def list_subscriptions(self, invoice_no: str, *, timeout: Timeout = None) -> models.SubscriptionList:
        """The subscriptions invoiced on the invoice (`listInvoiceSubscriptions`)."""
        return await self._run(self._core.call(LIST_INVOICE_SUBSCRIPTIONS, {"invoice_no": invoice_no}, timeout))

    async def get_subscription(
        self, invoice_no: str, subscription_no: str, *, timeout: Timeout = None
    ) -> models.Subscription:
        """One invoiced subscription (`getInvoiceSubscription`)."""
        segments = {"invoice_no": invoice_no, "subscription_no": subscription_no}
        return await self._run(self._core.call(GET_INVOICE_SUBSCRIPTION, segments, timeout))

    async def list_subscription_recurring_products(
        self, invoice_no: str, subscription_no: str, *, timeout: Timeout = None
    ) -> models.RecurringProductList:
        """The subscription's recurring products (`listSubscriptionRecurringProducts`)."""
        segments = {"invoice_no": invoice_no, "subscription_no": subscription_no}
        return await self._run(self._core.call(LIST_SUBSCRIPTION_RECURRING_PRODUCTS, segments, timeout))

    async def follow(self, link: str, *, timeout: Timeout = None) -> LinkedModel:
        """The resource a hypermedia link of a response addresses (relative, or absolute on this client's host)."""
        endpoint, segments = self._core.follow_endpoint(link)
        result: LinkedModel = await self._run(self._core.call(endpoint, segments, timeout))
        return result

    async def invoice_lines(
        self, invoice_no: str, *, timeout: Timeout = None, on_progress: ProgressCallback | None = None
    ) -> InvoiceLines:
        """The invoice, its customer-level recurring products, and every subscription with its products.

        Fetched concurrently: the invoice, its products and its subscriptions at once, then every subscription's
        products, never more than `max_concurrency` requests in flight; the first error cancels the rest.
        `on_progress(done, total)` is called after each response; `total` grows once the subscriptions are known.
        """
        slots = asyncio.Semaphore(self._max_concurrency)
        progress = LinesProgress(on_progress)

        async def bounded(call: Callable[[], Awaitable[R]]) -> R:
            async with slots:
                return progress.step(await call())

        async def subscriptions_of() -> Sequence[exact_models.Subscription]:
            async with slots:
                found = await self.exact.list_subscriptions(invoice_no, timeout=timeout)
            return progress.expect(listed(found.items))

        async def products_of(item: exact_models.Subscription) -> exact_models.RecurringProductList:
            return await bounded(lambda: self._run(_subscription_products(self._core, invoice_no, item, timeout)))

        invoice = asyncio.ensure_future(bounded(lambda: self.exact.get_invoice(invoice_no, timeout=timeout)))
        products = asyncio.ensure_future(
            bounded(lambda: self.exact.list_recurring_products(invoice_no, timeout=timeout))
        )
        subscriptions = asyncio.ensure_future(subscriptions_of())
        await _all_or_none(invoice, products, subscriptions)
        items = subscriptions.result()
        per_subscription = [asyncio.ensure_future(products_of(item)) for item in items]
        await _all_or_none(*per_subscription)
        lines = tuple(
            SubscriptionLines(item, tuple(listed(found.result().items)))
            for item, found in zip(items, per_subscription, strict=True)
        )
        return InvoiceLines(invoice.result(), tuple(listed(products.result().items)), lines)


class AsyncExactModels:
    """The operations of an `AsyncBillingInvoiceClient`, returning the strict models."""

    def __init__(self, client: AsyncBillingInvoiceClient) -> None:
        self._client = client
        self._core = client._core

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._core!r})"

    async def list_invoices(self, *, timeout: Timeout = None) -> exact_models.InvoiceList:
        """The ledger's invoices (`listInvoices`)."""
        return await self._client._run(self._core.call_exact(LIST_INVOICES, {}, timeout))

    async def get_invoice(self, invoice_no: str, *, timeout: Timeout = None) -> exact_models.Invoice:
        """One invoice (`getInvoice`)."""
        return await self._client._run(self._core.call_exact(GET_INVOICE, {"invoice_no": invoice_no}, timeout))

    async def list_recurring_products(
        self, invoice_no: str, *, timeout: Timeout = None
    ) -> exact_models.RecurringProductList:
        """The invoice's recurring products on customer level (`listInvoiceRecurringProducts`)."""
        segments = {"invoice_no": invoice_no}
        return await self._client._run(self._core.call_exact(LIST_INVOICE_RECURRING_PRODUCTS, segments, timeout))

    async def list_subscriptions(self, invoice_no: str, *, timeout: Timeout = None) -> exact_models.SubscriptionList:
        """The subscriptions invoiced on the invoice (`listInvoiceSubscriptions`)."""
        segments = {"invoice_no": invoice_no}
        return await self._client._run(self._core.call_exact(LIST_INVOICE_SUBSCRIPTIONS, segments, timeout))

    async def get_subscription(
        self, invoice_no: str, subscription_no: str, *, timeout: Timeout = None
    ) -> exact_models.Subscription:
        """One invoiced subscription (`getInvoiceSubscription`)."""
        segments = {"invoice_no": invoice_no, "subscription_no": subscription_no}
        return await self._client._run(self._core.call_exact(GET_INVOICE_SUBSCRIPTION, segments, timeout))

    async def list_subscription_recurring_products(
        self, invoice_no: str, subscription_no: str, *, timeout: Timeout = None
    ) -> exact_models.RecurringProductList:
        """The subscription's recurring products (`listSubscriptionRecurringProducts`)."""
        segments = {"invoice_no": invoice_no, "subscription_no": subscription_no}
        return await self._client._run(self._core.call_exact(LIST_SUBSCRIPTION_RECURRING_PRODUCTS, segments, timeout))

    async def follow(self, link: str, *, timeout: Timeout = None) -> LinkedExactModel:
        """The resource a hypermedia link addresses, as a strict model."""
        endpoint, segments = self._core.follow_endpoint(link)
        result: LinkedExactModel = await self._client._run(self._core.call_exact(endpoint, segments, timeout))
        return result
