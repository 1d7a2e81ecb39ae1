"""Numbers the client refuses although JSON allows them: a value or exponent no double (and no sane printout)
can hold, anywhere in a body, members the spec does not declare included."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any, Final

import msgspec

__all__ = ["MAX_EXPONENT", "MIN_EXPONENT", "in_range", "json_number", "out_of_range"]

MAX_EXPONENT: Final = 308
"""The largest decimal exponent of a double."""
MIN_EXPONENT: Final = -340
"""Below the smallest double (about 4.9e-324), with some room for digits: a `0e-99999` is refused too."""
_LARGEST_INTEGER: Final = 10 ** (MAX_EXPONENT + 1)
_SUSPECT_RUN: Final = 200
"""With an exponent of at most two digits, a number leaves the range only with a run of this many digits
(199 digits and `e99` make at most 1e298)."""


def _folding() -> bytes:
    table = bytearray(b" " * 256)
    table[ord("0") : ord("9") + 1] = b"0" * 10
    table[ord("e")] = table[ord("E")] = ord("e")
    return bytes(table)


_FOLD: Final = _folding()
"""Digits to `0`, `e`/`E` to `e`, the rest to a space (signs are deleted): a number's shape, in C."""
_LONG_EXPONENT: Final = b"e000"
_LONG_RUN: Final = b"0" * _SUSPECT_RUN


def _suspicious(body: bytes) -> bool:
    """Whether `body` holds a three-digit exponent or a run of 200 digits: every number out of range does
    (strings may too, and only cost the exact check)."""
    folded = body.translate(_FOLD, b"+-")
    return _LONG_EXPONENT in folded or _LONG_RUN in folded


def json_number(text: str) -> Decimal:
    """A JSON number's text as an exact `Decimal`, refused (ValueError) unless a double can hold its magnitude."""
    try:
        value = Decimal(text)
    except ArithmeticError:
        raise ValueError(f"the number {text[:40]} is out of range") from None
    if not in_range(value):
        raise ValueError(f"the number {text[:40]} is out of range")
    return value


def in_range(value: Decimal) -> bool:
    """Whether a double can hold the magnitude of `value` (as `json_number` requires)."""
    return MIN_EXPONENT <= value.adjusted() <= MAX_EXPONENT and math.isfinite(float(value))


_RANGE_CHECKED: Final = msgspec.json.Decoder(float_hook=json_number)


def out_of_range(body: bytes) -> str | None:
    """Why a number of this JSON body is out of range, or None; a fast scan, then a parse only when it finds one."""
    if not _suspicious(body):
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
