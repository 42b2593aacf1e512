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
from functools import lru_cache
from typing import NamedTuple

from newsloom.model import Article, KeyFact
from newsloom.text import content_words, normalize
from newsloom.verify import SourceIndex

FIGURE_RE = re.compile(
    r"(?<![\w.,:])(\$US|US\$|A\$|\$|\u20ac|\u00a3)?(\d+(?:[.,]\d+)*)(st|nd|rd|th)?(?![:\d])"
    r"(\s?(?:%|per ?cent|percent))?"
    r"(?:[\s-]+((?:million|billion|trillion)\s+)?(?:(?:other|more|additional|new|[A-Z][a-z]+(?:an|ese|i|ish))\s+)?"
    r"([A-Za-z][A-Za-z-]+))?"
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
    ordinal: bool = False  # "13th minute": a position, never updated (no "latest" rule)


_NUM_WORD = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
_WORD_FIGURE = re.compile(
    rf"\b({'|'.join(_NUM_WORD)})[\s-]+(?:(?:other|more|(?-i:[A-Z][a-z]+(?:an|ese|i|ish)))\s+)?"
    r"([a-z][a-z-]+)",
    re.I,
)
_CLOCK = re.compile(r"\b(\d{1,2})(?:(?:[:.](\d{2}))?\s*(a\.?m\.?|p\.?m\.?)(?!\w)|:(\d{2})\b)", re.I)
_WEEKDAY = re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
# a vote or score ("222 to 209", "40-22"): one figure, so "222 to 219" is seen as its rival
_TALLY = re.compile(
    r"(?<![\w$-])(?<![\d][.,:])(\d{1,4})\s*(?:-|\u2013|\u2014|to)\s*(\d{1,4})(?![\w%-]|[.,:]\d)"
)
_TALLY_WORDS = frozenset("vote votes win victory defeat loss margin majority".split())
SOFT_UNITS = frozenset({"clock", "weekday"})
SLOT_WEIGHT = 3.0  # per origin printing a side of a disagreement (see ``select``)
UNIQUE_WORD = 0.15  # weight of a content word only one origin uses


def figures(text: str) -> list[Figure]:
    """Figures printed in ``text``: number plus following noun (or %, currency), number words
    ("seven minutes"), clock times ("9:50 pm") and weekdays (a date given by its day), tallies
    ("222-209"). Memoised: contested-figure search asks for every source sentence's figures
    once per candidate."""
    return list(_figures(text))


@lru_cache(maxsize=1 << 16)
def _figures(text: str) -> tuple[Figure, ...]:
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
        ordinal, percent, noun = m.group(3), m.group(4), m.group(6)
        unit = ""
        if percent:
            unit = "%"
        elif noun and noun.lower() not in _SKIP_UNITS:
            unit = _stem(noun.lower())
        if m.group(1):
            unit = unit or "money"
        rest = m.group(0)[len(m.group(1) or "") + len(m.group(2)) + len(ordinal or "") :]
        hyphen = bool(noun) and "-" in rest[:2]
        after = _next_word(text, m.end())
        out.append(Figure(num, unit, m.group(0).strip(), after, hyphen, bool(ordinal)))
    for m in _TALLY.finditer(text):
        a, b = m.group(1), m.group(2)
        if len(a) == 4 and a[:2] in ("19", "20"):
            continue  # a span of years ("2018-19"), not a tally
        unit = re.match(r"\s*([a-z]+)", text[m.end() :])
        if unit and unit.group(1) not in _TALLY_WORDS and unit.group(1) not in _SKIP_UNITS:
            continue  # a range of a quantity ("10 to 15 inches"), not a tally
        out.append(Figure(f"{a}-{b}", "tally", m.group(0)))
    return tuple(out)


def _next_word(text: str, pos: int) -> str:
    m = re.match(r"\s+([a-z]+)", text[pos:])
    return m.group(1) if m and m.group(1) not in _SKIP_UNITS else ""


_IRREGULAR = {"feet": "foot", "foot": "foot", "men": "man", "women": "woman"}


def _stem(w: str) -> str:
    if w in _IRREGULAR:
        return _IRREGULAR[w]
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
    return out


def atom_weight(atom: str, df: int) -> float:
    """Weight of an atom reported by ``df`` independent origins: shared facts count most."""
    if atom.startswith("n:"):
        return 1.0 + 2.0 * df if atom.count(":") == 2 else 0.5 * df
    if atom.startswith("p:"):
        return 1.5 * df
    return UNIQUE_WORD if df <= 1 else float(df - 1)


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


class Rivalry(NamedTuple):
    """A figure of a sentence that other origins give differently."""

    figure: Figure
    origins: set[int]  # origins printing a rival value
    estimates: bool = False  # some rival value is an estimate ("about 750")
    numbers: frozenset[str] = frozenset()  # the rival values


def contested(
    text: str,
    origin: int,
    index: SourceIndex,
    table: dict[tuple[str, str], FigureUse] | None = None,
) -> list[Rivalry]:
    """Figures of ``text`` that other origins give differently in a similar sentence.

    Returns each contested figure with the origins of the rival values (for the caller to weigh
    against its own support) and whether a rival value is an estimate (``estimate``). Similar =
    sharing at least a third of the content words; also the same slot: the same word after the
    number, hyphenated figures ("21-point"), tallies sharing one side ("222-209" / "222 to
    219"), and an ordinal about the same person ("Cash ... 39th minute" / "Cash ... 36
    minutes"). With ``table`` (``figure_table``), an origin that prints this clock time too is
    no rival: it tells the two times apart (the time of a death and the time it was
    announced). Only for clock times: an origin printing two counts of one thing often reports
    an update ("rose from 120 to 129"), which must stay a contest."""
    mine = [f for f in figures(text) if f.unit]
    if not mine:
        return []
    cw = content_words(text)
    people = _surnames(text, index)
    years = _past_years(text, index)
    out = []
    for f in mine:
        rivals: set[int] = set()
        numbers: set[str] = set()
        estimates = False
        use = table.get((f.number, f.unit)) if table is not None and f.unit == "clock" else None
        both = use.origins if use is not None else set()
        for s in index.sentences:
            if s.origin == origin or s.origin in both or f.number in s.nums or f.number in s.norm:
                continue
            shared = len(cw & s.content)
            similar = shared * (5 if f.unit in SOFT_UNITS else 3) >= len(cw)
            # two clock times in sentences naming the same things; two counts of one unit tied
            # to the same past year ("34 days" / "35-day", both of the 2018-19 shutdown)
            similar = similar or (
                f.unit == "clock"
                and any(
                    _stems(_around(text, f.text)) & _stems(_around(s.text, g.text))
                    for g in figures(s.text)
                    if g.unit == "clock"
                )
            )
            similar = similar or bool(years and years & _past_years(s.text, index))
            for g in figures(s.text):
                # a bare ordinal ("in the 36th,") counts the same thing as "39th minute"
                bare = f.ordinal and g.ordinal and not g.unit
                if g.number == f.number or not (g.unit == f.unit or bare):
                    continue
                if (
                    (similar and not bare)
                    or (
                        _near(f, g)
                        and (estimate(f, text) or estimate(g, s.text))
                        and bool(_stems(cw - {f.unit}) & _stems(s.content))
                    )
                    or (f.after and f.after == g.after)
                    or (f.hyphen and g.hyphen)
                    or (f.unit == "tally" and _one_side(f.number, g.number))
                    or (f.ordinal and g.ordinal and bool(people & _surnames(s.text, index)))
                ):
                    rivals.add(s.origin)
                    numbers.add(g.number)
                    estimates = estimates or estimate(g, s.text)
        if rivals:
            out.append(Rivalry(f, rivals, estimates, frozenset(numbers)))
    return out


def _around(text: str, span: str, reach: int = 12) -> set[str]:
    """Content words within ``reach`` words of ``span`` in ``text``: what a clock time is the
    time of ("the ferry sank at 6:30"), not everything its sentence mentions."""
    at = text.find(span)
    if at < 0:
        return content_words(text)
    before = text[:at].split()[-reach:]
    after = text[at + len(span) :].split()[:reach]
    return content_words(" ".join(before + after))


def _stems(ws: set[str] | frozenset[str]) -> set[str]:
    """Crudely stemmed words ("crashed", "crash"): enough to see two sentences tell of one
    happening."""
    return {re.sub(r"(ing|ed|es|s)$", "", w) if len(w) > 5 else w for w in ws}


def _near(f: Figure, g: Figure) -> bool:
    """Two plain counts of the same noun within a factor of 1.5 ("about 700 children" /
    "approximately 750 children"): when one is an estimate and the sentences share a word,
    most likely two reports of one quantity."""
    if f.unit in SOFT_UNITS or f.ordinal or g.ordinal or f.unit in ("tally", "%", ""):
        return False
    try:
        a, b = float(f.number), float(g.number)
    except ValueError:
        return False
    return min(a, b) > 0 and max(a, b) <= 1.5 * min(a, b) and not 1900 <= a <= 2100


_YEAR = re.compile(r"\b(19\d\d|20\d\d)\b")


def _past_years(text: str, index: SourceIndex) -> set[str]:
    """Years printed in ``text`` before every source's year of publication: a reference to a
    past event ("the 2018-19 shutdown"), unlike the current year, which every sentence shares."""
    now = min((a.time.year for a in index.articles.values()), default=0)
    return {y for y in _YEAR.findall(text) if int(y) < now}


_HEDGE = re.compile(
    r"\b(about|around|approximately|roughly|nearly|almost|some|over|more than|at least|up to|"
    r"upwards of|close to|an estimated|estimated|as many as|fewer than|less than|under)\W*$",
    re.I,
)


def estimate(fig: Figure, text: str) -> bool:
    """True when the figure is given as an estimate: hedged ("about 700", "more than 1,900") or
    round (two trailing zeros or more: "250,000", "1.5 million"). Two outlets' estimates of one
    quantity may honestly differ, and the article reports both with attribution; two *exact*
    figures that differ are a slip on one side, and neither is printed without a majority."""
    at = text.find(fig.text)
    if at >= 0 and _HEDGE.search(text[max(0, at - 30) : at]):
        return True
    digits = fig.number.replace(".", "")
    if re.search(r"\b(million|billion|trillion)\b", fig.text):
        return True
    return digits.isdigit() and len(digits) >= 3 and digits.endswith("00")


def _surnames(text: str, index: SourceIndex) -> set[str]:
    """Surnames of the story's known people printed in ``text``."""
    return {w for w in re.findall(r"[A-Z][\w'\u2019-]+", text) if w in index.surnames}


def _one_side(a: str, b: str) -> bool:
    """Two tallies that share exactly one side ("222-209", "222-219") count the same vote."""
    return len(set(a.split("-")) & set(b.split("-"))) == 1


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
