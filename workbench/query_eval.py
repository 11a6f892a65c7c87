"""A saved search's query evaluated in Python against an advert document.

``keywords diff`` asks which saved searches would match an advert under two enrichments. The
saved search is compiled exactly as the alert matcher compiles it (``alerts.compile``,
``alerts.matcher.restricted``); this module evaluates that Elasticsearch query against the two
documents in memory, so thousands of adverts are compared without indexing them twice.

Supported: ``bool`` (must, filter, should with ``minimum_should_match``, must_not), ``terms``,
``term``, ``range``, ``wildcard``, ``ids``, ``exists``, ``match_all``. Free text
(``simple_query_string``) does not depend on the enrichment apart from the per-language copies;
it is answered by ``text_hits``: the document ids Elasticsearch matched for that query string.
Anything else raises ``UnsupportedQueryError`` (reported per saved search, never guessed).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Set
from typing import Any

from indexer.fields import LOWER_KEYWORD, advert_field_defs

# Keyword fields with the lower-case normalizer: compared without case, as Elasticsearch does.
_LOWERCASE = frozenset(field.path for field in advert_field_defs() if field.mapping == LOWER_KEYWORD)


class UnsupportedQueryError(ValueError):
    """The query uses a clause this evaluator does not know."""


def values_at(document: Mapping[str, Any], path: str) -> list[Any]:
    """Every value at a dotted path, through objects and lists of objects."""
    current: list[Any] = [document]
    for part in path.split("."):
        found: list[Any] = []
        for node in current:
            if isinstance(node, Mapping) and part in node:
                value = node[part]
                found.extend(value if isinstance(value, list) else [value])
            elif isinstance(node, list):
                for item in node:
                    if isinstance(item, Mapping) and part in item:
                        value = item[part]
                        found.extend(value if isinstance(value, list) else [value])
        current = found
    return [value for value in current if value is not None]


def _normal(field: str, value: Any) -> Any:
    return value.lower() if field in _LOWERCASE and isinstance(value, str) else value


def _terms(field: str, wanted: list[Any], document: Mapping[str, Any]) -> bool:
    present = {_normal(field, value) for value in values_at(document, field) if not isinstance(value, dict)}
    return any(_normal(field, value) in present for value in wanted)


def _range(field: str, bounds: Mapping[str, Any], document: Mapping[str, Any]) -> bool:
    checks = {"gte": lambda v, b: v >= b, "gt": lambda v, b: v > b, "lte": lambda v, b: v <= b,
              "lt": lambda v, b: v < b}  # fmt: skip
    for value in values_at(document, field):
        try:
            if all(
                checks[op](value, bound) for op, bound in bounds.items() if op in checks and bound is not None
            ):
                return True
        except TypeError:  # a date bound against a number, or the reverse: no match, as in the index
            continue
    return False


def _minimum(spec: Any, count: int) -> int:
    if isinstance(spec, int):
        return spec
    if isinstance(spec, str) and spec.endswith("%"):
        return int(count * int(spec[:-1]) / 100)
    return int(spec)


def matches(
    query: Mapping[str, Any], document: Mapping[str, Any], doc_id: str, text_hits: Mapping[str, Set[str]]
) -> bool:
    """Whether ``document`` (with ``_id`` ``doc_id``) satisfies ``query``."""
    if len(query) != 1:
        raise UnsupportedQueryError(f"a query clause must have one key, got {sorted(query)}")
    ((kind, body),) = query.items()
    if kind == "bool":
        required = [*body.get("must", []), *body.get("filter", [])]
        if not all(matches(clause, document, doc_id, text_hits) for clause in required):
            return False
        if any(matches(clause, document, doc_id, text_hits) for clause in body.get("must_not", [])):
            return False
        should = body.get("should", [])
        if should:
            default = 0 if required else 1
            needed = _minimum(body.get("minimum_should_match", default), len(should))
            return sum(matches(clause, document, doc_id, text_hits) for clause in should) >= needed
        return True
    if kind == "match_all":
        return True
    if kind == "terms":
        ((field, wanted),) = body.items()
        if isinstance(wanted, Mapping):
            raise UnsupportedQueryError("a terms lookup")
        return _terms(field, list(wanted), document)
    if kind == "term":
        ((field, wanted),) = body.items()
        value = wanted.get("value") if isinstance(wanted, Mapping) else wanted
        return _terms(field, [value], document)
    if kind == "range":
        ((field, bounds),) = body.items()
        return _range(field, bounds, document)
    if kind == "wildcard":
        ((field, spec),) = body.items()
        pattern = spec.get("value") if isinstance(spec, Mapping) else spec
        return any(fnmatch.fnmatchcase(str(value), str(pattern)) for value in values_at(document, field))
    if kind == "ids":
        return doc_id in set(body.get("values", []))
    if kind == "exists":
        return bool(values_at(document, body["field"]))
    if kind == "simple_query_string":
        return doc_id in text_hits.get(body["query"], frozenset())
    raise UnsupportedQueryError(f"the clause '{kind}'")


def text_queries(query: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The free-text clauses inside a query, to be answered by Elasticsearch once."""
    found: list[Mapping[str, Any]] = []
    for kind, body in query.items():
        if kind == "simple_query_string":
            found.append(query)
        elif kind == "bool":
            for key in ("must", "filter", "should", "must_not"):
                for clause in body.get(key, []):
                    found += text_queries(clause)
    return found
