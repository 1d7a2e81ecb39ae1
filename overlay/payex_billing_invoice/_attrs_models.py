"""The generated attrs models built from one typed pass over the body, instead of `from_dict` of an untyped parse.

`from_dict` copies a dict and pops its members for every object, after an untyped parse of the whole body: on a
list of 10,000 invoices that is most of a call. A body whose members are all declared is instead decoded by a
*plan* of the attrs model: a msgspec Struct per attrs class whose attributes carry the attrs names, the wire names as
encode names, the attrs defaults as defaults and numbers as `int | float` (as JSON writes them), so the decode
validates as strictly as the exact models do; each attrs model is then built from it by one compiled constructor
call. Which attribute takes which member, and how, is learned once per class by asking `from_dict` itself, one
member at a time, so the models equal `from_dict`'s; a member of a kind the probe does not know (an enum, a union of
models) leaves the operation to `from_dict`.
"""

from __future__ import annotations

import datetime
import functools
import keyword
import types
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, Final, NamedTuple, Union, cast, get_args, get_origin

import attrs
import msgspec

from payex_billing_invoice._operations import GeneratedModel
from payex_billing_invoice_openapi._exact_base import ExactStruct

__all__ = ["Plan", "plan_of"]

_ADDITIONAL: Final = "additional_properties"
_SCALARS: Final[dict[Any, tuple[Any, Any, Any]]] = {
    # exact type: (what the probe sends, what from_dict must make of it, the plan's type)
    str: ("\u2063probe", "\u2063probe", str),
    bool: (True, True, bool),
    int: (7, 7, int),
    Decimal: (1.5, 1.5, int | float),
    datetime.date: ("2000-01-02", datetime.date(2000, 1, 2), datetime.date),
}


class Plan(NamedTuple):
    """How one attrs model is read: the Struct that decodes its body and the function that builds it from that."""

    decoder: msgspec.json.Decoder[Any]
    build: Callable[[Any], Any]


class _UnknownKindError(Exception):
    """A member of a kind the probe does not know: the model is left to `from_dict`."""


_PLANS: Final[dict[tuple[type, type], Plan | None]] = {}


def plan_of(model: type[GeneratedModel], exact: type[ExactStruct]) -> Plan | None:
    """The plan of the attrs `model` whose schema the exact model `exact` reads, or None to use `from_dict`."""
    key = (model, exact)
    if key not in _PLANS:
        try:
            struct, build = _plan(model, exact)
        except (_UnknownKindError, TypeError, ValueError, KeyError, AttributeError, RecursionError):
            _PLANS[key] = None
        else:
            _PLANS[key] = Plan(msgspec.json.Decoder(struct), build)
    return _PLANS[key]


@functools.cache
def _plan(model: Any, exact: type[ExactStruct]) -> tuple[type[msgspec.Struct], Callable[[Any], Any]]:
    """The plan Struct of the attrs `model` and its builder (`attrs.fields` refuses a class that is not attrs)."""
    if not all(_is_name(field.name) for field in attrs.fields(model)):
        raise _UnknownKindError(model.__name__)
    baseline = model.from_dict({})
    members: list[tuple[str, Any, Any]] = []
    nested: dict[str, tuple[Callable[[Any], Any], bool]] = {}
    for field in msgspec.structs.fields(exact):
        name, annotation, build, is_list = _member(model, baseline, field)
        default = getattr(baseline, name)
        if isinstance(default, list | dict | set):
            raise _UnknownKindError(name)
        members.append((name, annotation, msgspec.field(name=field.encode_name, default=default)))
        if build is not None:
            nested[name] = (build, is_list)
    struct = msgspec.defstruct(
        f"{model.__name__}Plan", members, forbid_unknown_fields=True, kw_only=True, gc=False, omit_defaults=False
    )
    return struct, _compile(model, [name for name, _, _ in members], nested, baseline)


def _is_name(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name) and not name.startswith("__")


def _member(
    model: Any, baseline: Any, field: msgspec.structs.FieldInfo
) -> tuple[str, Any, Callable[[Any], Any] | None, bool]:
    """The attrs attribute that takes `field`, the plan's type for it, how its nested models are built (or None),
    and whether it is a list."""
    leaf, nullable, is_list = _shape(field.type)
    is_model = isinstance(leaf, type) and issubclass(leaf, ExactStruct)
    if not is_model and leaf not in _SCALARS:
        raise _UnknownKindError(field.name)
    sample, expected, annotation = ({}, None, leaf) if is_model else _SCALARS[leaf]
    name, value = _changed(model, baseline, {field.encode_name: [sample] if is_list else sample})
    if is_list:
        if not (isinstance(value, list) and len(value) == 1):
            raise _UnknownKindError(field.name)
        value = value[0]
    build = None
    if is_model:
        if not attrs.has(type(value)):
            raise _UnknownKindError(field.name)
        annotation, build = _plan(cast(Any, type(value)), leaf)
    elif type(value) is not type(expected) or value != expected:
        raise _UnknownKindError(field.name)
    if is_list:
        annotation = list[annotation]  # type: ignore[valid-type]
    if nullable:
        if _changed(model, baseline, {field.encode_name: None}) != (name, None):
            raise _UnknownKindError(field.name)
        annotation = annotation | None
    return name, annotation, build, is_list


def _changed(model: Any, baseline: Any, data: dict[str, Any]) -> tuple[str, Any]:
    """The one attribute `from_dict(data)` sets apart from the baseline, and its value."""
    probe = model.from_dict(data)
    if getattr(probe, _ADDITIONAL, {}) != {}:
        raise _UnknownKindError(str(data))
    changed = [
        (field.name, getattr(probe, field.name))
        for field in attrs.fields(model)
        if field.name != _ADDITIONAL and getattr(probe, field.name) is not getattr(baseline, field.name)
    ]
    if len(changed) != 1:
        raise _UnknownKindError(str(data))
    return changed[0]


def _shape(annotation: Any) -> tuple[Any, bool, bool]:
    """The one leaf type of a member, whether it is nullable, and whether it is a list of that leaf."""
    if get_origin(annotation) is Annotated:
        return _shape(get_args(annotation)[0])
    if get_origin(annotation) in {Union, types.UnionType}:
        others = [arg for arg in get_args(annotation) if arg not in {msgspec.UnsetType, type(None)}]
        if len(others) != 1:
            raise _UnknownKindError(str(annotation))
        leaf, _, is_list = _shape(others[0])
        return leaf, type(None) in get_args(annotation), is_list
    if get_origin(annotation) is list:
        leaf, nullable, is_list = _shape(get_args(annotation)[0])
        if nullable or is_list:
            raise _UnknownKindError(str(annotation))
        return leaf, False, True
    return annotation, False, False


def _compile(
    model: Any, names: list[str], nested: dict[str, tuple[Callable[[Any], Any], bool]], baseline: Any
) -> Callable[[Any], Any]:
    """`model(name=plan.name, ...)` as one function, nested plans built by their own (None and absent kept)."""
    lines = ["def build(plan):"]
    scope: dict[str, Any] = {"model": model}
    for name, (build, is_list) in nested.items():
        scope[f"build_{name}"], scope[f"absent_{name}"] = build, getattr(baseline, name)
        converted = f"[build_{name}(item) for item in value]" if is_list else f"build_{name}(value)"
        lines += [
            f"    value = plan.{name}",
            f"    {name} = value if value is None or value is absent_{name} else {converted}",
        ]
    arguments = ", ".join(f"{name}={name if name in nested else f'plan.{name}'}" for name in names)
    lines.append(f"    return model({arguments})")
    exec("\n".join(lines), scope)  # noqa: S102 - the names are the attrs model's own identifiers, checked above
    built: Callable[[Any], Any] = scope["build"]
    return built
