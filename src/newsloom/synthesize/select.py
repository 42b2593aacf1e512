"""Candidate sentences and their selection: cover the facts of all origins within a word budget.

Every complete sentence of every independent origin becomes a candidate after the safe rewrites of
``rewrite`` and the verifier's checks (a candidate the verifier would drop wastes no budget). The
selection is a greedy budgeted maximum coverage over fact atoms (``facts.atoms``): each step takes
the sentence that adds the most uncovered weight per word, where an atom weighs more the more
independent origins report it; atoms already covered add nothing (MMR at the fact level).
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from newsloom.model import Article
from newsloom.text import content_words, is_complete
from newsloom.verify import (
    TITLE_WORDS,
    WEEKDAYS,
    Check,
    SourceIndex,
    SourceSentence,
    check_sentence,
    names_in,
)

from .facts import (
    SOFT_UNITS,
    atom_weight,
    atoms,
    attributed,
    contested,
    estimate,
    figure_table,
    figures,
)
from .rewrite import (
    CONNECTIVE_OPENER,
    PRONOUN_OPENER,
    RELATIVE_RE,
    VAGUE_RE,
    absolute_dates,
    compressions,
    contested_weekday,
    drop_opener,
    resolve_pronoun,
    unfold_possessive_day,
)
from .variants import contested_quote, nicknames, truncated_name

log = logging.getLogger(__name__)

# Selection constants, chosen on realnews (see docs/synthesis.md) and checked on realnews-day.
WORD_EXPONENT = 0.6  # cost of a sentence = words ** WORD_EXPONENT (1.0 = pure gain per word)
REDUNDANCY = 0.6  # a candidate sharing this share of its content words with a chosen one is out
PAIR_GAIN = 8.0  # extra gain for the other side of a chosen attributed disagreement
MIN_GAIN = 1.2  # stop when no sentence adds this much fact weight (thin stories stay short)
SWAP_ROUNDS = 10  # local-search rounds after the greedy pass (it converges in a few)
SWAP_TRIES = 3  # chosen sentences tried for removal per round, least own weight per word first
CONSENSUS = 0.6  # bonus for a sentence every other origin echoes (``_consensus``)
ECHO = 0.35  # share of content words two sentences must share to echo each other

_JUNK = re.compile(
    r"https?://|www\.|@\w|\b(click|subscribe|sign up|newsletter|read more|all rights reserved|"
    r"cookies?|advertisement|getty images|ap photo|follow us|download|listen to)\b|"
    r"\b(photo|image|watch|related|read also|see also|source|credit)s?:|\u00a9|\|",
    re.I,
)
_QUOTES = re.compile(r"[\"\u201c\u201d]")
_BULLET = re.compile(r"^\s*[-\u2013\u2014\u2022*]\s+(?=[A-Z\"\u201c])")  # a list item's dash


@dataclass(slots=True)
class Candidate:
    """A source sentence ready to be written: rewritten text, checks, atoms and position."""

    src: SourceSentence
    text: str
    check: Check
    atoms: set[str]
    content: set[str]
    words: int
    position: float
    time: datetime
    attributed: bool
    quote: bool
    figures: int
    contest: tuple[Contest, ...] = ()
    consensus: float = 0.0  # share of the other origins with a sentence much like this one


@dataclass(frozen=True, slots=True)
class Contest:
    """A figure of a candidate that other origins give differently, and why it may be printed:
    ``latest`` (an update: this article is newer than every rival), ``claim`` (an attributed
    claim as well supported as its rivals: a genuine disagreement, to be shown side by side),
    ``estimate`` (one outlet's estimate among others, printed with its outlet, side by side) or
    ``majority`` (printed as the majority gives it; its rivals' claims are then wanted)."""

    number: str
    unit: str
    kind: str
    rivals: frozenset[int]
    support: int
    against: frozenset[str] = frozenset()  # the rival values


def representatives(articles: Sequence[Article]) -> list[Article]:
    """One article per independent origin: the origin itself, else its first copy present."""
    by_origin: dict[int, Article] = {}
    for a in articles:
        cur = by_origin.get(a.origin)
        if cur is None or (a.origin_id is None and cur.origin_id is not None):
            by_origin[a.origin] = a
    return list(by_origin.values())


MAX_WORDS = 55  # a longer sentence is hard to read: compressed or left out


def _usable(text: str) -> bool:
    n = len(text.split())
    return (
        6 <= n <= MAX_WORDS
        and is_complete(text)
        and (text[0].isupper() or text[0] in '"\u201c')
        and not text.rstrip().endswith(("?", ":"))
        and len(_QUOTES.findall(text)) % 2 == 0
        and not _JUNK.search(text)
        and sum(c.isalpha() for c in text) > 0.6 * len(text)
    )


def _readable(text: str) -> bool:
    """No opener that needs a missing sentence, no relative date left without its date."""
    bare = text.lstrip("\"\u201c\u2018'")
    if PRONOUN_OPENER.match(bare) or CONNECTIVE_OPENER.match(bare):
        return False
    if RELATIVE_RE.search(text) or VAGUE_RE.search(text):
        return False
    return all(
        re.match(r",?\s*\d{1,2}\s+[A-Z]", text[m.end() :])
        or re.match(r",?\s*[A-Z][a-z]+\s+\d", text[m.end() :])
        for m in re.finditer(rf"\b({'|'.join(d.capitalize() for d in WEEKDAYS)})\b", text)
    )


def candidates(articles: Sequence[Article], index: SourceIndex) -> list[Candidate]:
    """All usable, rewritten, verified candidate sentences of the story's origins."""
    reps = {a.id for a in representatives(list(index.articles.values()))}
    per_article: dict[int, list[SourceSentence]] = defaultdict(list)
    for s in index.sentences:
        per_article[s.article_id].append(s)
    gate = Gate.of(index)
    out: list[Candidate] = []
    for aid, sents in per_article.items():
        if aid not in reps:
            continue
        article = index.articles[aid]
        total = max(len(sents), 1)
        for s in sents:
            text = _fitting(_list_item(s.text, last=s is sents[-1]))
            if text is None:
                continue
            c = _candidate(text, s, s.index / total, article, gate)
            if c is not None:
                out.append(c)
    _consensus(out)
    return out


def _consensus(cands: Sequence[Candidate]) -> None:
    """Set each candidate's ``consensus``: the share of the other origins that have a candidate
    sharing at least ``ECHO`` of the smaller one's content words. A sentence that several
    outlets tell in their own words is the story's core; word atoms alone miss that when each
    outlet words it differently ("second consecutive cut" / "second straight cut")."""
    origins = {c.src.origin for c in cands}
    if len(origins) < 2:
        return
    postings: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(cands):
        for w in c.content:
            postings[w].append(i)
    for c in cands:
        shared: dict[int, int] = defaultdict(int)
        for w in c.content:
            for j in postings[w]:
                shared[j] += 1
        echo = {
            cands[j].src.origin
            for j, n in shared.items()
            if cands[j].src.origin != c.src.origin
            and n >= ECHO * min(len(c.content), len(cands[j].content))
        }
        c.consensus = len(echo) / (len(origins) - 1)


def _candidate(
    text: str,
    s: SourceSentence,
    position: float,
    article: Article,
    gate: Gate,
) -> Candidate | None:
    """One source sentence rewritten (openers, pronouns, dates, nicknames), verified and
    passed through the ``Gate``; ``None`` when it cannot be printed."""
    index = gate.index
    text = drop_opener(text)
    resolved = resolve_pronoun(text, s, index)
    if resolved is None:
        return None
    resolved = unfold_possessive_day(resolved)
    # only a known publication date resolves "on Saturday": a guessed one would print a
    # wrong date
    published = article.published_at
    if published is not None and contested_weekday(resolved, s.origin, published, index):
        published = None  # its weekday would resolve to a day the other origins contradict
    dated = absolute_dates(resolved, published)
    if dated is None or not _readable(dated):
        return None
    chk = check_sentence(nicknames(dated, index), index, extra=[s])
    if chk.verdict == "dropped":
        return None
    contest = gate.details(chk.text, s.origin, article)
    if contest is None:
        return None
    if any(k.kind in ("estimate", "latest") for k in contest) and not attributed(chk.text):
        # one outlet's figure among others is printed as that outlet's
        said = with_outlet(chk.text, article.outlet)
        if said is None and any(k.kind == "estimate" for k in contest):
            return None
        chk = replace(chk, text=said or chk.text)
    names = names_in(chk.text, index)
    return Candidate(
        src=s,
        text=chk.text,
        check=chk,
        atoms=atoms(chk.text, names),
        content=content_words(chk.text),
        words=len(chk.text.split()),
        position=position,
        time=article.time,
        attributed=attributed(chk.text),
        quote=bool(_QUOTES.search(chk.text)),
        figures=len(figures(chk.text)),
        contest=tuple(contest),
    )


_BEFORE_SURNAME = re.compile(r"[\"\u201c\u2018']?([A-Z][a-z]+)[\"\u201d\u2019']?\s+([A-Z][\w'-]+)")


def _minority_first_name(text: str, index: SourceIndex) -> bool:
    """True when a known person is given a first name (or a quoted nickname) that fewer than
    half of the origins naming that person in full use: an outlet's slip ("Mark" for "Marco")
    or spin is not printed, whatever the edit distance."""
    for m in _BEFORE_SURNAME.finditer(text):
        first, sur = m.group(1), m.group(2)
        fulls = index.surnames.get(sur)
        if not fulls or first.lower() in TITLE_WORDS or f"{first} {sur}" in fulls:
            continue
        if any(f.split()[0] == first for f in fulls if len(f.split()) > 1):
            continue
        named = set().union(*(index.persons.get(f, set()) for f in fulls))
        pat = re.compile(rf"\b{re.escape(first)}[\"\u201d\u2019']?\s+{re.escape(sur)}\b")
        mine = {o for o, t in index.origin_text.items() if pat.search(t)}
        if len(named) >= 2 and 2 * len(mine) < len(named):
            return True
    return False


def _list_item(text: str, last: bool) -> str:
    """A bulleted line as a sentence: its dash dropped and, unless it ends the text (an
    excerpt may be cut there), a full stop added where the list left it out ("- Dow Jones
    climbed nearly 3,000 points")."""
    if not _BULLET.match(text):
        return text
    item = _BULLET.sub("", text).rstrip()
    if not last and item[-1:].isalnum():
        item += "."
    return item


def _fitting(text: str) -> str | None:
    """The sentence if usable; a sentence too long to print is cut to its longest usable
    compression (a trailing clause without facts dropped, ``rewrite.compressions``); else
    ``None``. Compression is kept for long sentences only: on realnews, offering it for every
    sentence cost key facts, because fact-free clauses still hold the words a fact is told in."""
    if _usable(text):
        return text
    if len(text.split()) <= MAX_WORDS:
        return None
    return next((c for c in compressions(text) if _usable(c)), None)


def with_outlet(text: str, outlet: str) -> str | None:
    """``text`` attributed to the outlet that printed it ("..., according to example.com."):
    an estimate that other outlets give differently is reported as that outlet's. ``None`` when
    the sentence does not end in a plain full stop (a quote, a question)."""
    body = text.rstrip()
    if not body.endswith(".") or body.endswith(".."):
        return None
    return f"{body[:-1]}, according to {outlet}."


@dataclass(slots=True)
class Gate:
    """What any printed text, body sentence or headline, must pass besides the verifier: no
    contested figure unless it is the majority's, the latest or an attributed claim, no
    minority first name, no misquote, no law title with a word missing (``variants``)."""

    index: SourceIndex
    table: dict
    latest: dict[int, datetime]

    @classmethod
    def of(cls, index: SourceIndex) -> Gate:
        latest = {
            o: max(a.time for a in index.articles.values() if a.origin == o)
            for o in {a.origin for a in index.articles.values()}
        }
        return cls(index, figure_table(index), latest)

    def details(self, text: str, origin: int, article: Article) -> list[Contest] | None:
        """The contested figures ``text`` may print (see ``_contest``), or ``None`` when a
        detail of it must not be printed."""
        index = self.index
        if (
            truncated_name(text, origin, index)
            or contested_quote(text, origin, index)
            or _minority_first_name(text, index)
        ):
            return None
        return _contest(text, origin, article, index, self.table, self.latest)


def _contest(
    text: str,
    origin: int,
    article: Article,
    index: SourceIndex,
    table: dict,
    latest: dict[int, datetime],
) -> list[Contest] | None:
    """Keep a figure others give differently only when it is the majority's, the latest, an
    attributed claim as well supported as its rivals, or one of several estimates (``estimate``:
    printed with its outlet, beside the others); a lone unattributed exact rival value is left
    out (so an outlet's slip is not printed): ``None``. Otherwise the contests found."""
    out: list[Contest] = []
    for fig, rivals, _, values in contested(text, origin, index, table):
        use = table.get((fig.number, fig.unit))
        mine = len(use.origins) if use is not None else 1
        if mine >= 2 and mine >= 2 * len(rivals):
            out.append(Contest(fig.number, fig.unit, "majority", frozenset(rivals), mine, values))
            continue
        soft = fig.unit in SOFT_UNITS or fig.ordinal
        if not soft and all(article.time > latest[o] for o in rivals):
            out.append(Contest(fig.number, fig.unit, "latest", frozenset(rivals), mine, values))
            continue
        if not soft and attributed(text) and mine >= len(rivals):
            out.append(Contest(fig.number, fig.unit, "claim", frozenset(rivals), mine, values))
            continue
        named = not (fig.hyphen or fig.unit == "tally")  # "21-point plan" names one thing
        if not soft and named and estimate(fig, text):
            out.append(Contest(fig.number, fig.unit, "estimate", frozenset(rivals), mine, values))
            continue
        log.debug("contested figure %s %s left out", fig.number, fig.unit)
        return None
    return out


PAIRED = frozenset({"claim", "estimate"})  # kinds whose other side is wanted once one is in
SIDES = PAIRED | {"majority"}


def select(
    cands: Sequence[Candidate], budget: int, origins: int, min_gain: float | None = None
) -> list[Candidate]:
    """Greedy budgeted coverage of fact atoms (see the module docstring).

    Two kinds of contested figures change the weights: the latest value of an updated figure
    weighs as much as all its versions together (the slot is the fact, its current value is
    what to print), and once one side of an attributed disagreement is chosen, the other
    side's claim gains ``PAIR_GAIN`` so both parties are heard."""
    df: dict[str, set[int]] = defaultdict(set)
    for c in cands:
        for a in c.atoms:
            df[a].add(c.src.origin)
    weight = {a: atom_weight(a, len(o)) for a, o in df.items()}
    for c in cands:
        for k in c.contest:
            if k.kind == "latest":
                atom = f"n:{k.number}:{k.unit}"
                weight[atom] = max(weight[atom], atom_weight(atom, k.support + len(k.rivals)))
    min_gain = MIN_GAIN if min_gain is None else min_gain
    chosen = _greedy(cands, [], budget, weight, min_gain)
    value = _value(chosen, weight)
    for _ in range(SWAP_ROUNDS):
        better = _improve(cands, chosen, budget, weight, min_gain, value)
        if better is None:
            break
        chosen, value = better
    return _pair_rivals(cands, chosen, budget, weight)


RIVAL_KINDS = PAIRED | {"latest"}  # printable sides of a disagreement
MAX_PAIR_WORDS = 40  # a rival side longer than this is not worth the facts it would displace


def _rival_side(c: Candidate, k: Contest, chosen: Sequence[Candidate]) -> bool:
    """True when a chosen sentence other than ``c`` already prints a rival value of ``k``."""
    return any(
        d is not c and any(j.unit == k.unit and j.number in k.against for j in d.contest)
        for d in chosen
    )


def _pair_rivals(
    cands: Sequence[Candidate],
    chosen: list[Candidate],
    budget: int,
    weight: dict[str, float],
) -> list[Candidate]:
    """Complete every disagreement the selection prints one side of: when a chosen sentence
    gives a figure that another origin gives differently (an attributed claim, an estimate, an
    update), the shortest printable sentence with the rival value is added, displacing the
    chosen sentences of least own weight if the budget is spent. A reader told "about 700
    children" by one party must learn that another said 750; one side alone reads as the
    settled fact."""
    chosen = list(chosen)
    for c in list(chosen):
        if c not in chosen:
            continue
        for k in c.contest:
            if k.kind not in RIVAL_KINDS or _rival_side(c, k, chosen):
                continue
            sides = [
                d
                for d in cands
                if d not in chosen
                and d.src.origin in k.rivals
                and d.words <= MAX_PAIR_WORDS
                and any(
                    j.unit == k.unit
                    and j.number in k.against
                    and k.number in j.against
                    and j.kind in RIVAL_KINDS
                    for j in d.contest
                )
                and not _redundant(d, [c])
            ]
            if not sides:
                continue
            side = min(sides, key=lambda d: (d.words, d.position))
            if not _make_room(chosen, side.words, budget, weight, keep={id(c)}):
                continue
            chosen.append(side)
    return chosen


def _make_room(
    chosen: list[Candidate], words: int, budget: int, weight: dict[str, float], keep: set[int]
) -> bool:
    """Drop chosen sentences of least own fact weight per word (never one in a disagreement,
    never one in ``keep``) until ``words`` more fit in ``budget``; ``False`` (nothing dropped)
    when they cannot."""
    counts: dict[str, int] = defaultdict(int)
    for c in chosen:
        for a in c.atoms:
            counts[a] += 1
    free = budget - sum(c.words for c in chosen)
    spare = sorted(
        (c for c in chosen if id(c) not in keep and not c.contest),
        key=lambda c: sum(weight[a] for a in c.atoms if counts[a] == 1) / c.words,
    )
    drop: list[Candidate] = []
    for c in spare:
        if free >= words:
            break
        drop.append(c)
        free += c.words
    if free < words:
        return False
    for c in drop:
        chosen.remove(c)
    return True


def _greedy(
    cands: Sequence[Candidate],
    chosen: list[Candidate],
    budget: int,
    weight: dict[str, float],
    min_gain: float,
) -> list[Candidate]:
    """Extend ``chosen`` greedily: each step takes the candidate with the best new weight per
    word (with the attribution, quote, figure and lead bonuses) until the budget is spent or
    nothing adds ``min_gain``."""
    chosen = list(chosen)
    covered: set[str] = set().union(*(c.atoms for c in chosen)) if chosen else set()
    wanted: dict[str, set[str]] = defaultdict(set)  # unit -> numbers already claimed
    for c in chosen:
        for k in c.contest:
            if k.kind in SIDES:
                wanted[k.unit].add(k.number)
    left = budget - sum(c.words for c in chosen)
    taken = {id(c) for c in chosen}
    pool = [c for c in cands if id(c) not in taken and not _redundant(c, chosen)]
    while pool:
        best, best_score, best_gain = None, 0.0, 0.0
        for c in pool:
            if c.words > left:
                continue
            gain = sum(weight[a] for a in c.atoms - covered)
            gain += PAIR_GAIN * sum(
                1
                for k in c.contest
                if k.kind in PAIRED and wanted.get(k.unit) and k.number not in wanted[k.unit]
            )
            score = gain * _bonus(c) / c.words**WORD_EXPONENT
            if score > best_score:
                best, best_score, best_gain = c, score, gain
        if best is None or best_gain < min_gain:
            break
        chosen.append(best)
        covered |= best.atoms
        for k in best.contest:
            if k.kind in SIDES:
                wanted[k.unit].add(k.number)
        left -= best.words
        pool = [c for c in pool if c is not best and not _redundant(c, [best])]
    return chosen


def _bonus(c: Candidate) -> float:
    """Preference for attributed, quoted, numeric, early (lead) and widely echoed sentences."""
    bonus = 1 + 0.15 * c.attributed + 0.1 * c.quote + 0.1 * bool(c.figures)
    return bonus * (1 + 0.3 * (1 - c.position)) * (1 + CONSENSUS * c.consensus)


def _value(chosen: Sequence[Candidate], weight: dict[str, float]) -> float:
    """The fact weight a selection covers (each atom once)."""
    covered: set[str] = set().union(*(c.atoms for c in chosen)) if chosen else set()
    return sum(weight[a] for a in covered)


def _improve(
    cands: Sequence[Candidate],
    chosen: list[Candidate],
    budget: int,
    weight: dict[str, float],
    min_gain: float,
    value: float,
) -> tuple[list[Candidate], float] | None:
    """One round of local search: drop the chosen sentence that adds least of its own per word
    and refill the freed words greedily; kept only when the covered fact weight grows. Greedy
    coverage often takes a long sentence early whose facts later, shorter sentences repeat."""
    if len(chosen) < 2:
        return None
    counts: dict[str, int] = defaultdict(int)
    for c in chosen:
        for a in c.atoms:
            counts[a] += 1
    own = sorted(
        chosen,
        key=lambda c: sum(weight[a] for a in c.atoms if counts[a] == 1) / c.words,
    )
    for out in own[:SWAP_TRIES]:
        rest = [c for c in chosen if c is not out]
        trial = _greedy([c for c in cands if c is not out], rest, budget, weight, min_gain)
        v = _value(trial, weight)
        if v > value + 1e-9:
            return trial, v
    return None


def _redundant(c: Candidate, chosen: Sequence[Candidate]) -> bool:
    """A candidate that mostly repeats a chosen sentence's content words."""
    if not c.content:
        return True
    return any(
        s.src == c.src or len(c.content & s.content) >= REDUNDANCY * len(c.content) for s in chosen
    )
