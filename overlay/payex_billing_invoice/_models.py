"""Reading the exact models, whose absent members are msgspec's `UNSET` (exported as `MISSING`, a falsy value)."""

from __future__ import annotations

from typing import Final, TypeVar

from msgspec import UNSET, UnsetType

__all__ = ["MISSING", "listed", "present"]

T = TypeVar("T")
MISSING: Final = UNSET
"""What an exact model holds for a member the response left out: msgspec's `UNSET`."""


def present(value: T | UnsetType | None) -> T | None:
    """The member's value, or None when the response left it out (or sent null where the spec allows it).

    Args:
        value: A member of an exact model, such as `invoice.invoice_amount`.

    Returns:
        The value, or None for `MISSING` (and for None).
    """
    return None if value is UNSET else value


def listed(value: list[T] | UnsetType | None) -> list[T]:
    """The list member's items, or no items when the response left it out or sent null where the spec allows it.

    Args:
        value: A list member of an exact model, such as `invoice_list.items`.

    Returns:
        The list itself, or a new empty list for `MISSING` and None.
    """
    return [] if value is UNSET or value is None else value
