"""The spec's operations bound to the generated request builders and models: what the facade calls."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Generic, Protocol, Self, TypeAlias, TypeVar

from payex_billing_invoice._routes import OPERATIONS
from payex_billing_invoice_openapi import exact_models, models
from payex_billing_invoice_openapi._exact_base import ExactStruct
from payex_billing_invoice_openapi.api.invoices import (
    get_invoice,
    get_invoice_subscription,
    list_invoice_recurring_products,
    list_invoice_subscriptions,
    list_invoices,
    list_subscription_recurring_products,
)

__all__ = [
    "ENDPOINTS",
    "GET_INVOICE",
    "GET_INVOICE_SUBSCRIPTION",
    "LIST_INVOICES",
    "LIST_INVOICE_RECURRING_PRODUCTS",
    "LIST_INVOICE_SUBSCRIPTIONS",
    "LIST_SUBSCRIPTION_RECURRING_PRODUCTS",
    "Endpoint",
    "GeneratedModel",
    "LinkedExactModel",
    "LinkedModel",
]


class GeneratedModel(Protocol):
    """What every generated attrs model offers."""

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self: ...

    def to_dict(self) -> dict[str, Any]: ...


ModelT_co = TypeVar("ModelT_co", bound=GeneratedModel, covariant=True)
ExactT_co = TypeVar("ExactT_co", bound=ExactStruct, covariant=True)


@dataclass(frozen=True, slots=True)
class Endpoint(Generic[ModelT_co, ExactT_co]):
    """One operation, bound by its method and path: the generated request builder and the models of its 200 body.

    ``operation_id`` is the name the overlay gives the operation (spec/payex.overlay.yaml), after which the
    generated module is named; the contract tests check that the effective spec has this operation at
    ``method`` ``path_template`` under that name.
    """

    operation_id: str
    method_name: str
    """The facade method that calls it, the same on both clients and their `exact` namespaces."""
    request_kwargs: Callable[..., dict[str, Any]]
    model: type[ModelT_co]
    exact_model: type[ExactT_co]

    method: str = field(init=False)
    """The HTTP method, upper case."""
    path_template: str = field(init=False)
    """The path exactly as the spec writes it."""
    parameters: tuple[str, ...] = field(init=False)
    """The segment arguments after `owner_no`, e.g. `("invoice_no",)`."""

    def __post_init__(self) -> None:
        operation = OPERATIONS[self.operation_id]
        object.__setattr__(self, "method", operation.method)
        object.__setattr__(self, "path_template", operation.path_template)
        object.__setattr__(self, "parameters", operation.arguments[1:])


LIST_INVOICES = Endpoint(
    "listInvoices", "list_invoices", list_invoices._get_kwargs, models.InvoiceList, exact_models.InvoiceList
)
GET_INVOICE = Endpoint("getInvoice", "get_invoice", get_invoice._get_kwargs, models.Invoice, exact_models.Invoice)
LIST_INVOICE_RECURRING_PRODUCTS = Endpoint(
    "listInvoiceRecurringProducts",
    "list_recurring_products",
    list_invoice_recurring_products._get_kwargs,
    models.RecurringProductList,
    exact_models.RecurringProductList,
)
LIST_INVOICE_SUBSCRIPTIONS = Endpoint(
    "listInvoiceSubscriptions",
    "list_subscriptions",
    list_invoice_subscriptions._get_kwargs,
    models.SubscriptionList,
    exact_models.SubscriptionList,
)
GET_INVOICE_SUBSCRIPTION = Endpoint(
    "getInvoiceSubscription",
    "get_subscription",
    get_invoice_subscription._get_kwargs,
    models.Subscription,
    exact_models.Subscription,
)
LIST_SUBSCRIPTION_RECURRING_PRODUCTS = Endpoint(
    "listSubscriptionRecurringProducts",
    "list_subscription_recurring_products",
    list_subscription_recurring_products._get_kwargs,
    models.RecurringProductList,
    exact_models.RecurringProductList,
)

LinkedModel: TypeAlias = (
    models.InvoiceList | models.Invoice | models.RecurringProductList | models.SubscriptionList | models.Subscription
)
LinkedExactModel: TypeAlias = (
    exact_models.InvoiceList
    | exact_models.Invoice
    | exact_models.RecurringProductList
    | exact_models.SubscriptionList
    | exact_models.Subscription
)

ENDPOINTS: Mapping[str, Endpoint[LinkedModel, LinkedExactModel]] = MappingProxyType(
    {
        endpoint.operation_id: endpoint
        for endpoint in (
            LIST_INVOICES,
            GET_INVOICE,
            LIST_INVOICE_RECURRING_PRODUCTS,
            LIST_INVOICE_SUBSCRIPTIONS,
            GET_INVOICE_SUBSCRIPTION,
            LIST_SUBSCRIPTION_RECURRING_PRODUCTS,
        )
    }
)
