"""Decoding a 2xx body: one typed msgspec pass that validates and yields the exact models.

The exact models (`exact_models.py`, msgspec Structs) read numbers as exact `Decimal`s, dates only as
`YYYY-MM-DD`, and null only where the spec says nullable. msgspec also takes a numeric *string* for a `Decimal`
and any exponent, so a projection of the body onto its number members, typed `float`, runs first: it refuses a
string where the spec says number and a number beyond a double, and skips everything else unparsed. A body with
members the spec does not declare fails the fast pass (`forbid_unknown_fields`) and is decoded once more, keeping
those members in `model_extra`. The attrs models are built from the same validation: the body typed with `float`
numbers, then `from_dict` of the untyped parse.
"""

from __future__ import annotations

import functools
import operator
import types
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, Final, Generic, TypeVar, Union, get_args, get_origin

import msgspec
import pydantic

from payex_billing_invoice._strict import json_number, out_of_range
from payex_billing_invoice_openapi import strict_models
from payex_billing_invoice_openapi._exact_base import ExactStruct

__all__ = ["DecodeError", "decode_exact", "explain", "validated_builtins"]

S = TypeVar("S", bound=ExactStruct)
Path = tuple[str | int, ...]
_UNKNOWN_MEMBER: Final = "Object contains unknown field"


class DecodeError(ValueError):
    """The body is not JSON, or does not fit the spec; the message says where."""


def _rewrite(annotation: Any, numbers_only: bool) -> Any:
    """`annotation` with `Decimal` read as `float` and every Struct replaced by its wire twin."""
    if annotation is Decimal:
        return float
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        return _wire_struct(annotation, numbers_only)
    origin, args = get_origin(annotation), get_args(annotation)
    rewritten = tuple(_rewrite(arg, numbers_only) for arg in args)
    if origin is Annotated:
        return Annotated[rewritten]
    if origin in {Union, types.UnionType}:
        return functools.reduce(operator.or_, rewritten)
    return types.GenericAlias(origin, rewritten) if args else annotation


def _has_number(annotation: Any, seen: frozenset[type] = frozenset()) -> bool:
    if annotation is Decimal:
        return True
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        return annotation not in seen and any(
            _has_number(field.type, seen | {annotation}) for field in msgspec.structs.fields(annotation)
        )
    return any(_has_number(arg, seen) for arg in get_args(annotation))


@functools.cache
def _wire_struct(struct: type[msgspec.Struct], numbers_only: bool) -> type[msgspec.Struct]:
    """A Struct reading the same members as `struct` (only its number members if `numbers_only`), `float` for
    `Decimal`, unknown members skipped."""
    fields = [
        (field.name, _rewrite(field.type, numbers_only), msgspec.field(name=field.encode_name, default=field.default))
        for field in msgspec.structs.fields(struct)
        if not numbers_only or _has_number(field.type)
    ]
    return msgspec.defstruct(f"{struct.__name__}Wire", fields, kw_only=True)


class _Decoders(Generic[S]):
    """The decoders of one exact model: its number projection, its float twin and the model itself."""

    def __init__(self, exact: type[S]) -> None:
        self.exact = msgspec.json.Decoder(exact)
        self.numbers = msgspec.json.Decoder(_wire_struct(exact, True)) if _has_number(exact) else None
        self.wire = msgspec.json.Decoder(_wire_struct(exact, False))
        self.untyped = msgspec.json.Decoder(float_hook=json_number)


_UNTYPED_FLOATS: Final = msgspec.json.Decoder()


_CACHE: Final[dict[type[ExactStruct], _Decoders[Any]]] = {}


def _decoders(exact: type[S]) -> _Decoders[S]:
    found: _Decoders[S] | None = _CACHE.get(exact)
    if found is None:
        found = _CACHE[exact] = _Decoders(exact)
    return found


_FAILURES: Final = (msgspec.MsgspecError, ValueError, ArithmeticError, RecursionError)


def _reason(error: BaseException) -> DecodeError:
    if isinstance(error, msgspec.ValidationError):
        text, _, where = str(error).rpartition(" - at `")
        where = where.rstrip("`").removeprefix("$").removeprefix(".")
        return DecodeError(f"{where}: {text}" if text and where else str(error))
    if isinstance(error, msgspec.DecodeError):
        return DecodeError(f"the body is not JSON: {error}")
    return DecodeError(f"the body is not JSON: {type(error).__name__}")


def _guarded(decode: Callable[[], Any]) -> Any:
    try:
        return decode()
    except _FAILURES as error:
        raise _reason(error) from None


def _check_range(body: bytes) -> None:
    reason = out_of_range(body)
    if reason is not None:
        raise DecodeError(f"the body is not JSON this client reads: {reason}")


def validated_builtins(exact: type[ExactStruct], body: bytes) -> Any:
    """`body` parsed into builtins (numbers as `int` and `float`) for the attrs models, once it fits `exact`'s
    schema with numbers as JSON numbers within a double."""
    _check_range(body)
    decoders = _decoders(exact)
    _guarded(lambda: decoders.wire.decode(body))
    return _guarded(lambda: _UNTYPED_FLOATS.decode(body))


def decode_exact(exact: type[S], body: bytes) -> S:
    """`body` as the exact model `exact`, validated in one typed pass (two when it has unknown members)."""
    _check_range(body)
    decoders = _decoders(exact)
    numbers = decoders.numbers
    if numbers is not None:
        _guarded(lambda: numbers.decode(body))
    try:
        result: S = decoders.exact.decode(body)
    except _FAILURES as error:
        if not (isinstance(error, msgspec.ValidationError) and str(error).startswith(_UNKNOWN_MEMBER)):
            raise _reason(error) from None
    else:
        return result
    extras: list[tuple[Path, dict[str, Any]]] = []
    data = _guarded(lambda: decoders.untyped.decode(body))
    converted: S = _guarded(lambda: msgspec.convert(_split(data, exact, (), extras), exact, strict=True))
    for path, extra in extras:
        _at(converted, path).__dict__["_extra"] = extra
    return converted


def _members(annotation: Any) -> list[Any]:
    """The alternatives of a union (through `Annotated`), or the annotation itself."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _members(args[0])
    if origin in {Union, types.UnionType}:
        return [member for arg in args for member in _members(arg)]
    return [annotation]


def _split(value: Any, annotation: Any, path: Path, extras: list[tuple[Path, dict[str, Any]]]) -> Any:
    """`value` without the members its Structs do not declare, which go to `extras` with their Struct's path."""
    members = _members(annotation)
    if isinstance(value, dict):
        struct = next((m for m in members if isinstance(m, type) and issubclass(m, msgspec.Struct)), None)
        if struct is None:
            return value
        declared = {field.encode_name: field for field in msgspec.structs.fields(struct)}
        known: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for key, item in value.items():
            field = declared.get(key)
            if field is None:
                extra[key] = item
            else:
                known[key] = _split(item, field.type, (*path, field.name), extras)
        if extra:
            extras.append((path, extra))
        return known
    if isinstance(value, list):
        item_type = next((get_args(m)[0] for m in members if get_origin(m) is list), None)
        if item_type is not None:
            return [_split(item, item_type, (*path, index), extras) for index, item in enumerate(value)]
    return value


def _at(model: Any, path: Path) -> Any:
    for step in path:
        model = model[step] if isinstance(step, int) else getattr(model, step)
    return model


def explain(exact: type[ExactStruct], body: bytes) -> pydantic.ValidationError | None:
    """Every mismatch of a refused body, from the strict pydantic layer (run only once a body is refused; it
    finds them all where msgspec stops at the first), or None when that layer does not refuse it."""
    strict: type[pydantic.BaseModel] | None = getattr(strict_models, exact.__name__, None)
    try:
        if strict is not None:
            strict.model_validate_json(body, strict=True)
    except pydantic.ValidationError as error:
        return error
    except (ValueError, RecursionError):
        return None
    return None
