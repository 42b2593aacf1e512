"""The verifier: every written sentence is checked against the source sentences, whoever wrote it.

A sentence of a synthesis (extractive or written by a language model) is only as good as the
source sentences behind it. ``verify`` recomputes those citations from scratch and then applies
rules a fluent writer breaks and a reader cannot see:

* **support** - a source sentence supports a written one when it shares at least half of the
  written sentence's content words (the evaluation's citation rule) and agrees on its numbers
  (shares at least one of them, when the written sentence has any). No support, no sentence.
* **numbers** - every number stands in a cited source sentence; the numbers of a date are
  checked as a date instead.
* **dates** - every date ("Saturday, 6 December", "Dec. 6, 2025", "29-30 October") is a day a
  cited source sentence states: a date it prints, or a day its relative date denotes from its
  article's date (a weekday: the latest such day on or before publication, or the next one;
  yesterday, today, tonight, tomorrow). A weekday printed with the date must be that day's.
* **quotes** - every span of three or more words in double quotes is an exact substring of a cited
  source sentence.
* **people** - every person named is named in a cited source sentence (a pronoun the
  synthesizer replaced by a name therefore survives only when a supporting sentence names that
  person too). Offline rule for "a person": capitalised runs
  of two or more words that do not start the sentence, runs that are known person names of the
  sources (a run following a title such as "President X" or next to "said"), and single surnames
  that end such a known full name.
* **proper names** - every capitalised word inside a sentence (people, places, bodies) stands in
  a cited source sentence; at a sentence start or in a title-case headline, only the words the
  sources themselves treat as names (capitalised inside their sentences, never in lower case).
  Month and weekday names are dates, checked as dates.
* **names** - a known person's name spelled the way only a minority of independent origins spell it
  ("Mark" where most say "Marco") is not printed.
* **roles** - a role modifier (former, ex-, late, outgoing, incoming, acting, interim; "ex-" with
  or without a space) before a person - within four capitalised or office words ("former
  president", "ex-Senate Minority Leader"), a known person, a known surname, or else a word the
  sources print only as the end of a capitalised name - must agree with how the MAJORITY of
  independent origins that mention that person describe them; an office title with a qualifier ("House Speaker") must not be given to a person when other
  origins give that title to somebody else and none to this person. Several real outlets called a
  sitting president "former President"; being supported by one of them is not enough.

A failing sentence is repaired when a deletion fixes it (a wrong role word is removed) and dropped
otherwise; values are never replaced. The function is pure and deterministic.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from difflib import SequenceMatcher
from functools import cached_property

from newsloom.model import Article, Citation, Sentence, Synthesis
from newsloom.text import (
    NUMBER,
    capitalized_runs,
    content_words,
    normalize,
    numbers,
    split_sentences,
)

log = logging.getLogger(__name__)

MODIFIERS = ("former", "ex-", "ex", "late", "outgoing", "incoming", "acting", "interim")
_MOD_FAMILY = {"ex-": "former", "ex": "former"}
OFFICE_WORDS = frozenset(
    """president prime minister mayor governor chancellor secretary senator ceo chief speaker
    king queen pope ambassador envoy director chairman chair chairwoman leader commissioner
    general judge justice representative rep sen gov premier spokesman spokeswoman spokesperson
    coach manager captain head minister vice deputy attorney marshal commander""".split()
)
TITLE_WORDS = OFFICE_WORDS | frozenset(
    """mr mrs ms dr sir dame lord lady prof former late acting interim outgoing incoming ex
    us u.s. uk u.k. un eu""".split()
)
_NOT_PERSON = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march april may
    june july august september october november december the a an in on at of for and but
    ministry department force forces office council house senate congress parliament court
    university agency police army air navy national international united states kingdom union
    news press times post league cup club party government region province city republic
    federal state bank group company inc corp ltd airlines airport station street square
    north south east west northern southern eastern western central new""".split()
)
_OFFICE_QUALIFIERS = frozenset(
    """state foreign defence defense interior affairs finance justice health home treasury
    u.s u.k house white economy trade energy""".split()
)
MONTHS = (
    "january february march april may june july august september october november december".split()
)
WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
_MONTH_RE = "|".join(m.capitalize() for m in MONTHS)
_DATE_RE = re.compile(
    rf"\b(?:(\d{{1,2}})\s+({_MONTH_RE})|({_MONTH_RE})\s+(\d{{1,2}}))(?:,?\s+(\d{{4}}))?\b"
)
QUOTE_RE = re.compile(r"[\"\u201c\u201d]([^\"\u201c\u201d]+)[\"\u201c\u201d]")
_PLAIN = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'", "\u00a0": " "})
_OFFICE_LOWER = "|".join(
    sorted(w for w in OFFICE_WORDS if w not in {"general", "head", "vice", "deputy"})
)
# a title gap: up to four capitalised words or lower-case office words ("former president",
# "ex-Senate Minority Leader", "former European Council chief")
_GAP = rf"(?:(?:[A-Z\u00C0-\u00DE][\w.'\u2019-]*|(?:{_OFFICE_LOWER})\b)\s+){{0,4}}"
_MOD_RE = re.compile(
    r"(?i:\b(former|ex-|ex(?=\s)|late|outgoing|incoming|acting|interim))(?:(?<=-)\s*|\s+)"
    rf"({_GAP})"
)


_CAP_WORD = re.compile(r"(?<![\w'\u2019-])[A-Z\u00C0-\u00DE][\w'\u2019.-]*")


def _opens(text: str, pos: int) -> bool:
    """True when ``pos`` starts a sentence or clause of ``text`` (only quotes, brackets or a
    colon/dash before it), where any word is capitalised."""
    return re.search(r"(?:^|[:;\u2014\u2013]|\s-)[\s\"'\u201c\u2018(\[]*$", text[:pos]) is not None


def plain(text: str) -> str:
    """Straight quotes and apostrophes, folded white space: the form quotes are compared in."""
    return re.sub(r"\s+", " ", text.translate(_PLAIN)).strip()


def date_numbers(text: str, published: Sequence[datetime]) -> set[str]:
    """Numbers of ``text`` that belong to a date within a week of one of the ``published`` dates.

    Such dates are what the synthesizer computes from relative dates ("on Saturday" in an article
    published on 7 December becomes "Saturday, 6 December"), so their digits need no source."""
    found: set[str] = set()
    days = {(d.date() + timedelta(days=k)) for d in published for k in range(-7, 8)}
    for m in _DATE_RE.finditer(text):
        day = int(m.group(1) or m.group(4))
        month = MONTHS.index((m.group(2) or m.group(3)).lower()) + 1
        year = int(m.group(5)) if m.group(5) else None
        if any(d.day == day and d.month == month and year in (None, d.year) for d in days):
            found.add(str(day))
            if year:
                found.add(str(year))
    return found


_ABBR = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9}
_ABBR |= {"sept": 9, "oct": 10, "nov": 11, "dec": 12}
_MONTH_ANY = (
    "(" + "|".join([m.capitalize() for m in MONTHS] + [a.capitalize() for a in _ABBR]) + r")\.?"
)
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?(?:\s*[-\u2013]\s*(\d{1,2})(?:st|nd|rd|th)?)?"
_WD = "|".join(w.capitalize() for w in WEEKDAYS)
# "Saturday, 6 December", "Dec. 6, 2025", "29-30 October", "the 6th of December"
DATE_RE = re.compile(
    rf"(?:\b({_WD}),?\s+(?:the\s+)?)?\b(?:{_DAY}\s+(?:of\s+)?{_MONTH_ANY}|{_MONTH_ANY}\s+{_DAY})"
    r"(?![\w-])(?:,?\s+(\d{4})\b)?"
)
_RELATIVE_DAY = re.compile(rf"\b(?:({_WD})|(yesterday|today|tonight|tomorrow))\b", re.I)


def _month(name: str) -> int:
    low = name.lower().rstrip(".")
    return MONTHS.index(low) + 1 if low in MONTHS else _ABBR[low]


def date_parts(m: re.Match[str]) -> tuple[str | None, list[int], int, int | None]:
    """(weekday, days, month, year) of a ``DATE_RE`` match."""
    if m.group(4):
        days, month = [m.group(2), m.group(3)], m.group(4)
    else:
        days, month = [m.group(6), m.group(7)], m.group(5)
    year = int(m.group(8)) if m.group(8) else None
    return m.group(1), [int(d) for d in days if d], _month(month), year


def _dates(day: int, month: int, year: int | None, near: date) -> list[date]:
    """Concrete dates a printed day and month can be: the given year, else the year before, of
    and after ``near`` (an article's date)."""
    out = []
    for y in (year,) if year else (near.year - 1, near.year, near.year + 1):
        try:
            out.append(date(y, month, day))
        except ValueError:
            continue
    return out


def source_days(text: str, published: datetime) -> set[date]:
    """The days a source sentence states: the dates it prints (a range gives both ends), and
    the days its relative dates denote from its article's date (a weekday: the latest one on or
    before publication and the next one; yesterday, today, tonight, tomorrow)."""
    when = published.date()
    out: set[date] = set()
    for m in DATE_RE.finditer(text):
        _, days, month, year = date_parts(m)
        for d in days:
            out.update(_dates(d, month, year, when))
    for m in _RELATIVE_DAY.finditer(text):
        if m.group(1):
            target = WEEKDAYS.index(m.group(1).lower())
            out.add(when - timedelta(days=(when.weekday() - target) % 7))
            out.add(when + timedelta(days=(target - when.weekday()) % 7))
        else:
            shift = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1}
            out.add(when + timedelta(days=shift[m.group(2).lower()]))
    return out


def date_stands(m: re.Match[str], days: set[date], near: Sequence[date]) -> bool:
    """A written date stands when each of its days is a day a cited source states, with the
    weekday printed before it (if any) that day's weekday."""
    weekday, ds, month, year = date_parts(m)
    for i, d in enumerate(ds):
        options = {c for n in near for c in _dates(d, month, year, n)} & days
        if weekday and i == 0:
            options = {c for c in options if WEEKDAYS[c.weekday()] == weekday.lower()}
        if not options:
            return False
    return True


def proper_names(text: str, index: SourceIndex) -> list[str]:
    """Capitalised words of a written sentence that are names (people, places, bodies): every
    capitalised word inside a sentence, and at a sentence start or in a title-case headline
    those the sources treat as names (``SourceIndex.is_name``). Month and weekday names are
    dates, checked as dates."""
    long = [w for w in re.findall(r"[A-Za-z][\w'\u2019-]*", text) if len(w) > 3]
    title_case = len(long) >= 3 and sum(w[0].isupper() for w in long) > 0.6 * len(long)
    out = []
    for m in _CAP_WORD.finditer(text):
        w = _unpossess(m.group(0)).rstrip(".'\u2019")
        low = w.lower()
        if len(w) < 2 or low in MONTHS or low in WEEKDAYS or low in _ABBR:
            continue
        if (m.start() == 0 or _opens(text, m.start()) or title_case) and not index.is_name(w):
            continue
        out.append(w)
    return out


def _norm_num(n: str) -> str:
    return n.replace(",", "")


@dataclass(frozen=True, slots=True)
class SourceSentence:
    """A complete sentence of an article, with the features support is decided on."""

    article_id: int
    origin: int
    index: int
    start: int
    end: int
    text: str
    content: frozenset[str]
    nums: frozenset[str]
    norm: str


@dataclass(slots=True)
class Check:
    """The outcome of checking one written sentence."""

    text: str
    verdict: str
    citations: list[Citation] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


def _person_tail(tokens: list[str]) -> list[str]:
    """Strip title words ("US President Donald Trump" -> "Donald Trump")."""
    i = 0
    for j, t in enumerate(tokens):
        if t.lower().strip(".") in TITLE_WORDS | _OFFICE_QUALIFIERS:
            i = j + 1
    return tokens[i:]


_RUN_RE = re.compile(
    r"[A-Z\u00C0-\u00DE][\w'\u2019.-]*(?:[^\S\n]+[A-Z\u00C0-\u00DE][\w'\u2019.-]*)+"
)
_ABBREVIATIONS = TITLE_WORDS | frozenset("st sens reps gen lt col sgt jr sr no".split())


def _ends_sentence(word: str) -> bool:
    """A word with a final full stop that is no abbreviation or initial ("Hsu." not "Sen.")."""
    return (
        word.endswith(".")
        and len(word) > 2
        and "." not in word[:-1]
        and word[:-1].lower() not in _ABBREVIATIONS
    )


def _runs(text: str) -> Iterator[tuple[list[str], int, int]]:
    """Runs of two or more capitalised words on one line, cut at a sentence end: (words,
    start, end). A run never joins the last word of a sentence to the next sentence."""
    for m in _RUN_RE.finditer(text):
        part: list[re.Match[str]] = []
        for t in re.finditer(r"\S+", m.group(0)):
            part.append(t)
            if not _ends_sentence(t.group(0)):
                continue
            yield from _run_words(part, m.start())
            part = []
        yield from _run_words(part, m.start())


def _run_words(toks: list[re.Match[str]], offset: int) -> Iterator[tuple[list[str], int, int]]:
    if len(toks) < 2:
        return
    words = [t.group(0) for t in toks]
    if _ends_sentence(words[-1]):
        words[-1] = words[-1][:-1]
    yield words, offset + toks[0].start(), offset + toks[-1].end()


def _unpossess(t: str) -> str:
    return t[:-2] if t.endswith(("'s", "\u2019s")) else t


def _looks_like_name(tokens: list[str]) -> bool:
    return (
        2 <= len(tokens) <= 3
        and all(t[:1].isupper() and t.lower() not in _NOT_PERSON for t in tokens)
        and all(re.fullmatch(r"[^\W\d_][\w'\u2019.-]*", t) for t in tokens)
    )


class SourceIndex:
    """Everything the checks need to know about a story's sources, computed once.

    Built from the story's articles; only English articles and complete sentences count (a cut
    last sentence is never evidence)."""

    def __init__(self, articles: Sequence[Article]) -> None:
        self.articles = {a.id: a for a in articles if a.id is not None and _english(a)}
        self.sentences: list[SourceSentence] = []
        self.by_word: dict[str, list[int]] = defaultdict(list)
        for a in self.articles.values():
            spans = split_sentences(a.text)
            if a.truncated and spans:
                spans = spans[:-1]
            for i, sp in enumerate(spans):
                s = SourceSentence(
                    article_id=a.id,  # type: ignore[arg-type]
                    origin=a.origin,
                    index=i,
                    start=sp.start,
                    end=sp.end,
                    text=sp.text,
                    content=frozenset(content_words(sp.text)),
                    nums=frozenset(_norm_num(n) for n in numbers(sp.text)),
                    norm=normalize(sp.text),
                )
                for w in s.content:
                    self.by_word[w].append(len(self.sentences))
                self.sentences.append(s)
        self._by_pos = {(s.article_id, s.index): s for s in self.sentences}
        self.origin_text: dict[int, str] = defaultdict(str)
        for a in self.articles.values():
            self.origin_text[a.origin] += "\n" + (a.title or "") + "\n" + a.text

    # -- people ---------------------------------------------------------------------------
    @cached_property
    def persons(self) -> dict[str, set[int]]:
        """Known person names (full names) and the origins that print them.

        A run counts as a person when some source puts a title word before it or a speech verb
        right next to it ("President X", "X said", "said X")."""
        found: dict[str, set[int]] = defaultdict(set)
        for origin, text in self.origin_text.items():
            for tokens, start, end in _runs(text):
                tail = [_unpossess(t) for t in _person_tail(tokens)]
                if len(tail) > 3:
                    tail = tail[-2:]
                if not _looks_like_name(tail):
                    continue
                name = " ".join(tail)
                before = text[max(0, start - 30) : start].lower()
                after = text[end : end + 30].lower()
                titled = len(tail) < len(tokens)
                speech = re.search(r"\b(said|says|told|added|wrote|according to)\W*$", before) or (
                    re.match(r"\W*(said|says|told|added|wrote|who)\b", after)
                )
                if titled or speech or re.search(r"\b(mr|mrs|ms|dr)\.?\s*$", before):
                    found[name].add(origin)
        # a full name printed anywhere by an origin counts for that origin too
        for name in list(found):
            pat = re.compile(rf"\b{re.escape(name)}\b")
            for origin, text in self.origin_text.items():
                if pat.search(text):
                    found[name].add(origin)
        return dict(found)

    @cached_property
    def name_runs(self) -> dict[str, set[int]]:
        """Every name-like run of two or three capitalised words and the origins printing it,
        titled or not: the population a misspelt name is compared against."""
        found: dict[str, set[int]] = defaultdict(set)
        for origin, text in self.origin_text.items():
            for tokens, _, _ in _runs(text):
                tail = [_unpossess(t) for t in _person_tail(tokens)]
                for k in (2, 3):
                    if len(tail) >= k and _looks_like_name(tail[-k:]):
                        found[" ".join(tail[-k:])].add(origin)
        return dict(found)

    @cached_property
    def name_ends(self) -> frozenset[str]:
        """Last words of two- or three-word names printed in source sentences. Headlines and
        headline-like fragments after a colon or dash are no evidence ("crash: Ace Russian
        skaters"): title case capitalises anything."""
        out = set()
        for s in self.sentences:
            for tokens, start, _ in _runs(s.text):
                tail = [_unpossess(t) for t in _person_tail(tokens)]
                if (start == 0 or not _opens(s.text, start)) and _looks_like_name(tail[-3:]):
                    out.add(tail[-1])
        return frozenset(out)

    @cached_property
    def surnames(self) -> dict[str, list[str]]:
        """Surname -> known full names ending with it."""
        out: dict[str, list[str]] = defaultdict(list)
        for name in self.persons:
            out[name.split()[-1]].append(name)
        return dict(out)

    def mentions(self, name: str) -> set[int]:
        """Origins that mention a person (by surname)."""
        sur = name.split()[-1]
        pat = re.compile(rf"\b{re.escape(sur)}\b")
        return {o for o, t in self.origin_text.items() if pat.search(t)}

    def modifier_origins(self, name: str, family: str) -> set[int]:
        """Origins that put a modifier of ``family`` (e.g. "former") before the person."""
        sur = name.split()[-1]
        who = re.compile(rf"{_GAP}(?:{re.escape(name)}|{re.escape(sur)})\b")
        out: set[int] = set()
        for o, t in self.origin_text.items():
            for m in _MOD_RE.finditer(t):
                mod = m.group(1).lower()
                if _MOD_FAMILY.get(mod, mod) == family and who.match(t, m.start(2)):
                    out.add(o)
        return out

    @cached_property
    def capitalised(self) -> frozenset[str]:
        """Words the sources print capitalised inside a sentence: names, places, bodies."""
        return frozenset(
            _unpossess(m.group(0)).rstrip(".").lower()
            for s in self.sentences
            for m in _CAP_WORD.finditer(s.text)
            if m.start() > 0 and not _opens(s.text, m.start())
        )

    @cached_property
    def lowercase(self) -> frozenset[str]:
        """Words the sources print in lower case: ordinary words, whatever their position."""
        return frozenset(
            w for s in self.sentences for w in re.findall(r"(?<![\w'\u2019-])[a-z][\w-]*", s.text)
        )

    def is_name(self, word: str) -> bool:
        """A capitalised word at a sentence start (or in a title-case headline) is a name when
        the sources capitalise it inside sentences and never print it in lower case."""
        w = word.lower()
        return w in self.capitalised and w not in self.lowercase

    @cached_property
    def titled(self) -> dict[str, dict[str, set[int]]]:
        """Qualified office title ("house speaker") -> person -> origins using that pairing."""
        out: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        for name in self.persons:
            for o, t in self.origin_text.items():
                for title in _titles_before(t, name):
                    out[title][name].add(o)
        return out

    # -- support --------------------------------------------------------------------------
    def support(self, text: str, exempt: set[str] | None = None) -> list[SourceSentence]:
        """Source sentences sharing >= half the content words of ``text`` and one of its numbers."""
        cw = content_words(text)
        if not cw:
            return []
        nums = {_norm_num(n) for n in numbers(text)} - (exempt or set())
        counts: dict[int, int] = defaultdict(int)
        for w in cw:
            for i in self.by_word.get(w, ()):
                counts[i] += 1
        need = len(cw) / 2
        out = []
        for i, c in counts.items():
            s = self.sentences[i]
            if c >= need and (not nums or nums & s.nums):
                out.append(s)
        out.sort(key=lambda s: (s.article_id, s.start))
        return out

    def previous(self, s: SourceSentence) -> SourceSentence | None:
        """The source sentence just before ``s`` in its article (a pronoun's antecedent)."""
        return self._by_pos.get((s.article_id, s.index - 1))

    def published(self, cited: Sequence[SourceSentence]) -> list[datetime]:
        """Published dates of the cited articles."""
        out = []
        for s in cited:
            a = self.articles[s.article_id]
            if a.published_at is not None:
                out.append(a.published_at)
        return out


def _english(a: Article) -> bool:
    return a.language in (None, "") or a.language.lower().startswith("en")


def _titles_before(text: str, name: str) -> set[str]:
    """Qualified office titles printed right before ``name`` in ``text`` ("House Speaker")."""
    out = set()
    for m in re.finditer(rf"((?:[A-Z][\w.'-]*\s+){{1,4}}){re.escape(name)}\b", text):
        words = [w.lower().strip(".") for w in m.group(1).split()]
        # keep the trailing words that form the title
        title: list[str] = []
        for w in reversed(words):
            if w in TITLE_WORDS or w in {"house", "white", "foreign", "defence", "defense"}:
                title.insert(0, w)
            else:
                break
        if any(w in OFFICE_WORDS for w in title) and any(
            w not in OFFICE_WORDS | {"former", "late", "acting", "interim", "ex"} for w in title
        ):
            out.add(" ".join(title))
    return out


def names_in(text: str, index: SourceIndex) -> list[str]:
    """People named in a written sentence (see the module docstring for the offline rule)."""
    names: list[str] = []
    for run in capitalized_runs(text):
        tokens = run.split()
        starts = text.startswith(run)
        if run in index.persons:
            names.append(run)
            continue
        tail = _person_tail(tokens)
        tail_name = " ".join(tail)
        if tail_name in index.persons:
            names.append(tail_name)
            continue
        if len(tail) == 1 and _unpossess(tail[0]) in index.surnames:
            names.append(_unpossess(tail[0]))
            continue
        if starts:
            tokens = tokens[1:]
            tail = _person_tail(tokens)
        if len(tail) >= 2 and not (starts and len(tokens) < 2):
            names.append(" ".join(tail))
        elif len(tail) == 1:
            sur = tail[0].rstrip("'\u2019s") if tail[0].endswith(("'s", "\u2019s")) else tail[0]
            if sur in index.surnames:
                names.append(sur)
    return names


def check_sentence(text: str, index: SourceIndex, extra: Sequence[SourceSentence] = ()) -> Check:
    """Check one written sentence against the sources; repair by deletion or drop it.

    ``extra`` are source sentences the writer knows support the sentence; they are kept as
    citations when they pass the same support rule as every other source sentence."""
    reasons: list[str] = []
    text, role_reasons, fatal = _fix_roles(text, index)
    reasons.extend(role_reasons)
    if fatal:
        return Check(text, "dropped", [], reasons)
    cited = _cite(text, index, extra)
    if not cited:
        return Check(text, "dropped", [], [*reasons, "no source sentence supports it"])
    citations = [Citation(s.article_id, s.start, s.end) for s in cited]
    problems = _problems(text, cited, index)
    if problems:
        return Check(text, "dropped", citations, [*reasons, *problems])
    return Check(text, "repaired" if reasons else "supported", citations, reasons)


def _cite(text: str, index: SourceIndex, extra: Sequence[SourceSentence]) -> list[SourceSentence]:
    exempt = date_numbers(text, [a.time for a in index.articles.values()])
    cited = index.support(text, exempt)
    seen = {(s.article_id, s.start) for s in cited}
    for s in extra:
        if (s.article_id, s.start) not in seen and s in index.support(text, exempt):
            cited.append(s)
    # the date exemption only holds for dates computed from a *cited* article
    real = date_numbers(text, [index.articles[s.article_id].time for s in cited])
    if real != exempt:
        cited = index.support(text, real)
    return cited


def _problems(text: str, cited: Sequence[SourceSentence], index: SourceIndex) -> list[str]:
    problems: list[str] = []
    days: set[date] = set()
    for s in cited:
        days |= source_days(s.text, index.articles[s.article_id].time)
    near = [index.articles[s.article_id].time.date() for s in cited]
    dated: list[tuple[int, int]] = []
    for m in DATE_RE.finditer(text):
        dated.append(m.span())
        if not date_stands(m, days, near):
            problems.append(f"date {m.group(0)!r} stands in no cited source")
    have = set().union(*(s.nums for s in cited))
    for m in NUMBER.finditer(text):
        n = m.group(0)
        if _norm_num(n) not in have and not any(a <= m.start() < b for a, b in dated):
            problems.append(f"number {n} stands in no cited source")
    window = [s.norm for s in cited]
    for word in proper_names(text, index):
        n = normalize(word)
        if not any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", w) for w in window):
            problems.append(f"name {word!r} stands in no cited source")
    sources_plain = [plain(s.text) for s in cited]
    for m in QUOTE_RE.finditer(text):
        q = plain(m.group(1)).strip(" ,.")
        if len(q.split()) >= 3 and not any(q in sp for sp in sources_plain):
            problems.append("a quotation is not an exact substring of a cited source")
    for name in names_in(text, index):
        n = normalize(name)
        if not any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", w) for w in window):
            problems.append(f"person {name!r} is named in no cited source")
        elif _person_like(name) and (variant := _minority_variant(name, index)) is not None:
            problems.append(f"name {name!r} is a minority spelling of {variant!r}")
    for title, who in _office_conflicts(text, index):
        problems.append(f"title {title!r} belongs to {who!r} in the sources")
    return problems


def _minority_variant(name: str, index: SourceIndex) -> str | None:
    """A better-attested spelling of the same person, when ``name`` is a minority one."""
    runs = index.name_runs
    mine = len(runs.get(name, ()))
    first, last = name.split()[0], name.split()[-1]
    for other, origins in runs.items():
        if other == name or len(origins) <= mine or len(other.split()) != len(name.split()):
            continue
        if _fold(other) == _fold(name):
            continue  # "Mbappé" and "Mbappe" are one spelling, with and without accents
        o_first, o_last = other.split()[0], other.split()[-1]
        if (o_first == first or o_last == last) and _edit(other, name) <= 2:
            return other
        if _sounds_alike(name, other):
            return other
    return None


def _sounds_alike(a: str, b: str) -> bool:
    """Every word of one name is a garbled spelling of the other's word at the same place:
    the same first letter and most letters shared ("Hina Verkonen" / "Henna Virkkunen", a
    transliteration slip). Two people who share neither name are not taken for one: "Mark" and
    "Mike" share too little."""
    pairs = list(zip(_fold(a).split(), _fold(b).split(), strict=True))
    return all(x[0] == y[0] and SequenceMatcher(None, x, y).ratio() >= 0.6 for x, y in pairs)


def _fold(text: str) -> str:
    """Accents and curly apostrophes folded: "Mbappé" and "Mbappe" are one spelling."""
    return "".join(
        c for c in unicodedata.normalize("NFKD", plain(text)) if not unicodedata.combining(c)
    ).lower()


def _person_like(name: str) -> bool:
    """Only names shaped like a person's are held to the majority spelling: no possessive
    inside ("Rome's Gemelli"), no all-capital word ("Super Bowl LVII" is not "LVIII")."""
    tokens = name.split()
    return (
        _looks_like_name(tokens)
        and not any(len(t) > 1 and t.isupper() for t in tokens)
        and not any(re.search(r"['\u2019]s$", t) for t in tokens)
    )


def _edit(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _office_conflicts(text: str, index: SourceIndex) -> list[tuple[str, str]]:
    out = []
    for name in index.persons:
        if name not in text:
            continue
        for title in _titles_before(text, name):
            holders = index.titled.get(title, {})
            mine = len(holders.get(name, set()))
            for other, origins in holders.items():
                if other != name and len(origins) >= 2 and len(origins) > mine:
                    out.append((title, other))
    return out


def _fix_roles(text: str, index: SourceIndex) -> tuple[str, list[str], bool]:
    """Delete role modifiers that the majority of origins mentioning the person do not use."""
    reasons: list[str] = []
    for _ in range(4):
        for m in _MOD_RE.finditer(text):
            mod = m.group(1).lower()
            after = text[m.end(1) :]
            person = _person_after(after, index)
            if person is None:
                # no known person: a role word before a name that no source prints with it
                # ("ex-Sahra Wagenknecht Alliance") is unsupported; one a source prints stays
                named = _NAME_AFTER.match(after)
                if named is None or _printed_with(text[m.start(1) : m.end(1)], named, index):
                    continue
                person = named.group(1)
                using, mentions = set(), index.mentions(person)
            else:
                family = _MOD_FAMILY.get(mod, mod)
                mentions = index.mentions(person)
                using = index.modifier_origins(person, family)
                if len(using) * 2 > len(mentions):
                    continue
            start, end = m.start(1), m.end(1)
            while end < len(text) and text[end] in " -":
                end += 1
            rest = text[end:]
            if start == 0 and rest:
                rest = rest[0].upper() + rest[1:]
            text = text[:start] + rest
            reasons.append(
                f"removed role word {mod!r} before {person}: {len(using)} of {len(mentions)} "
                "independent origins use it"
            )
            break
        else:
            break
    return text, reasons, False


_NAME_AFTER = re.compile(
    r"[\s-]*([A-Z\u00C0-\u00DE][\w'\u2019-]*(?:\s+[A-Z\u00C0-\u00DE][\w'\u2019-]*)+)"
)


def _printed_with(mod: str, named: re.Match[str], index: SourceIndex) -> bool:
    """Whether any source prints the modifier right before the first word of the name."""
    first = named.group(1).split()[0]
    pat = re.compile(rf"\b{re.escape(mod.rstrip('-'))}[\s-]*{re.escape(first)}\b", re.I)
    return any(pat.search(t) for t in index.origin_text.values())


_AFTER_RE = re.compile(
    rf"[\s-]*({_GAP}[A-Z\u00C0-\u00DE][\w.'\u2019-]*(?:\s+[A-Z\u00C0-\u00DE][\w.'\u2019-]*){{0,2}})"
)
# nouns that are capitalised before a place but are not names ("a former Dallas Bishop")
_ROLE_NOUNS = frozenset(
    """bishop archbishop cardinal priest pastor rabbi imam sheikh member members official
    officials player players champion champions star""".split()
)


def _person_after(after: str, index: SourceIndex) -> str | None:
    """The person a modifier describes: a known person (or surname) within four capitalised or
    office words after it, else a word there that the sources print as the end of a name
    inside a sentence ("Kirk Perry") and never in lower case."""
    m = _AFTER_RE.match(after)
    if not m:
        return None
    chunk = m.group(1)
    for name in sorted(index.persons, key=len, reverse=True):
        if re.search(rf"\b{re.escape(name)}\b", chunk):
            return name
    words = [_unpossess(w).rstrip(".,'\u2019") for w in chunk.split()]
    for w in words:
        if w in index.surnames:
            return index.surnames[w][0]
    for w in reversed(words):
        if (
            w in index.name_ends
            and w.lower() not in TITLE_WORDS | _NOT_PERSON | _OFFICE_QUALIFIERS | _ROLE_NOUNS
            and w.lower() not in index.lowercase
        ):
            return w
    # a surname that is also a title word ("Angus King"): a given name before it that the
    # sources never print in lower case, and the pair printed as such in a source sentence
    for first, w in zip(words, words[1:], strict=False):
        pair = f"{first} {w}"
        if (
            w.lower() in TITLE_WORDS
            and _looks_like_name([first, w])
            and first.lower() not in TITLE_WORDS | index.lowercase
            and any(pair in s.text for s in index.sentences)
        ):
            return pair
    return None


def verify(synthesis: Synthesis, articles: Sequence[Article]) -> Synthesis:
    """Recompute the citations of the headline and every sentence and apply the rules.

    Returns a new ``Synthesis``: kept sentences carry verdict "supported" or "repaired", dropped
    ones move to ``dropped`` with their reasons; empty paragraphs disappear. A dropped headline
    leaves an empty headline (verdict "dropped") rather than an unverified one."""
    index = SourceIndex(articles)
    dropped = list(synthesis.dropped)

    def run(s: Sentence) -> Sentence:
        c = check_sentence(s.text, index)
        return Sentence(c.text, c.citations, c.verdict, c.reasons)  # type: ignore[arg-type]

    head = run(synthesis.headline)
    if head.verdict == "dropped":
        dropped.append(head)
        head = Sentence("", [], "dropped", list(head.reasons))
    paragraphs = []
    for para in synthesis.paragraphs:
        kept = []
        for s in para:
            out = run(s)
            if out.verdict == "dropped":
                dropped.append(out)
                log.debug("dropped %r: %s", s.text, out.reasons)
            else:
                kept.append(out)
        if kept:
            paragraphs.append(kept)
    return replace(synthesis, headline=head, paragraphs=paragraphs, dropped=dropped)


__all__ = [
    "DATE_RE",
    "QUOTE_RE",
    "Check",
    "SourceIndex",
    "check_sentence",
    "date_numbers",
    "date_parts",
    "date_stands",
    "names_in",
    "plain",
    "proper_names",
    "source_days",
    "verify",
]
