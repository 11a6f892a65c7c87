"""Regular expressions in keyword terms: invalid ones, slow ones, and the fact that terms are not regexes.

Keyword terms are matched as plain words after folding (``nlp.terms``); the pipeline compiles
no term into a regular expression. Analysts used to other tools still write ``pass(port)?`` or
``/vis[ae]/``, and such a term silently never matches as meant. This module recognises them and
says what is wrong, in order of importance:

1. the pattern does not compile (the ``re`` module's own message and position);
2. it can backtrack catastrophically — found two ways: statically, a quantifier over a group
   that holds another quantifier or alternatives that can match the same text (``(a+)+``,
   ``(a|aa)*``); and by a probe: the pattern run on adversarial input (the repeated part many
   times, then a character that makes the match fail) in a child process that is killed when it
   runs longer than the time box, so a pathological pattern can never hang the check;
3. otherwise, that it is matched literally.

``analyse(pattern)`` is independent of keyword files, so other regex settings (a source's
``allow``/``deny``) can be checked the same way.
"""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# re's parser (the one re.compile uses); imported by name because it has no type stubs and the
# public alias sre_parse warns that it is deprecated.
_parser: Any = importlib.import_module("re._parser")
_c: Any = importlib.import_module("re._constants")

PROBE_REPEATS = 40  # 2**40 steps for an exponential pattern: never finishes, whatever the machine
DEFAULT_TIMEOUT_S = 1.0
STARTUP_ALLOWANCE_S = 3.0  # a child interpreter starts slowly on a loaded machine
_FAIL = "\x00!"  # ends every probe: no word pattern matches it, so the engine must backtrack

# Written between slashes (/vis[ae]/), or with regex syntax no advert term has.
_SLASHED = re.compile(r"^/(.+)/$")
_REGEX_SYNTAX = re.compile(
    r"\\[dDwWsSbB]|\(\?|\[[^\]\s]+\]|[\w)\]][+*?]\s*$|[)\]][+*?{]|\.[*+?]|\{\d+(,\d*)?\}|[\w)]\|[\w(]"
)


def regex_of(term: str) -> str | None:
    """The pattern a term was meant to be, or None for an ordinary term."""
    slashed = _SLASHED.match(term)
    if slashed:
        return slashed.group(1)
    return term if _REGEX_SYNTAX.search(term) else None


@dataclass(frozen=True)
class RegexReport:
    pattern: str
    error: str | None = None  # does not compile: the reason
    static: str | None = None  # what makes it prone to catastrophic backtracking
    probe_timed_out: bool = False
    probe_length: int = 0

    @property
    def slow(self) -> bool:
        return self.probe_timed_out


# ----------------------------------------------------------------------------- static analysis

_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT}


def _children(op: Any, av: Any) -> list[list[Any]]:
    """The sub-pattern lists below one parse-tree node."""
    if op in _REPEATS or op == getattr(_c, "POSSESSIVE_REPEAT", None):
        return [list(av[2])]
    if op == _c.SUBPATTERN:
        return [list(av[3])]
    if op == _c.BRANCH:
        return [list(branch) for branch in av[1]]
    if op in (_c.ASSERT, _c.ASSERT_NOT):
        return [list(av[1])]
    if op == getattr(_c, "ATOMIC_GROUP", None):
        return [list(av)]
    if op == _c.GROUPREF_EXISTS:
        return [list(part) for part in av[1:] if part is not None]
    return []


def _has_repeat(items: Iterable[Any]) -> bool:
    for op, av in items:
        if op in _REPEATS and (av[1] == _c.MAXREPEAT or av[1] > 1):
            return True
        if any(_has_repeat(child) for child in _children(op, av)):
            return True
    return False


def _first_chars(items: list[Any]) -> set[str] | None:
    """Characters a sub-pattern can start with (None: any, or unknown)."""
    for op, av in items:
        if op == _c.LITERAL:
            return {chr(av)}
        if op == _c.IN:
            chars: set[str] = set()
            for kind, value in av:
                if kind == _c.LITERAL:
                    chars.add(chr(value))
                elif kind == _c.RANGE and value[1] - value[0] < 256:
                    chars.update(chr(code) for code in range(value[0], value[1] + 1))
                else:
                    return None
            return chars
        if op in (_c.AT,):
            continue
        if op == _c.SUBPATTERN:
            return _first_chars(list(av[3]))
        return None
    return set()  # empty: matches the empty string


def _overlapping_branch(items: Iterable[Any]) -> bool:
    for op, av in items:
        if op == _c.BRANCH:
            starts = [_first_chars(list(branch)) for branch in av[1]]
            if any(start is None or not start for start in starts):
                return True
            seen: set[str] = set()
            for start in starts:
                if start is not None and seen & start:
                    return True
                seen |= start or set()
        if any(_overlapping_branch(child) for child in _children(op, av)):
            return True
    return False


def static_risk(parsed: Iterable[Any]) -> str | None:
    """Why a quantifier in the pattern can backtrack exponentially, or None."""
    for op, av in parsed:
        if op in _REPEATS and (av[1] == _c.MAXREPEAT or av[1] > 1):
            body = list(av[2])
            if _has_repeat(body):
                return "a quantified group contains another quantifier (nested quantifiers, like (a+)+)"
            if _overlapping_branch(body):
                return "a quantified group has alternatives that can match the same text (like (a|aa)*)"
        for child in _children(op, av):
            risk = static_risk(child)
            if risk:
                return risk
    return None


# ----------------------------------------------------------------------------- probe


def _sample(items: Iterable[Any], repeats: int, inner: bool = False) -> str:
    """A short text the items match; quantified parts repeated ``repeats`` times when ``inner``."""
    out: list[str] = []
    for op, av in items:
        if op == _c.LITERAL:
            out.append(chr(av))
        elif op == _c.NOT_LITERAL:
            out.append("a" if av != ord("a") else "b")
        elif op == _c.ANY:
            out.append("a")
        elif op == _c.IN:
            out.append(_class_sample(av))
        elif op in _REPEATS:
            times = max(av[0], 1)
            if inner and (av[1] == _c.MAXREPEAT or av[1] > 1):
                times = max(times, repeats)
            out.append(_sample(av[2], repeats, inner) * times)
        elif op == _c.SUBPATTERN:
            out.append(_sample(av[3], repeats, inner))
        elif op == _c.BRANCH:
            out.append(_sample(av[1][0], repeats, inner))
    return "".join(out)


def _class_sample(av: Any) -> str:
    for kind, value in av:
        if kind == _c.LITERAL:
            return chr(value)
        if kind == _c.RANGE:
            return chr(value[0])
        if kind == _c.CATEGORY:
            return {_c.CATEGORY_DIGIT: "1", _c.CATEGORY_SPACE: " "}.get(value, "a")
    return "a"


def probes(parsed: list[Any], repeats: int = PROBE_REPEATS) -> list[str]:
    """Adversarial inputs: the pattern's repeated parts pumped, then a character that fails the match."""
    found: list[str] = []
    for index, (op, av) in enumerate(parsed):
        if op in _REPEATS and (av[1] == _c.MAXREPEAT or av[1] > 1):
            prefix = _sample(parsed[:index], 1)
            unit = _sample(av[2], 1)
            found.append(prefix + (unit or "a") * repeats + _FAIL)
            found.append(prefix + _sample(av[2], repeats, inner=True) + _FAIL)
        elif op == _c.SUBPATTERN:
            prefix = _sample(parsed[:index], 1)
            found += [prefix + probe for probe in probes(list(av[3]), repeats)]
    return found or [_sample(parsed, repeats, inner=True) + _FAIL]


_CHILD = """
import json, re, sys
job = json.loads(sys.stdin.read())
pattern = re.compile(job["pattern"])
for text in job["probes"]:
    pattern.search(text)
print("done")
"""


def probe_times_out(pattern: str, inputs: list[str], timeout_s: float) -> bool:
    """Run ``pattern`` over ``inputs`` in a child interpreter; True when it did not finish in time."""
    job = json.dumps({"pattern": pattern, "probes": inputs})
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-c", _CHILD],
            input=job,
            capture_output=True,
            text=True,
            timeout=timeout_s + STARTUP_ALLOWANCE_S,
            check=False,
        )
    except subprocess.TimeoutExpired:  # subprocess.run kills the child before raising
        return True
    return "done" not in done.stdout


def analyse(pattern: str, timeout_s: float = DEFAULT_TIMEOUT_S) -> RegexReport:
    """Compile, inspect and probe one pattern."""
    try:
        parsed = list(_parser.parse(pattern).data)
    except re.error as error:
        where = f" at position {error.pos}" if error.pos is not None else ""
        return RegexReport(pattern, error=f"{error.msg}{where}")
    inputs = probes(parsed)
    return RegexReport(
        pattern,
        static=static_risk(parsed),
        probe_timed_out=probe_times_out(pattern, inputs, timeout_s),
        probe_length=max(len(text) for text in inputs),
    )
