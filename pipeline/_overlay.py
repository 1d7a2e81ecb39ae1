"""OpenAPI Overlay Specification 1.0: read an overlay document and apply its actions to an API document.

Targets are RFC 9535 JSONPath queries, resolved by python-jsonpath in its strict (RFC 9535) mode; the two kinds
of action are the specification's: ``update`` merges a value into every node the target selects (objects
recursively, arrays by appending), ``remove: true`` deletes every selected node from its parent. Actions run in
order, each against the result of the ones before it.

An action whose target selects nothing is *stale*: what it knew no longer fits the document. Applying reports
every stale action, so that an upgrader sees the whole to-do list at once. An action marked
``x-payex-may-match-nothing: true`` is a normalization over every node of a kind (drop ``text/plain``
duplicates, say), for which finding nothing to normalize is fine.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jsonpath
from jsonpath.exceptions import JSONPathError

from pipeline._spec_document import Document, SpecFetchError

__all__ = [
    "MAY_MATCH_NOTHING",
    "OVERLAY_VERSIONS",
    "Action",
    "OverlayDocumentError",
    "OverlayResult",
    "StaleOverlayError",
    "apply_overlay",
    "read_actions",
]

OVERLAY_VERSIONS = frozenset({"1.0.0"})
MAY_MATCH_NOTHING = "x-payex-may-match-nothing"

_ENVIRONMENT = jsonpath.JSONPathEnvironment(strict=True)
_ACTION_FIELDS = frozenset({"target", "description", "update", "remove"})


class OverlayDocumentError(SpecFetchError):
    """The overlay document is not a valid Overlay 1.0 document; the message names the place."""


class StaleOverlayError(SpecFetchError):
    """Actions of the overlay select nothing in the document; ``stale`` lists every one of them."""

    def __init__(self, stale: Sequence[Action]) -> None:
        self.stale = tuple(stale)
        listed = "; ".join(str(action) for action in self.stale)
        super().__init__(f"{len(self.stale)} overlay action(s) select nothing in the API document: {listed}")


@dataclass(frozen=True)
class Action:
    """One action of an overlay document."""

    index: int
    """Its position in ``actions`` (0-based)."""
    target: str
    description: str
    update: Any
    remove: bool
    may_match_nothing: bool

    def __str__(self) -> str:
        about = f" ({self.description})" if self.description else ""
        return f"actions[{self.index}] {self.target}{about}"


@dataclass(frozen=True)
class OverlayResult:
    """The document with the overlay applied, the stale actions, and how many nodes each action changed."""

    document: Document
    stale: tuple[Action, ...]
    """The actions whose target selected nothing."""
    matches: tuple[int, ...]


def read_actions(overlay: Mapping[str, Any]) -> list[Action]:
    """The actions of an Overlay 1.0 document, after checking its structure and compiling every target."""
    version = overlay.get("overlay")
    if version not in OVERLAY_VERSIONS:
        raise OverlayDocumentError(f"overlay: expected one of {sorted(OVERLAY_VERSIONS)}, got {version!r}")
    info = overlay.get("info")
    if not isinstance(info, Mapping) or not all(isinstance(info.get(key), str) for key in ("title", "version")):
        raise OverlayDocumentError("info: an overlay needs info.title and info.version (strings)")
    actions = overlay.get("actions")
    if not isinstance(actions, list) or not actions:
        raise OverlayDocumentError("actions: an overlay needs a non-empty list of actions")
    return [_action(index, raw) for index, raw in enumerate(actions)]


def apply_overlay(document: Mapping[str, Any], overlay: Mapping[str, Any]) -> OverlayResult:
    """Apply every action of ``overlay`` to a deep copy of ``document``; stale actions are reported, not raised."""
    result: Document = copy.deepcopy(dict(document))
    stale: list[Action] = []
    counts: list[int] = []
    for action in read_actions(overlay):
        locations = [tuple(match.parts) for match in _ENVIRONMENT.finditer(action.target, result)]
        counts.append(len(locations))
        if not locations:
            if not action.may_match_nothing:
                stale.append(action)
            continue
        if action.remove:
            _remove_all(result, locations, action)
        else:
            for location in locations:
                _update(result, location, action)
    return OverlayResult(result, tuple(stale), tuple(counts))


def _action(index: int, raw: Any) -> Action:
    where = f"actions[{index}]"
    if not isinstance(raw, Mapping):
        raise OverlayDocumentError(f"{where}: an action is an object")
    unknown = sorted(key for key in raw if key not in _ACTION_FIELDS and not str(key).startswith("x-"))
    if unknown:
        raise OverlayDocumentError(f"{where}: unknown field(s) {unknown}")
    target, description = raw.get("target"), raw.get("description", "")
    if not isinstance(target, str) or not target:
        raise OverlayDocumentError(f"{where}: target must be a JSONPath query string")
    if not isinstance(description, str):
        raise OverlayDocumentError(f"{where}: description must be a string")
    remove = raw.get("remove", False)
    if not isinstance(remove, bool):
        raise OverlayDocumentError(f"{where}: remove must be true or false")
    if remove == ("update" in raw):
        raise OverlayDocumentError(f"{where}: an action has either update or remove: true")
    may_match_nothing = raw.get(MAY_MATCH_NOTHING, False)
    if not isinstance(may_match_nothing, bool):
        raise OverlayDocumentError(f"{where}: {MAY_MATCH_NOTHING} must be true or false")
    try:
        _ENVIRONMENT.compile(target)
    except JSONPathError as exc:
        reason = str(exc).splitlines()[0]
        raise OverlayDocumentError(f"{where}: target {target!r} is not an RFC 9535 JSONPath query: {reason}") from None
    return Action(index, target, description, raw.get("update"), remove, may_match_nothing)


def _node(document: Document, location: tuple[str | int, ...]) -> Any:
    node: Any = document
    for part in location:
        node = node[part]
    return node


def _remove_all(document: Document, locations: list[tuple[str | int, ...]], action: Action) -> None:
    if () in locations:
        raise OverlayDocumentError(f"{action}: the root of the document cannot be removed")
    # Deepest and last first, so that removing one node never shifts the index of another still to remove.
    for location in sorted(locations, key=_removal_order, reverse=True):
        parent = _node(document, location[:-1])
        del parent[location[-1]]


def _removal_order(location: tuple[str | int, ...]) -> tuple[int, int]:
    last = location[-1]
    return len(location), last if isinstance(last, int) else -1


def _update(document: Document, location: tuple[str | int, ...], action: Action) -> None:
    node = _node(document, location)
    value = copy.deepcopy(action.update)
    if isinstance(node, list):
        node.append(value)
    elif isinstance(node, dict) and isinstance(value, dict):
        _merge(node, value)
    elif not location:
        raise OverlayDocumentError(f"{action}: the root of the document can only be merged with an object")
    else:
        _node(document, location[:-1])[location[-1]] = value


def _merge(target: dict[str, Any], update: Mapping[str, Any]) -> None:
    """Merge ``update`` into ``target``: objects recursively, arrays appended, anything else replaced."""
    for key, value in update.items():
        current = target.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            _merge(current, value)
        elif isinstance(current, list) and isinstance(value, list):
            current.extend(value)
        else:
            target[key] = value
