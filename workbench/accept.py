"""``smokkelradar keywords accept TERM --file F --concern C``: a suggested term into a keyword file.

The file is read with ruamel's round-trip loader, which knows the line and column of every key
and list item. The term is then written in place at that position — appended to the language's
list (``any: [boat, "dinghy", …]`` or a block list), or as a new ``<lang>: ["term"]`` line when
the language has none yet — so comments, quoting and the hand-made line breaks of long lists stay
exactly as the analyst wrote them (a full ruamel dump would re-flow every long list). When the
place cannot be edited in place (a flow mapping), the whole file is dumped by ruamel round-trip,
which still keeps the comments. The edited file is then read back and checked like ``keywords
check``; a new error puts the original file back and fails.

Concerns: ``documents.<value>``, ``document_qualifiers.<value>``, ``services.<value>``,
``transport.<value>``, ``kinds.<value>`` (price kinds), ``platforms.<value>`` (messengers) and
``relevance.<rule name>``.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from radar.config.positions import Loc, format_key_path
from radar.errors import Code, RadarError
from workbench.checks import check_keywords
from workbench.checks.findings import Finding

# concern prefix -> (path of the list of groups, key naming a group)
CONCERNS: dict[str, tuple[Loc, str]] = {
    "documents": (("documents",), "value"),
    "document_qualifiers": (("document_qualifiers",), "value"),
    "services": (("services",), "value"),
    "transport": (("transport",), "value"),
    "kinds": (("prices", "kinds"), "value"),
    "platforms": (("contacts", "platforms"), "value"),
    "relevance": (("relevance", "rules"), "name"),
}


@dataclass(frozen=True)
class Accepted:
    file: Path
    key_path: str
    line: int
    warnings: list[Finding]
    in_place: bool  # False: the file was dumped by ruamel round-trip


def _fail(message: str) -> RadarError:
    return RadarError(Code.KEYWORD_ACCEPT_FAILED, message)


def _node(tree: Any, loc: Loc) -> Any:
    for part in loc:
        tree = tree[part]
    return tree


def locate_terms(tree: Any, concern: str) -> Loc:
    """The path of the ``terms`` mapping of a concern such as ``transport.boat``."""
    section, _, name = concern.partition(".")
    if section not in CONCERNS or not name:
        known = ", ".join(f"{key}.<name>" for key in CONCERNS)
        raise _fail(f"unknown concern {concern!r}: use one of {known}")
    base, key = CONCERNS[section]
    try:
        groups = _node(tree, base)
    except (KeyError, TypeError, IndexError):
        raise _fail(f"this file has no {format_key_path(base)}") from None
    for index, group in enumerate(groups or []):
        if isinstance(group, dict) and str(group.get(key)) == name:
            if not isinstance(group.get("terms"), dict):
                raise _fail(f"{format_key_path((*base, index))} has no terms mapping to add to")
            return (*base, index, "terms")
    names = ", ".join(str(g.get(key)) for g in groups or [] if isinstance(g, dict))
    raise _fail(f"no {section} named {name!r} in this file (there are: {names})")


def concerns_of(path: Path) -> list[str]:
    """Every concern ``path`` holds that a term can be accepted into (``transport.boat`` …), in file
    order: what a form offers, so the analyst picks a place that exists instead of typing one."""
    tree = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    found: list[str] = []
    for section, (base, key) in CONCERNS.items():
        try:
            groups = _node(tree, base)
        except (KeyError, TypeError, IndexError):
            continue
        for group in groups if isinstance(groups, list) else []:
            if isinstance(group, dict) and isinstance(group.get("terms"), dict) and group.get(key):
                found.append(f"{section}.{group[key]}")
    return found


def _item_end(line: str, column: int) -> int:
    """Where a flow-sequence item starting at ``column`` ends (quoted or plain scalar)."""
    quote = line[column] if column < len(line) else ""
    if quote in ('"', "'"):
        index = column + 1
        while index < len(line):
            if quote == '"' and line[index] == "\\":
                index += 2
                continue
            if line[index] == quote:
                if quote == "'" and line[index + 1 : index + 2] == "'":
                    index += 2
                    continue
                return index + 1
            index += 1
        return len(line)
    index = column
    while index < len(line) and line[index] not in ",]":
        index += 1
    return len(line[:index].rstrip())


def _edit_in_place(text: str, terms: CommentedMap, language: str, term: str, key_line: int) -> str | None:
    """The file with ``term`` added, edited at ruamel's positions; None when it cannot be done so.

    ``key_line`` is the line of the ``terms:`` key: a new language goes right below it, before any
    comment that belongs to the first language."""
    lines = text.splitlines(keepends=True)
    quoted = json.dumps(term, ensure_ascii=False)
    if getattr(terms, "fa", None) is not None and terms.fa.flow_style():
        return None
    if language in terms:
        seq = terms[language]
        if not isinstance(seq, CommentedSeq) or not seq:
            return None
        line, column = seq.lc.item(len(seq) - 1)
        if seq.fa.flow_style():
            end = _item_end(lines[line], column)
            lines[line] = lines[line][:end] + f", {quoted}" + lines[line][end:]
        else:
            indent = " " * (column - 2)
            newline = "\n" if lines[line].endswith("\n") else ""
            lines.insert(line + 1, f"{indent}- {quoted}{newline}")
            if not newline:
                lines[line] += "\n"
        return "".join(lines)
    first = next(iter(terms), None)
    if first is None:
        return None
    line, column = terms.lc.key(first)
    if line <= key_line:
        return None
    lines.insert(key_line + 1, f"{' ' * column}{language}: [{quoted}]\n")
    return "".join(lines)


def _round_trip(tree: Any, loc: Loc, language: str, term: str) -> str:
    terms = _node(tree, loc)
    if language in terms:
        terms[language].append(term)
    else:
        terms[language] = CommentedSeq([term])
        terms[language].fa.set_flow_style()
    yaml = YAML(typ="rt")
    yaml.width = 4096
    out = io.StringIO()
    yaml.dump(tree, out)
    return out.getvalue()


def _write(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as output:
        output.write(text)
    Path(temporary).replace(path)


def accept_term(
    path: Path, term: str, concern: str, language: str = "any", *, context: Path | None = None
) -> Accepted:
    """Add ``term`` under ``language`` to ``concern`` in ``path``; check; put the file back on a new error."""
    term = term.strip()
    if not term:
        raise _fail("the term is empty")
    original = path.read_text(encoding="utf-8")
    tree = YAML(typ="rt").load(original)
    loc = locate_terms(tree, concern)
    terms = _node(tree, loc)
    existing = list(terms.get(language) or [])
    if term in existing:
        raise _fail(f"'{term}' is already listed under {format_key_path((*loc, language))}")
    parent = _node(tree, loc[:-1])
    edited = _edit_in_place(original, terms, language, term, parent.lc.key(loc[-1])[0])
    in_place = edited is not None
    if edited is not None:
        reread = _node(YAML(typ="rt").load(edited), loc)
        if list(reread.get(language) or []) != [*existing, term]:
            edited, in_place = None, False  # the in-place edit did not land where meant: dump instead
    if edited is None:
        edited = _round_trip(tree, loc, language, term)
    _write(path, edited)
    key_path = format_key_path((*loc, language, len(existing)))
    mine = (key_path, format_key_path((*loc, language)))
    new = [finding for finding in _findings(path, context) if finding.problem.key_path in mine]
    errors = [finding for finding in new if finding.severity == "error"]
    if errors:
        _write(path, original)
        raise _fail(f"'{term}' was not added: " + "; ".join(str(finding) for finding in errors))
    position = _node(YAML(typ="rt").load(edited), loc)[language]
    line = position.lc.item(len(position) - 1)[0] + 1
    return Accepted(path, key_path, line, new, in_place)


def _findings(path: Path, context: Path | None) -> Sequence[Finding]:
    return check_keywords([path], keywords=context).findings
