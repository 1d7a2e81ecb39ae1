"""Decoding a 2xx body: one typed msgspec pass that validates and yields the exact models.

The exact models (`exact_models.py`, msgspec Structs) read numbers as exact `Decimal`s, dates only as
`YYYY-MM-DD`, and null only where the spec says nullable. msgspec also takes a numeric *string* for a `Decimal`
and any exponent, so a projection of the body onto its number members, typed `float`, runs first: it refuses a
string where the spec says number and skips everything else unparsed. A number beyond a double is refused anywhere
in the body: by a scan of its bytes (`_strict`), or, when every member is declared and typed, on the model's
`Decimal`s. A member the spec does not declare stops the typed pass (the exact models forbid them, so a body
without one costs nothing more); the body is then decoded once more by lenient twins of the models, whose
instances become the models themselves, each handed an `_ExtraSource` that finds its undeclared members in the
bytes when `model_extra` is first read: a server newer than its document costs one more typed pass, not an
untyped one. The attrs models come from a typed plan of their own (`_attrs_models`), or, with undeclared members,
from `from_dict` of the untyped parse. Large bodies are decoded with the cyclic garbage collector paused.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import operator
import types
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Final, Generic, TypeVar, Union, cast, get_args, get_origin

import msgspec

from payex_billing_invoice._attrs_models import plan_of
from payex_billing_invoice._operations import GeneratedModel
from payex_billing_invoice._strict import MAX_EXPONENT, MIN_EXPONENT, in_range, json_number, out_of_range
from payex_billing_invoice_openapi._exact_base import EXTRA, EXTRA_SOURCE, ExactStruct

if TYPE_CHECKING:
    import pydantic

__all__ = ["DecodeError", "decode_exact", "decode_model", "explain"]

S = TypeVar("S", bound=ExactStruct)
M = TypeVar("M", bound=GeneratedModel)
_UNKNOWN_MEMBER: Final = "Object contains unknown field"


class DecodeError(ValueError):
    """The body is not JSON, or does not fit the spec; the message says where."""


def _retyped(annotation: Any, replace: Callable[[Any], Any]) -> Any:
    """`annotation` with `replace` applied to each of its leaves, through `Annotated`, unions and generics."""
    origin, args = get_origin(annotation), get_args(annotation)
    if not args:
        return replace(annotation)
    rewritten = tuple(_retyped(arg, replace) for arg in args)
    if origin is Annotated:
        return Annotated[rewritten]
    if origin in {Union, types.UnionType}:
        return functools.reduce(operator.or_, rewritten)
    return types.GenericAlias(origin, rewritten)


def _wire_leaf(annotation: Any, numbers_only: bool) -> Any:
    """`Decimal` read as `float`, and every Struct replaced by its wire twin."""
    if annotation is Decimal:
        return float
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        return _wire_struct(annotation, numbers_only)
    return annotation


def _mentions(annotation: Any, kind: Callable[[Any], bool], seen: frozenset[type] = frozenset()) -> bool:
    """Whether `annotation` can hold a value of `kind`, through unions, lists and Structs."""
    if kind(annotation):
        return True
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        return annotation not in seen and any(
            _mentions(field.type, kind, seen | {annotation}) for field in msgspec.structs.fields(annotation)
        )
    return any(_mentions(arg, kind, seen) for arg in get_args(annotation))


def _is_decimal(annotation: Any) -> bool:
    return annotation is Decimal


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, ExactStruct)


def _is_untyped(annotation: Any) -> bool:
    return annotation in {Any, object, dict, float} or get_origin(annotation) is dict


def _has_number(annotation: Any) -> bool:
    return _mentions(annotation, _is_decimal)


@functools.cache
def _wire_struct(struct: type[msgspec.Struct], numbers_only: bool) -> type[msgspec.Struct]:
    """A Struct reading the same members as `struct` (only its number members if `numbers_only`), `float` for
    `Decimal`, unknown members skipped."""
    read_as = functools.partial(_wire_leaf, numbers_only=numbers_only)
    fields = [
        (field.name, _retyped(field.type, read_as), msgspec.field(name=field.encode_name, default=field.default))
        for field in msgspec.structs.fields(struct)
        if not numbers_only or _has_number(field.type)
    ]
    return msgspec.defstruct(f"{struct.__name__}Wire", fields, kw_only=True)


class _Decoders(Generic[S]):
    """The decoders of one exact model: its number projection, the model itself and its lenient twin, and the
    float twin the attrs models' builtins are checked against."""

    def __init__(self, exact: type[S]) -> None:
        self.exact = msgspec.json.Decoder(exact)
        self.numbers = msgspec.json.Decoder(_wire_struct(exact, True)) if _has_number(exact) else None
        self.wire = _wire_struct(exact, False)
        self.lenient = msgspec.json.Decoder(_lenient(exact))
        self.typed_throughout = not _mentions(exact, _is_untyped)
        """Every member is typed: numbers can only be `Decimal` members, checked on the model, not by a scan."""


_UNTYPED_FLOATS: Final = msgspec.json.Decoder()
_UNTYPED_DECIMALS: Final = msgspec.json.Decoder(float_hook=json_number)


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


PAUSE_FROM_BYTES: Final = 256 * 1024
"""From this body size on, decoding pauses the cyclic garbage collector (`collector_paused`)."""


@contextlib.contextmanager
def _paused() -> Iterator[None]:
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def collector_paused(size: int) -> contextlib.AbstractContextManager[None]:
    """Pause the cyclic garbage collector while the models of a body of `size` bytes are built.

    Each model is a container the collector tracks: thousands of them trigger its passes over the older
    generations, which cost as much as decoding (BENCHMARKS.md, section 2b), and none of them is garbage yet. Small
    bodies, and a collector that is already off, are left alone; the collector is on again on exit."""
    return _paused() if size >= PAUSE_FROM_BYTES and gc.isenabled() else contextlib.nullcontext()


def decode_model(model: type[M], exact: type[ExactStruct], body: bytes) -> M:
    """`body` as the attrs `model`, once it fits `exact`'s schema with numbers as JSON numbers within a double:
    decoded by the model's plan (`_attrs_models`), or, with members the spec does not declare (kept in
    `additional_properties`) or a model the plan cannot read, `from_dict` of an untyped parse checked against the
    float twin of `exact`."""
    _check_range(body)
    with collector_paused(len(body)):
        plan = plan_of(model, exact)
        if plan is not None:
            try:
                parsed = plan.decoder.decode(body)
            except _FAILURES as error:
                if not _is_unknown_member(error):
                    raise _reason(error) from None
            else:
                built: M = plan.build(parsed)
                return built
        data = _guarded(lambda: _UNTYPED_FLOATS.decode(body))
        wire = _decoders(exact).wire
        _guarded(lambda: msgspec.convert(data, wire))
        return model.from_dict(data)


def _is_unknown_member(error: BaseException) -> bool:
    return isinstance(error, msgspec.ValidationError) and str(error).startswith(_UNKNOWN_MEMBER)


def decode_exact(exact: type[S], body: bytes) -> S:
    """`body` as the exact model `exact`, validated in one typed pass (one more with number members, and one more
    with members the spec does not declare).

    A body with only declared members, of a model typed throughout, holds numbers only in its `Decimal` members:
    their range is checked on the model, naming the member. Any other body is scanned (`_strict.out_of_range`)."""
    decoders = _decoders(exact)
    scanned = not decoders.typed_throughout
    if scanned:
        _check_range(body)
    numbers = decoders.numbers
    with collector_paused(len(body)):
        if numbers is not None:
            _guarded(lambda: numbers.decode(body))
        try:
            result: S = decoders.exact.decode(body)
        except _FAILURES as error:
            if not _is_unknown_member(error):
                raise _reason(error) from None
        else:
            if not scanned and numbers is not None:
                _check_decimals(result, "")
            return result
        if not scanned:
            _check_range(body)
        result = _guarded(lambda: decoders.lenient.decode(body))
        _adopt(result, _ExtraSource(result, body))
    return result


@functools.cache
def _decimal_members(struct: type[ExactStruct]) -> tuple[tuple[str, str], ...]:
    """The attribute and wire names of the members of `struct` that hold `Decimal`s themselves."""
    return tuple(
        (field.name, field.encode_name)
        for field in msgspec.structs.fields(struct)
        if _mentions(field.type, _is_decimal, frozenset({struct})) and not _mentions(field.type, _is_model)
    )


def _check_decimals(value: object, where: str) -> None:
    """Refuse a `Decimal` in `value` that no double can hold (`_strict.in_range`), naming its member."""
    if isinstance(value, ExactStruct):
        for name, wire_name in _decimal_members(type(value)):
            _check_decimal(getattr(value, name), f"{where}.{wire_name}")
        for name, wire_name in _nested(type(value)):
            _check_decimals(getattr(value, name), f"{where}.{wire_name}")
    elif type(value) is list:
        first = value[0] if value else None
        kind = type(first)
        if not isinstance(first, ExactStruct) or _nested(type(first)) or any(type(item) is not kind for item in value):
            for index, item in enumerate(value):
                _check_decimals(item, f"{where}[{index}]")
            return
        for name, wire_name in _decimal_members(type(first)):
            for index, item in enumerate(value):  # one loop per member: ten thousand products in about 2 ms
                number = getattr(item, name)
                if type(number) is not Decimal or not MIN_EXPONENT < number.adjusted() < MAX_EXPONENT:
                    _check_decimal(number, f"{where}[{index}].{wire_name}")


def _check_decimal(value: object, where: str) -> None:
    if isinstance(value, list):
        for index, item in enumerate(value):
            _check_decimal(item, f"{where}[{index}]")
    elif isinstance(value, Decimal) and not in_range(value):
        raise DecodeError(f"{where.removeprefix('.')}: the number {str(value)[:40]} is out of range")


_MODELS_OF_TWINS: Final[dict[type[msgspec.Struct], type[ExactStruct]]] = {}


@functools.cache
def _lenient(struct: type[S]) -> type[S]:
    """A subclass of `struct` that skips unknown members, its members that hold models typed with twins too.

    Its instances become `struct`'s by `__class__` assignment: the fields, and so the layout, are the same. A model
    that holds itself keeps its strict type there (msgspec resolves no forward reference to a twin)."""
    holding_models = {name for name, _ in _nested(struct)}
    overrides = [
        (field.name, _retyped(field.type, functools.partial(_twin_leaf, owner=struct)), _same_field(field))
        for field in msgspec.structs.fields(struct)
        if field.name in holding_models
    ]
    twin = msgspec.defstruct(struct.__name__, overrides, bases=(struct,), forbid_unknown_fields=False)
    if twin.__struct_fields__ != struct.__struct_fields__:  # pragma: no cover - msgspec keeps an override's place
        raise TypeError(f"the lenient twin of {struct.__name__} reorders its fields")
    _MODELS_OF_TWINS[twin] = struct
    return cast("type[S]", twin)


def _twin_leaf(annotation: Any, owner: type[ExactStruct]) -> Any:
    return _lenient(annotation) if _is_model(annotation) and annotation is not owner else annotation


def _same_field(field: msgspec.structs.FieldInfo) -> Any:
    if field.default_factory is not msgspec.NODEFAULT:
        return msgspec.field(name=field.encode_name, default_factory=field.default_factory)
    if field.default is not msgspec.NODEFAULT:
        return msgspec.field(name=field.encode_name, default=field.default)
    return msgspec.field(name=field.encode_name)


@functools.cache
def _nested(struct: type[ExactStruct]) -> tuple[tuple[str, str], ...]:
    """The attribute and wire names of the members of `struct` that may hold models."""
    return tuple(
        (field.name, field.encode_name)
        for field in msgspec.structs.fields(struct)
        if _mentions(field.type, _is_model, frozenset({struct}))
    )


@functools.cache
def _declared(struct: type[ExactStruct]) -> frozenset[str]:
    return frozenset(field.encode_name for field in msgspec.structs.fields(struct))


class _ExtraSource:
    """One body's bytes and root model: the undeclared members of each of its models, found on demand."""

    __slots__ = ("_body", "_root")

    def __init__(self, root: ExactStruct, body: bytes) -> None:
        self._root: ExactStruct | None = root
        self._body = body

    def resolve(self) -> None:
        """Parse the body untyped, once, and give every model its undeclared members (numbers as `Decimal`)."""
        root, self._root = self._root, None
        if root is not None:
            _assign_extra(root, _UNTYPED_DECIMALS.decode(self._body))
            self._body = b""


def _adopt(value: object, source: _ExtraSource) -> None:
    """Turn every twin in `value` into its model and hand it `source`; the flat models of a list in one loop."""
    if isinstance(value, ExactStruct):
        model = _MODELS_OF_TWINS.get(type(value))
        if model is not None:
            value.__class__ = model
        value.__dict__[EXTRA_SOURCE] = source
        for name, _ in _nested(type(value)):
            _adopt(getattr(value, name), source)
    elif type(value) is list:
        flat: tuple[type, type[ExactStruct]] | None = None  # a twin without nested models, and its model
        for item in value:
            if flat is not None and type(item) is flat[0]:
                item.__class__ = flat[1]
                item.__dict__[EXTRA_SOURCE] = source
            else:
                found = _MODELS_OF_TWINS.get(type(item))
                flat = (type(item), found) if found is not None and not _nested(found) else None
                _adopt(item, source)


def _assign_extra(value: object, data: object) -> None:
    """Walk the models in `value` beside their untyped parse `data`, storing each one's undeclared members."""
    if isinstance(value, ExactStruct):
        state = value.__dict__
        state.pop(EXTRA_SOURCE, None)
        members: dict[str, Any] = data if isinstance(data, dict) else {}
        declared = _declared(type(value))
        state[EXTRA] = {key: item for key, item in members.items() if key not in declared}
        for name, wire_name in _nested(type(value)):
            _assign_extra(getattr(value, name), members.get(wire_name))
    elif type(value) is list and isinstance(data, list):
        for item, item_data in zip(value, data, strict=False):
            _assign_extra(item, item_data)


def explain(exact: type[ExactStruct], body: bytes) -> pydantic.ValidationError | None:
    """Every mismatch of a refused body, from the strict pydantic layer (run only once a body is refused; it
    finds them all where msgspec stops at the first), or None when that layer does not refuse it."""
    import pydantic  # noqa: PLC0415 - only a refused body needs it: kept off the import path

    from payex_billing_invoice_openapi import strict_models  # noqa: PLC0415

    strict: type[pydantic.BaseModel] | None = getattr(strict_models, exact.__name__, None)
    try:
        if strict is not None:
            strict.model_validate_json(body, strict=True)
    except pydantic.ValidationError as error:
        return error
    except (ValueError, RecursionError):
        return None
    return None
