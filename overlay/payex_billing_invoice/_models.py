"""Reading the strict models, whose absent members are pydantic's `MISSING` sentinel (a truthy value)."""

from __future__ import annotations

from typing import TypeVar

from pydantic import MISSING

__all__ = ["MISSING", "listed", "present"]

T = TypeVar("T")


def present(value: T | MISSING) -> T | None:
    """The member's value, or None when the response left it out."""
    return None if value is MISSING else value


def listed(value: list[T] | MISSING) -> list[T]:
    """The list member's items, or no items when the response left it out."""
    return [] if value is MISSING else value
