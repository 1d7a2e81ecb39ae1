"""Checks of constructor settings: each refusal is a `ClientConfigurationError` naming the setting, never a value
that could be a secret."""

from __future__ import annotations

import math
import os
from typing import Final

import httpx

from payex_billing_invoice._exceptions import ClientConfigurationError

__all__ = ["check_bool", "check_count", "check_optional_path", "check_seconds", "check_timeout"]

MAX_SECONDS: Final = 24 * 3600.0
"""The longest any timeout, deadline or delay may be: long enough for anything, short of forever."""

_TIMEOUT_PARTS: Final = ("connect", "read", "write", "pool")


def _type_name(value: object) -> str:
    return type(value).__name__


def check_bool(name: str, value: object) -> bool:
    """`value`, if it is a bool."""
    if not isinstance(value, bool):
        raise ClientConfigurationError(f"{name} must be True or False, not a {_type_name(value)}")
    return value


def check_count(name: str, value: object, *, minimum: int, maximum: int) -> int:
    """`value`, if it is an int (not a bool, float or str) from `minimum` to `maximum`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ClientConfigurationError(f"{name} must be an int, not a {_type_name(value)}")
    if not minimum <= value <= maximum:
        raise ClientConfigurationError(f"{name} must be from {minimum} to {maximum}, got {value}")
    return int(value)


def check_seconds(name: str, value: object, *, allow_zero: bool = False) -> float:
    """`value` as seconds, if it is a finite real number (not a bool or str), positive, and at most a day."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ClientConfigurationError(f"{name} must be a number of seconds, not a {_type_name(value)}")
    seconds = float(value)
    if not math.isfinite(seconds) or seconds < 0 or (seconds == 0 and not allow_zero) or seconds > MAX_SECONDS:
        bound = "at least 0" if allow_zero else "more than 0"
        raise ClientConfigurationError(f"{name} must be finite, {bound} and at most {MAX_SECONDS:.0f} s")
    return seconds


def check_timeout(name: str, value: object) -> httpx.Timeout:
    """An `httpx.Timeout` from seconds or a `Timeout` whose parts are each None or valid seconds."""
    if isinstance(value, httpx.Timeout):
        parts = {part: getattr(value, part) for part in _TIMEOUT_PARTS}
        return httpx.Timeout(
            **{part: None if given is None else check_seconds(f"{name}.{part}", given) for part, given in parts.items()}
        )
    return httpx.Timeout(check_seconds(name, value))


def check_optional_path(name: str, value: object) -> str | os.PathLike[str] | None:
    """`value`, if it is None, a str or a path."""
    if value is not None and not isinstance(value, str | os.PathLike):
        raise ClientConfigurationError(f"{name} must be a path, not a {_type_name(value)}")
    return value
