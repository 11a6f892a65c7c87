"""``smokkelradar keywords check``: the schema, then what the terms actually do.

``check_keywords(paths)`` reads the keyword folder each path belongs to (a named file is judged
beside its siblings: duplicates across files and the supported languages need them), runs the
loader's schema validation, and, where a file validated, the semantic checks: never-matching
terms and regular expressions (``semantics``, ``regexes``), duplicates and shadowed terms,
weights out of range (``weights``) and unsupported languages (``languages``). Findings of the
named files are returned; each is ``file:line: key.path: message``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nlp.resources import Resources
from nlp.vocabulary import merge
from radar.config.problems import ConfigProblem
from radar.errors import Code, RadarError
from workbench.checks.findings import Finding, sorted_findings
from workbench.checks.inventory import term_entries
from workbench.checks.languages import unsupported_languages
from workbench.checks.regexes import DEFAULT_TIMEOUT_S
from workbench.checks.semantics import Semantics
from workbench.checks.weights import WeightLimits, weights_out_of_range
from workbench.keyword_sets import KeywordSet, read_keyword_set


@dataclass
class CheckReport:
    findings: list[Finding] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def failed(self, strict: bool = False) -> bool:
        return bool(self.errors or (strict and self.warnings))


def check_set(
    keyword_set: KeywordSet,
    *,
    regex_timeout: float = DEFAULT_TIMEOUT_S,
    limits: WeightLimits = WeightLimits(),
) -> list[Finding]:
    """Every finding of a keyword configuration: schema problems, then (for valid files) semantics."""
    findings = [Finding(problem) for problem in keyword_set.problems]
    pairs = keyword_set.pairs()
    try:
        vocab = merge(model for _, model in pairs)
    except RadarError as error:  # two files define one single-valued section: no merged view to judge
        first = pairs[0][0].path if pairs else keyword_set.folder
        return [*findings, Finding(ConfigProblem(first, 1, "", error.message, error.code))]
    resources = Resources(vocab)
    entries = term_entries(pairs)
    semantics = Semantics(resources, entries)
    findings += semantics.never_matches(regex_timeout)
    findings += semantics.duplicates_and_shadows()
    findings += weights_out_of_range(pairs, limits)
    findings += unsupported_languages(pairs, frozenset(vocab.languages))
    return sorted_findings(findings)


def _folders(paths: Sequence[Path], keywords: Path | None) -> dict[Path, list[Path]]:
    """Named files grouped by the folder they are judged in (``keywords`` overrides their own)."""
    grouped: dict[Path, list[Path]] = {}
    for given in paths:
        path = given.absolute()
        if path.is_dir():
            grouped.setdefault(keywords.absolute() if keywords else path, [])
        else:
            grouped.setdefault(keywords.absolute() if keywords else path.parent, []).append(path)
    return grouped


def check_keywords(
    paths: Sequence[Path],
    *,
    keywords: Path | None = None,
    regex_timeout: float = DEFAULT_TIMEOUT_S,
    limits: WeightLimits = WeightLimits(),
) -> CheckReport:
    """Check files or folders; a named file is laid over its folder (or over ``keywords``)."""
    report = CheckReport()
    for folder, files in _folders(paths, keywords).items():
        missing = [path for path in files if not path.is_file()]
        for path in missing:
            problem = ConfigProblem(path, None, "", "file not found", Code.CONFIG_MISSING_FILE)
            report.findings.append(Finding(problem))
        present = [path for path in files if path.is_file()]
        if missing and not present:
            continue
        keyword_set = read_keyword_set(folder, present)
        findings = check_set(keyword_set, regex_timeout=regex_timeout, limits=limits)
        named = {path.resolve() for path in present}
        if named:
            findings = [f for f in findings if f.problem.file.resolve() in named]
        report.findings += findings
        report.files += sorted(named) if named else [doc.path for doc in keyword_set.documents]
    report.findings = sorted_findings(report.findings)
    return report
