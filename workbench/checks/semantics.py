"""Checks of what terms do, judged with the pipeline's own folding and matching rules.

* **never matches** — a term that folds to nothing, one whose letters are written apart (adverts
  are de-obfuscated before matching, so ``w h a t s`` never occurs in them), and one written as a
  regular expression (terms are plain words; see ``regexes``);
* **duplicate** — the same folded phrase twice for the same label; and the same phrase for two
  labels of one concern (both fire: usually a slip; for relevance rules, which add up by design,
  only when their weights pull the score opposite ways);
* **shadowed** — a term another one already covers: a word under a language that is also under
  ``any``; a word that is another word of the same label plus a glued prefix or suffix the
  matcher strips anyway; a place name an earlier place already has (the gazetteer keeps the
  first, so the later one never takes effect).

Every comparison uses ``nlp.textfold.Folder`` and ``nlp.terms.TermMatcher`` exactly as the
pipeline builds them, so "the same" here means the same to the matcher.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from nlp.resources import Resources
from nlp.terms import TermMatcher
from radar.config.positions import format_key_path, line_of
from radar.config.problems import display_path
from radar.errors import Code
from workbench.checks.findings import Finding, finding
from workbench.checks.inventory import AFFIX_CONCERNS, PLACES, TermEntry
from workbench.checks.regexes import DEFAULT_TIMEOUT_S, analyse, regex_of

EVERYWHERE = "*"
RELEVANCE = "relevance"


def where(entry: TermEntry) -> str:
    """``line 12`` in the same file, else ``config/keywords/transport.yaml:12``."""
    return f"{display_path(entry.path)}:{line_of(entry.tree, entry.loc)}"


def _at(entry: TermEntry, other: TermEntry) -> str:
    line = line_of(other.tree, other.loc)
    place = f"line {line}" if other.path == entry.path else where(other)
    return f"{place} ({format_key_path(other.loc)})"


class Semantics:
    """The checks over one keyword configuration (its merged vocabulary gives folding and languages)."""

    def __init__(self, resources: Resources, entries: Sequence[TermEntry]) -> None:
        self.folder = resources.folder
        self.resources = resources
        self.entries = entries
        self.gated = resources.gated_languages
        self.tokens = {entry.order: self.folder.phrase(entry.term) for entry in entries}
        self.weights = {rule.name: rule.weight for rule in resources.vocab.relevance_rules}

    def scope(self, entry: TermEntry) -> str:
        """Where a term fires: its language for gated Latin words, everywhere otherwise (nlp.terms)."""
        tokens = self.tokens[entry.order]
        gated = entry.language in self.gated and any(t.isascii() and t.isalpha() for t in tokens)
        return entry.language if gated else EVERYWHERE

    # ------------------------------------------------------------------ never matches

    def never_matches(self, regex_timeout: float = DEFAULT_TIMEOUT_S) -> Iterator[Finding]:
        for entry in self.entries:
            yield from self._never(entry, regex_timeout)

    def _never(self, entry: TermEntry, regex_timeout: float) -> Iterator[Finding]:
        term = entry.term
        pattern = regex_of(term)
        if pattern is not None:
            yield _regex_finding(entry, pattern, regex_timeout)
            return
        if not self.tokens[entry.order]:
            message = f"'{term}' can never match: normalization removes every character of it"
            yield finding(entry.path, entry.tree, entry.loc, message, Code.KEYWORD_NEVER_MATCHES)
            return
        plain = self.folder.fold_term(term)
        joined = self.folder.fold(term).text
        if plain != joined:
            message = (
                f"'{term}' can never match: adverts have letters written apart joined before matching "
                f"(normalization.obfuscation_separators), so this reads '{joined}' in an advert; write it so"
            )
            yield finding(entry.path, entry.tree, entry.loc, message, Code.KEYWORD_NEVER_MATCHES)

    # ------------------------------------------------------------------ duplicates and shadows

    def duplicates_and_shadows(self) -> Iterator[Finding]:
        by_phrase: dict[tuple[str, tuple[str, ...]], list[TermEntry]] = defaultdict(list)
        for entry in self.entries:
            tokens = self.tokens[entry.order]
            if tokens and regex_of(entry.term) is None:
                by_phrase[(entry.concern, tokens)].append(entry)
        for (concern, _), same in by_phrase.items():
            if len(same) > 1:
                if concern == PLACES:
                    yield from self._place_shadows(same)
                else:
                    yield from self._same_phrase(same)
        yield from self._affix_shadows(by_phrase)

    def _same_phrase(self, same: list[TermEntry]) -> Iterator[Finding]:
        for index, entry in enumerate(same):
            for earlier in same[:index]:
                found = self._compare(entry, earlier)
                if found is not None:
                    yield found
                    break

    def _compare(self, entry: TermEntry, earlier: TermEntry) -> Finding | None:
        """The finding for ``entry`` against an earlier term with the same folded phrase, if any."""
        if entry.payload == earlier.payload:
            if entry.language == earlier.language:
                folded = " ".join(self.tokens[entry.order])
                alike = "" if entry.term == earlier.term else f" (both read '{folded}' once folded)"
                message = f"duplicate term '{entry.term}': also at {_at(entry, earlier)}{alike}"
                return self._warn(entry, message, Code.KEYWORD_DUPLICATE)
            if "any" in (entry.language, earlier.language):
                wide, narrow = (earlier, entry) if earlier.language == "any" else (entry, earlier)
                message = (
                    f"'{narrow.term}' under '{narrow.language}' is shadowed by '{wide.term}' under "
                    f"'any' at {_at(narrow, wide)}, which counts in adverts of every language"
                )
                return self._warn(narrow, message, Code.KEYWORD_SHADOWED)
            return None  # the same word listed per language: the files' own convention
        overlap = entry.language == earlier.language or EVERYWHERE in (self.scope(entry), self.scope(earlier))
        if not overlap:
            return None
        if entry.concern == RELEVANCE:
            return self._two_rules(entry, earlier)
        message = (
            f"'{entry.term}' means '{entry.payload}' here and '{earlier.payload}' at "
            f"{_at(entry, earlier)}: an advert with it gets both"
        )
        return self._warn(entry, message, Code.KEYWORD_DUPLICATE)

    def _two_rules(self, entry: TermEntry, earlier: TermEntry) -> Finding | None:
        """A phrase in two relevance rules. Rules are cues that add up, so a word that is evidence
        of two (news vocabulary and a missing person: "missing") counting for both is how scoring
        works; only weights of opposite signs are a slip: the word raises and lowers the score."""
        weight, other = self.weights.get(entry.payload, 0.0), self.weights.get(earlier.payload, 0.0)
        if weight * other >= 0:
            return None
        message = (
            f"'{entry.term}' is in rule '{entry.payload}' ({weight:+g}) here and in rule '{earlier.payload}' "
            f"({other:+g}) at {_at(entry, earlier)}: it raises and lowers the score at once"
        )
        return self._warn(entry, message, Code.KEYWORD_DUPLICATE)

    def _place_shadows(self, same: list[TermEntry]) -> Iterator[Finding]:
        # The gazetteer adds curated places first, then country aliases, and keeps the first entry.
        ranked = sorted(same, key=lambda e: (e.loc[0] == "country_aliases", e.order))
        first = ranked[0]
        for entry in ranked[1:]:
            if entry.loc[:2] == first.loc[:2]:
                continue  # one place's own spellings that fold alike (Çeşme, Cesme): deliberate
            if entry.payload == first.payload:
                message = f"duplicate name '{entry.term}': also at {_at(entry, first)}"
                yield self._warn(entry, message, Code.KEYWORD_DUPLICATE)
            else:
                message = (
                    f"'{entry.term}' is shadowed: {first.payload} at {_at(entry, first)} has the same name "
                    f"and comes first, so it always means {first.payload}"
                )
                yield self._warn(entry, message, Code.KEYWORD_SHADOWED)

    def _affix_shadows(
        self, by_phrase: dict[tuple[str, tuple[str, ...]], list[TermEntry]]
    ) -> Iterator[Finding]:
        """One-word terms the matcher would find anyway through a shorter term plus a glued affix."""
        words: dict[tuple[str, str], list[TermEntry]] = defaultdict(list)
        for (concern, tokens), same in by_phrase.items():
            if concern in AFFIX_CONCERNS and len(tokens) == 1:
                for entry in same:
                    words[(concern, entry.payload)].append(entry)
        normalization = self.resources.vocab.normalization
        for group in words.values():
            for entry in group:
                word = self.tokens[entry.order][0]
                for base in group:
                    stem = self.tokens[base.order][0]
                    if (
                        stem == word
                        or stem not in word
                        or self.scope(base) not in (EVERYWHERE, self.scope(entry))
                    ):
                        continue
                    matcher: TermMatcher[str] = TermMatcher(
                        self.folder, prefixes=normalization.prefixes, suffixes=normalization.suffixes
                    )
                    matcher.add(base.term, base.payload, base.language)
                    written = self.folder.tokenize(self.folder.fold_term(entry.term))
                    hits = matcher.match(written)
                    if hits and hits[0].first == 0 and hits[0].last == len(written):
                        affix = " + ".join(part for part in (hits[0].prefix, hits[0].suffix) if part)
                        message = (
                            f"'{entry.term}' is shadowed by '{base.term}' at {_at(entry, base)}: the matcher "
                            f"strips the glued '{affix}' and finds it anyway"
                        )
                        yield self._warn(entry, message, Code.KEYWORD_SHADOWED)
                        break

    @staticmethod
    def _warn(entry: TermEntry, message: str, code: Code) -> Finding:
        return finding(entry.path, entry.tree, entry.loc, message, code, "warning")


def _regex_finding(entry: TermEntry, pattern: str, timeout: float) -> Finding:
    report = analyse(pattern, timeout)
    literal = "keyword terms are plain words, never regular expressions: list each spelling instead"
    if report.error is not None:
        message = f"bad regular expression '{pattern}': {report.error} ({literal})"
        return finding(entry.path, entry.tree, entry.loc, message, Code.CONFIG_BAD_REGEX)
    if report.static or report.slow:
        why = report.static or "the probe shows it"
        probe = (
            f"a probe of {report.probe_length} characters did not finish within {timeout:g} s"
            if report.slow
            else f"a probe of {report.probe_length} characters finished, but other input may not"
        )
        message = f"regular expression '{pattern}' can backtrack catastrophically: {why}; {probe} ({literal})"
        return finding(entry.path, entry.tree, entry.loc, message, Code.KEYWORD_SLOW_REGEX)
    message = f"'{entry.term}' never matches as meant: it is written as a regular expression, but {literal}"
    return finding(entry.path, entry.tree, entry.loc, message, Code.KEYWORD_NEVER_MATCHES)
