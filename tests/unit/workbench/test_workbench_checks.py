"""``keywords check``: one broken fixture per problem class, each with the exact message it must
produce (file:line: key.path: message [code]); the shipped keywords have no errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nlp.vocabulary import merge
from radar.cli import app
from radar.config.problems import display_path
from workbench.checks import CheckReport, check_keywords
from workbench.keyword_sets import SHIPPED_KEYWORDS, load_files

FIXTURES = Path(__file__).parent / "fixtures"
LITERAL = "keyword terms are plain words, never regular expressions: list each spelling instead"
SUPPORTED = ", ".join(sorted(merge(load_files(SHIPPED_KEYWORDS)).languages))

EXPECTED: dict[str, list[str]] = {
    "duplicate": [
        "6: transport[0].terms.any[1]: duplicate term 'zzferry': also at line 6 (transport[0].terms.any[0])"
        "  [SR-E120 warning]",
    ],
    "shadowed": [
        "7: transport[0].terms.en[0]: 'zzdinghy' under 'en' is shadowed by 'zzdinghy' under 'any' at line 6 "
        "(transport[0].terms.any[0]), which counts in adverts of every language  [SR-E121 warning]",
        "8: transport[0].terms.ar[1]: 'الززبلم' is shadowed by 'ززبلم' at line 8 "
        "(transport[0].terms.ar[0]): the matcher strips the glued 'ال' and finds it anyway"
        "  [SR-E121 warning]",
    ],
    "rule_overlap": [
        "8: relevance.rules[1].terms.any[0]: 'zzboth' is in rule 'zz_news' (-1) here and in rule 'zz_offer' "
        "(+1) at line 7 (relevance.rules[0].terms.any[0]): it raises and lowers the score at once"
        "  [SR-E120 warning]",
    ],
    "places_shadow": [
        "5: places[1].names[0]: 'Zzport' is shadowed: Zzport (LY) at line 4 (places[0].name) has the "
        "same name and comes first, so it always means Zzport (LY)  [SR-E121 warning]",
    ],
    "never": [
        "6: transport[0].terms.any[0]: 'ـــ' can never match: normalization removes every "
        "character of it  [SR-E122]",
        "6: transport[0].terms.any[1]: 'b o a t z' can never match: adverts have letters written apart "
        "joined before matching (normalization.obfuscation_separators), so this reads 'boatz' in an advert; "
        "write it so  [SR-E122]",
        f"6: transport[0].terms.any[2]: 'zzboat(s)?' never matches as meant: it is written as a regular "
        f"expression, but {LITERAL}  [SR-E122]",
    ],
    "bad_regex": [
        f"6: transport[0].terms.any[0]: bad regular expression 'zz(boat': missing ), unterminated "
        f"subpattern at position 2 ({LITERAL})  [SR-E103]",
    ],
    "slow_regex": [
        f"6: transport[0].terms.any[0]: regular expression '(zz+)+y' can backtrack catastrophically: a "
        f"quantified group contains another quantifier (nested quantifiers, like (a+)+); a probe of 82 "
        f"characters did not finish within 0.5 s ({LITERAL})  [SR-E123]",
    ],
    "weights": [
        "5: relevance.rules[0].weight: 25 is out of range: keep it between -10 and 10  [SR-E124]",
        "6: relevance.rules[1].weight: must be a finite number, got inf  [SR-E124]",
        "7: relevance.rules[2].weight: weight 0 never changes the score: give the rule a weight or remove it"
        "  [SR-E124 warning]",
    ],
    "unsupported": [
        f"6: transport[0].terms.es: language 'es' is not supported: languages.yaml has no profile for it, "
        f"so no advert is ever read as 'es' (supported: {SUPPORTED}, or 'any')  [SR-E125]",
    ],
    "schema": ["3: transprot: unknown key 'transprot' (did you mean 'transport'?)  [SR-E101]"],
}


@pytest.fixture(scope="module")
def report() -> CheckReport:
    """Every fixture laid over the shipped keywords at once (their words are unique, so they do not meet)."""
    return check_keywords(sorted(FIXTURES.glob("*.yaml")), keywords=SHIPPED_KEYWORDS, regex_timeout=0.5)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_problem_class_has_its_exact_message(report: CheckReport, name: str) -> None:
    path = FIXTURES / f"{name}.yaml"
    found = [str(f) for f in report.findings if f.problem.file.resolve() == path.resolve()]
    assert found == [f"{display_path(path.absolute())}:{line}" for line in EXPECTED[name]]


def test_every_fixture_is_covered() -> None:
    assert sorted(path.stem for path in FIXTURES.glob("*.yaml")) == sorted(EXPECTED)


def test_the_shipped_keywords_have_no_errors() -> None:
    shipped = check_keywords([SHIPPED_KEYWORDS])
    assert shipped.errors == []
    assert len(shipped.files) == len(list(SHIPPED_KEYWORDS.glob("*.yaml")))


def test_the_shipped_keywords_have_no_duplicates_and_no_shadowed_terms_but_the_known_ones() -> None:
    """The shipped vocabulary was cleared of duplicates and terms the matcher finds anyway; what is
    left are real ambiguities an analyst has to decide (changing them changes the enrichment)."""
    shipped = check_keywords([SHIPPED_KEYWORDS])
    left = sorted((f.problem.file.name, f.problem.key_path) for f in shipped.warnings)
    assert left == [
        ("documents.yaml", "services[5].terms.fa[2]"),  # صرافی: an exchange office, also a hawala
        ("documents.yaml", "services[5].terms.ps[0]"),
        ("prices.yaml", "prices.currencies[16].words.any[1]"),  # د.إ (AED) and د.أ (JOD) fold alike
        ("prices.yaml", "prices.currencies[18].words.fa[0]"),  # the rial sign ﷼ folds to the word
        ("prices.yaml", "prices.currencies[18].words.fa[1]"),
    ]


def test_the_command_exits_1_on_errors_and_strict_fails_warnings_too(tmp_path: Path) -> None:
    runner = CliRunner()
    broken = runner.invoke(
        app, ["keywords", "check", str(FIXTURES / "never.yaml"), "-k", str(SHIPPED_KEYWORDS)]
    )
    assert broken.exit_code == 1
    assert broken.output.splitlines()[-1] == "3 errors, 0 warnings in 1 file"
    warned = runner.invoke(
        app, ["keywords", "check", str(FIXTURES / "duplicate.yaml"), "-k", str(SHIPPED_KEYWORDS)]
    )
    assert warned.exit_code == 0
    strict = runner.invoke(
        app, ["keywords", "check", "--strict", str(FIXTURES / "duplicate.yaml"), "-k", str(SHIPPED_KEYWORDS)]
    )
    assert strict.exit_code == 1


def test_a_file_is_judged_beside_its_siblings(tmp_path: Path) -> None:
    """Without -k a named file's own folder is the context: a draft in a copy of the folder."""
    folder = tmp_path / "keywords"
    shutil.copytree(SHIPPED_KEYWORDS, folder)
    (folder / "transport.yaml").write_text(
        (folder / "transport.yaml").read_text(encoding="utf-8").replace("      ar: [", "      xx: [zzx, ", 1),
        encoding="utf-8",
    )
    found = check_keywords([folder / "transport.yaml"])
    assert [f.problem.code.value for f in found.errors] == ["SR-E125"]
    assert found.errors[0].problem.key_path.endswith(".terms.xx")


def test_an_unknown_cldr_locale_is_reported(tmp_path: Path) -> None:
    (tmp_path / "gazetteer.yaml").write_text(
        "name: gazetteer\ngazetteer:\n  country_name_locales: [en, zz]\n", encoding="utf-8"
    )
    found = check_keywords([tmp_path])
    assert [str(f).split(": ", 1)[1] for f in found.findings] == [
        "gazetteer.country_name_locales[1]: CLDR (Babel) has no locale 'zz': no country names can be read "
        "for it  [SR-E125]"
    ]
