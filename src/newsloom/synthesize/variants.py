"""Variant details: where origins print the same thing differently, print only what is safe.

One outlet's slip must never reach the article, even when copying its sentence verbatim would
pass the citation check. Three kinds of detail are compared across independent origins:

* **quoted first names** ('"Johnny"' / '"Gianni"' before the same surname): a quoted first
  name is printed only when a strict majority of the origins that give the person a first
  name use it; otherwise it
  is removed and the surname stands alone ("FIFA president Infantino");
* **quotations**: a quoted span that other origins quote with mostly the same words but a
  different number, quantity or span of time (a misquote or a spun copy: "in a matter of
  years" for "within a few decades") is printed only when strictly more origins print it
  verbatim than print a rival; synonyms alone (two translations of one statement) are not a
  conflict;
* **titles of laws and treaties with a word missing** ("International Emergency Powers Act"
  where another origin prints "International Emergency Economic Powers Act"): a legal
  instrument has one official title, and a shorter form with the same first and last word is
  a slip far more often than the longer is an invention, so a sentence with the shorter form is
  left out. Other names are not judged this way: "Reagan National Airport" and "Reagan
  Washington National Airport" are both in use, and "FIFA World Cup" and "FIFA Club World Cup"
  are two things.

Pure functions over ``SourceIndex``; the selection calls them for every candidate.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from difflib import SequenceMatcher
from typing import TypeVar

from newsloom.text import capitalized_runs, normalize
from newsloom.verify import QUOTE_RE, TITLE_WORDS, SourceIndex

T = TypeVar("T")
_Q = "[\"\u201c\u201d\u2018\u2019']"
_NICK_SUR = re.compile(rf"{_Q}\b([A-Z][a-z]+){_Q}\s+([A-Z][\w'-]+)")


def nicknames(text: str, index: SourceIndex) -> str:
    """``text`` with every quoted first name ('"Johnny" Infantino') that lacks a strict majority
    among the origins removed, the surname left alone.

    Each origin votes for the first names it prints before the surname; a quoted one is kept
    when it has more votes than all the others together. Unquoted first names are judged by
    ``select``'s minority rule instead (which leaves the sentence out): two different first
    names before one surname are often two people ("Donald" and "Melania"), so an unquoted
    first name is never removed."""
    out = text
    for m in reversed(list(_NICK_SUR.finditer(text))):
        first, sur = m.group(1), m.group(2)
        if first.lower() in TITLE_WORDS or first in _COMMON:
            continue
        votes = _first_name_votes(index, sur)
        if len(votes) < 2 or first not in votes:
            continue
        mine = votes.get(first, 0)
        if 2 * mine > sum(votes.values()):
            continue
        out = out[: m.start()] + sur + out[m.end() :]
    return out


def _first_name_votes(index: SourceIndex, sur: str) -> Counter[str]:
    """Origins per first name printed before ``sur`` (title words and capitalised sentence
    openers are not votes). Memoised on the index."""
    cache: dict[str, Counter[str]] = _memo(index, "first_names", dict)
    if sur not in cache:
        pat = re.compile(rf"{_Q}?\b([A-Z][a-z]+){_Q}?\s+{re.escape(sur)}\b")
        votes: Counter[str] = Counter()
        for text in index.origin_text.values():
            names = {m.group(1) for m in pat.finditer(text)}
            votes.update(n for n in names if n.lower() not in TITLE_WORDS and n not in _COMMON)
        cache[sur] = votes
    return cache[sur]


def _memo(index: SourceIndex, key: str, build: Callable[[], T]) -> T:
    """Per-index memo: the values below depend only on the story's sources."""
    store = index.__dict__.setdefault("_variants", {})
    if key not in store:
        store[key] = build()
    return store[key]


_COMMON = frozenset(
    "The A An And But In On At For With By From As Of To Under After Before When While Where "
    "Prime Foreign Defence Defense Finance Senator Governor Minister President Chancellor Pope "
    "Coach Striker Captain Leader Chief Judge Mayor Officials Sources Police".split()
)


def contested_quote(text: str, origin: int, index: SourceIndex) -> bool:
    """True when a quoted span of ``text`` (three words or more) is quoted by another origin as
    the same passage with a fact word replaced (``_misquote``), and is not printed verbatim by
    strictly more origins than print such a rival version."""
    for m in QUOTE_RE.finditer(text):
        quote = m.group(1).strip()
        if len(quote.split()) < 3:
            continue
        qnorm = normalize(quote)
        qwords = _tokens(qnorm)
        mine = {o for o, t in _norm_texts(index).items() if qnorm in t} | {origin}
        rivals = {
            o
            for o, quotes in _quotes_by_origin(index).items()
            if o not in mine and any(_misquote(qwords, other) for other in quotes)
        }
        if rivals and len(mine) <= len(rivals):
            return True
    return False


_FACT_WORDS = frozenset(
    "one two three four five six seven eight nine ten eleven twelve twenty hundred hundreds "
    "thousand thousands million millions billion billions dozen dozens few several many "
    "second seconds minute minutes hour hours day days week weeks month months year years "
    "decade decades century centuries percent".split()
)


def _misquote(mine: list[str], other: list[str]) -> bool:
    """Two quotations of one passage that differ in a fact: aligned word by word (difflib),
    most of the shorter one matches, and a short *replaced* stretch (at most four words,
    inside the quote, not at its ends) holds a number, a quantity or a span of time ("in a matter of years" / "within a few decades"). Abridgment (words left
    out) and synonyms (two translations: "facilities" / "infrastructure") are not conflicts,
    and two different passages of one speech do not align."""
    sm = SequenceMatcher(None, mine, other, autojunk=False)
    matched = sum(b.size for b in sm.get_matching_blocks())
    if matched < 3 or 5 * matched < 3 * min(len(mine), len(other)):
        return False
    return any(
        tag == "replace"
        and max(i2 - i1, j2 - j1) <= 4
        and 0 < i1 < len(mine) - (i2 - i1)
        and _factual(mine[i1:i2] + other[j1:j2])
        for tag, i1, i2, j1, j2 in sm.get_opcodes()
    )


def _factual(words: list[str]) -> bool:
    return any(w in _FACT_WORDS or w.isdigit() for w in words)


def _tokens(norm: str) -> list[str]:
    """Words and digit runs of a normalised quote: punctuation, hyphens and the separators of
    "7:35" / "7.35" do not make two quotations differ."""
    return _TOKEN.findall(norm)


_TOKEN = re.compile(r"[^\W\d_]+|\d+")


def _norm_texts(index: SourceIndex) -> dict[int, str]:
    return _memo(index, "norm", lambda: {o: normalize(t) for o, t in index.origin_text.items()})


def _quotes_by_origin(index: SourceIndex) -> dict[int, list[list[str]]]:
    """Every origin's quoted spans of three words or more, normalised, as word lists."""

    def build() -> dict[int, list[list[str]]]:
        out = {}
        for o, t in index.origin_text.items():
            spans = [_tokens(normalize(q.group(1))) for q in QUOTE_RE.finditer(t)]
            out[o] = [q for q in spans if len(q) >= 3]
        return out

    return _memo(index, "quotes", build)


def truncated_name(text: str, origin: int, index: SourceIndex) -> bool:
    """True when ``text`` prints the title of a law or treaty that another origin prints with
    more words inside it, same first and last word ("International Emergency Powers Act" against
    "International Emergency Economic Powers Act")."""
    mine = [r for r in map(_name_words, capitalized_runs(text)) if len(r) >= 3 and r[-1] in _LEGAL]
    if not mine:
        return False
    longer = _runs_by_origin(index)
    for run in mine:
        for o, runs in longer.items():
            if o == origin:
                continue
            if any(_inner_insertion(run, other) for other in runs):
                return True
    return False


_LEGAL = frozenset(
    "Act Law Code Treaty Convention Agreement Accord Accords Resolution Bill Directive "
    "Regulation Charter Protocol Statute Amendment".split()
)


def _runs_by_origin(index: SourceIndex) -> dict[int, list[list[str]]]:
    return _memo(
        index,
        "runs",
        lambda: {
            o: [r for r in map(_name_words, capitalized_runs(t)) if len(r) >= 4]
            for o, t in index.origin_text.items()
        },
    )


def _name_words(run: str) -> list[str]:
    """A capitalised run's words without a leading sentence opener ("The", "By")."""
    words = run.split()
    while words and words[0] in _COMMON:
        words = words[1:]
    return words


def _inner_insertion(short: list[str], long: list[str]) -> bool:
    """``long`` is ``short`` with words inserted strictly inside (not at either end)."""
    if len(long) <= len(short) or short[0] != long[0] or short[-1] != long[-1]:
        return False
    it = iter(long)
    return all(w in it for w in short)
