"""Markdown sections of docs/benchmarks.md for the evaluations (figures and ids only, no text).

Calls the same ``evaluate`` functions as ``newsloom eval cluster`` and ``newsloom eval synth``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from newsloom.eval import cluster, synth
from newsloom.eval.data import load

GOALS = (
    "Goals (issues 4 and 5): clustering BCubed F1 >= 0.97 stream, >= 0.95 dense mean and "
    "realnews-day; key-fact recall >= 0.90 (realnews) and >= 0.95 (realnews-day) at 400 words, "
    "0 wrong values, 0 role errors, 0 unsupported numbers, quotes or people."
)


def _f(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def _cluster_rows(name: str, result: dict[str, Any]) -> list[str]:
    rows = []
    for method, r in [*result["methods"].items(), ("time-only baseline", result["baseline"])]:
        b = r["bcubed"]
        dense = r.get("dense")
        extra = f"{_f(dense['mean'])} / {_f(dense['worst'])}" if dense else ""
        rows.append(
            f"| {name} | {result['regime']} | {method} | {_f(b['precision'])} | {_f(b['recall'])} | "
            f"{_f(b['f1'])} | {extra} | {r['stories']} ({result['gold_stories']}) |"
        )
    return rows


def cluster_section(bench: Path) -> list[str]:
    lines = [
        "## Clustering quality (on-arrival labels)",
        "",
        "`newsloom eval cluster --data ../shared/bench/realnews --method all [--dense]` and "
        "`--data ../shared/bench/realnews-day --method all`. Dense: seeds 0-9, mean / worst.",
        "",
        "| data | regime | method | BCubed P | BCubed R | BCubed F1 | dense mean / worst | stories (gold) |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    real = load(bench / "realnews")
    lines += _cluster_rows("realnews", cluster.evaluate(real, "all"))
    lines += _cluster_rows("realnews", cluster.evaluate(real, "all", dense=True))
    lines += _cluster_rows("realnews-day", cluster.evaluate(load(bench / "realnews-day"), "all"))
    return [*lines, ""]


SYNTH_COLUMNS = (
    ("key-fact recall", "key_fact_recall"),
    ("genuine conflicts", "genuine_conflicts_reported"),
    ("updates latest", "updates_latest"),
    ("wrong values", "wrong_values"),
    ("role errors", "role_errors"),
    ("faithfulness", "faithfulness"),
    ("unsupp. numbers / quotes / people", None),
    ("cites/sentence", "citations_per_sentence"),
    ("openers / bare dates / long headlines", None),
    ("redundancy", "redundancy"),
    ("mean words", "mean_words"),
)


def _cell(total: dict[str, Any], title: str, key: str | None) -> str:
    if title.startswith("unsupp"):
        return f"{total['unsupported_numbers']} / {total['unsupported_quotes']} / {total['unsupported_people']}"
    if title.startswith("openers"):
        return f"{total['pronoun_connective_openers']} / {total['bare_relative_dates']} / {total['long_headlines']}"
    value = total[key] if key else None
    return _f(value) if isinstance(value, float) or value is None else str(value)


def synth_section(bench: Path, words: int = 400) -> list[str]:
    lines = [
        f"## Synthesis quality at {words} words",
        "",
        f"`newsloom eval synth --data ../shared/bench/realnews --words {words}` (and realnews-day); "
        "peers from `sumy` at the same budget, scored by the same code.",
        "",
        "| data | method | " + " | ".join(t for t, _ in SYNTH_COLUMNS) + " |",
        "|---|---|" + "---:|" * len(SYNTH_COLUMNS),
    ]
    for name in ("realnews", "realnews-day"):
        data = load(bench / name)
        for method in ("newsloom", "lexrank", "textrank", "lsa"):
            total = synth.evaluate(data, words=words, method=method)["total"]
            cells = " | ".join(_cell(total, t, k) for t, k in SYNTH_COLUMNS)
            lines.append(f"| {name} | {method} | {cells} |")
    return [*lines, ""]


def sections(bench: Path) -> list[str]:
    """Every evaluation section, with the goals they are measured against."""
    return [GOALS, "", *cluster_section(bench), *synth_section(bench)]
