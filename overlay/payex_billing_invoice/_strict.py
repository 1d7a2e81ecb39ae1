"""Numbers the client refuses although JSON allows them: a value or exponent no double (and no sane printout)
can hold, anywhere in a body, members the spec does not declare included."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any, Final

import msgspec

__all__ = ["MAX_EXPONENT", "MIN_EXPONENT", "json_number", "out_of_range"]

MAX_EXPONENT: Final = 308
"""The largest decimal exponent of a double."""
MIN_EXPONENT: Final = -340
"""Below the smallest double (about 4.9e-324), with some room for digits: a `0e-99999` is refused too."""
_LARGEST_INTEGER: Final = 10 ** (MAX_EXPONENT + 1)
_SUSPICIOUS: Final = re.compile(rb"[eE][-+]?[0-9]{3,}|[0-9]{309,}")
"""A three-digit exponent or a 309-digit run: the only texts that can hold such a number (strings included)."""


def json_number(text: str) -> Decimal:
    """A JSON number's text as an exact `Decimal`, refused (ValueError) unless a double can hold its magnitude."""
    try:
        value = Decimal(text)
    except ArithmeticError:
        raise ValueError(f"the number {text[:40]} is out of range") from None
    if not MIN_EXPONENT <= value.adjusted() <= MAX_EXPONENT or not math.isfinite(float(value)):
        raise ValueError(f"the number {text[:40]} is out of range")
    return value


_RANGE_CHECKED: Final = msgspec.json.Decoder(float_hook=json_number)


def out_of_range(body: bytes) -> str | None:
    """Why a number of this JSON body is out of range, or None; a fast scan, then a parse only when it finds one."""
    if _SUSPICIOUS.search(body) is None:
        return None
    try:
        data = _RANGE_CHECKED.decode(body)
    except ValueError as error:
        return str(error)
    except msgspec.DecodeError:
        return None
    return "an integer is out of range" if _has_huge_integer(data) else None


def _has_huge_integer(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_huge_integer(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_huge_integer(item) for item in value)
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) >= _LARGEST_INTEGER
