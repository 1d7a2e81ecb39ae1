"""Reading the strict models, whose absent members are pydantic's `MISSING` sentinel (a truthy value)."""

from __future__ import annotations

from typing import TypeVar

from pydantic import MISSING

__all__ = ["MISSING", "listed", "present"]

T = TypeVar("T")


def present(value: T | MISSING | None) -> T | None:
    """The member's value, or None when the response left it out (or sent null where the spec allows it).

    Args:
        value: A member of a strict model, such as `invoice.invoice_amount`.

    Returns:
        The value, or None for `MISSING` (and for None).
    """
    return None if value is MISSING else value


def listed(value: list[T] | MISSING | None) -> list[T]:
    """The list member's items, or no items when the response left it out or sent null where the spec allows it.

    Args:
        value: A list member of a strict model, such as `invoice_list.items`.

    Returns:
        The list itself, or a new empty list for `MISSING` and None.
    """
    return [] if value is MISSING or value is None else value
