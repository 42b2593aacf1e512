"""Fact atoms: what a sentence tells, in units that can be counted across independent origins.

A sentence's atoms are its content words, its figures (a number with the word after it: "653
drones") and the people it names. An atom reported by many independent origins is a central fact;
covering it twice adds nothing, which is how redundancy is removed at the fact level.

This module also finds *contested figures* (the same kind of figure given differently by other
origins in a similar sentence) and builds the key-fact panel.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from newsloom.model import Article, KeyFact
from newsloom.text import content_words, normalize
from newsloom.verify import SourceIndex

FIGURE_RE = re.compile(
    r"(?<![\w.,:])(\$|US\$|\u20ac|\u00a3)?(\d+(?:[.,]\d+)*)(?:st|nd|rd|th)?(?![:\d])"
    r"(\s?(?:%|per ?cent|percent))?"
    r"(?:[\s-]+((?:million|billion|trillion)\s+)?([A-Za-z][A-Za-z-]+))?"
)
_SKIP_UNITS = frozenset("and or of to the a in on at for with by from as per".split())
ATTRIBUTION = re.compile(
    r"\b(said|says|told|according to|reported|announced|stated|claimed|confirmed|wrote|added)\b"
)


@dataclass(frozen=True, slots=True)
class Figure:
    """A number and the noun it counts ("653", "drones"); ``unit`` may be empty."""

    number: str
    unit: str
    text: str
    after: str = ""
    hyphen: bool = False  # "21-point plan": the number names one thing, wherever it is printed


_NUM_WORD = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
_WORD_FIGURE = re.compile(rf"\b({'|'.join(_NUM_WORD)})[\s-]+([a-z][a-z-]+)", re.I)
_CLOCK = re.compile(r"\b(\d{1,2})(?:(?:[:.](\d{2}))?\s*(a\.?m\.?|p\.?m\.?)(?!\w)|:(\d{2})\b)", re.I)
_WEEKDAY = re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
SOFT_UNITS = frozenset({"clock", "weekday"})
import os
FIG = float(os.environ.get("FIG", 1))
NAME = float(os.environ.get("NAME", 1.5))
WORD = float(os.environ.get("WORD", 1))
CAPS = float(os.environ.get("CAPS", 0))
WPOW = float(os.environ.get("WPOW", 1))
UNIQUE_WORD = 0.15  # weight of a content word only one origin uses


def figures(text: str) -> list[Figure]:
    """Figures printed in ``text``: number plus following noun (or %, currency), number words
    ("seven minutes"), clock times ("9:50 pm") and weekdays (a date given by its day)."""
    out = []
    for m in _WORD_FIGURE.finditer(text):
        unit = m.group(2).lower()
        if unit not in _SKIP_UNITS:
            after = _next_word(text, m.end())
            out.append(Figure(_NUM_WORD[m.group(1).lower()], _stem(unit), m.group(0), after))
    for m in _CLOCK.finditer(text):
        hour = int(m.group(1)) + (12 if (m.group(3) or "").lower().startswith("p") else 0)
        minute = m.group(2) or m.group(4) or "00"
        out.append(Figure(f"{hour % 24}:{minute}", "clock", m.group(0)))
    for m in _WEEKDAY.finditer(text):
        out.append(Figure(m.group(1).lower(), "weekday", m.group(0)))
    for m in FIGURE_RE.finditer(text):
        num = m.group(2).replace(",", "")
        unit = ""
        if m.group(3):
            unit = "%"
        elif m.group(5) and m.group(5).lower() not in _SKIP_UNITS:
            unit = _stem(m.group(5).lower())
        if m.group(1):
            unit = unit or "money"
        hyphen = bool(m.group(5)) and "-" in m.group(0)[len(m.group(2)) :][:2]
        out.append(Figure(num, unit, m.group(0).strip(), _next_word(text, m.end()), hyphen))
    return out


def _next_word(text: str, pos: int) -> str:
    m = re.match(r"\s+([a-z]+)", text[pos:])
    return m.group(1) if m and m.group(1) not in _SKIP_UNITS else ""


def _stem(w: str) -> str:
    for suf in ("ies", "es", "s"):
        if w.endswith(suf) and len(w) > len(suf) + 2:
            return w[: -len(suf)] + ("y" if suf == "ies" else "")
    return w


def atoms(text: str, names: Sequence[str]) -> set[str]:
    """The fact atoms of a sentence: stemmed content words, figures and names."""
    out = {"w:" + _stem(w) for w in content_words(text)}
    for f in figures(text):
        if f.unit in SOFT_UNITS:
            continue
        out.add(f"n:{f.number}:{f.unit}")
        out.add(f"n:{f.number}")
    out |= {"p:" + normalize(n) for n in names}
    if CAPS:
        toks = text.split()
        out |= {
            "c:" + _stem(t.strip(".,;:!?\"'\u201c\u201d\u2019()").lower())
            for t in toks[1:]
            if t[:1].isupper() and len(t.strip(".,;:!?\"'\u201c\u201d\u2019()")) > 2
        }
    return out


def atom_weight(atom: str, df: int) -> float:
    """Weight of an atom reported by ``df`` independent origins: shared facts count most."""
    if atom.startswith("n:"):
        return FIG * (1.0 + 2.0 * df) if atom.count(":") == 2 else 0.5 * df
    if atom.startswith("p:"):
        return NAME * df
    if atom.startswith("c:"):
        return CAPS * df
    return UNIQUE_WORD if df <= 1 else WORD * float(df - 1) ** WPOW


def attributed(text: str) -> bool:
    """True when the sentence says who claims it ("X said", "according to X")."""
    return bool(ATTRIBUTION.search(text))


@dataclass(slots=True)
class FigureUse:
    """Where a figure (number + unit) is printed: origins, articles, sentence content."""

    origins: set[int] = field(default_factory=set)
    article_ids: set[int] = field(default_factory=set)


def figure_table(index: SourceIndex) -> dict[tuple[str, str], FigureUse]:
    """Every (number, unit) pair of the sources and who prints it."""
    table: dict[tuple[str, str], FigureUse] = defaultdict(FigureUse)
    for s in index.sentences:
        for f in figures(s.text):
            if f.unit:
                use = table[(f.number, f.unit)]
                use.origins.add(s.origin)
                use.article_ids.add(s.article_id)
    return table


def contested(text: str, origin: int, index: SourceIndex) -> list[tuple[Figure, set[int]]]:
    """Figures of ``text`` that other origins give differently in a similar sentence.

    Returns each contested figure with the origins of the rival values (for the caller to weigh
    against its own support). Similar = sharing at least a third of the content words."""
    mine = [f for f in figures(text) if f.unit and f.unit != "money"]
    if not mine:
        return []
    cw = content_words(text)
    out = []
    for f in mine:
        rivals: set[int] = set()
        for s in index.sentences:
            if s.origin == origin or f.number in s.nums or f.number in s.norm:
                continue
            similar = len(cw & s.content) * (5 if f.unit in SOFT_UNITS else 3) >= len(cw)
            for g in figures(s.text):
                if (
                    g.unit == f.unit
                    and g.number != f.number
                    and (similar or (f.after and f.after == g.after) or (f.hyphen and g.hyphen))
                ):
                    rivals.add(s.origin)
        if rivals:
            out.append((f, rivals))
    return out


def key_facts(
    texts: Sequence[str], index: SourceIndex, articles: Sequence[Article]
) -> list[KeyFact]:
    """The figures printed in the synthesis, with who reported them and in which articles."""
    table = figure_table(index)
    seen: set[tuple[str, str]] = set()
    out: list[KeyFact] = []
    by_id = {a.id: a for a in articles}
    for text in texts:
        for f in figures(text):
            key = (f.number, f.unit)
            if not f.unit or key in seen or key not in table:
                continue
            seen.add(key)
            use = table[key]
            who = _speaker(text)
            outlets = sorted({by_id[i].outlet for i in use.article_ids if i in by_id})
            out.append(
                KeyFact(
                    value=f.text,
                    fact=text,
                    attribution=who or (", ".join(outlets) if outlets else None),
                    article_ids=sorted(use.article_ids),
                )
            )
    return out


def _speaker(text: str) -> str | None:
    m = re.search(r"according to ((?:the )?[A-Z][\w'\u2019.-]*(?:\s+[A-Z][\w'\u2019.-]*)*)", text)
    if m:
        return m.group(1)
    m = re.search(
        r"((?:[A-Z][\w'\u2019.-]*\s+){0,4}[A-Z][\w'\u2019.-]*|[A-Z][\w'\u2019.-]*'s [a-z ]{3,30}?)"
        r"\s+(?:said|says|told|reported|announced|claimed)\b",
        text,
    )
    return m.group(1) if m else None
