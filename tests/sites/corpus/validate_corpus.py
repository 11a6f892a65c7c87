"""Load the demo corpus (``adverts_*.yaml``, ``decoys_*.yaml``) and check it against the schema in README.md.

The corpus is the ground truth for the NLP evaluation, so a label that cannot be right is a
defect: beyond the schema this checker also demands that every labelled place, phone, handle
and e-mail can actually be found in the advert's text, and that every route country comes
from a labelled place. Run it from the repository root (``python -m tests.sites.corpus.validate_corpus``)
to print every problem as ``file:line: id: message``; it exits 1 when there is any.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import phonenumbers
from babel.numbers import list_currencies

from tests.sites.corpus.entries import CorpusFileError, read_entries

CORPUS_DIR = Path(__file__).resolve().parent

LANGUAGES = frozenset({"ar", "fa", "ps", "ckb", "tr", "ti", "am", "so", "en", "fr", "nl", "de", "it", "el"})
CHANNELS = frozenset({"forum", "telegram", "feed", "sitemap", "js"})
ROLES = frozenset({"origin", "transit", "destination", "none"})
PRICE_KINDS = frozenset({"per_person", "deposit", "total", "per_document", "unknown"})
DOCUMENTS = frozenset(
    {"passport", "visa", "schengen_visa", "residence_permit", "id_card", "driving_licence", "travel_document"}
)
TRANSPORT = frozenset({"boat", "truck", "car", "plane", "train", "on_foot"})
PLATFORMS = frozenset({"telegram", "whatsapp", "signal", "viber", "instagram", "facebook"})

REQUIRED_KEYS = frozenset({"id", "lang", "relevant", "channel", "text", "author", "posted", "labels"})
OPTIONAL_KEYS = frozenset({"title", "posted_display"})
LABEL_KEYS = frozenset({"route", "places", "prices", "documents", "transport", "phones", "handles", "emails"})

POSTED_FIRST = dt.datetime(2026, 8, 1, tzinfo=dt.UTC)
POSTED_LAST = dt.datetime(2026, 11, 27, 23, 59, 59, tzinfo=dt.UTC)
POSTED_FORMAT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)

# ISO 3166 alpha-2 codes: every region phonenumbers knows is a country or territory code.
COUNTRIES = frozenset(phonenumbers.SUPPORTED_REGIONS)
CURRENCIES = frozenset(list_currencies())

Report = Callable[[str], None]


@dataclass(frozen=True)
class Problem:
    """One defect in the corpus, located by file, line and entry id."""

    path: Path
    line: int
    entry_id: str
    message: str

    def __str__(self) -> str:
        return f"{self.path.name}:{self.line}: {self.entry_id}: {self.message}"


def corpus_files(directory: Path = CORPUS_DIR) -> list[Path]:
    """The corpus files: ``adverts_*.yaml`` (README) and batches of extra decoys, ``decoys_*.yaml``."""
    return sorted([*directory.glob("adverts_*.yaml"), *directory.glob("decoys_*.yaml")])


def load_corpus(directory: Path | str = CORPUS_DIR) -> list[dict[str, Any]]:
    """Every entry of every corpus file in ``directory``, with ``_file`` and ``_line`` added."""
    entries: list[dict[str, Any]] = []
    for path in corpus_files(Path(directory)):
        entries.extend(_load_file(path))
    return entries


def _load_file(path: Path) -> list[dict[str, Any]]:
    try:
        raw_entries = read_entries(path)
    except CorpusFileError as e:
        raise ValueError(str(e)) from e
    return [{**entry, "_file": path, "_line": line} for line, entry in raw_entries]


def validate(entries: Iterable[dict[str, Any]]) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for entry in entries:
        path, line = entry.get("_file", Path("?")), int(entry.get("_line", 0))
        entry_id = str(entry.get("id", "?"))

        def report(message: str, path: Path = path, line: int = line, entry_id: str = entry_id) -> None:
            problems.append(Problem(path, line, entry_id, message))

        if entry_id in seen:
            report(f"duplicate id (first in {seen[entry_id]})")
        seen.setdefault(entry_id, f"{path.name}:{line}")
        _check_entry(entry, report)
    return problems


def _check_entry(entry: dict[str, Any], report: Report) -> None:
    keys = {k for k in entry if not k.startswith("_")}
    for key in sorted(REQUIRED_KEYS - keys):
        report(f"missing key {key!r}")
    for key in sorted(keys - REQUIRED_KEYS - OPTIONAL_KEYS):
        report(f"unknown key {key!r}")
    lang = entry.get("lang")
    if lang not in LANGUAGES:
        report(f"lang {lang!r} is not one of {sorted(LANGUAGES)}")
    # README asks for <lang>-<nnn>; batches mark themselves with a letter (en-s01, ar-d101).
    if not re.fullmatch(rf"{re.escape(str(lang))}-[a-z]*\d+", str(entry.get("id", ""))):
        report("id must read <lang>-<nnn> (or <lang>-<batch letter><nn>) with the entry's own lang")
    if not isinstance(entry.get("relevant"), bool):
        report("relevant must be true or false")
    channel = entry.get("channel")
    if channel not in CHANNELS:
        report(f"channel {channel!r} is not one of {sorted(CHANNELS)}")
    title = entry.get("title")
    if channel in CHANNELS - {"telegram"} and not (isinstance(title, str) and title.strip()):
        report(f"a {channel} entry needs a title")
    if title is not None and not (isinstance(title, str) and title.strip()):
        report("title, when present, must be a non-empty string")
    for key in ("text", "author"):
        if not (isinstance(entry.get(key), str) and entry[key].strip()):
            report(f"{key} must be a non-empty string")
    if "posted_display" in entry and not isinstance(entry["posted_display"], str):
        report("posted_display must be a string")
    _check_posted(entry.get("posted"), report)
    labels = entry.get("labels")
    if not isinstance(labels, dict):
        report("labels must be a mapping")
        return
    for key in sorted(LABEL_KEYS - set(labels)):
        report(f"labels lack {key!r} (every key present, empty when none)")
    for key in sorted(set(labels) - LABEL_KEYS):
        report(f"labels have unknown key {key!r}")
    # Labels cover what a tagger reads: the title (when there is one) and the text.
    readable = [entry.get(key) for key in ("title", "text")]
    _check_labels(labels, "\n".join(part for part in readable if isinstance(part, str)), report)


def _check_posted(posted: Any, report: Report) -> None:
    if isinstance(posted, dt.datetime):
        report('posted must be a quoted string like "2026-10-03T14:20:00Z"')
        return
    if not (isinstance(posted, str) and POSTED_FORMAT.match(posted)):
        report(f"posted {posted!r} is not UTC in the form 2026-10-03T14:20:00Z")
        return
    try:
        when = dt.datetime.fromisoformat(posted.replace("Z", "+00:00"))
    except ValueError:
        report(f"posted {posted!r} is not a real date and time")
        return
    if not POSTED_FIRST <= when <= POSTED_LAST:
        report(f"posted {posted} lies outside 2026-08-01 .. 2026-11-27")


def _check_labels(labels: dict[str, Any], text: str, report: Report) -> None:
    folded = _fold(text)
    digits = _digits(text)
    place_countries: set[str] = set()
    for place in _as_list(labels.get("places"), "places", report):
        if not isinstance(place, dict) or set(place) != {"text", "country", "role"}:
            report(f"place {place!r} needs exactly text, country and role")
            continue
        if not (isinstance(place["text"], str) and _fold(place["text"]) in folded):
            report(f"place {place['text']!r} does not occur in the text")
        if place["country"] is not None and place["country"] not in COUNTRIES:
            report(f"place {place['text']!r}: {place['country']!r} is not an ISO 3166 alpha-2 code")
        place_countries.add(place["country"])
        if place["role"] not in ROLES:
            report(f"place {place['text']!r}: role {place['role']!r} is not one of {sorted(ROLES)}")
    _check_route(labels.get("route"), place_countries, report)
    for price in _as_list(labels.get("prices"), "prices", report):
        if not isinstance(price, dict) or set(price) != {"amount", "currency", "kind"}:
            report(f"price {price!r} needs exactly amount, currency and kind")
            continue
        amount = price["amount"]
        if isinstance(amount, bool) or not isinstance(amount, int | float) or amount <= 0:
            report(f"price amount {amount!r} must be a positive number")
        if price["currency"] not in CURRENCIES:
            report(f"price currency {price['currency']!r} is not ISO 4217")
        if price["kind"] not in PRICE_KINDS:
            report(f"price kind {price['kind']!r} is not one of {sorted(PRICE_KINDS)}")
    for key, allowed in (("documents", DOCUMENTS), ("transport", TRANSPORT)):
        values = _as_list(labels.get(key), key, report)
        for value in values:
            if value not in allowed:
                report(f"{key}: {value!r} is not one of {sorted(allowed)}")
        if len(set(map(str, values))) != len(values):
            report(f"{key} lists a value twice")
    for phone in _as_list(labels.get("phones"), "phones", report):
        _check_phone(phone, text, report)
    for handle in _as_list(labels.get("handles"), "handles", report):
        if not isinstance(handle, dict) or set(handle) != {"platform", "value"}:
            report(f"handle {handle!r} needs exactly platform and value")
            continue
        if handle["platform"] not in PLATFORMS:
            report(f"handle platform {handle['platform']!r} is not one of {sorted(PLATFORMS)}")
        value = str(handle["value"])
        found = value.lstrip("+") in digits if value.startswith("+") else _fold(value) in folded
        if not found or value.startswith("@"):
            report(f"handle {value!r} does not occur in the text (write it without '@')")
    for email in _as_list(labels.get("emails"), "emails", report):
        if not (isinstance(email, str) and EMAIL.match(email) and email.casefold() in folded):
            report(f"email {email!r} is malformed or does not occur in the text")


def _check_route(route: Any, place_countries: set[str], report: Report) -> None:
    if not isinstance(route, dict) or set(route) != {"origin", "transit", "destination"}:
        report("route needs exactly origin, transit and destination")
        return
    transit = route["transit"]
    if not isinstance(transit, list):
        report("route transit must be a list")
        transit = []
    for country in [route["origin"], *transit, route["destination"]]:
        if country is None:
            continue
        if country not in COUNTRIES:
            report(f"route country {country!r} is not an ISO 3166 alpha-2 code")
        elif country not in place_countries:
            report(f"route country {country} comes from no labelled place")


def _check_phone(phone: Any, text: str, report: Report) -> None:
    if not (isinstance(phone, str) and phone.startswith("+")):
        report(f"phone {phone!r} must be an E.164 string starting with '+'")
        return
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException as e:
        report(f"phone {phone}: {e}")
        return
    if not phonenumbers.is_valid_number(number):
        report(f"phone {phone} is not a valid number")
    if phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) != phone:
        report(f"phone {phone} is not written in E.164")
    # Obfuscation may split the digits in any way, or spell them out, but all of them must be
    # there, in order.
    national = phonenumbers.national_significant_number(number)
    if national not in _digits(text) and national not in _spelled_digits(text):
        report(f"phone {phone}: its digits do not occur in the text")


def _as_list(value: Any, key: str, report: Report) -> list[Any]:
    if isinstance(value, list):
        return value
    if value is not None:
        report(f"labels {key} must be a list")
    return []


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _digits(text: str) -> str:
    """All decimal digits of the text (Arabic-Indic and Persian ones as ASCII), in order."""
    return "".join(str(unicodedata.digit(ch)) for ch in text if unicodedata.category(ch) == "Nd")


# Number words of the corpus languages, enough to read a phone number spelled out in an advert.
# One row per language: the words for 0..9 in order, alternatives joined by "|".
DIGIT_ROWS = {
    "en": "zero|oh one two three four five six seven eight nine",
    "fr": "zéro un|une deux trois quatre cinq six sept huit neuf",
    "nl": "nul een|één twee drie vier vijf zes zeven acht negen",
    "de": "null eins|ein zwei|zwo drei vier fünf|funf sechs sieben acht neun",
    "it": "zero uno|una due tre quattro cinque sei sette otto nove",
    "el": "μηδέν|μηδεν ένα|ενα δύο|δυο τρία|τρια τέσσερα|τεσσερα πέντε|πεντε έξι|εξι "
    "επτά|εφτά|επτα|εφτα οκτώ|οχτώ|οκτω|οχτω εννέα|εννιά|εννεα|εννια",
    "tr": "sıfır|sifir bir iki üç|uc dört|dort beş|bes altı|alti yedi sekiz dokuz",
    "so": "eber kow|hal laba saddex afar shan lix toddoba siddeed sagaal",
    "ar": "صفر واحد|واحدة اثنين|اتنين|اثنان ثلاثة|تلاتة|ثلاث اربعة|أربعة|اربع خمسة|خمس ستة|ست "
    "سبعة|سبع ثمانية|تمانية|ثمان تسعة|تسع",
    "fa": "صفر یک|يك دو سه چهار پنج شش|شیش هفت هشت نه",
    "ps": "صفر یو دوه درې|دری څلور پنځه شپږ اووه اته نهه",
    "ckb": "سفر|سیفر یەک دوو سێ چوار پێنج شەش حەوت هەشت نۆ",
    "ti": "ዜሮ ሓደ ክልተ ሰለስተ ኣርባዕተ|አርባዕተ ሓሙሽተ ሽዱሽተ ሸውዓተ|ሾብዓተ ሸሞንተ ትሽዓተ",
    "am": "ዜሮ አንድ ሁለት ሶስት|ሦስት አራት አምስት ስድስት ሰባት ስምንት ዘጠኝ",
}
# French and English phone numbers are often read out in pairs: "zéro six, soixante-huit".
TEEN_ROW = "ten|dix eleven|onze twelve|douze thirteen|treize fourteen|quatorze fifteen|quinze sixteen|seize"
TEEN_ROW += " seventeen eighteen nineteen"
TENS_ROW = "twenty|vingt thirty|trente forty|quarante fifty|cinquante sixty|soixante seventy eighty ninety"


def _number_words(row: str, first: int, step: int) -> dict[str, int]:
    """The words of a row, each worth ``first + step * position``."""
    return {
        word: first + step * position
        for position, alternatives in enumerate(row.split())
        for word in alternatives.split("|")
    }


DIGIT_WORDS = {word: value for row in DIGIT_ROWS.values() for word, value in _number_words(row, 0, 1).items()}
TEEN_WORDS = _number_words(TEEN_ROW, 10, 1)
TENS_WORDS = _number_words(TENS_ROW, 20, 10)


def _spelled_digits(text: str) -> str:
    """The text's digits with spelled-out numbers below 100 read as digits, in order."""
    tokens = [t for t in re.findall(r"\w+", _fold(text)) if t not in {"et", "and"}]
    out: list[str] = []
    i = 0
    while i < len(tokens):
        tens = TENS_WORDS.get(tokens[i])
        if tokens[i] == "quatre" and tokens[i + 1 : i + 2] in (["vingt"], ["vingts"]):
            tens, i = 80, i + 1
        if tens is not None:
            # French counts on from 60 and 80 with teens: soixante-dix-huit is 78.
            rest, used = _below_twenty(tokens, i + 1, teens=tens in (60, 80))
            out.append(str(tens + rest))
            i += 1 + used
            continue
        value, used = _below_twenty(tokens, i, teens=True)
        out.append(str(value) if used else _digits(tokens[i]))
        i += max(used, 1)
    return "".join(out)


def _below_twenty(tokens: list[str], i: int, *, teens: bool) -> tuple[int, int]:
    """A number below 20 (below 10 unless ``teens``) spelled at ``tokens[i:]``, and the tokens it took."""
    token = tokens[i] if i < len(tokens) else ""
    if teens and token == "dix" and tokens[i + 1 : i + 2] in (["sept"], ["huit"], ["neuf"]):
        return 10 + DIGIT_WORDS[tokens[i + 1]], 2
    if teens and token in TEEN_WORDS:
        return TEEN_WORDS[token], 1
    if token in DIGIT_WORDS:
        return DIGIT_WORDS[token], 1
    return 0, 0


def main(argv: list[str]) -> int:
    directory = Path(argv[1]) if len(argv) > 1 else CORPUS_DIR
    entries = load_corpus(directory)
    problems = validate(entries)
    for problem in problems:
        print(problem)
    counts: dict[str, list[int]] = {}
    for entry in entries:
        row = counts.setdefault(str(entry.get("lang")), [0, 0])
        row[0 if entry.get("relevant") is True else 1] += 1
    for lang, (relevant, decoys) in sorted(counts.items()):
        print(f"{lang:4} {relevant:4} adverts {decoys:4} decoys")
    print(f"{len(entries)} entries, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
