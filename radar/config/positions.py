"""Map a pydantic error location back to a line in the YAML file and a key path people can read.

pydantic reports ``('sources', 0, 'listing', 'selectors', 'links')``: the ``'listing'`` is the
tag of the discriminated union, not a key in the file. We walk the model's types beside the
round-trip YAML tree (ruamel keeps the line of every key and sequence item) so tags are
skipped, the line is that of the deepest key that exists, and a missing key keeps its name
in the path while pointing at its parent's line.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from ruamel.yaml.comments import CommentedMap, CommentedSeq

Loc = tuple[int | str, ...]


@dataclass(frozen=True)
class Position:
    """Where an error sits: 1-based line, printable key path and the path through the plain data."""

    line: int
    key_path: str
    data_path: Loc
    # The unwrapped type that holds the last key (a model class for an unknown key), or None.
    container: Any
    # The unwrapped type at the end of the path (a union for a missing ``kind``), or None.
    target: Any


def format_key_path(parts: Sequence[int | str]) -> str:
    """``('sources', 0, 'selectors')`` -> ``sources[0].selectors``."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def unwrap(tp: Any) -> Any:
    """Strip ``Annotated[...]`` and ``X | None`` down to the type that shapes the data."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
            continue
        if origin in (Union, types.UnionType):
            members = [arg for arg in get_args(tp) if arg is not type(None)]
            if len(members) == 1:
                tp = members[0]
                continue
        return tp


def union_tags(tp: Any) -> dict[str, type[BaseModel]] | None:
    """For a union of models told apart by ``kind``: each tag with its model; else None."""
    if get_origin(tp) not in (Union, types.UnionType):
        return None
    tags: dict[str, type[BaseModel]] = {}
    for member in map(unwrap, get_args(tp)):
        if (
            not (inspect.isclass(member) and issubclass(member, BaseModel))
            or "kind" not in member.model_fields
        ):
            return None
        annotation = member.model_fields["kind"].annotation
        if get_origin(annotation) is not Literal:
            return None
        tags.update({str(value): member for value in get_args(annotation)})
    return tags


def model_keys(model: type[BaseModel]) -> dict[str, Any]:
    """The keys a model accepts in YAML (aliases where set) with their types."""
    return {(field.alias or name): field.annotation for name, field in model.model_fields.items()}


def _step(tp: Any, element: int | str) -> tuple[bool, Any]:
    """One loc element: (is it a union tag rather than data?, the type below it)."""
    tags = union_tags(tp)
    if tags is not None:
        if isinstance(element, str) and element in tags:
            return True, tags[element]
        return False, None
    if get_origin(tp) in (Union, types.UnionType):
        return True, None  # pydantic names the member type in the loc; below it we walk data only
    if inspect.isclass(tp) and issubclass(tp, BaseModel):
        return False, model_keys(tp).get(str(element))
    origin, args = get_origin(tp), get_args(tp)
    if origin in (tuple, list, set, frozenset) or (inspect.isclass(origin) and issubclass(origin, Sequence)):
        return False, args[0] if args else None
    if inspect.isclass(origin) and issubclass(origin, Mapping):
        return False, args[1] if len(args) == 2 else None
    return False, None


_MISSING = object()


def _child(node: Any, element: int | str) -> tuple[Any, int | None]:
    """The child of a YAML node under a key or index, with its 0-based line (or _MISSING)."""
    if isinstance(node, CommentedMap):
        for key in node:
            if key == element or str(key) == str(element):
                try:
                    line: int | None = node.lc.key(key)[0]
                except (KeyError, TypeError):  # keys merged in from an anchor have no position of their own
                    line = None
                return node[key], line
    elif isinstance(node, CommentedSeq) and isinstance(element, int) and 0 <= element < len(node):
        try:
            line = node.lc.item(element)[0]
        except (KeyError, TypeError, IndexError):
            line = None
        return node[element], line
    return _MISSING, None


def start_line(tree: Any) -> int:
    """The first line of a document's content (1-based), or 1 for an empty document."""
    if isinstance(tree, CommentedMap | CommentedSeq) and tree.lc.line is not None:
        return int(tree.lc.line) + 1
    return 1


def locate(tree: Any, model: Any, loc: Loc) -> Position:
    """Follow ``loc`` through the model's types and the YAML tree."""
    node, line, tp = tree, start_line(tree), unwrap(model)
    parts: list[int | str] = []
    container: Any = None
    found = True
    for index, element in enumerate(loc):
        if element == "[key]":
            break  # pydantic's marker for "the mapping key itself is wrong": the path already ends at it
        is_tag, below = _step(tp, element) if tp is not None else (False, None)
        if is_tag:
            tp = unwrap(below)
            continue
        if found:
            child, child_line = _child(node, element)
            if child is _MISSING:
                if tp is None and index < len(loc) - 1:
                    continue  # a type we could not follow: an absent, non-final element is a tag
                found = False
            else:
                node = child
                line = child_line + 1 if child_line is not None else line
        container = tp
        parts.append(element)
        tp = unwrap(below) if below is not None else None
    return Position(line, format_key_path(parts), tuple(parts), container, tp)


def line_of(tree: Any, loc: Loc) -> int:
    """The line of a path through the plain data (no union tags in it)."""
    return locate(tree, None, loc).line
