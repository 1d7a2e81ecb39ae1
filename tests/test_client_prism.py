"""The facade end to end against Prism serving the committed spec."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import msgspec
import pytest

from payex_billing_invoice import (
    ApiStatusError,
    AsyncBillingInvoiceClient,
    AuthenticationError,
    BillingInvoiceClient,
    CustomerNotFound,
    InvoiceLines,
    InvoiceNotFound,
    ServerError,
    SubscriptionNotFound,
    ValidationProblem,
    parse_link,
)
from payex_billing_invoice._operations import ENDPOINTS
from tests._examples import first_example, response_examples

pytestmark = pytest.mark.prism

TOKEN = "tok-prism-0123456789"
SEGMENTS = {"invoice_no": "603010", "subscription_no": "46701234567"}


def _client(url: str, headers: dict[str, str] | None = None) -> BillingInvoiceClient:
    http_client = httpx.Client(headers=headers) if headers else None
    return BillingInvoiceClient(owner_no="xxx", token=TOKEN, base_url=url, http_client=http_client)


@pytest.fixture
def client(prism_url: str) -> Iterator[BillingInvoiceClient]:
    with _client(prism_url) as opened:
        yield opened


def _links(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _links(item)
    elif isinstance(value, list):
        for item in value:
            yield from _links(item)
    elif isinstance(value, str) and value.startswith("/billing/invoice/"):
        yield value


def _call(client: Any, operation_id: str) -> Any:
    endpoint = ENDPOINTS[operation_id]
    return getattr(client, endpoint.method_name)(*(SEGMENTS[name] for name in endpoint.parameters))


@pytest.mark.parametrize("operation_id", sorted(ENDPOINTS))
def test_every_operation_returns_the_example(
    client: BillingInvoiceClient, spec: dict[str, Any], operation_id: str
) -> None:
    model = _call(client, operation_id)
    assert type(model) is ENDPOINTS[operation_id].model
    assert model.to_dict() == first_example(spec, operation_id)


@pytest.mark.parametrize("operation_id", sorted(ENDPOINTS))
def test_every_operation_returns_exact_models(
    client: BillingInvoiceClient, spec: dict[str, Any], operation_id: str
) -> None:
    model = _call(client.exact, operation_id)
    assert type(model) is ENDPOINTS[operation_id].exact_model
    example = json.loads(json.dumps(first_example(spec, operation_id)), parse_float=Decimal)
    assert model == msgspec.convert(example, type(model))
    assert model.to_builtins().keys() == example.keys()


@pytest.mark.parametrize("operation_id", sorted(ENDPOINTS))
async def test_async_client_returns_the_same(prism_url: str, spec: dict[str, Any], operation_id: str) -> None:
    async with AsyncBillingInvoiceClient(owner_no="xxx", token=TOKEN, base_url=prism_url) as client:
        model = await _call(client, operation_id)
        exact = await _call(client.exact, operation_id)
    assert model.to_dict() == first_example(spec, operation_id)
    assert type(exact) is ENDPOINTS[operation_id].exact_model


def test_follow_every_link_in_the_examples(client: BillingInvoiceClient, spec: dict[str, Any]) -> None:
    followed = 0
    for operation_id in ENDPOINTS:
        for link in _links(first_example(spec, operation_id)):
            parsed_operation = parse_link(link).operation_id
            if parsed_operation is None:
                continue
            model = client.follow(link)
            assert type(model) is ENDPOINTS[parsed_operation].model, link
            assert model.to_dict() == first_example(spec, parsed_operation)
            assert type(client.exact.follow(link)) is ENDPOINTS[parsed_operation].exact_model
            followed += 1
    assert followed >= 10


def test_follow_an_absolute_link_on_the_clients_host(client: BillingInvoiceClient, prism_url: str) -> None:
    invoice = client.follow(f"{prism_url}/billing/invoice/v1/xxx/invoices/603010")
    assert invoice.to_dict()["invoiceNo"] == "603010"


def _expected_lines(spec: dict[str, Any]) -> tuple[Decimal, int]:
    customer = first_example(spec, "listInvoiceRecurringProducts")["items"]
    subscriptions = first_example(spec, "listInvoiceSubscriptions")["items"]
    per_subscription = first_example(spec, "listSubscriptionRecurringProducts")["items"]
    amounts = [Decimal(str(item["amount"])) for item in customer]
    amounts += [Decimal(str(item["amount"])) for item in per_subscription] * len(subscriptions)
    return sum(amounts, Decimal(0)), len(subscriptions)


def _check_lines(lines: InvoiceLines, spec: dict[str, Any]) -> None:
    total, subscriptions = _expected_lines(spec)
    assert lines.invoice.invoice_no == "603010"
    assert lines.total == total
    assert len(lines.subscriptions) == subscriptions
    assert all(isinstance(product.amount, Decimal) for product in lines.recurring_products)
    assert all(line.recurring_products for line in lines.subscriptions)


def test_invoice_lines(client: BillingInvoiceClient, spec: dict[str, Any]) -> None:
    _check_lines(client.invoice_lines("603010"), spec)


async def test_async_invoice_lines(prism_url: str, spec: dict[str, Any]) -> None:
    async with AsyncBillingInvoiceClient(owner_no="xxx", token=TOKEN, base_url=prism_url, max_concurrency=2) as client:
        _check_lines(await client.invoice_lines("603010"), spec)


@pytest.mark.parametrize(
    ("prefer", "operation_id", "error"),
    [
        ("code=404", "getInvoice", InvoiceNotFound),
        ("code=404, example=customer-not-found", "getInvoice", CustomerNotFound),
        ("code=404", "listInvoices", CustomerNotFound),
        ("code=404", "getInvoiceSubscription", SubscriptionNotFound),
        ("code=404", "listSubscriptionRecurringProducts", SubscriptionNotFound),
        ("code=400", "listInvoiceSubscriptions", ValidationProblem),
        ("code=400, example=ledger-sample", "getInvoice", ValidationProblem),
        ("code=401", "listInvoiceRecurringProducts", AuthenticationError),
        ("code=500", "getInvoice", ServerError),
    ],
)
def test_problems_become_typed_exceptions(
    prism_url: str, prefer: str, operation_id: str, error: type[Exception]
) -> None:
    with _client(prism_url, {"Prefer": prefer}) as client, pytest.raises(error) as raised:
        _call(client, operation_id)
    assert type(raised.value) is error
    assert TOKEN not in str(raised.value)
    assert TOKEN not in repr(raised.value)
    instance = getattr(raised.value, "instance", None)
    assert instance
    assert instance in str(raised.value)


def test_validation_problem_lists_the_fields(prism_url: str) -> None:
    with (
        _client(prism_url, {"Prefer": "code=400, example=ledger-sample"}) as client,
        pytest.raises(ValidationProblem) as raised,
    ):
        client.get_invoice("603010")
    assert raised.value.problem is not None
    assert raised.value.problem.problems == {
        "customer.nationalConsumerIdentifier.value": "Not a valid SE nationalConsumerIdentifier"
    }
    assert raised.value.instance == "dd07e588-70c8-4b27-95f5-020cc2968c06"


def test_every_example_parses_through_the_facade_and_round_trips(prism_url: str, spec: dict[str, Any]) -> None:
    seen = 0
    for operation_id, status, name, _, value in response_examples(spec):
        with _client(prism_url, {"Prefer": f"code={status}, example={name}"}) as client:
            if status == "200":
                assert _call(client, operation_id).to_dict() == value, (operation_id, name)
                continue
            with pytest.raises(ApiStatusError) as raised:
                _call(client, operation_id)
        assert raised.value.status_code == int(status), (operation_id, name)
        assert raised.value.problem is not None
        assert raised.value.problem.raw == value, (operation_id, status, name)
        seen += 1
    assert seen >= 6 * 5


def test_invoice_lines_reports_progress(client: BillingInvoiceClient) -> None:
    seen: list[tuple[int, int]] = []
    client.invoice_lines("603010", on_progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 4), (4, 4)]


async def test_async_invoice_lines_reports_progress(prism_url: str) -> None:
    seen: list[tuple[int, int]] = []
    async with AsyncBillingInvoiceClient(owner_no="xxx", token=TOKEN, base_url=prism_url) as client:
        await client.invoice_lines("603010", on_progress=lambda done, total: seen.append((done, total)))
    assert [done for done, _ in seen] == [1, 2, 3, 4]
    assert seen[-1] == (4, 4)
