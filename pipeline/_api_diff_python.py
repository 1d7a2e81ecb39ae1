"""Python level of the API diff: regenerate both documents and compare the packages' public API with griffe.

griffe finds what breaks callers (removed objects, parameters added or made required, ...); it does not yet
compare annotations or values, so our checks add changed attribute and parameter types, changed ``Literal``
and constant values, and what was added.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.metadata
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import griffe

from pipeline._api_diff_report import Finding, code_span
from pipeline.generate import CONFIG, EXACT_BASE, EXACT_LAYER_OPTIONS, GENERATED_PACKAGE, STRICT_LAYER_OPTIONS, generate

__all__ = ["GENERATORS", "generated_package", "generator_versions", "load_package", "python_findings"]

GENERATORS = ("openapi-python-client", "datamodel-code-generator")
_PREFIX = GENERATED_PACKAGE + "."


def generator_versions() -> dict[str, str]:
    """Installed versions of the generators (and griffe)."""
    versions = {}
    for name in (*GENERATORS, "griffe"):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def generated_package(snapshot: bytes, work: Path, cache: Path | None = None) -> Path:
    """The folder holding the package generated from a snapshot, reused from ``cache`` when it was made before.

    The cache key covers the snapshot, the generators' versions, their options and their configuration.
    """
    key = hashlib.sha256(
        b"\0".join(
            [
                snapshot,
                repr(sorted(generator_versions().items())).encode(),
                repr(STRICT_LAYER_OPTIONS).encode(),
                repr(EXACT_LAYER_OPTIONS).encode(),
                CONFIG.read_bytes(),
                EXACT_BASE.read_bytes(),
            ]
        )
    ).hexdigest()[:24]
    if cache is not None and (cache / key / GENERATED_PACKAGE).is_dir():
        return cache / key
    spec = work / key / "openapi.yaml"
    spec.parent.mkdir(parents=True, exist_ok=True)
    spec.write_bytes(snapshot)
    out_root = work / key / "out"
    generate(spec, out_root)
    if cache is None:
        return out_root
    cache.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=cache))
    shutil.copytree(out_root / GENERATED_PACKAGE, staging / GENERATED_PACKAGE)
    try:
        staging.rename(cache / key)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
    return cache / key


def load_package(root: Path) -> griffe.Module:
    """The generated package below ``root``, read statically."""
    module = griffe.load(
        GENERATED_PACKAGE,
        search_paths=[root],
        try_relative_path=False,
        resolve_aliases=False,
        allow_inspection=False,
        docstring_parser=None,
    )
    if not isinstance(module, griffe.Module):
        raise TypeError(f"{GENERATED_PACKAGE} below {root} is not a package")
    return module


def python_findings(old: griffe.Module, new: griffe.Module) -> list[Finding]:
    """griffe's breaking changes between the two packages, then ours."""
    found = [_breakage(breakage) for breakage in griffe.find_breaking_changes(old, new)]
    old_objects, new_objects = dict(_public_objects(old)), dict(_public_objects(new))
    for path, obj in new_objects.items():
        parent = path.rpartition(".")[0]
        if path not in old_objects and (parent in old_objects or parent == new.path):
            found.append(_finding(f"{obj.kind.value} added", obj, False, "ours", "added"))
    for path in sorted(old_objects.keys() & new_objects.keys()):
        found += _changes(old_objects[path], new_objects[path])
    return found


def _short(path: str) -> str:
    return path.removeprefix(_PREFIX)


def _finding(change: str, obj: griffe.Object | griffe.Alias, breaking: bool, source: str, category: str) -> Finding:
    """A finding on ``obj``: its parent is the place, its name the scope rows merge by."""
    parent = _short(obj.parent.path) if obj.parent is not None else ""
    return Finding(
        "python",
        change,
        f"{code_span(parent)}",
        breaking,
        source,
        category=category,
        scope=obj.name,
        pointer=_short(obj.path),
    )


def _breakage(breakage: griffe.Breakage) -> Finding:
    kind = breakage.kind
    old_value, new_value = breakage.old_value, breakage.new_value
    parameter = new_value if isinstance(new_value, griffe.Parameter) else old_value
    if isinstance(parameter, griffe.Parameter):
        change = f"{kind.value.lower()}: {code_span(parameter.name)}"
    elif kind is griffe.BreakageKind.OBJECT_REMOVED:
        change = f"{_kind_name(breakage.obj)} removed"
    else:
        change = f"{kind.value.lower()}: {code_span(old_value)} → {code_span(new_value)}"
    return _finding(change, breakage.obj, True, "griffe", kind.name.lower())


def _kind_name(obj: griffe.Object | griffe.Alias) -> str:
    try:
        return obj.kind.value
    except griffe.AliasResolutionError:
        return "object"


def _public_objects(module: griffe.Module) -> Iterator[tuple[str, griffe.Object]]:
    """Modules, classes, functions and attributes defined (not imported) in the package, without private names."""
    pending: list[griffe.Object] = [module]
    while pending:
        current = pending.pop()
        for name, member in current.members.items():
            if member.is_alias or name.startswith("_") or not isinstance(member, griffe.Object):
                continue
            yield member.path, member
            if member.is_module or member.is_class:
                pending.append(member)


def _changes(old: griffe.Object, new: griffe.Object) -> Iterator[Finding]:
    if isinstance(old, griffe.Attribute) and isinstance(new, griffe.Attribute):
        yield from _attribute_changes(old, new)
    elif isinstance(old, griffe.Function) and isinstance(new, griffe.Function):
        new_parameters = {parameter.name: parameter for parameter in new.parameters}
        old_names = {parameter.name for parameter in old.parameters}
        for parameter in new.parameters:
            if parameter.name not in old_names and not parameter.required:
                yield _finding(
                    f"optional parameter added: {code_span(parameter.name)}", new, False, "ours", "parameter-added"
                )
        for parameter in old.parameters:
            after = new_parameters.get(parameter.name)
            before_type, after_type = _type_text(parameter.annotation), _type_text(after and after.annotation)
            if after is not None and before_type != after_type:
                # A parameter that accepts more (`GroupView` → `GroupView | Unset`) keeps every call working.
                widened = _accepts(after_type, before_type)
                verb = "widened" if widened else "changed"
                types = f"{code_span(before_type)} → {code_span(after_type)}"
                change = f"parameter {code_span(parameter.name)} type {verb}: {types}"
                yield _finding(change, new, not widened, "ours", "parameter-widened" if widened else "parameter-type")
        before_returns, after_returns = _type_text(old.returns), _type_text(new.returns)
        if before_returns != after_returns:
            change = f"return type changed: {code_span(before_returns)} → {code_span(after_returns)}"
            yield _finding(change, new, False, "ours", "return-type")


def _attribute_changes(old: griffe.Attribute, new: griffe.Attribute) -> Iterator[Finding]:
    before_type, after_type = _type_text(old.annotation), _type_text(new.annotation)
    if before_type != after_type and _union(after_type) == _union(before_type) | {"None"}:
        yield _finding("may now be None (its type gains `None`)", new, True, "ours", "attribute-nullable")
    elif before_type != after_type and _union(after_type) > _union(before_type):
        # Wider (`str` → `str | Unset`): code setting it keeps working, code reading it may meet the new members.
        widened = _finding(
            f"type widened: {code_span(before_type)} → {code_span(after_type)}", new, False, "ours", "attribute-widened"
        )
        yield replace(widened, severity="warning")
    elif before_type != after_type:
        yield _finding(
            f"type changed: {code_span(before_type)} → {code_span(after_type)}", new, True, "ours", "attribute-type"
        )
    if not (old.parent is not None and old.parent.is_module):
        return
    before_value, after_value = _text(old.value), _text(new.value)
    if before_value == after_value:
        return
    before_members, after_members = _members(before_value), _members(after_value)
    if before_members is None or after_members is None:
        yield _finding(
            f"value changed: {code_span(before_value)} → {code_span(after_value)}", new, True, "ours", "value"
        )
        return
    removed = [value for value in before_members if value not in after_members]
    added = [value for value in after_members if value not in before_members]
    if removed:
        # Code passing a removed value breaks, code receiving values does not: the spec level knows which.
        removal = _finding(f"values removed: {', '.join(removed)}", new, False, "ours", "values-removed")
        yield replace(removal, severity="warning")
    if added:
        yield _finding(f"values added: {', '.join(added)}", new, False, "ours", "values-added")


def _accepts(wider: str, narrower: str) -> bool:
    """Whether an annotation accepts every value another does, and more (``int`` passes where ``float`` is asked)."""
    before, after = _union(narrower), _union(wider)
    return after != before and all(member in after or (member == "int" and "float" in after) for member in before)


def _union(text: str) -> set[str]:
    """The members of a union annotation as text (``A | None (alias 'x')`` → {A, None}, alias kept apart)."""
    kind, _, alias = text.partition(" (alias ")
    return {part.strip() for part in kind.split(" | ")} | ({f"alias {alias}"} if alias else set())


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _type_text(annotation: Any) -> str:
    """An annotation as text; ``Annotated[T, Field(...)]`` keeps T and the field's alias, not its description."""
    text = _text(annotation)
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        return text
    if isinstance(node, ast.Subscript) and _name(node.value) == "Annotated" and isinstance(node.slice, ast.Tuple):
        kept = ast.unparse(node.slice.elts[0])
        aliases = [
            ast.unparse(keyword.value)
            for extra in node.slice.elts[1:]
            if isinstance(extra, ast.Call)
            for keyword in extra.keywords
            if keyword.arg == "alias"
        ]
        return f"{kept} (alias {', '.join(aliases)})" if aliases else kept
    return ast.unparse(node)


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _members(text: str) -> list[str] | None:
    """The elements of a ``Literal[...]`` or of a literal set, list or tuple, as source text; None otherwise."""
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        return None
    if isinstance(node, ast.Subscript) and _name(node.value) == "Literal":
        elements = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    elif isinstance(node, ast.Set | ast.List | ast.Tuple):
        elements = node.elts
    else:
        return None
    if not all(isinstance(element, ast.Constant) for element in elements):
        return None
    return [ast.unparse(element) for element in elements]
