"""Terminal output of the workbench: findings of ``check`` and the marked text of ``test``.

Advert text is attacker-controlled: it is put into rich ``Text`` objects (never parsed as
markup), so a ``[bold]`` in an advert stays text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from workbench.checks import CheckReport

if TYPE_CHECKING:  # workbench.marks loads spaCy; the web app imports this module for check_summary
    from workbench.marks import TestResult

STYLES = {
    "place": "bold cyan",
    "price": "bold green",
    "phone": "bold magenta",
    "handle": "magenta",
    "email": "magenta",
    "document": "bold yellow",
    "qualifier": "yellow",
    "service": "blue",
    "transport": "bold blue",
    "rule": "underline",
}


def check_summary(report: CheckReport) -> str:
    errors, warnings = len(report.errors), len(report.warnings)
    files = len(report.files)
    return (
        f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''} "
        f"in {files} file{'s' if files != 1 else ''}"
    )


def marked_text(text: str, result: TestResult) -> Text:
    """The advert with every mark styled (outer marks first, so inner ones stay visible)."""
    rendered = Text(text)
    for mark in sorted(result.marks, key=lambda m: m.start - m.end):
        rendered.stylize(STYLES.get(mark.kind, "reverse"), mark.start, mark.end)
    return rendered


def print_test(console: Console, text: str, result: TestResult) -> None:
    record = result.record
    console.print(marked_text(text, result))
    console.print()
    table = Table("kind", "text", "means", "at", title="found in the text", title_justify="left")
    for mark in result.marks:
        table.add_row(
            Text(mark.kind, style=STYLES.get(mark.kind, "")), Text(mark.text), Text(mark.label),
            f"{mark.start}-{mark.end}",
        )  # fmt: skip
    console.print(table)
    rules = Table("rule", "weight", "because", title="relevance rules that fired", title_justify="left")
    because = {rule: why for rule, _, why in result.features}
    terms: dict[str, list[str]] = {}
    for mark in result.marks:
        if mark.kind == "rule":
            terms.setdefault(mark.label.split(" (")[0], []).append(mark.text)
    for rule in record["rules"]:
        name = rule["rule"]
        why = because.get(name) or ", ".join(f"'{t}'" for t in terms.get(name, [])) or "-"
        rules.add_row(name, f"{rule['weight']:+g}", Text(why))
    console.print(rules)
    route = record["route"]
    legs = [route["origin"] or "?", *route["transit"], route["destination"] or "?"]
    console.print(
        Text(
            f"language {record['language']} ({record['language_confidence']:.2f}), "
            f"route {' → '.join(legs)}, documents {', '.join(record['documents']) or '-'}, "
            f"transport {', '.join(record['transport']) or '-'}, score {record['score']:.3f}, "
            f"keywords version {record.get('keywords_version')}"
        )
    )
