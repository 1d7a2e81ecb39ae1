"""The base of the exact models (`exact_models.py`): msgspec Structs, absent members `UNSET`.

Written into the generated package by `pipeline.generate`. Unknown members refuse the fast decode
(`forbid_unknown_fields`); the client then keeps them in `model_extra`, as the strict pydantic layer does.
"""

from __future__ import annotations

from typing import Any

import msgspec

__all__ = ["ExactStruct"]


class ExactStruct(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True, dict=True):
    """An exact model: typed attributes, `Decimal` money, `date` dates, `UNSET` for an absent member."""

    @property
    def model_extra(self) -> dict[str, Any]:
        """The members the spec does not declare, as received (numbers as `Decimal`)."""
        extra: dict[str, Any] = self.__dict__.get("_extra", {})
        return extra

    def to_builtins(self) -> dict[str, Any]:
        """The model as JSON-ready builtins under the wire's member names: amounts as exact decimal strings,
        dates as `YYYY-MM-DD`, absent members left out, unknown members kept."""
        built: dict[str, Any] = _builtins(self)
        return built


def _builtins(value: object) -> Any:
    if isinstance(value, ExactStruct):
        members = {
            field.encode_name: _builtins(getattr(value, field.name))
            for field in msgspec.structs.fields(value)
            if getattr(value, field.name) is not msgspec.UNSET
        }
        return {**members, **msgspec.to_builtins(value.model_extra)}
    if isinstance(value, list):
        return [_builtins(item) for item in value]
    return msgspec.to_builtins(value)
