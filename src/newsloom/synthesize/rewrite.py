"""Light, safe rewriting of a source sentence so it can stand on its own in a new article.

Extractive synthesis moves sentences away from their neighbours. Three things then go wrong for a
reader, and each is fixed here only where the fix cannot change a fact, else the sentence is
refused (``None``):

* a dangling discourse opener ("Meanwhile,", "However,") refers to a sentence that is gone: drop it;
* a pronoun opener ("He said...") loses its person: name the person when the previous source
  sentence names exactly one known person, else refuse;
* a relative date ("on Saturday", "yesterday") loses its article's date: make it absolute from the
  article's date, keeping the weekday ("on Saturday, 6 December"), else refuse.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from newsloom.verify import MONTHS, WEEKDAYS, SourceIndex, SourceSentence

OPENERS = re.compile(
    r"^(?:Meanwhile|However|Also|Additionally|Moreover|Furthermore|In addition|Separately|"
    r"Besides|Nonetheless|Nevertheless|Still|Yet|Indeed|Instead|Similarly|Likewise|Elsewhere|"
    r"Consequently|Therefore|Thus|In turn|At the same time|In response|By contrast|"
    r"On the other hand|Earlier|Later|Then)\s*,\s+|^(?:But|And|So|Also|Yet)\s+"
)
PRONOUN_OPENER = re.compile(
    r"^(?:He|She|They|It|His|Her|Their|Its|This|That|These|Those|We|I|Him|Them|There|Here)\b"
)
CONNECTIVE_OPENER = re.compile(r"^(?:Meanwhile|However|Also|Additionally|But|And|So)\b")
_PERSONAL = {"He": "person", "She": "person", "His": "possessive", "Her": "possessive"}
_WD = "|".join(w.capitalize() for w in WEEKDAYS)
_MONTH = "|".join(m.capitalize() for m in MONTHS)
_DATED_AFTER = re.compile(
    rf"^,?\s*(?:\(?\s*)?(?:\d{{1,2}}\s+(?:{_MONTH})|(?:{_MONTH})\s+\d{{1,2}})"
)
WEEKDAY_RE = re.compile(rf"\b({_WD})\b(?!['\u2019])")
_PART_OF_DAY = re.compile(rf"\b([Oo]n) ({_WD}) (morning|afternoon|evening|night)\b")
RELATIVE_RE = re.compile(r"\b(yesterday|today|tomorrow)\b", re.I)
VAGUE_RE = re.compile(
    r"\b(?:tonight|this (?:morning|afternoon|evening|week|weekend)|"
    r"(?:last|next) (?:week|weekend|month|night)|earlier this week|later this week)\b",
    re.I,
)
_FUTURE = re.compile(r"\b(will|would|to be|scheduled|set to|plans?|expected|next|upcoming|due)\b")


DATELINE = re.compile(
    r"^(?:[A-Z][\w.,' ]{0,40}?\s*)?\((?:AP|Reuters|AFP|UPI|CNN|dpa|IANS|PTI|ANI)\)\s*"
    r"(?:--?|\u2014|\u2013|:)\s*"
    r"|^[A-Z][A-Z .,'-]{2,40}(?:\u2014|\u2013|--)\s*"
)


def drop_opener(text: str) -> str:
    """Remove a dateline ("CITY (AP) --") and a dangling discourse opener, then re-capitalise
    ("However, the army..." -> "The army...")."""
    text = DATELINE.sub("", text, count=1)
    for _ in range(2):
        m = OPENERS.match(text)
        if not m:
            break
        rest = text[m.end() :]
        if not rest:
            break
        text = rest[0].upper() + rest[1:]
    return text


def resolve_pronoun(text: str, src: SourceSentence, index: SourceIndex) -> str | None:
    """Replace an opening He/She/His/Her with the one person the previous source sentence names.

    Returns the text unchanged when it opens with no pronoun, and ``None`` when the pronoun
    cannot be resolved safely (another pronoun, or zero or several candidate people)."""
    m = PRONOUN_OPENER.match(text)
    if not m:
        return text
    word = m.group(0)
    if word not in _PERSONAL:
        return None
    prev = index.previous(src)
    if prev is None:
        return None
    people = {p for p in index.persons if re.search(rf"\b{re.escape(p)}\b", prev.text)}
    # a surname alone counts as the same person
    people |= {
        full[0]
        for sur, full in index.surnames.items()
        if len(full) == 1 and re.search(rf"\b{re.escape(sur)}\b", prev.text)
    }
    if len(people) != 1:
        return None
    name = people.pop()
    if _PERSONAL[word] == "possessive":
        if word == "Her" and not re.match(r"Her\s+[a-z]", text):
            return None
        return f"{name}'s{text[len(word) :]}"
    return f"{name}{text[len(word) :]}"


def _comma(tail: str) -> str:
    """A comma closes an inserted date when the sentence goes on ("on Friday, 5 March, police
    said"), not before "and", "or", "to" or punctuation."""
    if re.match(r"\s*[A-Za-z(]", tail) and not re.match(r"\s*(and|or|to)\b", tail):
        return ","
    return ""


def _fmt(d: datetime) -> str:
    return f"{WEEKDAYS[d.weekday()].capitalize()}, {d.day} {MONTHS[d.month - 1].capitalize()}"


def _resolve(name: str, published: datetime, future: bool) -> datetime:
    """The date a weekday names from an article published on ``published``."""
    target = WEEKDAYS.index(name.lower())
    delta = (target - published.weekday()) % 7 if future else -((published.weekday() - target) % 7)
    return published + timedelta(days=delta)


def weekday_dates(index: SourceIndex) -> dict[str, dict[str, set[int]]]:
    """For each weekday the sources name without a date beside it, the dates it resolves to
    (``on Wednesday`` in an article of Tuesday 7 October -> 1 October) and the origins that
    resolve it so. Memoised on the index."""
    memo = index.__dict__.get("_weekday_dates")
    if memo is not None:
        return memo
    out: dict[str, dict[str, set[int]]] = {}
    years = [a.published_at.year for a in index.articles.values() if a.published_at is not None]
    for s in index.sentences:
        published = index.articles[s.article_id].published_at
        future = bool(_FUTURE.search(s.text))
        for m in WEEKDAY_RE.finditer(s.text):
            if _DATED_AFTER.match(s.text[m.end() :]):
                # "Friday, 28 March" printed in full: evidence for that day, dated or not
                day = _dated(m.group(1), s.text[m.end() :], published, years)
            elif published is not None:
                day = _fmt(_resolve(m.group(1), published, future))
            else:
                continue
            if day is not None:
                out.setdefault(m.group(1).lower(), {}).setdefault(day, set()).add(s.origin)
    index.__dict__["_weekday_dates"] = out
    return out


_DAY_MONTH = re.compile(rf"^,?\s*\(?\s*(?:(\d{{1,2}})\s+({_MONTH})|({_MONTH})\s+(\d{{1,2}}))")


def _dated(name: str, tail: str, published: datetime | None, years: list[int]) -> str | None:
    """The day a weekday printed with its date names ("Friday, March 28"), in the article's
    year (else the sources' earliest), or ``None`` when the date is not that weekday."""
    m = _DAY_MONTH.match(tail)
    year = published.year if published is not None else min(years, default=0)
    if m is None or not year:
        return None
    day, month = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
    try:
        when = datetime(year, MONTHS.index(month.lower()) + 1, int(day))
    except ValueError:
        return None
    return _fmt(when) if WEEKDAYS[when.weekday()] == name.lower() else None


def contested_weekday(text: str, origin: int, published: datetime, index: SourceIndex) -> bool:
    """True when a weekday of ``text`` resolves, from this article's date, to a day that other
    origins resolve the same weekday to, or print in full ("Friday, 28 March"), with at least
    as many origins behind their day: a publication date a day or a week off (a time zone, a
    late upload, a report of last week's event) would print a wrong date, so the weekday is
    better dropped (``undated``) than resolved. A tie drops it too: one wrong date is worse
    than a date left out."""
    future = bool(_FUTURE.search(text))
    table = weekday_dates(index)
    for m in WEEKDAY_RE.finditer(text):
        if _DATED_AFTER.match(text[m.end() :]):
            continue
        mine = _fmt(_resolve(m.group(1), published, future))
        days = table.get(m.group(1).lower(), {})
        support = len(days.get(mine, set()) - {origin}) + 1
        if any(d != mine and len(o - {origin}) >= support for d, o in days.items()):
            return True
    return False


# "Sunday's Super Bowl in New Orleans": a capitalised name of up to three words or one or two
# plain words after the possessive weekday, then a preposition, a verb or punctuation (so a
# longer phrase is not split: "Sunday's election results announcement" is left alone)
_POSSESSIVE_DAY = re.compile(
    rf"\b({_WD})['\u2019]s\s+([A-Z][\w-]*(?:\s+[A-Z][\w-]*){{0,2}}|[a-z][\w-]*(?:\s+[a-z][\w-]*)?)"
    r"(?=\s+(?:in|at|on|of|with|for|near|against|between|from|was|were|is|are|has|had|have|"
    r"will|would|could|came|drew|brought|took|left|made|won|saw|[a-z]+ed)\b|[,.;])"
)


def unfold_possessive_day(text: str) -> str:
    """ "in Sunday's Super Bowl in New Orleans" -> "in the Super Bowl on Sunday in New
    Orleans": a weekday in the possessive cannot take its date beside it, the unfolded form
    can (``absolute_dates``), or can lose it (``undated``)."""

    def unfold(m: re.Match[str]) -> str:
        the = "The" if m.start() == 0 else "the"
        return f"{the} {m.group(2)} on {m.group(1)}"

    return _POSSESSIVE_DAY.sub(unfold, text)


def absolute_dates(text: str, published: datetime | None) -> str | None:
    """Make relative dates absolute from the article's date, or ``None`` when that is unsafe.
    Without a known date they are removed where the sentence reads as well without them
    (``undated``).

    A weekday already followed by a date is left alone. A past-tense weekday is the latest such
    day on or before publication; with a future marker (will, scheduled, next...) the next one."""
    if VAGUE_RE.search(text):
        return None
    if published is None:
        return undated(text)
    future = bool(_FUTURE.search(text))

    def day_of(name: str) -> str:
        return _fmt(_resolve(name, published, future))

    # "on Tuesday afternoon" -> "on the afternoon of Tuesday, 3 March" (not "Tuesday, 3 March,
    # afternoon"): the part of the day goes before the date, the weekday stays beside it
    def part_of_day(m: re.Match[str]) -> str:
        label = f"{m.group(1)} the {m.group(3)} of {day_of(m.group(2))}"
        return label + _comma(m.string[m.end() :])

    text = _PART_OF_DAY.sub(part_of_day, text)

    def weekday(m: re.Match[str]) -> str:
        tail = text[m.end() :]
        if _DATED_AFTER.match(tail):
            return m.group(0)
        return day_of(m.group(1)) + _comma(tail)

    out = WEEKDAY_RE.sub(weekday, text)

    def relative(m: re.Match[str]) -> str:
        word = m.group(1).lower()
        shift = {"yesterday": -1, "today": 0, "tomorrow": 1}[word]
        before = out[: m.start()]
        prefix = "" if re.search(r"\b(on|since|until|by|from)\s*$", before) else "on "
        label = prefix + _fmt(published + timedelta(days=shift)) + _comma(out[m.end() :])
        if m.group(1)[0].isupper():
            label = label[0].upper() + label[1:]
        return label

    return RELATIVE_RE.sub(relative, out)


# a relative date that can go without loss of grammar: " on Friday", " early Friday", " late on
# Monday", " on Friday morning", " yesterday", " today" (not at the start of a sentence)
_DROPPABLE = re.compile(
    rf"(?<=\w)(?<!\b[Oo]n)(?<!\b[Bb]y)(?<!\b[Ss]ince)(?<!\b[Ee]arly)(?<!\b[Ll]ate)"
    rf"\s+(?:(?:on|early|late|early on|late on|since|by)\s+)?(?:{_WD})"
    r"(?:\s+(?:morning|afternoon|evening|night))?(?=[\s,.;])(?!,?\s*\(?\d)"
    r"|(?<=\w)\s+(?:yesterday|today)(?=[\s,.;])",
)


# words that govern a following bare weekday: removing the weekday would leave them dangling
# ("as of Monday", "until Friday", "last Tuesday")
_GOVERNS = frozenset(
    "of as from until till through to before after last next this that every each since "
    "between and or than".split()
)


def _drop_unless_governed(m: re.Match[str]) -> str:
    before = re.search(r"(\w+)$", m.string[: m.start()])
    if before and before.group(1).lower() in _GOVERNS:
        return m.group(0)
    return ""


def undated(text: str) -> str | None:
    """``text`` without the relative dates it cannot resolve (no known publication date):
    "The council voted on Tuesday to close the port." -> "The council voted to close the
    port." A weekday beside its date stays; ``None`` when a relative date is left that cannot
    be removed cleanly (at the start of the sentence, "Friday's vote")."""
    out = _DROPPABLE.sub(_drop_unless_governed, text)
    for m in WEEKDAY_RE.finditer(out):
        if not _DATED_AFTER.match(out[m.end() :]):
            return None
    if RELATIVE_RE.search(out):
        return None
    return out


_TRAIL = re.compile(
    r",\s+(?=(?:which|who|whom|whose|as|while|amid|after|following|despite|because|where|when|"
    r"with|including|marking|raising|prompting|leaving|making|bringing|sparking|triggering|"
    r"although|though|but|and)\b)|\s+(?:\u2014|\u2013|--)\s+|;\s+"
)
_ATTRIBUTION = re.compile(r"\b(said|says|told|according to|reported|announced|claimed|stated)\b")
_DANGLING_END = re.compile(r"\b(?:the|a|an|of|to|and|or|in|on|at|for|with|by|from|as)$", re.I)
MIN_COMPRESSED = 6


def _carries_facts(tail: str) -> bool:
    """A clause with a number, a number word, a capitalised word (a name, place or body) or a
    quotation holds facts a reader may need; only fact-free clauses are cut."""
    return bool(
        re.search(r"\d|[\"\u201c\u201d]", tail)
        or re.search(r"\b[A-Z][a-z]", tail)
        or re.search(
            r"\b(one|two|three|four|five|six|seven|eight|nine|ten|dozens?|hundreds?|"
            r"thousands?|millions?)\b",
            tail,
            re.I,
        )
    )


def compressions(text: str) -> list[str]:
    """Shorter versions of a sentence without a trailing clause ("..., which ...", "... --
    ...", "...; ..."), longest first: a sentence too long to print can still give its facts.

    A cut is safe when it only deletes: the head keeps its own words in order, so every number,
    quote and name it keeps is still in the source. Refused: a cut inside a quotation, a head
    under six words or ending on a function word, a tail that holds the attribution ("..., as
    the ministry said": a claim keeps its speaker) and a tail that carries facts (numbers,
    number words, capitalised words, quotations)."""
    out: list[str] = []
    end = text.rstrip()[-1:] if text.rstrip()[-1:] in ".!" else "."
    for m in reversed(list(_TRAIL.finditer(text))):
        head = text[: m.start()].rstrip(" ,;")
        tail = text[m.end() :]
        if len(head.split()) < MIN_COMPRESSED or _DANGLING_END.search(head):
            continue
        if head.count('"') % 2 or head.count("\u201c") != head.count("\u201d"):
            continue
        if _ATTRIBUTION.search(tail) and not _ATTRIBUTION.search(head):
            continue
        if _carries_facts(tail):
            continue
        out.append(head + end)
    return sorted(out, key=len, reverse=True)
