"""The line-level view of one invoice: what the API exists for."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import MAX_EMAX, MIN_EMIN, Decimal, DecimalException, Inexact, InvalidOperation, Overflow, localcontext
from typing import TypeVar

from payex_billing_invoice._exceptions import ResponseValidationError
from payex_billing_invoice_openapi.exact_models import Invoice, RecurringProduct, Subscription

__all__ = ["InvoiceLines", "LinesProgress", "ProgressCallback", "SubscriptionLines"]

T = TypeVar("T")
ProgressCallback = Callable[[int, int], None]
"""Called with (responses received, responses expected so far)."""


TOTAL_DIGITS = 100
"""Significant digits the totals are computed with; a sum that needs more is refused, never rounded."""


def _total(amounts: Iterable[Decimal]) -> Decimal:
    """The exact sum of `amounts`, refused with `ResponseValidationError` rather than rounded."""
    with localcontext() as context:
        context.prec, context.Emax, context.Emin = TOTAL_DIGITS, MAX_EMAX, MIN_EMIN
        context.traps[Inexact] = context.traps[Overflow] = context.traps[InvalidOperation] = True
        try:
            return sum(amounts, Decimal(0))
        except DecimalException:
            reason = f"the amounts cannot be added exactly within {TOTAL_DIGITS} significant digits"
            raise ResponseValidationError(status_code=200, body=b"", errors=(reason,)) from None


def _amounts(products: Iterable[RecurringProduct]) -> Iterator[Decimal]:
    return (product.amount for product in products if isinstance(product.amount, Decimal))


@dataclass(frozen=True, slots=True)
class SubscriptionLines:
    """One invoiced subscription and its recurring products."""

    subscription: Subscription
    recurring_products: tuple[RecurringProduct, ...]

    @property
    def total(self) -> Decimal:
        """The exact sum of the products' amounts (products without an amount count as zero)."""
        return _total(_amounts(self.recurring_products))


@dataclass(frozen=True, slots=True)
class InvoiceLines:
    """An invoice with its customer-level recurring products and every subscription with its products.

    Models come from the strict schema layer, so amounts are exact `Decimal`s and dates are `date`s; a member
    the response left out is `MISSING` (see `present` and `listed`).
    """

    invoice: Invoice
    recurring_products: tuple[RecurringProduct, ...]
    subscriptions: tuple[SubscriptionLines, ...]

    @property
    def customer_total(self) -> Decimal:
        """The exact sum of the customer-level products' amounts."""
        return _total(_amounts(self.recurring_products))

    @property
    def total(self) -> Decimal:
        """The exact sum of every line's amount, customer and subscription level."""
        subscription_lines = (product for lines in self.subscriptions for product in lines.recurring_products)
        return _total(_amounts((*self.recurring_products, *subscription_lines)))


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
