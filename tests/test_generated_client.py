"""The raw generated client against Prism serving the committed spec: every operation, and a problem."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from http import HTTPStatus
from typing import Any

import pytest

from payex_billing_invoice_openapi import AuthenticatedClient
from payex_billing_invoice_openapi.api.invoices import (
    get_invoice,
    get_invoice_subscription,
    list_invoice_recurring_products,
    list_invoice_subscriptions,
    list_invoices,
    list_subscription_recurring_products,
)
from payex_billing_invoice_openapi.models import Problem
from payex_billing_invoice_openapi.types import Response
from tests._examples import first_example

pytestmark = pytest.mark.prism

SEGMENTS = {"owner_no": "xxx", "invoice_no": "603010", "subscription_no": "46701234567"}
CALLS: dict[str, Callable[..., Response[Any]]] = {
    "listInvoices": lambda client, **kw: list_invoices.sync_detailed(kw["owner_no"], client=client),
    "getInvoice": lambda client, **kw: get_invoice.sync_detailed(kw["owner_no"], kw["invoice_no"], client=client),
    "listInvoiceRecurringProducts": lambda client, **kw: list_invoice_recurring_products.sync_detailed(
        kw["owner_no"], kw["invoice_no"], client=client
    ),
    "listInvoiceSubscriptions": lambda client, **kw: list_invoice_subscriptions.sync_detailed(
        kw["owner_no"], kw["invoice_no"], client=client
    ),
    "getInvoiceSubscription": lambda client, **kw: get_invoice_subscription.sync_detailed(
        kw["owner_no"], kw["invoice_no"], kw["subscription_no"], client=client
    ),
    "listSubscriptionRecurringProducts": lambda client, **kw: list_subscription_recurring_products.sync_detailed(
        kw["owner_no"], kw["invoice_no"], kw["subscription_no"], client=client
    ),
}


@pytest.fixture
def client(prism_url: str) -> Iterator[AuthenticatedClient]:
    with AuthenticatedClient(base_url=prism_url, token="test-token") as authenticated:
        yield authenticated


def test_every_spec_operation_has_a_call_here(spec: dict[str, Any]) -> None:
    assert {item["get"]["operationId"] for item in spec["paths"].values()} == set(CALLS)


@pytest.mark.parametrize("operation_id", sorted(CALLS))
def test_operation_returns_the_documented_example(
    client: AuthenticatedClient, spec: dict[str, Any], operation_id: str
) -> None:
    response = CALLS[operation_id](client, **SEGMENTS)
    assert response.status_code == HTTPStatus.OK, response.content
    assert response.parsed is not None
    assert response.parsed.to_dict() == first_example(spec, operation_id)


@pytest.mark.parametrize("operation_id", sorted(CALLS))
def test_prefer_404_gives_a_parsed_problem(client: AuthenticatedClient, operation_id: str) -> None:
    client.get_httpx_client().headers["Prefer"] = "code=404"
    response = CALLS[operation_id](client, **SEGMENTS)
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.headers["content-type"].startswith("application/problem+json")
    assert isinstance(response.parsed, Problem)
    assert response.parsed.status == 404
    assert isinstance(response.parsed.type_, str)
    assert response.parsed.type_.startswith("billing/invoice/problems/")
