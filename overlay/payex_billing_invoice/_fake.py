"""`FakePayEx`: the API in-process, as an httpx transport serving the effective spec's examples and problems."""

from __future__ import annotations

import dataclasses
import enum
import functools
import inspect
import json
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, localcontext
from http import HTTPStatus
from importlib import resources
from typing import Any, Final

import httpx
import msgspec

from payex_billing_invoice._client import AsyncBillingInvoiceClient, BillingInvoiceClient
from payex_billing_invoice._decode import decode_exact
from payex_billing_invoice._exceptions import ClientConfigurationError, InvalidRouteError
from payex_billing_invoice._models import listed, present
from payex_billing_invoice._operations import (
    ENDPOINTS,
    GET_INVOICE,
    GET_INVOICE_SUBSCRIPTION,
    LIST_INVOICE_RECURRING_PRODUCTS,
    LIST_INVOICE_SUBSCRIPTIONS,
    LIST_INVOICES,
    LIST_SUBSCRIPTION_RECURRING_PRODUCTS,
    Endpoint,
)
from payex_billing_invoice._retries import RetryPolicy
from payex_billing_invoice._routes import build_path, parse_link
from payex_billing_invoice_openapi import exact_models

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
    "documented_invoices",
    "effective_spec",
    "operation_of",
]

FAKE_BASE_URL: Final = "https://billing-invoice.fake.invalid"
FAKE_OWNER_NO: Final = "xxx"
"""The owner of the spec's examples."""
FAKE_TOKEN: Final = "fake-token"  # noqa: S105 - what the fake's clients send, not a credential
PROBLEM_MEDIA_TYPE: Final = "application/problem+json"
DEFAULT_RETRY_AFTER: Final = 1
_EXACT_DIGITS: Final = 1000


@functools.cache
def effective_spec() -> Mapping[str, Any]:
    """The effective API document the package ships (`spec/openapi.yaml` as JSON); numbers as `Decimal`."""
    text = resources.files("payex_billing_invoice").joinpath("openapi.json").read_text(encoding="utf-8")
    document: Mapping[str, Any] = json.loads(text, parse_float=Decimal)
    return document


def operation_of(spec: Mapping[str, Any], endpoint: Endpoint[Any, Any]) -> Mapping[str, Any]:
    """The spec's operation object of `endpoint`, found by its method and path."""
    operation: Mapping[str, Any] = spec["paths"][endpoint.path_template][endpoint.method.lower()]
    return operation


def _endpoint_named(name: str) -> Endpoint[Any, Any]:
    """The operation by facade method name (`get_invoice`) or operationId (`getInvoice`)."""
    for endpoint in ENDPOINTS.values():
        if name in {endpoint.method_name, endpoint.operation_id}:
            return endpoint
    known = ", ".join(endpoint.method_name for endpoint in ENDPOINTS.values())
    raise ValueError(f"unknown operation {name!r}; expected one of {known}")


def _check_types(owner: object, types: Mapping[str, type | tuple[type, ...]], amount: str | None = None) -> None:
    """Refuse a member of the wrong type, and an amount that is not a finite `Decimal`."""
    for name, expected in types.items():
        value = getattr(owner, name)
        if value is not None and not isinstance(value, expected):
            raise TypeError(f"{type(owner).__name__}.{name} must be {expected}, not {type(value).__name__}")
    value = None if amount is None else getattr(owner, amount)
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"{type(owner).__name__}.{amount} must be a finite Decimal")


@dataclass(frozen=True, slots=True)
class FakeRecurringProduct:
    """One recurring fee or credit: exact `Decimal` amount, `date` period; None leaves the member out."""

    product_no: str | None = None
    description: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    period_from: date | None = None
    period_to: date | None = None

    def __post_init__(self) -> None:
        _check_types(
            self,
            {"product_no": str, "description": str, "amount": Decimal, "currency": str}
            | {"period_from": date, "period_to": date},
            amount="amount",
        )


@dataclass(frozen=True, slots=True)
class FakeSubscription:
    """An invoiced subscription and its recurring products."""

    subscription_no: str
    recurring_products: tuple[FakeRecurringProduct, ...] = ()

    def __post_init__(self) -> None:
        _check_types(self, {"subscription_no": str, "recurring_products": tuple})


@dataclass(frozen=True, slots=True)
class FakeInvoice:
    """An invoice with its customer-level recurring products and its subscriptions.

    `invoice_amount` None: the sum of every recurring product's amount, so that its lines add up to it; with no
    lines at all, the member is left out (as for the spec's invoice 603012, whose amount no example shows).
    """

    invoice_no: str
    invoice_date: date | None = None
    invoice_amount: Decimal | None = None
    recurring_products: tuple[FakeRecurringProduct, ...] = ()
    subscriptions: tuple[FakeSubscription, ...] = ()

    def __post_init__(self) -> None:
        _check_types(
            self,
            {"invoice_no": str, "invoice_date": date, "invoice_amount": Decimal}
            | {"recurring_products": tuple, "subscriptions": tuple},
            amount="invoice_amount",
        )

    @property
    def amount(self) -> Decimal | None:
        """The amount the fake serves: `invoice_amount`, else the sum of the lines, None with no lines."""
        if self.invoice_amount is not None:
            return self.invoice_amount
        products = [*self.recurring_products, *(p for s in self.subscriptions for p in s.recurring_products)]
        if not products:
            return None
        with localcontext(prec=_EXACT_DIGITS):
            return sum((product.amount or Decimal(0) for product in products), Decimal(0))

    def subscription(self, subscription_no: str) -> FakeSubscription | None:
        """The subscription with that number, if the invoice has it."""
        return next((s for s in self.subscriptions if s.subscription_no == subscription_no), None)


class Fault(enum.Enum):
    """A transport failure the fake can stage instead of an answer."""

    CONNECTION_RESET = "connection-reset"
    TIMEOUT = "timeout"
    UNAVAILABLE = "unavailable"
    """503 with `Retry-After` and a problem body."""


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """A request the fake received; `status_code` is None when a fault answered it."""

    method: str
    url: str
    operation: str | None
    """The facade method the request stands for (`get_invoice`), None for a path outside the API."""
    arguments: Mapping[str, str]
    """The decoded path segments after the owner, e.g. `{"invoice_no": "603010"}`."""
    owner_no: str | None
    status_code: int | None
    headers: httpx.Headers = field(repr=False)
    """Everything sent, the `Authorization` header too (left out of the repr)."""


@dataclass(slots=True)
class _Scripted:
    operation: Endpoint[Any, Any] | None
    remaining: int
    problem: str | None
    status: int | None
    fault: Fault | None
    retry_after: int | None
    detail: str | None
    problems: Mapping[str, str] | None


def _wire(model: type[msgspec.Struct], values: Mapping[str, object]) -> dict[str, object]:
    """`values` by the member names the spec gives the model's fields; None values left out."""
    names = {field.name: field.encode_name for field in msgspec.structs.fields(model)}
    return {names[name]: value for name, value in values.items() if value is not None}


def _json(value: object) -> str:
    """JSON text with every `Decimal` written as the exact number it is."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return json.dumps(value.isoformat())
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{json.dumps(str(k))}:{_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_json(item) for item in value) + "]"
    return json.dumps(value)


def _first_example(endpoint: Endpoint[Any, Any]) -> Any:
    media = operation_of(effective_spec(), endpoint)["responses"]["200"]["content"]["application/json"]
    examples = media.get("examples") or {}
    first = next(iter(examples.values()), None)
    return None if first is None else decode_exact(endpoint.exact_model, _json(first["value"]).encode())


def _owner_of_list(found: Any, endpoint: Endpoint[Any, Any]) -> dict[str, str]:
    """The segments of the resource an example list belongs to, from its navigation link."""
    navigation = present(getattr(found, "navigation", None))
    link = present(getattr(navigation, "field_id", None))
    parsed = parse_link(link) if isinstance(link, str) else None
    if parsed is None or parsed.operation_id != endpoint.operation_id:
        return {}
    return parsed.arguments


def _product(item: exact_models.RecurringProduct) -> FakeRecurringProduct:
    return FakeRecurringProduct(
        product_no=present(item.product_no),
        description=present(item.description),
        amount=present(item.amount),
        currency=present(item.currency),
        period_from=present(item.period_from),
        period_to=present(item.period_to),
    )


def documented_invoices() -> tuple[FakeInvoice, ...]:
    """The invoices the spec's examples show, each operation's example found through its method and path."""
    invoices: dict[str, FakeInvoice] = {}
    listing = _first_example(LIST_INVOICES)
    for item in listed(present(getattr(listing, "items", None))):
        if isinstance(number := present(item.invoice_no), str):
            invoices[number] = FakeInvoice(number, invoice_date=present(item.invoice_date))
    single = _first_example(GET_INVOICE)
    if single is not None and isinstance(number := present(single.invoice_no), str):
        known = invoices.get(number, FakeInvoice(number))
        invoices[number] = dataclasses.replace(
            known, invoice_date=present(single.invoice_date), invoice_amount=present(single.invoice_amount)
        )
    products = _first_example(LIST_INVOICE_RECURRING_PRODUCTS)
    segments = _owner_of_list(products, LIST_INVOICE_RECURRING_PRODUCTS)
    if (invoice := invoices.get(segments.get("invoice_no", ""))) is not None:
        lines = tuple(_product(item) for item in listed(products.items))
        invoices[invoice.invoice_no] = dataclasses.replace(invoice, recurring_products=lines)
    subscriptions = _first_example(LIST_INVOICE_SUBSCRIPTIONS)
    segments = _owner_of_list(subscriptions, LIST_INVOICE_SUBSCRIPTIONS)
    if (invoice := invoices.get(segments.get("invoice_no", ""))) is not None:
        found = tuple(
            FakeSubscription(number)
            for item in listed(subscriptions.items)
            if isinstance(number := present(item.subscription_no), str)
        )
        invoices[invoice.invoice_no] = dataclasses.replace(invoice, subscriptions=found)
    products = _first_example(LIST_SUBSCRIPTION_RECURRING_PRODUCTS)
    segments = _owner_of_list(products, LIST_SUBSCRIPTION_RECURRING_PRODUCTS)
    invoice = invoices.get(segments.get("invoice_no", ""))
    if invoice is not None and invoice.subscription(segments["subscription_no"]) is not None:
        lines = tuple(_product(item) for item in listed(products.items))
        invoices[invoice.invoice_no] = _with_subscription(invoice, FakeSubscription(segments["subscription_no"], lines))
    return tuple(invoices.values())


def _with_subscription(invoice: FakeInvoice, subscription: FakeSubscription) -> FakeInvoice:
    others = tuple(s for s in invoice.subscriptions if s.subscription_no != subscription.subscription_no)
    if len(others) == len(invoice.subscriptions):
        return dataclasses.replace(invoice, subscriptions=(*others, subscription))
    merged = tuple(
        subscription if s.subscription_no == subscription.subscription_no else s for s in invoice.subscriptions
    )
    return dataclasses.replace(invoice, subscriptions=merged)


class FakePayEx(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """The Billing Invoice API in-process: an httpx transport (sync and async) over typed, editable data.

    By default it holds what the effective spec's examples show (invoice 603010 with its lines, 603012) for
    owner `xxx`; unknown ids get the documented problem (`invoice-not-found`, `subscription-not-found`, and
    `customer-not-found` for another owner). `fake.client()` and `fake.async_client()` are clients wired to it
    whose retries do not sleep; `fail_next` stages problems, statuses and faults; `requests` lists what it saw.
    """

    def __init__(self, *, owner_no: str = FAKE_OWNER_NO, examples: bool = True) -> None:
        self.owner_no = owner_no
        self.base_url = FAKE_BASE_URL
        self._lock = threading.Lock()
        self._invoices: dict[str, FakeInvoice] = {}
        self._scripted: list[_Scripted] = []
        self._requests: list[RecordedRequest] = []
        for invoice in documented_invoices() if examples else ():
            self.add_invoice(invoice)

    def __repr__(self) -> str:
        return f"FakePayEx(owner_no={self.owner_no!r}, invoices={list(self._invoices)!r})"

    @property
    def invoices(self) -> Mapping[str, FakeInvoice]:
        """The invoices it serves, by number."""
        with self._lock:
            return dict(self._invoices)

    @property
    def requests(self) -> Sequence[RecordedRequest]:
        """Every request received so far, oldest first."""
        with self._lock:
            return tuple(self._requests)

    def add_invoice(self, invoice: FakeInvoice) -> FakeInvoice:
        """Serve `invoice` (replacing one with the same number), with its lines."""
        if not isinstance(invoice, FakeInvoice):
            raise TypeError(f"expected a FakeInvoice, not {type(invoice).__name__}")
        with self._lock:
            self._invoices[invoice.invoice_no] = invoice
        return invoice

    def add_subscription(self, invoice_no: str, subscription: FakeSubscription) -> FakeInvoice:
        """Add `subscription` (replacing one with the same number) to an invoice already served."""
        with self._lock:
            invoice = _with_subscription(self._known(invoice_no), subscription)
            self._invoices[invoice_no] = invoice
        return invoice

    def add_recurring_product(
        self, invoice_no: str, product: FakeRecurringProduct, *, subscription_no: str | None = None
    ) -> FakeInvoice:
        """Append a recurring product to an invoice's customer level, or to one of its subscriptions."""
        with self._lock:
            invoice = self._known(invoice_no)
            if subscription_no is None:
                invoice = dataclasses.replace(invoice, recurring_products=(*invoice.recurring_products, product))
            else:
                subscription = invoice.subscription(subscription_no) or FakeSubscription(subscription_no)
                lines = (*subscription.recurring_products, product)
                invoice = _with_subscription(invoice, dataclasses.replace(subscription, recurring_products=lines))
            self._invoices[invoice_no] = invoice
        return invoice

    def _known(self, invoice_no: str) -> FakeInvoice:
        invoice = self._invoices.get(invoice_no)
        if invoice is None:
            raise ValueError(f"the fake has no invoice {invoice_no!r}; add_invoice() it first")
        return invoice

    def fail_next(
        self,
        problem: str | None = None,
        *,
        status: int | None = None,
        fault: Fault | None = None,
        operation: str | None = None,
        times: int = 1,
        retry_after: int | None = None,
        detail: str | None = None,
        problems: Mapping[str, str] | None = None,
    ) -> None:
        """Answer the next `times` requests (of `operation`, e.g. `"get_invoice"`, if given) with a failure.

        Exactly one of: `problem`, a documented problem type (`"validation"`, `"invoice-not-found"`, ...) with
        its status and typecode from the spec; `status`, any error status with a problem body; `fault`, a
        `Fault`. `retry_after` (seconds) adds a `Retry-After` header; `Fault.UNAVAILABLE` sends one (1 s) anyway.
        """
        if sum(choice is not None for choice in (problem, status, fault)) != 1:
            raise ValueError("pass exactly one of problem, status and fault")
        if problem is not None and problem not in _problem_types():
            raise ValueError(f"unknown problem type {problem!r}; the spec documents {', '.join(_problem_types())}")
        if status is not None and not 400 <= status <= 599:
            raise ValueError("status must be an error status (400 to 599)")
        if times < 1:
            raise ValueError("times must be at least 1")
        endpoint = None if operation is None else _endpoint_named(operation)
        scripted = _Scripted(endpoint, times, problem, status, fault, retry_after, detail, problems)
        with self._lock:
            self._scripted.append(scripted)

    def client(self, **options: Any) -> BillingInvoiceClient:
        """A `BillingInvoiceClient` wired to this fake; `options` as the client takes them. Retries do not sleep."""
        settings = self._options(BillingInvoiceClient, options)
        return BillingInvoiceClient(http_client=httpx.Client(transport=self, trust_env=False), **settings)

    def async_client(self, **options: Any) -> AsyncBillingInvoiceClient:
        """An `AsyncBillingInvoiceClient` wired to this fake; retries do not sleep."""
        settings = self._options(AsyncBillingInvoiceClient, options)
        return AsyncBillingInvoiceClient(http_client=httpx.AsyncClient(transport=self, trust_env=False), **settings)

    def _options(self, client: type, options: Mapping[str, Any]) -> dict[str, Any]:
        if {"http_client", "transport"} & set(options):
            raise ValueError("the fake is the client's transport: pass no http_client or transport")
        unknown = sorted(set(options) - set(inspect.signature(client).parameters))
        if unknown:
            raise ClientConfigurationError(f"{client.__name__} takes no option {', '.join(map(repr, unknown))}")
        settings = {"owner_no": self.owner_no, "token": FAKE_TOKEN, "base_url": self.base_url, **options}
        if "retry_policy" not in settings:
            retries = settings.pop("max_retries", None)
            settings["retry_policy"] = RetryPolicy(
                max_retries=2 if retries is None else retries, initial_delay=0, max_delay=0, max_retry_after=0
            )
        return settings

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Answer one request (the sync transport)."""
        return self._answer(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer one request (the async transport)."""
        return self._answer(request)

    def _answer(self, request: httpx.Request) -> httpx.Response:
        try:
            parsed = parse_link(request.url.raw_path.split(b"?", 1)[0].decode("ascii"))
        except (InvalidRouteError, UnicodeDecodeError):
            parsed = None
        endpoint = None if parsed is None or parsed.operation_id is None else ENDPOINTS[parsed.operation_id]
        arguments = parsed.arguments if parsed is not None and endpoint is not None else {}
        with self._lock:
            scripted = self._take_scripted(endpoint)
            response = self._respond(request, endpoint, arguments, parsed.owner_no if parsed else None, scripted)
            self._requests.append(
                RecordedRequest(
                    method=request.method,
                    url=str(request.url),
                    operation=endpoint.method_name if endpoint else None,
                    arguments={name: value for name, value in arguments.items() if name != "owner_no"},
                    owner_no=parsed.owner_no if parsed else None,
                    status_code=None if isinstance(response, Fault) else response.status_code,
                    headers=httpx.Headers(request.headers),
                )
            )
        if response is Fault.TIMEOUT:
            raise httpx.ReadTimeout("timed out (staged by FakePayEx)", request=request)
        if isinstance(response, Fault):
            raise httpx.ReadError("[Errno 104] Connection reset by peer (staged by FakePayEx)", request=request)
        if request.method == "HEAD":  # what GET would answer, headers only (RFC 9110, 9.3.2)
            return httpx.Response(response.status_code, headers=response.headers, request=request)
        return response

    def _take_scripted(self, endpoint: Endpoint[Any, Any] | None) -> _Scripted | None:
        for scripted in self._scripted:
            if scripted.operation is None or scripted.operation is endpoint:
                scripted.remaining -= 1
                if scripted.remaining == 0:
                    self._scripted.remove(scripted)
                return scripted
        return None

    def _respond(
        self,
        request: httpx.Request,
        endpoint: Endpoint[Any, Any] | None,
        arguments: Mapping[str, str],
        owner_no: str | None,
        scripted: _Scripted | None,
    ) -> httpx.Response | Fault:
        if scripted is not None:
            return _scripted_answer(scripted, request)
        refusal = self._refusal(request, endpoint, owner_no)
        if refusal is not None or endpoint is None:
            return refusal or _problem_response(request, 404, title="Not Found")
        invoice = self._invoices.get(arguments.get("invoice_no", ""))
        if endpoint is not LIST_INVOICES and invoice is None:
            return _documented_problem(request, "invoice-not-found")
        body = self._body(endpoint, invoice, arguments.get("subscription_no", ""))
        if body is None:
            return _documented_problem(request, "subscription-not-found")
        return httpx.Response(200, headers={"content-type": "application/json"}, content=_json(body).encode())

    def _refusal(
        self, request: httpx.Request, endpoint: Endpoint[Any, Any] | None, owner_no: str | None
    ) -> httpx.Response | None:
        """The problem for a request no resource answers: unknown path, other method, no token, other owner."""
        if endpoint is None:
            return _problem_response(request, 404, title="No operation of the Billing Invoice API has this path")
        allowed = (endpoint.method, "HEAD") if endpoint.method == "GET" else (endpoint.method,)
        if request.method not in allowed:
            refused = _problem_response(request, 405, title=f"{endpoint.path_template} takes only {endpoint.method}")
            refused.headers["allow"] = ", ".join(allowed)  # a 405 must say what is allowed (RFC 9110, 15.5.6)
            return refused
        if not request.headers.get("authorization", "").startswith("Bearer "):
            return _problem_response(request, 401, title="Unauthorized")
        if owner_no != self.owner_no:
            return _documented_problem(request, "customer-not-found")
        return None

    def _body(
        self, endpoint: Endpoint[Any, Any], invoice: FakeInvoice | None, subscription_no: str
    ) -> Mapping[str, object] | None:
        """The 200 body, or None when the subscription is not on the invoice."""
        owner = self.owner_no
        if invoice is None:
            items = [_invoice_body(owner, found, listed=True) for found in self._invoices.values()]
            return _list_body(endpoint, owner, {}, items)
        segments = {"invoice_no": invoice.invoice_no}
        by_invoice: dict[str, Callable[[], Mapping[str, object]]] = {
            GET_INVOICE.operation_id: lambda: _invoice_body(owner, invoice, listed=False),
            LIST_INVOICE_RECURRING_PRODUCTS.operation_id: lambda: _products_body(
                endpoint, owner, segments, invoice.recurring_products
            ),
            LIST_INVOICE_SUBSCRIPTIONS.operation_id: lambda: _list_body(
                endpoint,
                owner,
                segments,
                [_subscription_body(owner, invoice, found) for found in invoice.subscriptions],
            ),
        }
        if endpoint.operation_id in by_invoice:
            return by_invoice[endpoint.operation_id]()
        subscription = invoice.subscription(subscription_no)
        if subscription is None:
            return None
        if endpoint is GET_INVOICE_SUBSCRIPTION:
            return _subscription_body(owner, invoice, subscription)
        segments["subscription_no"] = subscription.subscription_no
        return _products_body(endpoint, owner, segments, subscription.recurring_products)


def _path(endpoint: Endpoint[Any, Any], owner_no: str, segments: Mapping[str, str]) -> str:
    return build_path(endpoint.operation_id, owner_no=owner_no, **segments)


def _list_body(
    endpoint: Endpoint[Any, Any], owner_no: str, segments: Mapping[str, str], items: Sequence[Mapping[str, object]]
) -> Mapping[str, object]:
    navigation = _wire(exact_models.Navigation, {"field_id": _path(endpoint, owner_no, segments)})
    return _wire(endpoint.exact_model, {"items": items, "navigation": navigation})


def _invoice_body(owner_no: str, invoice: FakeInvoice, *, listed: bool) -> Mapping[str, object]:
    """An invoice as the list shows it (with its `@id`), or as `getInvoice` does (with its amount, like the
    documented example)."""
    segments = {"invoice_no": invoice.invoice_no}
    values: dict[str, object] = {
        "invoice_no": invoice.invoice_no,
        "invoice_date": invoice.invoice_date,
        "recurring_products": _path(LIST_INVOICE_RECURRING_PRODUCTS, owner_no, segments),
        "subscriptions": _path(LIST_INVOICE_SUBSCRIPTIONS, owner_no, segments),
    }
    if listed:
        values["field_id"] = _path(GET_INVOICE, owner_no, segments)
        return _wire(exact_models.InvoiceListItem, values)
    return _wire(GET_INVOICE.exact_model, values | {"invoice_amount": invoice.amount})


def _subscription_body(owner_no: str, invoice: FakeInvoice, subscription: FakeSubscription) -> Mapping[str, object]:
    segments = {"invoice_no": invoice.invoice_no, "subscription_no": subscription.subscription_no}
    return _wire(
        GET_INVOICE_SUBSCRIPTION.exact_model,
        {
            "field_id": _path(GET_INVOICE_SUBSCRIPTION, owner_no, segments),
            "subscription_no": subscription.subscription_no,
            "recurring_products": _path(LIST_SUBSCRIPTION_RECURRING_PRODUCTS, owner_no, segments),
        },
    )


def _products_body(
    endpoint: Endpoint[Any, Any], owner_no: str, segments: Mapping[str, str], products: Sequence[FakeRecurringProduct]
) -> Mapping[str, object]:
    base = _path(endpoint, owner_no, segments)
    items = [
        _wire(exact_models.RecurringProduct, {"field_id": f"{base}/{index}"} | _product_values(product))
        for index, product in enumerate(products, start=1)
    ]
    return _list_body(endpoint, owner_no, segments, items)


def _product_values(product: FakeRecurringProduct) -> dict[str, object]:
    return {item.name: getattr(product, item.name) for item in dataclasses.fields(product)}


def _problem_types() -> Mapping[str, Mapping[str, Any]]:
    entries = effective_spec().get("x-payex-problem-types") or []
    return {str(entry["code"]): entry for entry in entries}


def _problem_response(
    request: httpx.Request,
    status: int,
    *,
    title: str,
    typecode: str | None = None,
    detail: str | None = None,
    problems: Mapping[str, str] | None = None,
    retry_after: int | None = None,
) -> httpx.Response:
    body: dict[str, object] = {"type": typecode, "title": title, "status": status, "instance": str(uuid.uuid4())}
    body |= {"detail": detail} if detail else {}
    body |= {"problems": [{path: message} for path, message in problems.items()]} if problems else {}
    headers = {"content-type": PROBLEM_MEDIA_TYPE}
    if retry_after is not None:
        headers["retry-after"] = str(retry_after)
    content = _json({key: value for key, value in body.items() if value is not None}).encode()
    return httpx.Response(status, headers=headers, content=content, request=request)


def _documented_problem(
    request: httpx.Request,
    code: str,
    *,
    detail: str | None = None,
    problems: Mapping[str, str] | None = None,
    retry_after: int | None = None,
) -> httpx.Response:
    entry = _problem_types()[code]
    return _problem_response(
        request,
        int(entry["status"]),
        title=str(entry.get("title") or code),
        typecode=str(entry["typecode"]),
        detail=detail,
        problems=problems,
        retry_after=retry_after,
    )


def _scripted_answer(scripted: _Scripted, request: httpx.Request) -> httpx.Response | Fault:
    detail, problems, retry_after = scripted.detail, scripted.problems, scripted.retry_after
    if scripted.problem is not None:
        return _documented_problem(request, scripted.problem, detail=detail, problems=problems, retry_after=retry_after)
    if scripted.fault is Fault.UNAVAILABLE:
        retry_after = DEFAULT_RETRY_AFTER if retry_after is None else retry_after
    elif scripted.fault is not None:
        return scripted.fault
    status = scripted.status or 503
    title = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else f"HTTP {status}"
    return _problem_response(request, status, title=title, detail=detail, problems=problems, retry_after=retry_after)
