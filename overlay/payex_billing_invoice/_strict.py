"""What pydantic's strict JSON mode lets through and the client does not: numbers as strings, and numbers whose
value or exponent no double (and no sane printout) can hold."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any, Final

from pydantic import BaseModel, RootModel

__all__ = ["json_number", "numeric_string_path"]

MAX_EXPONENT: Final = 308
"""The largest decimal exponent of a double."""
MIN_EXPONENT: Final = -340
"""Below the smallest double (about 4.9e-324), with some room for digits: a `0e-99999` is refused too."""


def json_number(text: str) -> Decimal:
    """A JSON number's text as an exact `Decimal`, refused (ValueError) unless a double can hold its magnitude."""
    value = Decimal(text)
    if not MIN_EXPONENT <= value.adjusted() <= MAX_EXPONENT or not math.isfinite(float(value)):
        raise ValueError(f"the number {text[:40]} is out of range")
    return value


def numeric_string_path(model: BaseModel, data: Any, path: tuple[str | int, ...] = ()) -> str | None:
    """The path of the first `Decimal` member of `model` that `data` (its JSON) gives as a string, or None.

    pydantic's strict JSON mode reads `"12.50"` into a `Decimal` field; the spec says a number, so the client does not.
    """
    if isinstance(model, RootModel):
        return _value_path(model.root, data, path)
    if not isinstance(data, dict):
        return None
    for name, field in type(model).model_fields.items():
        alias = field.validation_alias if isinstance(field.validation_alias, str) else field.alias or name
        if alias in data:
            found = _value_path(getattr(model, name), data[alias], (*path, alias))
            if found is not None:
                return found
    return None


def _value_path(value: object, data: Any, path: tuple[str | int, ...]) -> str | None:
    if isinstance(value, Decimal):
        return ".".join(map(str, path)) or "(root)" if isinstance(data, str) else None
    if isinstance(value, BaseModel):
        return numeric_string_path(value, data, path)
    if isinstance(value, list) and isinstance(data, list):
        for index, (item, raw) in enumerate(zip(value, data, strict=False)):
            found = _value_path(item, raw, (*path, index))
            if found is not None:
                return found
    if isinstance(value, dict) and isinstance(data, dict):
        for key, item in value.items():
            found = _value_path(item, data.get(key), (*path, key))
            if found is not None:
                return found
    return None
