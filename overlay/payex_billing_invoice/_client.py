"""`BillingInvoiceClient` and `AsyncBillingInvoiceClient`: the facade over the generated client."""

from __future__ import annotations

import os
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeAlias, TypeVar

import httpx

from payex_billing_invoice._base_client import (
    DEFAULT_CALL_DEADLINE,
    DEFAULT_REQUEST_DEADLINE,
    DEFAULT_TRACKING_HEADER,
    MAX_RESPONSE_BYTES,
    ClientCore,
    Exchange,
    Outcome,
    Received,
    SendRequest,
    Sleep,
    Timeout,
    new_tracking_id,
)
from payex_billing_invoice._body import BodyReader, ResponseTooLargeError, UndecodableBodyError
from payex_billing_invoice._deadline import deadline, enforce_deadlines, time_left
from payex_billing_invoice._exceptions import (
    BillingInvoiceError,
    ClientConfigurationError,
    ClientStateError,
    InvalidRouteError,
    ResponseValidationError,
)
from payex_billing_invoice._headers import ExtraHeaders
from payex_billing_invoice._lines import InvoiceLines, LinesProgress, ProgressCallback, SubscriptionLines
from payex_billing_invoice._logs import call_logging, escape
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
from payex_billing_invoice._raw_response import AsyncRawResponses, RawResponses
from payex_billing_invoice._retries import RetryPolicy
from payex_billing_invoice._settings import check_count
from payex_billing_invoice._transports import HttpBackend, async_transport
from payex_billing_invoice_openapi import exact_models, models

if TYPE_CHECKING:
    import asyncio

__all__ = ["AsyncBillingInvoiceClient", "AsyncExactModels", "BillingInvoiceClient", "ExactModels"]

R = TypeVar("R")
H = TypeVar("H", httpx.Client, httpx.AsyncClient)
PathLike: TypeAlias = str | os.PathLike[str]
DEFAULT_MAX_CONCURRENCY = 8


def _refused(reason: str) -> ResponseValidationError:
    """A subscription list that `invoice_lines` will not follow (the reason names the link or number)."""
    return ResponseValidationError(
        status_code=200, body=b"", errors=(reason,), operation_id=LIST_INVOICE_SUBSCRIPTIONS.operation_id
    )


def _subscription_target(core: ClientCore, invoice_no: str, subscription: exact_models.Subscription) -> dict[str, str]:
    """The segments of a subscription's recurring products: its link if it has one, refused unless it addresses
    that operation for this invoice (and this subscription, when the item names one); else its subscriptionNo."""
    number = subscription.subscription_no if isinstance(subscription.subscription_no, str) else None
    link = subscription.recurring_products
    if not isinstance(link, str):
        if number is None:
            raise _refused("a subscription item has neither a recurringProducts link nor a subscriptionNo")
        return {"invoice_no": invoice_no, "subscription_no": number}
    try:
        endpoint, segments = core.follow_endpoint(link)
    except InvalidRouteError as error:
        refusal = core.redact(str(error))
    else:
        refusal = ""
        if endpoint is not LIST_SUBSCRIPTION_RECURRING_PRODUCTS:
            refusal = f"it addresses {endpoint.operation_id}"
        elif segments["invoice_no"] != invoice_no:
            refusal = "it is another invoice's"
        elif number is not None and segments["subscription_no"] != number:
            refusal = "it is another subscription's"
    if refusal:
        shown = escape(core.redact(link), 200)
        raise _refused(f"the recurringProducts link {shown} cannot be followed: {refusal}")
    return segments


def _subscription_targets(
    core: ClientCore, invoice_no: str, subscriptions: Sequence[exact_models.Subscription]
) -> list[dict[str, str]]:
    """Every subscription's target, refusing a subscription listed twice (its lines would be counted twice)."""
    targets = [_subscription_target(core, invoice_no, item) for item in subscriptions]
    seen: set[str] = set()
    for target in targets:
        if target["subscription_no"] in seen:
            shown = escape(core.redact(target["subscription_no"]), 100)
            raise _refused(f"subscription {shown} is listed more than once")
        seen.add(target["subscription_no"])
    return targets


_PASSED = "the deadline of the attempt passed"


def _detach(error: BillingInvoiceError) -> None:
    """Drop the exception `error` was raised while handling, if hidden anyway (a pydantic error holds the body)."""
    if error.__suppress_context__:
        error.__context__ = None


async def _once(content: bytes) -> AsyncIterator[bytes]:
    yield content


def _unexpected(error: Exception) -> httpx.TransportError:
    """A failure of a transport that is not httpx's, as a transport error (its class name only)."""
    return httpx.TransportError(f"the transport raised {type(error).__name__}")


async def _all_or_none(*tasks: asyncio.Future[Any]) -> None:
    """Wait for all tasks; on the first error cancel the others and raise it (never an ExceptionGroup)."""
    import asyncio  # noqa: PLC0415 - only the async client needs it: `import payex_billing_invoice` does not

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
        request_deadline: float,
        call_deadline: float,
        trust_env: bool,
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
            request_deadline=request_deadline,
            call_deadline=call_deadline,
            trust_env=trust_env,
        )
        if custom_http and (client_cert or client_key or ca_bundle or ssl_context):
            raise ClientConfigurationError(
                "configure TLS on the http_client you pass, or pass no http_client; not both"
            )
        self.http_args = (
            {} if custom_http else self.core.build_http_client_args(client_cert, client_key, ca_bundle, ssl_context)
        )

    def http(
        self,
        http_client: object,
        transport: object,
        client_type: type[H],
        transport_type: type[httpx.BaseTransport | httpx.AsyncBaseTransport],
    ) -> H:
        """The caller's httpx client, checked, or a new one of `client_type` over `transport`."""
        if http_client is not None:
            if not isinstance(http_client, client_type) or transport is not None:
                raise ClientConfigurationError(
                    f"http_client must be an httpx.{client_type.__name__}, without transport; "
                    f"got a {type(http_client).__name__}"
                )
            self.core.check_http_client(http_client)
            return http_client
        if transport is not None and not isinstance(transport, transport_type):
            raise ClientConfigurationError(
                f"transport must be an httpx.{transport_type.__name__}, not a {type(transport).__name__}"
            )
        return self.core.open_http(client_type, {"transport": transport, **self.http_args})


class BillingInvoiceClient:
    """Client of the PayEx Billing Invoice API.

    `owner_no`, `token` and `base_url` fall back to `PAYEX_BILLING_OWNER_NO`, `PAYEX_BILLING_TOKEN` and
    `PAYEX_BILLING_BASE_URL`; the client certificate to `PAYEX_BILLING_CLIENT_CERT` and `PAYEX_BILLING_CLIENT_KEY`,
    a CA bundle to trust instead of the system's to `PAYEX_BILLING_CA_BUNDLE`.
    Methods return the generated attrs models; `client.exact` returns the strict models (exact `Decimal` money).
    Every option is keyword-only and checked here; the configuration page lists the defaults.

    Args:
        owner_no: The ledger number the token was issued for (else `PAYEX_BILLING_OWNER_NO`).
        token: The PayEx reference token (else `PAYEX_BILLING_TOKEN`).
        base_url: The API's root (else `PAYEX_BILLING_BASE_URL`, else `https://lf-api.payex.com`).
        client_cert: The client certificate (PEM) for mutual TLS (else `PAYEX_BILLING_CLIENT_CERT`).
        client_key: Its private key (else `PAYEX_BILLING_CLIENT_KEY`).
        ca_bundle: CAs to trust instead of the system's (else `PAYEX_BILLING_CA_BUNDLE`).
        ssl_context: An `ssl.SSLContext` instead of `client_cert`, `client_key` and `ca_bundle`.
        timeout: Seconds, or an `httpx.Timeout`, per socket operation (default 30 s, 10 s to connect).
        max_retries: Retries of connection errors, 429, 502, 503 and 504 (default 2).
        retry_policy: A full `RetryPolicy`, instead of `max_retries`.
        tracking_header: The header carrying a fresh id per call (default `X-Request-Id`; None: none).
        tracking_id_factory: Makes that id (default: a random UUID).
        http_client: Your own `httpx.Client` (TLS configured on it); not closed by `close()`.
        transport: An `httpx.BaseTransport` for the client's own `httpx.Client`, such as `httpx.MockTransport`.
        allow_insecure_http: Allow a plain `http://` base URL off loopback.
        max_response_bytes: The largest body, on the wire and decoded (default 64 MiB).
        request_deadline: Seconds one attempt may take, connecting to the last byte (default 60).
        call_deadline: Seconds the whole call may take, retries and waits included (default 180).
        trust_env: Use proxies and other settings from the environment, for an `https://` base URL only.

    Raises:
        ClientConfigurationError: An option is missing, of the wrong type or out of range (never showing the token).
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
        request_deadline: float = DEFAULT_REQUEST_DEADLINE,
        call_deadline: float = DEFAULT_CALL_DEADLINE,
        trust_env: bool = False,
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
            request_deadline=request_deadline,
            call_deadline=call_deadline,
            trust_env=trust_env,
            custom_http=http_client is not None,
        )
        self._core = options.core
        self._owns_http = http_client is None
        self._http = options.http(http_client, transport, httpx.Client, httpx.BaseTransport)
        enforce_deadlines(self._http)
        self.exact = ExactModels(self)

    @property
    def owner_no(self) -> str:
        """The ledger number this client's token was issued for."""
        return self._core.owner_no

    @property
    def with_raw_response(self) -> RawResponses:
        """The operations returning a `RawResponse`: status, headers and exact body, parsed on demand."""
        return RawResponses(self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._core!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections (not those of an `http_client` that was passed in); later calls raise.

        Returns:
            None. A call on the closed client raises `ClientStateError`.
        """
        if self._owns_http:
            self._http.close()

    def _receive(self, step: SendRequest) -> Outcome:
        """Send one request and read the whole body, at most `max_response_bytes` of it, by `step.deadline`."""
        try:
            request = self._http.build_request(step.method, step.url, headers=step.headers, timeout=step.timeout)
            with deadline(step.deadline), call_logging(step.log_url, self._core.redact):
                response = self._http.send(request, auth=self._core.auth, stream=True)
                try:
                    reader = BodyReader(response, self._core.max_response_bytes)
                    for chunk in [response.content] if reader.preread else response.iter_raw():
                        reader.feed(chunk)
                        if not time_left(step.deadline):
                            raise httpx.ReadTimeout(_PASSED)
                    body = reader.finish()
                finally:
                    response.close()
        except (httpx.HTTPError, ResponseTooLargeError, UndecodableBodyError) as error:
            return error
        except Exception as error:  # a transport's own failure reaches the caller typed
            return _unexpected(error)
        return Received(response.status_code, response.headers, body)

    def _run(self, exchange: Exchange[R]) -> R:
        if self._http.is_closed:
            exchange.close()
            raise ClientStateError("the client is closed")
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
            except BillingInvoiceError as error:
                _detach(error)
                raise

    def list_invoices(
        self, *, timeout: Timeout = None, extra_headers: ExtraHeaders | None = None
    ) -> models.InvoiceList:
        """The ledger's invoices (`listInvoices`).

        Args:
            timeout: Timeout of this call (seconds, or an `httpx.Timeout`); default the client's `timeout`.
            extra_headers: Headers added to this request (never Authorization, Accept or the tracking header).

        Returns:
            The ledger's invoices, as the generated attrs model (`payex_billing_invoice.models`).

        Raises:
            CustomerNotFound: The ledger (`owner_no`) is unknown to PayEx.
            BillingInvoiceError: Any other failure of the call (the errors page lists the classes).
        """
        return self._run(self._core.call(LIST_INVOICES, {}, timeout, extra_headers))

    def get_invoice(
        self, invoice_no: str, *, timeout: Timeout = None, extra_headers: ExtraHeaders | None = None
    ) -> models.Invoice:
        """One invoice (`getInvoice`).

        Args:
            invoice_no: The invoice's number, as listed by `list_invoices`.
            timeout: Timeout of this call (seconds, or an `httpx.Timeout`); default the client's `timeout`.
            extra_headers: Headers added to this request (never Authorization, Accept or the tracking header).

        Returns:
            The invoice, as the generated attrs model (`payex_billing_invoice.models`).

        Raises:
            InvoiceNotFound: No such invoice on this ledger.
            BillingInvoiceError: Any other failure of the call (the errors page lists the classes).
        """
        return self._run(self._core.call(GET_INVOICE, {"invoice_no": invoice_no}, timeout, extra_headers))

    def list_recurring_products(
        self, invoice_no: str, *, timeout: Timeout = None, extra_headers: ExtraHeaders | None = None
    ) -> models.RecurringProductList:
        """The invoice's recurring products on customer level (`listInvoiceRecurringProducts`).

        Args:
            invoice_no: The invoice's number, as listed by `list_invoices`.
            timeout: Timeout of this call (seconds, or an `httpx.Timeout`); default the client's `timeout`.
            extra_headers: Headers added to this request (never Authorization, Accept or the tracking header).

        Returns:
            The invoice's customer-level recurring products, as the generated attrs model
                (`payex_billing_invoice.models`).

        Raises:
            InvoiceNotFound: No such invoice on this ledger.
            BillingInvoiceError: Any other failure of the call (the errors page lists the classes).
        """
        return self._run(
            self._core.call(LIST_INVOICE_RECURRING_PRODUCTS, {"invoice_no": invoice_no}, timeout, extra_headers)
        )

    def list_subscriptions(
        self, invoice_no: str, *, timeout: Timeout = None, extra_headers: ExtraHeaders | None = None
    ) -> models.SubscriptionList:
        """The subscriptions invoiced on the invoice (`listInvoiceSubscriptions`).

        Args:
            invoice_no: The invoice's number, as listed by `list_invoices`.
            timeout: Timeout of this call (seconds, or an `httpx.Timeout`); default the client's `timeout`.
            extra_headers: Headers added to this request (never Authorization, Accept or the tracking header).

        Returns:
            The invoice's subscriptions, as the generated attrs model (`payex_billing_invoice.models`).

        Raises:
            InvoiceNotFound: No such invoice on this ledger.
            BillingInvoiceError: Any other failure of the call (the errors page lists the classes).
        """
        return self._run(
            self._core.call(LIST_INVOICE_SUBSCRIPTIONS, {"invoice_no": invoice_no}, timeout, extra_headers)
        )

    def get_subscription(
        self,
        invoice_no: str,
        subscription_no: str,
        *,
        timeout: Timeout = None,
        extra_headers: ExtraHeaders | None = None,
    ) -> models.Subscription:
        """One invoiced subscription (`getInvoiceSubscription`).

        Args:
            invoice_no: The invoice's number, as listed by `list_invoices`.
            subscription_no: The subscription's number, as listed by `list_subscriptions`.
            timeout: Timeout of this call (seconds, or an `httpx.Timeout`); default the client's `timeout`.
            extra_headers: Headers added to this request (never Authorization, Accept or the tracking header).

        Returns:
            The subscription, as the generated attrs model (`payex_billing_invoice.models`).

        Raises:
            SubscriptionNotFound: No such subscription on the invoice.
            BillingInvoiceError: Any other failure of the call (the errors page lists the classes).
        """
        segments = {"invoice_no": invoice_no, "subscription_no": subscription_no}
        return self._run(self._core.call(GET_INVOICE_SUBSCRIPTION, segments, timeout, extra_headers))

    def list_subscription_recurring_products(
        self,
        invoice_no: str,
        subscription_no: str,
        *,
        timeout: Timeout = None,
        extra_headers: ExtraHeaders | None = None,
    ) -> models.RecurringProductList:
        """The subscription's recurring products (`listSubscriptionRecurringProducts`).

        Args:
            invoice_no: The invoice's number, as listed by `list_invoices`.
            subscription_no: The subscription's number, as listed by `list_subscriptions`.
            timeout: Timeout of this call (seconds, or an `httpx.Timeout`); default the client's `timeout`.
            extra_headers: Headers added to this request (never Authorization, Accept or the tracking header).

        Returns:
            The subscription's recurring products, as the generated attrs model (`payex_billing_invoice.models`).

        Raises:
            SubscriptionNotFound: No such subscription on the invoice.
            BillingInvoiceError: Any other failure of the call (the errors page lists the classes).
        """
        segments = {"invoice_no": invoice_no, "subscription_no": subscription_no}
        return self._run(self._core.call(LIST_SUBSCRIPTION_RECURRING_PRODUCTS, segments, timeout, extra_headers))

    def follow(self, link: str, *, timeout: Timeout = None, extra_headers: ExtraHeaders | None = None) -> LinkedModel:
        """The resource a hypermedia link of a response addresses (relative, or absolute on this client's host).

        Args:
            link: A hypermedia link of a response: a path, or an absolute URL on this client's host.
            timeout: Timeout of this call (seconds, or an `httpx.Timeout`); default the client's `timeout`.
            extra_headers: Headers added to this request (never Authorization, Accept or the tracking header).

        Returns:
            The resource, as the model of the operation the link addresses, as the generated attrs model
                (`payex_billing_invoice.models`).

        Raises:
            InvalidRouteError: The link is not one of this API's, or addresses another host or ledger.
            BillingInvoiceError: Any other failure of the call (the errors page lists the classes).
        """
        endpoint, segments = self._core.follow_endpoint(link)
        result: LinkedModel = self._run(self._core.call(endpoint, segments, timeout, extra_headers))
        return result

    def invoice_lines(
        self,
        invoice_no: str,
        *,
        timeout: Timeout = None,
        extra_headers: ExtraHeaders | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> InvoiceLines:
        """The invoice, its customer-level recurring products, and every subscription with its products.

        `on_progress(done, total)` is called after each response; `total` grows once the subscriptions are known.

        Args:
            invoice_no: The invoice's number, as listed by `list_invoices`.
            timeout: Timeout of this call (seconds, or an `httpx.Timeout`); default the client's `timeout`.
            extra_headers: Headers added to this request (never Authorization, Accept or the tracking header).
            on_progress: Called as `on_progress(done, total)` after each response; `total` grows once the subscriptions
                are known.

        Returns:
            The invoice, its customer-level recurring products and every subscription with its products, with exact
                totals.

        Raises:
            ResponseValidationError: A subscription listed twice, a link to another invoice, or totals that cannot be
                added exactly.
            BillingInvoiceError: Any other failure of the call (the errors page lists the classes).
        """
        progress = LinesProgress(on_progress)
        invoice = progress.step(self.exact.get_invoice(invoice_no, timeout=timeout, extra_headers=extra_headers))
        products = progress.step(
            self.exact.list_recurring_products(invoice_no, timeout=timeout, extra_headers=extra_headers)
        )
        subscriptions = listed(
            self.exact.list_subscriptions(invoice_no, timeout=timeout, extra_headers=extra_headers).items
        )
        targets = _subscription_targets(self._core, invoice_no, subscriptions)
        progress.expect(subscriptions)
        lines = tuple(
            SubscriptionLines(
                subscription,
                tuple(
                    listed(
                        progress.step(
                            self._run(
                                self._core.call_exact(
                                    LIST_SUBSCRIPTION_RECURRING_PRODUCTS, target, timeout, extra_headers
                                )
                            )
                        ).items
                    )
                ),
            )
            for subscription, target in zip(subscriptions, targets, strict=True)
        )
        return InvoiceLines(invoice, tuple(listed(products.items)), lines)


class ExactModels:
    """The operations of a `BillingInvoiceClient`, returning the strict models: `Decimal` money, `date` dates."""

    def __init__(self, client: BillingInvoiceClient) -> None:
        self._client = client
        self._core = client._core

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._core!r})"

    def list_invoices(
        self, *, timeout: Timeout = None, extra_headers: ExtraHeaders | None = None
    ) -> exact_models.InvoiceList:
        """The ledger's invoices (`listInvoices`).

        Args:
            timeout: Timeout of this call (seconds, or an `httpx.Timeout`); default the client's `timeout`.
            extra_headers: Headers added to this request (never Authorization, Accept or the tracking header).

        Returns:
            The ledger's invoices, as the strict model (`payex_billing_invoice.exact`): exact `Decimal` money.

        Raises:
            CustomerNotFound: The ledger (`owner_no`) is unknown to PayEx.
            BillingInvoiceError: Any other failure of the call (the errors page lists the classes).
        """
        return self._client._run(self._core.call_exact(LIST_INVOICES, {}, timeout, extra_headers))

    def get_invoice(
        self, invoice_no: str, *, timeout: Timeout = None, extra_headers: ExtraHeaders | None = None
    ) -> exact_models.Invoice:
        """One invoice (`getInvoice`).

        Args:
            invoice_no: The invoice's number, as listed by `list_invoices`.
            timeout: Timeout of this call (seconds, or an `httpx.Timeout`); default the client's `timeout`.
            extra_headers: Headers added to this request (never Authorization, Accept or the tracking header).

        Returns:
            The invoice, as the strict model (`payex_billing_invoice.exact`): exact `Decimal` money.

        Raises:
            InvoiceNotFound: No such invoice on this ledger.
            BillingInvoiceError: Any other failure of the call (the errors page lists the classes).
        """
        return self._client._run(self._core.call_exact(GET_INVOICE, {"invoice_no": invoice_no}, timeout, extra_headers))

    def list_recurring_products(
        self, invoice_no: str, *, timeout: Timeout = None, extra_headers: ExtraHeaders | None = None
    ) -> exact_models.RecurringProductList:
        """The invoice's recurring products on customer level (`listInvoiceRecurringProducts`).

        Args:
            invoice_no: The invoice's number, as listed by `list_invoices`.
            timeout: Timeout of this call (seconds, or an `httpx.Timeout`); default the client's `timeout`.
            extra_headers: Headers added to this request (never Authorization, Accept or the tracking header).

        Returns:
            The invoice's customer-level recurring products, as the strict model (`payex_billing_invoice.exact`): exact
                `Decimal` money.

        Raises:
            InvoiceNotFound: No such invoice on this ledger.
            BillingInvoiceError: Any other failure of the call (the errors page lists the classes).
        """
        segments = {"invoice_no": invoice_no}
        return self._client._run(
            self._core.call_exact(LIST_INVOICE_RECURRING_PRODUCTS, segments, timeout, extra_headers)
        )

    def list_subscriptions(
        self, invoice_no: str, *, timeout: Timeout = None, extra_headers: ExtraHeaders | None = None
    ) -> exact_models.SubscriptionList:
        """The subscriptions invoiced on the invoice (`listInvoiceSubscriptions`).

        Args:
            invoice_no: The invoice's number, as listed by `list_invoices`.
            timeout: Timeout of this call (seconds, or an `httpx.Timeout`); default the client's `timeout`.
            extra_headers: Headers added to this request (never Authorization, Accept or the tracking header).

        Returns:
            The invoice's subscriptions, as the strict model (`payex_billing_invoice.exact`): exact `Decimal` money.

        Raises:
            InvoiceNotFound: No such invoice on this ledger.
            BillingInvoiceError: Any other failure of the call (the errors page lists the classes).
        """
        segments = {"invoice_no": invoice_no}
        return self._client._run(self._core.call_exact(LIST_INVOICE_SUBSCRIPTIONS, segments, timeout, extra_headers))

    def get_subscription(
        self,
        invoice_no: str,
        subscription_no: str,
        *,
        timeout: Timeout = None,
        extra_headers: ExtraHeaders | None = None,
    ) -> exact_models.Subscription:
        """One invoiced subscription (`getInvoiceSubscription`).

        Args:
            invoice_no: The invoice's number, as listed by `list_invoices`.
            subscription_no: The subscription's number, as listed by `list_subscriptions`.
            timeout: Timeout of this call (seconds, or an `httpx.Timeout`); default the client's `timeout`.
            extra_headers: Headers added to this request (never Authorization, Accept or the tracking header).

        Returns:
            The subscription, as the strict model (`payex_billing_invoice.exact`): exact `Decimal` money.

        Raises:
            SubscriptionNotFound: No such subscription on the invoice.
            BillingInvoiceError: Any other failure of the call (the errors page lists the classes).
        """
        segments = {"invoice_no": invoice_no, "subscription_no": subscription_no}
        return self._client._run(self._core.call_exact(GET_INVOICE_SUBSCRIPTION, segments, timeout, extra_headers))

    def list_subscription_recurring_products(
        self,
        invoice_no: str,
        subscription_no: str,
        *,
        timeout: Timeout = None,
        extra_headers: ExtraHeaders | None = None,
    ) -> exact_models.RecurringProductList:
        """The subscription's recurring products (`listSubscriptionRecurringProducts`).

        Args:
            invoice_no: The invoice's number, as listed by `list_invoices`.
            subscription_no: The subscription's number, as listed by `list_subscriptions`.
            timeout: Timeout of this call (seconds, or an `httpx.Timeout`); default the client's `timeout`.
            extra_headers: Headers added to this request (never Authorization, Accept or the tracking header).

        Returns:
            The subscription's recurring products, as the strict model (`payex_billing_invoice.exact`): exact `Decimal`
                money.

        Raises:
            SubscriptionNotFound: No such subscription on the invoice.
            BillingInvoiceError: Any other failure of the call (the errors page lists the classes).
        """
        segments = {"invoice_no": invoice_no, "subscription_no": subscription_no}
        return self._client._run(
            self._core.call_exact(LIST_SUBSCRIPTION_RECURRING_PRODUCTS, segments, timeout, extra_headers)
        )

    def follow(
        self, link: str, *, timeout: Timeout = None, extra_headers: ExtraHeaders | None = None
    ) -> LinkedExactModel:
        """The resource a hypermedia link addresses, as a strict model.

        Args:
            link: A hypermedia link of a response: a path, or an absolute URL on this client's host.
            timeout: Timeout of this call (seconds, or an `httpx.Timeout`); default the client's `timeout`.
            extra_headers: Headers added to this request (never Authorization, Accept or the tracking header).

        Returns:
            The resource, as the model of the operation the link addresses, as the strict model
                (`payex_billing_invoice.exact`): exact `Decimal` money.

        Raises:
            InvalidRouteError: The link is not one of this API's, or addresses another host or ledger.
            BillingInvoiceError: Any other failure of the call (the errors page lists the classes).
        """
        endpoint, segments = self._core.follow_endpoint(link)
        result: LinkedExactModel = self._client._run(self._core.call_exact(endpoint, segments, timeout, extra_headers))
        return result


class AsyncBillingInvoiceClient:
    """Async client of the PayEx Billing Invoice API; the same options and methods as `BillingInvoiceClient`.

    `invoice_lines` fetches concurrently, with at most `max_concurrency` requests in flight.

    Args:
        max_concurrency: Requests in flight during `invoice_lines` (default 8). The other options are those of
            `BillingInvoiceClient`; `http_client` is an `httpx.AsyncClient`, `transport` an `httpx.AsyncBaseTransport`.

    Raises:
        ClientConfigurationError: An option is missing, of the wrong type or out of range (never showing the token).

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
        request_deadline: float = DEFAULT_REQUEST_DEADLINE,
        call_deadline: float = DEFAULT_CALL_DEADLINE,
        trust_env: bool = False,
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
            request_deadline=request_deadline,
            call_deadline=call_deadline,
            trust_env=trust_env,
            custom_http=http_client is not None,
        )
        self._max_concurrency = check_count("max_concurrency", max_concurrency, minimum=1, maximum=1000)
        if http_backend != "httpx" and (http_client is not None or transport is not None):
            raise ClientConfigurationError("pass http_backend, or an http_client or transport of your own; not both")
        backend = async_transport(http_backend, options.http_args.get("verify"))
        self._core = options.core
        self._owns_http = http_client is None
        self._http = options.http(http_client, transport or backend, httpx.AsyncClient, httpx.AsyncBaseTransport)
        self._loop: asyncio.AbstractEventLoop | None = None
        self.exact = AsyncExactModels(self)

    @property
    def owner_no(self) -> str:
        """The ledger number this client's token was issued for."""
        return self._core.owner_no

    @property
    def with_raw_response(self) -> AsyncRawResponses:
        """The operations returning a `RawResponse`: status, headers and exact body, parsed on demand."""
        return AsyncRawResponses(self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._core!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the connections (not those of an `http_client` that was passed in); later calls raise.

        Returns:
            None. A call on the closed client raises `ClientStateError`.
        """
        if self._owns_http:
            await self._http.aclose()

    async def _receive(self, step: SendRequest) -> Outcome:
        """Send one request and read the whole body, at most `max_response_bytes` of it, by `step.deadline`."""
        import asyncio  # noqa: PLC0415 - only the async client needs it: `import payex_billing_invoice` does not

        try:
            request = self._http.build_request(step.method, step.url, headers=step.headers, timeout=step.timeout)
            with call_logging(step.log_url, self._core.redact):
                async with asyncio.timeout(time_left(step.deadline)):
                    response = await self._http.send(request, auth=self._core.auth, stream=True)
                    try:
                        reader = BodyReader(response, self._core.max_response_bytes)
                        async for chunk in _once(response.content) if reader.preread else response.aiter_raw():
                            reader.feed(chunk)
                        body = reader.finish()
                    finally:
                        await response.aclose()
        except (httpx.HTTPError, ResponseTooLargeError, UndecodableBodyError) as error:
            return error
        except TimeoutError:
            return httpx.TimeoutException(_PASSED)
        except Exception as error:  # a transport's own failure reaches the caller typed
            return _unexpected(error)
        return Received(response.status_code, response.headers, body)

    async def _run(self, exchange: Exchange[R]) -> R:
        import asyncio  # noqa: PLC0415 - only the async client needs it: `import payex_billing_invoice` does not

        loop = asyncio.get_running_loop()
        if self._http.is_closed or (self._loop is not None and self._loop is not loop):
            exchange.close()
            raise ClientStateError(
                "the client is closed" if self._http.is_closed else "the client belongs to another event loop"
            )
        self._loop = loop
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
            except BillingInvoiceError as error:
                _detach(error)
                raise

    async def list_invoices(
        self, *, timeout: Timeout = None, extra_headers: ExtraHeaders | None = None
    ) -> models.InvoiceList:
        """The ledger's invoices (`listInvoices`).

        Args:
            timeout: Timeout of this call (seconds, or an `httpx.Timeout`); default the client's `timeout`.
            extra_headers: Headers added to this request (never Authorization, Accept or the tracking header).

        Returns:
            (awaited) the ledger's invoices, as the generated attrs model.

        Raises:
            CustomerNotFound: The ledger (`owner_no`) is unknown to PayEx.
            BillingInvoiceError: Any other failure of the call (the errors page lists the classes).
        """
        return await self._run(self._core.call(LIST_INVOICES, {}, timeout, extra_headers))

    async def get_invoice(
        self, invoice_no: str, *, timeout: Timeout = None, extra_headers: ExtraHeaders | None = None
    ) -> models.Invoice:
        """One invoice (`getInvoice`).

        Args:
            invoice_no: The invoice's number, as listed by `list_invoices`.
            timeout: Timeout of this call (seconds, or an `httpx.Timeout`); default the client's `timeout`.
            extra_headers: Headers added to this request (never Authorization, Accept or the tracking header).

        Returns:
            (awaited) the invoice, as the generated attrs model.

        Raises:
            InvoiceNotFound: No such invoice on this ledger.
            BillingInvoiceError: Any other failure of the call (the errors page lists the classes).
        """
        return await self._run(self._core.call(GET_INVOICE, {"invoice_no": invoice_no}, timeout, extra_headers))

    async def list_recurring_products(
        self, invoice_no: str, *, timeout: Timeout = None, extra_headers: ExtraHeaders | None = None
    ) -> models.RecurringProductList:
        """The invoice's recurring products on customer level (`listInvoiceRecurringProducts`).

        Args:
            invoice_no: The invoice's number, as listed by `list_invoices`.
            timeout: Timeout of this call (seconds, or an `httpx.Timeout`); default the client's `timeout`.
            extra_headers: Headers added to this request (never Authorization, Accept or the tracking header).

        Returns:
            (awaited) the invoice's customer-level recurring products, as the generated attrs model.

        Raises:
            InvoiceNotFound: No such invoice on this ledger.
            BillingInvoiceError: Any other failure of the call (the errors page lists the classes).
        """
        return await self._run(
            self._core.call(LIST_INVOICE_RECURRING_PRODUCTS, {"invoice_no": invoice_no}, timeout, extra_headers)
        )

    async def list_subscriptions(
        self, invoice_no: str, *, timeout: Timeout = None, extra_headers: ExtraHeaders | None = None
    ) -> models.SubscriptionList:
        """The subscriptions invoiced on the invoice (`listInvoiceSubscriptions`).

        Args:
            invoice_no: The invoice's number, as listed by `list_invoices`.
            timeout: Timeout of this call (seconds, or an `httpx.Timeout`); default the client's `timeout`.
            extra_headers: Headers added to this request (never Authorization, Accept or the tracking header).

        Returns:
            (awaited) the invoice's subscriptions, as the generated attrs model.

        Raises:
            InvoiceNotFound: No such invoice on this ledger.
            BillingInvoiceError: Any other failure of the call (the errors page lists the classes).
        """
        return await self._run(
            self._core.call(LIST_INVOICE_SUBSCRIPTIONS, {"invoice_no": invoice_no}, timeout, extra_headers)
        )

    async def get_subscription(
        self,
        invoice_no: str,
        subscription_no: str,
        *,
        timeout: Timeout = None,
        extra_headers: ExtraHeaders | None = None,
    ) -> models.Subscription:
        """One invoiced subscription (`getInvoiceSubscription`).

        Args:
            invoice_no: The invoice's number, as listed by `list_invoices`.
            subscription_no: The subscription's number, as listed by `list_subscriptions`.
            timeout: Timeout of this call (seconds, or an `httpx.Timeout`); default the client's `timeout`.
            extra_headers: Headers added to this request (never Authorization, Accept or the tracking header).

        Returns:
            (awaited) the subscription, as the generated attrs model.

        Raises:
            SubscriptionNotFound: No such subscription on the invoice.
            BillingInvoiceError: Any other failure of the call (the errors page lists the classes).
        """
        segments = {"invoice_no": invoice_no, "subscription_no": subscription_no}
        return await self._run(self._core.call(GET_INVOICE_SUBSCRIPTION, segments, timeout, extra_headers))

    async def list_subscription_recurring_products(
        self,
        invoice_no: str,
        subscription_no: str,
        *,
        timeout: Timeout = None,
        extra_headers: ExtraHeaders | None = None,
    ) -> models.RecurringProductList:
        """The subscription's recurring products (`listSubscriptionRecurringProducts`).

        Args:
            invoice_no: The invoice's number, as listed by `list_invoices`.
            subscription_no: The subscription's number, as listed by `list_subscriptions`.
            timeout: Timeout of this call (seconds, or an `httpx.Timeout`); default the client's `timeout`.
            extra_headers: Headers added to this request (never Authorization, Accept or the tracking header).

        Returns:
            (awaited) the subscription's recurring products, as the generated attrs model.

        Raises:
            SubscriptionNotFound: No such subscription on the invoice.
            BillingInvoiceError: Any other failure of the call (the errors page lists the classes).
        """
        segments = {"invoice_no": invoice_no, "subscription_no": subscription_no}
        return await self._run(self._core.call(LIST_SUBSCRIPTION_RECURRING_PRODUCTS, segments, timeout, extra_headers))

    async def follow(
        self, link: str, *, timeout: Timeout = None, extra_headers: ExtraHeaders | None = None
    ) -> LinkedModel:
        """The resource a hypermedia link of a response addresses (relative, or absolute on this client's host).

        Args:
            link: A hypermedia link of a response: a path, or an absolute URL on this client's host.
            timeout: Timeout of this call (seconds, or an `httpx.Timeout`); default the client's `timeout`.
            extra_headers: Headers added to this request (never Authorization, Accept or the tracking header).

        Returns:
            (awaited) the resource, as the model of the operation the link addresses, as the generated attrs model.

        Raises:
            InvalidRouteError: The link is not one of this API's, or addresses another host or ledger.
            BillingInvoiceError: Any other failure of the call (the errors page lists the classes).
        """
        endpoint, segments = self._core.follow_endpoint(link)
        result: LinkedModel = await self._run(self._core.call(endpoint, segments, timeout, extra_headers))
        return result

    async def invoice_lines(
        self,
        invoice_no: str,
        *,
        timeout: Timeout = None,
        extra_headers: ExtraHeaders | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> InvoiceLines:
        """The invoice, its customer-level recurring products, and every subscription with its products.

        Fetched concurrently: the invoice, its products and its subscriptions at once, then every subscription's
        products, never more than `max_concurrency` requests in flight; the first error cancels the rest.
        `on_progress(done, total)` is called after each response; `total` grows once the subscriptions are known.

        Args:
            invoice_no: The invoice's number, as listed by `list_invoices`.
            timeout: Timeout of this call (seconds, or an `httpx.Timeout`); default the client's `timeout`.
            extra_headers: Headers added to this request (never Authorization, Accept or the tracking header).
            on_progress: Called as `on_progress(done, total)` after each response; `total` grows once the subscriptions
                are known.

        Returns:
            (awaited) the invoice, its customer-level recurring products and every subscription with its products, with
                exact totals, fetched concurrently.

        Raises:
            ResponseValidationError: A subscription listed twice, a link to another invoice, or totals that cannot be
                added exactly.
            BillingInvoiceError: Any other failure of the call (the errors page lists the classes).
        """
        import asyncio  # noqa: PLC0415 - only the async client needs it: `import payex_billing_invoice` does not

        slots = asyncio.Semaphore(self._max_concurrency)
        progress = LinesProgress(on_progress)

        async def bounded(call: Callable[[], Awaitable[R]]) -> R:
            async with slots:
                return progress.step(await call())

        async def subscriptions_of() -> Sequence[exact_models.Subscription]:
            async with slots:
                found = listed(
                    (
                        await self.exact.list_subscriptions(invoice_no, timeout=timeout, extra_headers=extra_headers)
                    ).items
                )
            targets.extend(_subscription_targets(self._core, invoice_no, found))
            return progress.expect(found)

        async def products_of(target: dict[str, str]) -> exact_models.RecurringProductList:
            exchange = self._core.call_exact(LIST_SUBSCRIPTION_RECURRING_PRODUCTS, target, timeout, extra_headers)
            return await bounded(lambda: self._run(exchange))

        targets: list[dict[str, str]] = []
        invoice = asyncio.ensure_future(
            bounded(lambda: self.exact.get_invoice(invoice_no, timeout=timeout, extra_headers=extra_headers))
        )
        products = asyncio.ensure_future(
            bounded(
                lambda: self.exact.list_recurring_products(invoice_no, timeout=timeout, extra_headers=extra_headers)
            )
        )
        subscriptions = asyncio.ensure_future(subscriptions_of())
        await _all_or_none(invoice, products, subscriptions)
        items = subscriptions.result()
        per_subscription = [asyncio.ensure_future(products_of(target)) for target in targets]
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

    async def list_invoices(
        self, *, timeout: Timeout = None, extra_headers: ExtraHeaders | None = None
    ) -> exact_models.InvoiceList:
        """The ledger's invoices (`listInvoices`).

        Args:
            timeout: Timeout of this call (seconds, or an `httpx.Timeout`); default the client's `timeout`.
            extra_headers: Headers added to this request (never Authorization, Accept or the tracking header).

        Returns:
            (awaited) the ledger's invoices, as the strict model: exact `Decimal` money.

        Raises:
            CustomerNotFound: The ledger (`owner_no`) is unknown to PayEx.
            BillingInvoiceError: Any other failure of the call (the errors page lists the classes).
        """
        return await self._client._run(self._core.call_exact(LIST_INVOICES, {}, timeout, extra_headers))

    async def get_invoice(
        self, invoice_no: str, *, timeout: Timeout = None, extra_headers: ExtraHeaders | None = None
    ) -> exact_models.Invoice:
        """One invoice (`getInvoice`).

        Args:
            invoice_no: The invoice's number, as listed by `list_invoices`.
            timeout: Timeout of this call (seconds, or an `httpx.Timeout`); default the client's `timeout`.
            extra_headers: Headers added to this request (never Authorization, Accept or the tracking header).

        Returns:
            (awaited) the invoice, as the strict model: exact `Decimal` money.

        Raises:
            InvoiceNotFound: No such invoice on this ledger.
            BillingInvoiceError: Any other failure of the call (the errors page lists the classes).
        """
        return await self._client._run(
            self._core.call_exact(GET_INVOICE, {"invoice_no": invoice_no}, timeout, extra_headers)
        )

    async def list_recurring_products(
        self, invoice_no: str, *, timeout: Timeout = None, extra_headers: ExtraHeaders | None = None
    ) -> exact_models.RecurringProductList:
        """The invoice's recurring products on customer level (`listInvoiceRecurringProducts`).

        Args:
            invoice_no: The invoice's number, as listed by `list_invoices`.
            timeout: Timeout of this call (seconds, or an `httpx.Timeout`); default the client's `timeout`.
            extra_headers: Headers added to this request (never Authorization, Accept or the tracking header).

        Returns:
            (awaited) the invoice's customer-level recurring products, as the strict model: exact `Decimal` money.

        Raises:
            InvoiceNotFound: No such invoice on this ledger.
            BillingInvoiceError: Any other failure of the call (the errors page lists the classes).
        """
        segments = {"invoice_no": invoice_no}
        return await self._client._run(
            self._core.call_exact(LIST_INVOICE_RECURRING_PRODUCTS, segments, timeout, extra_headers)
        )

    async def list_subscriptions(
        self, invoice_no: str, *, timeout: Timeout = None, extra_headers: ExtraHeaders | None = None
    ) -> exact_models.SubscriptionList:
        """The subscriptions invoiced on the invoice (`listInvoiceSubscriptions`).

        Args:
            invoice_no: The invoice's number, as listed by `list_invoices`.
            timeout: Timeout of this call (seconds, or an `httpx.Timeout`); default the client's `timeout`.
            extra_headers: Headers added to this request (never Authorization, Accept or the tracking header).

        Returns:
            (awaited) the invoice's subscriptions, as the strict model: exact `Decimal` money.

        Raises:
            InvoiceNotFound: No such invoice on this ledger.
            BillingInvoiceError: Any other failure of the call (the errors page lists the classes).
        """
        segments = {"invoice_no": invoice_no}
        return await self._client._run(
            self._core.call_exact(LIST_INVOICE_SUBSCRIPTIONS, segments, timeout, extra_headers)
        )

    async def get_subscription(
        self,
        invoice_no: str,
        subscription_no: str,
        *,
        timeout: Timeout = None,
        extra_headers: ExtraHeaders | None = None,
    ) -> exact_models.Subscription:
        """One invoiced subscription (`getInvoiceSubscription`).

        Args:
            invoice_no: The invoice's number, as listed by `list_invoices`.
            subscription_no: The subscription's number, as listed by `list_subscriptions`.
            timeout: Timeout of this call (seconds, or an `httpx.Timeout`); default the client's `timeout`.
            extra_headers: Headers added to this request (never Authorization, Accept or the tracking header).

        Returns:
            (awaited) the subscription, as the strict model: exact `Decimal` money.

        Raises:
            SubscriptionNotFound: No such subscription on the invoice.
            BillingInvoiceError: Any other failure of the call (the errors page lists the classes).
        """
        segments = {"invoice_no": invoice_no, "subscription_no": subscription_no}
        return await self._client._run(
            self._core.call_exact(GET_INVOICE_SUBSCRIPTION, segments, timeout, extra_headers)
        )

    async def list_subscription_recurring_products(
        self,
        invoice_no: str,
        subscription_no: str,
        *,
        timeout: Timeout = None,
        extra_headers: ExtraHeaders | None = None,
    ) -> exact_models.RecurringProductList:
        """The subscription's recurring products (`listSubscriptionRecurringProducts`).

        Args:
            invoice_no: The invoice's number, as listed by `list_invoices`.
            subscription_no: The subscription's number, as listed by `list_subscriptions`.
            timeout: Timeout of this call (seconds, or an `httpx.Timeout`); default the client's `timeout`.
            extra_headers: Headers added to this request (never Authorization, Accept or the tracking header).

        Returns:
            (awaited) the subscription's recurring products, as the strict model: exact `Decimal` money.

        Raises:
            SubscriptionNotFound: No such subscription on the invoice.
            BillingInvoiceError: Any other failure of the call (the errors page lists the classes).
        """
        segments = {"invoice_no": invoice_no, "subscription_no": subscription_no}
        return await self._client._run(
            self._core.call_exact(LIST_SUBSCRIPTION_RECURRING_PRODUCTS, segments, timeout, extra_headers)
        )

    async def follow(
        self, link: str, *, timeout: Timeout = None, extra_headers: ExtraHeaders | None = None
    ) -> LinkedExactModel:
        """The resource a hypermedia link addresses, as a strict model.

        Args:
            link: A hypermedia link of a response: a path, or an absolute URL on this client's host.
            timeout: Timeout of this call (seconds, or an `httpx.Timeout`); default the client's `timeout`.
            extra_headers: Headers added to this request (never Authorization, Accept or the tracking header).

        Returns:
            (awaited) the resource, as the model of the operation the link addresses, as the strict model: exact
                `Decimal` money.

        Raises:
            InvalidRouteError: The link is not one of this API's, or addresses another host or ledger.
            BillingInvoiceError: Any other failure of the call (the errors page lists the classes).
        """
        endpoint, segments = self._core.follow_endpoint(link)
        result: LinkedExactModel = await self._client._run(
            self._core.call_exact(endpoint, segments, timeout, extra_headers)
        )
        return result
