"""``smokkelradar keywords suggest``: vocabulary that recent relevant adverts use and the keywords lack.

Per language, Elasticsearch's ``significant_text`` aggregation compares the words of recent
relevant adverts (foreground: the language, ``--since``, score at least the threshold) with
every advert of that language in the index (background), on the language-neutral ``text``
field, skipping near-duplicate text (``filter_duplicate_text``) so one advert reposted fifty
times does not make its words significant. Words the configuration already holds — any string
of any keyword file, folded like the pipeline folds, also with a glued prefix or suffix the
matcher strips — are dropped, and so are numbers and very
short words. For each suggestion a few example adverts are fetched, and a neighbouring word
that comes with it in most of them turns it into a phrase (``sea trip`` rather than ``trip``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from nlp.terms import TermMatcher
from nlp.textfold import Folder
from nlp.vocabulary import merge
from radar.config.keywords import KeywordFile
from workbench.checks.inventory import all_strings
from workbench.enriched import text_of

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

PHRASE_SHARE = 0.6  # a neighbour in this share of the examples makes a phrase
MIN_PHRASE_ADVERTS = 3


@dataclass
class Suggestion:
    term: str
    language: str
    score: float
    adverts: int  # recent relevant adverts with it
    background: int  # adverts of the language with it
    phrase: str | None = None
    examples: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "term": self.term, "phrase": self.phrase, "language": self.language,
            "score": round(self.score, 4), "adverts": self.adverts, "background": self.background,
            "examples": self.examples,
        }  # fmt: skip


def known_tokens(files: Iterable[KeywordFile], folder: Folder) -> set[str]:
    """Every folded word of every string in the keyword files."""
    known: set[str] = set()
    for keyword_file in files:
        for text in all_strings(keyword_file.model_dump(mode="json")):
            known.update(folder.phrase(text))
    return known


def known_word(files: Sequence[KeywordFile], folder: Folder) -> Callable[[str], bool]:
    """Whether the keywords already find a folded word: one of their words, or one of them with a
    glued prefix or suffix that the matcher strips (Arabic ``بالقارب`` is ``قارب``), so a glued form
    of a known word is never proposed as new."""
    known = known_tokens(files, folder)
    normalization = merge(files).normalization
    matcher: TermMatcher[str] = TermMatcher(
        folder, prefixes=normalization.prefixes, suffixes=normalization.suffixes
    )
    for token in known:
        matcher.add_folded((token,), token)

    def check(token: str) -> bool:
        if token in known:
            return True
        hits = matcher.match(folder.tokenize(token))
        return len(hits) == 1 and hits[0].first == 0 and hits[0].last == 1

    return check


def _window(since: datetime | None, min_score: float) -> list[dict[str, Any]]:
    """Recent relevant adverts: the score at least ``min_score``, dated since ``since``."""
    filters: list[dict[str, Any]] = [{"range": {"score": {"gte": min_score}}}]
    if since is not None:
        filters.append({"range": {"date": {"gte": since.isoformat()}}})
    return filters


def _foreground(language: str, since: datetime | None, min_score: float) -> dict[str, Any]:
    return {"bool": {"filter": [{"term": {"language": language}}, *_window(since, min_score)]}}


def languages_present(client: Elasticsearch, alias: str, foreground: dict[str, Any]) -> list[str]:
    response = client.search(
        index=alias,
        query=foreground,
        size=0,
        aggs={"languages": {"terms": {"field": "language", "size": 50}}},
    )
    return [bucket["key"] for bucket in response["aggregations"]["languages"]["buckets"]]


def _snippet(text: str, term: str, width: int = 140) -> str:
    flat = " ".join(text.split())
    at = flat.lower().find(term.lower())
    start = max(0, at - width // 2) if at >= 0 else 0
    piece = flat[start : start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(flat) else "")


def _phrase(term: str, texts: Sequence[str], folder: Folder) -> str | None:
    """A neighbouring word that comes with ``term`` in most texts: the phrase they use."""
    neighbours: Counter[tuple[str, ...]] = Counter()
    containing = 0
    target = folder.fold_term(term)
    for text in texts:
        words = [token.text for token in folder.tokenize(folder.fold(text).text)]
        pairs: set[tuple[str, ...]] = set()
        for i, word in enumerate(words):
            if word == target:
                if i > 0 and words[i - 1].isalpha():
                    pairs.add((words[i - 1], word))
                if i + 1 < len(words) and words[i + 1].isalpha():
                    pairs.add((word, words[i + 1]))
        containing += bool(pairs) or target in words
        neighbours.update(pairs)
    if not neighbours or containing < MIN_PHRASE_ADVERTS:
        return None
    pair, count = neighbours.most_common(1)[0]
    return " ".join(pair) if count / containing >= PHRASE_SHARE else None


def suggest(
    client: Elasticsearch,
    alias: str,
    files: Sequence[KeywordFile],
    folder: Folder,
    *,
    languages: Sequence[str] = (),
    since: datetime | None = None,
    min_score: float = 0.5,
    size: int = 15,
    examples: int = 3,
) -> list[Suggestion]:
    """The top ``size`` new terms per language, best first."""
    known = known_word(files, folder)
    found: list[Suggestion] = []
    wanted = list(languages) or languages_present(
        client, alias, {"bool": {"filter": _window(since, min_score)}}
    )
    for language in wanted:
        foreground = _foreground(language, since, min_score)
        response = client.search(
            index=alias,
            query=foreground,
            size=0,
            aggs={
                "sample": {
                    "sampler": {"shard_size": 2000},
                    "aggs": {
                        "words": {
                            "significant_text": {
                                "field": "text",
                                "size": size * 4,
                                "min_doc_count": 2,
                                "filter_duplicate_text": True,
                                "background_filter": {"term": {"language": language}},
                            }
                        }
                    },
                }
            },
        )
        buckets = response["aggregations"]["sample"]["words"]["buckets"]
        picked: list[Suggestion] = []
        for bucket in buckets:
            term = str(bucket["key"])
            tokens = folder.phrase(term)
            if not tokens or any(known(t) or t.isdigit() or len(t) < 3 for t in tokens):
                continue
            picked.append(
                Suggestion(
                    term, language, float(bucket["score"]), int(bucket["doc_count"]), int(bucket["bg_count"])
                )
            )
            if len(picked) >= size:
                break
        _add_examples(client, alias, foreground, picked, folder, examples)
        found += picked
    return found


def _add_examples(
    client: Elasticsearch,
    alias: str,
    foreground: dict[str, Any],
    picked: list[Suggestion],
    folder: Folder,
    examples: int,
) -> None:
    if not picked:
        return
    body: list[dict[str, Any]] = []
    for suggestion in picked:
        query = {"bool": {"filter": [foreground, {"match": {"text": suggestion.term}}]}}
        body += [
            {"index": alias},
            {"query": query, "size": 20, "_source": ["advert_id", "source", "title", "text"]},
        ]
    responses = client.msearch(searches=body)["responses"]
    for suggestion, answer in zip(picked, responses, strict=True):
        hits = answer.get("hits", {}).get("hits", [])
        texts = [text_of(hit["_source"]) for hit in hits]
        suggestion.phrase = _phrase(suggestion.term, texts, folder)
        suggestion.examples = [
            {"advert_id": str(hit["_source"].get("advert_id")), "source": str(hit["_source"].get("source")),
             "snippet": _snippet(text, suggestion.term)}
            for hit, text in zip(hits[:examples], texts, strict=False)
        ]  # fmt: skip
