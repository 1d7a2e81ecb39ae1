"""The line-level view of one invoice: what the API exists for."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from payex_billing_invoice_openapi.strict_models import Invoice, RecurringProduct, Subscription

__all__ = ["InvoiceLines", "LinesProgress", "ProgressCallback", "SubscriptionLines"]

T = TypeVar("T")
ProgressCallback = Callable[[int, int], None]
"""Called with (responses received, responses expected so far)."""


def _total(products: tuple[RecurringProduct, ...]) -> Decimal:
    return sum((product.amount for product in products if product.amount is not None), Decimal(0))


@dataclass(frozen=True, slots=True)
class SubscriptionLines:
    """One invoiced subscription and its recurring products."""

    subscription: Subscription
    recurring_products: tuple[RecurringProduct, ...]

    @property
    def total(self) -> Decimal:
        """The exact sum of the products' amounts (products without an amount count as zero)."""
        return _total(self.recurring_products)


@dataclass(frozen=True, slots=True)
class InvoiceLines:
    """An invoice with its customer-level recurring products and every subscription with its products.

    Models come from the strict schema layer, so amounts are exact `Decimal`s and dates are `date`s.
    """

    invoice: Invoice
    recurring_products: tuple[RecurringProduct, ...]
    subscriptions: tuple[SubscriptionLines, ...]

    @property
    def total(self) -> Decimal:
        """The exact sum of every line's amount, customer and subscription level."""
        return _total(self.recurring_products) + sum((lines.total for lines in self.subscriptions), Decimal(0))


class LinesProgress:
    """Counts the responses of one `invoice_lines` call: three, plus one per subscription once they are known."""

    def __init__(self, callback: ProgressCallback | None) -> None:
        self._callback = callback
        self.done = 0
        self.total = 3

    def step(self, result: T) -> T:
        """Count one response and pass its result through."""
        self.done += 1
        if self._callback is not None:
            self._callback(self.done, self.total)
        return result

    def expect(self, subscriptions: Sequence[T]) -> Sequence[T]:
        """Count the subscription list's response, expecting one more response per subscription."""
        self.total += len(subscriptions)
        return self.step(subscriptions)
