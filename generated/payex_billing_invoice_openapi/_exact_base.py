"""The base of the exact models (`exact_models.py`): msgspec Structs, absent members `UNSET`.

Written into the generated package by `pipeline.generate`. Unknown members refuse the fast decode
(`forbid_unknown_fields`): a body without them costs one typed pass. A body with them (a server newer than its
document, the usual case on upgrade day) is decoded by lenient twins of these classes, and each model is given an
`ExtraSource` that finds its unknown members in the body's bytes the first time `model_extra` is read.
"""

from __future__ import annotations

from typing import Any, Final, Protocol

import msgspec

__all__ = ["EXTRA", "EXTRA_SOURCE", "ExactStruct", "ExtraSource"]

EXTRA: Final = "_extra"
"""The `__dict__` key of a model's undeclared members, once found."""
EXTRA_SOURCE: Final = "_extra_source"
"""The `__dict__` key of the `ExtraSource` that can find them."""


class ExtraSource(Protocol):
    """Finds the undeclared members of every model of one body, storing each model's under `EXTRA`."""

    def resolve(self) -> None:
        """Store every model's undeclared members (an empty dict where it has none)."""


class ExactStruct(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True, dict=True):
    """An exact model: typed attributes, `Decimal` money, `date` dates, `UNSET` for an absent member."""

    @property
    def model_extra(self) -> dict[str, Any]:
        """The members the spec does not declare, as received (numbers as `Decimal`)."""
        state = self.__dict__
        extra: dict[str, Any] | None = state.get(EXTRA)
        if extra is None:
            source: ExtraSource | None = state.pop(EXTRA_SOURCE, None)
            if source is not None:
                source.resolve()
            extra = state.setdefault(EXTRA, {})
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
