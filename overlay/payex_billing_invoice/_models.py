"""Reading the strict models, whose absent members are pydantic's `MISSING` sentinel (a truthy value)."""

from __future__ import annotations

from typing import TypeVar

from pydantic_core import MISSING  # where pydantic 2.12 to 2.14 all define it

__all__ = ["MISSING", "listed", "present"]

T = TypeVar("T")


def present(value: T | MISSING | None) -> T | None:
    """The member's value, or None when the response left it out (or sent null where the spec allows it)."""
    return None if value is MISSING else value


def listed(value: list[T] | MISSING | None) -> list[T]:
    """The list member's items, or no items when the response left it out or sent null where the spec allows it."""
    return [] if value is MISSING or value is None else value
