"""``keywords diff`` as text for a terminal: counts first, then examples, then the evaluation."""

from __future__ import annotations

from workbench.compare import Example, counts
from workbench.diff import DiffReport

_TOP = 8  # items listed per field


def _examples(examples: list[Example]) -> list[str]:
    return [f"      {e.advert_id} [{e.source}] {e.detail}: {e.snippet}" for e in examples]


def format_diff(report: DiffReport) -> str:
    lines = [
        f"keywords {report.proposed_version} (working copy) against {report.baseline_version} "
        f"({report.against})",
        f"adverts re-enriched: {report.adverts}",
    ]
    if report.adverts:
        lines += ["", "tags per field (adverts gaining / losing):"]
        if not report.fields:
            lines.append("  no advert changes in any field")
        for change in report.fields:
            lines.append(f"  {change.name}: {change.adverts_gaining} gain, {change.adverts_losing} lose")
            for sign, found in (("+", counts(change.gained)), ("-", counts(change.lost))):
                shown = ", ".join(f"{sign}{item} ({n})" for item, n in found.most_common(_TOP))
                if shown:
                    lines.append(f"    {shown}")
            lines += _examples(change.examples)
        lines += ["", "relevance across the alert thresholds:"]
        for threshold in report.thresholds:
            lines.append(
                f"  {threshold.threshold:g}: {len(threshold.rose)} adverts rise to it, "
                f"{len(threshold.fell)} fall below"
            )
            lines += _examples(threshold.examples)
        lines += ["", "saved searches:"]
        if not report.searches:
            lines.append("  no saved searches configured")
        for search in report.searches:
            if search.error:
                lines.append(f"  {search.search}: {search.error}")
                continue
            lines.append(
                f"  {search.search}: {search.matched_before} → {search.matched_after} adverts "
                f"(+{len(search.gained)}, -{len(search.lost)})"
            )
            lines += _examples(search.examples)
    evaluation = report.evaluation
    if evaluation is not None:
        lines += ["", f"labelled evaluation set (tolerance {evaluation.tolerance:g}):"]
        if not evaluation.deltas:
            lines.append("  no figure changed")
        for delta in evaluation.deltas:
            flag = "  WORSE" if delta in evaluation.worse else ""
            lines.append(
                f"  {delta.figure}: {delta.before:.3f} → {delta.after:.3f} ({delta.change:+.3f}){flag}"
            )
        verdict = (
            f"FAILED: {len(evaluation.worse)} figures worse than the tolerance"
            if evaluation.failed
            else "passed: no figure worse than the tolerance"
        )
        lines.append(verdict)
    timing = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in report.seconds.items())
    lines += ["", f"time: {timing}"]
    return "\n".join(lines)
