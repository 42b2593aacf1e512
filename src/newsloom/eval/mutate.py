"""Mutation testing of the verifier: seeded errors injected into verified articles.

A verifier is only trustworthy if it catches the errors a fluent writer (a summariser, a language
model, a careless outlet) actually makes. This module takes articles that ``verify`` accepted,
injects one error at a time into one sentence, and asks the verifier again. Every operator is
defined so that its output breaks a rule stated in ``newsloom.verify``; when, for a particular
sentence, the output happens not to break the rule (the moved number is printed by a supporting
source after all), the mutant is **discarded** and counted, never scored.

Kinds (each breaks the rule named after the dash):

* ``number`` - a number (not part of a date) moved by one unit of its last digit; the new value is
  in no source sentence sharing half of the sentence's content words - *numbers*.
* ``person`` - a person of the story replaced by another person of the story who is absent from
  the sentence's citations and from every source sentence sharing half its content words -
  *people*.
* ``role`` - a role word (former, ex-, late, outgoing, acting, interim) inserted before a person
  whom the majority of the independent origins that mention them describe without it (the data
  README's role rule: the word, up to four capitalised words, the name) - *roles*.
* ``quote`` - a word inside a quoted span of three or more words replaced by another word of the
  story; the new span is a substring of no such source sentence - *quotes*.
* ``citation`` - every source sentence that shares half of the sentence's content words is
  removed from the articles handed to the verifier, so the claim has no source - *support*.
* ``date`` - a date shifted by one day, its weekday with it ("Saturday, 6 December" -> "Sunday, 7
  December"); the new date is neither printed by nor computed from (weekday, yesterday, today,
  tomorrow and the article's date) any such source sentence - *dates*.

A mutant is **caught** when the verifier drops the sentence, or repairs it so that the injected
text is gone (a deleted role word); otherwise it is **missed**. Reports name events by id only.
"""

from __future__ import annotations

import json
import logging
import random
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from newsloom.model import Article, Synthesis
from newsloom.text import normalize, numbers, split_sentences
from newsloom.verify import (
    DATE_RE,
    QUOTE_RE,
    WEEKDAYS,
    SourceIndex,
    SourceSentence,
    check_sentence,
    date_parts,
    date_stands,
    plain,
    source_days,
)

log = logging.getLogger(__name__)

KINDS = ("number", "person", "role", "quote", "citation", "date")
ROLE_WORDS = ("former", "ex-", "late", "outgoing", "acting", "interim")
PER_KIND = 4
WORDS = 600

_CAPWORD = re.compile(r"[A-Z][\w.'\u2019-]*$")


@dataclass(frozen=True, slots=True)
class Mutant:
    """One injected error: the sentence before and after, and what marks the error.

    ``token`` is the injected text whose removal counts as a repair (``None``: only a drop
    catches it). ``articles`` are the sources handed to the verifier when they differ from the
    story's (the ``citation`` kind)."""

    kind: str
    event: str
    original: str
    text: str
    token: str | None
    discarded: bool = False
    articles: tuple[Article, ...] | None = None


# ---------------------------------------------------------------------------- helpers
def _count(token: str, text: str) -> int:
    """Occurrences of ``token`` in ``text`` that do not start or end inside a word."""
    left = r"(?<!\w)" if token[:1].isalnum() else ""
    right = r"(?!\w)" if token[-1:].isalnum() else ""
    return len(re.findall(rf"{left}{re.escape(token)}{right}", text, re.I))


def _near(text: str, index: SourceIndex) -> list[SourceSentence]:
    """Every source sentence sharing half of ``text``'s content words: a superset of anything
    the verifier could cite for it (the number condition is left out on purpose)."""
    return index.support(text, {n.replace(",", "") for n in numbers(text)})


def _names(text: str, name: str) -> bool:
    return _count(normalize(name), normalize(text)) > 0


def _date_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in DATE_RE.finditer(text)]


def _moved(n: str, up: bool) -> str | None:
    """``n`` moved by one unit of its last digit, printed the same way ("30,000" -> "30,001")."""
    digits = n.replace(",", "")
    if "." in digits:
        head, frac = digits.rsplit(".", 1)
        value = int(head + frac) + (1 if up else -1)
        if value < 0:
            return None
        s = str(value).rjust(len(frac) + 1, "0")
        return f"{s[: -len(frac)]}.{s[-len(frac) :]}"
    value = int(digits) + (1 if up else -1)
    if value < 0:
        return None
    out = str(value).rjust(len(digits), "0") if digits.startswith("0") else str(value)
    return f"{value:,}" if "," in n else out


# ---------------------------------------------------------------------------- operators
@dataclass(slots=True)
class Story:
    """What the operators need about one event: its sources and its people."""

    event: str
    articles: list[Article]
    index: SourceIndex
    people: list[str]
    vocabulary: list[str]


def op_number(story: Story, text: str, rng: random.Random) -> Mutant | None:
    spans = _date_spans(text)
    found = [
        m
        for m in re.finditer(r"(?<![\w.,])\d+(?:[.,]\d+)*(?![\w])", text)
        if not any(a <= m.start() < b for a, b in spans)
    ]
    if not found:
        return None
    m = rng.choice(found)
    new = _moved(m.group(0), rng.random() < 0.5) or _moved(m.group(0), True)
    assert new is not None
    out = text[: m.start()] + new + text[m.end() :]
    have = {n for s in _near(out, story.index) for n in s.nums}
    return Mutant("number", story.event, text, out, new, new.replace(",", "") in have)


def _mentions(text: str, people: Sequence[str]) -> list[tuple[str, re.Match[str]]]:
    """(person, match) for each person of the story named in ``text`` (full name, else
    surname), longest names first, without overlaps."""
    out: list[tuple[str, re.Match[str]]] = []
    taken: list[tuple[int, int]] = []
    for person in sorted(people, key=len, reverse=True):
        for form in dict.fromkeys([person, person.split()[-1]]):
            for m in re.finditer(rf"(?<![\w-]){re.escape(form)}(?![\w-])", text):
                if not any(a < m.end() and m.start() < b for a, b in taken):
                    out.append((person, m))
                    taken.append(m.span())
    return out


def op_person(story: Story, text: str, rng: random.Random) -> Mutant | None:
    mentions = _mentions(text, story.people)
    if not mentions:
        return None
    person, m = rng.choice(mentions)
    cited = check_sentence(text, story.index).citations
    cited_text = [
        normalize(story.index.articles[c.article_id].text[c.start : c.end]) for c in cited
    ]
    others = [
        p
        for p in story.people
        if p.split()[-1] != person.split()[-1]
        and p.split()[-1] not in person.split()
        and not any(_count(normalize(p.split()[-1]), t) for t in cited_text)
        and not _names(text, p.split()[-1])
    ]
    if not others:
        return None
    other = rng.choice(others)
    form = other if m.group(0) == person else other.split()[-1]
    out = text[: m.start()] + form + text[m.end() :]
    near = _near(out, story.index)
    discarded = any(_names(s.text, form) for s in near)
    return Mutant("person", story.event, text, out, form, discarded)


def _role_start(text: str, start: int) -> int:
    """Where a role word goes before the name starting at ``start``: before the capitalised
    title words (and lower-case office words) right in front of it, at most four."""
    pos = start
    for _ in range(4):
        m = re.search(r"([\w.'\u2019-]+)\s+$", text[:pos])
        if not m:
            break
        w = m.group(1)
        if (_CAPWORD.match(w) and not w.endswith(("'s", "\u2019s"))) or w.lower() in _OFFICES:
            pos = m.start(1)
        else:
            break
    return pos


_OFFICES = frozenset(
    "president minister prime mayor governor chancellor secretary senator speaker leader chief "
    "general premier".split()
)


def _origins_using(story: Story, person: str, word: str) -> tuple[int, int]:
    """(origins mentioning the person, origins putting ``word`` before them), by the README's
    role rule: the word, up to four capitalised words, the full name or surname."""
    names = "|".join(re.escape(x) for x in {person, person.split()[-1]})
    words = {"former": "former|ex-|ex", "ex-": "former|ex-|ex"}.get(word, re.escape(word))
    pat = re.compile(rf"(?i:\b(?:{words}))\s*(?:[A-Z][\w.'\u2019-]*\s){{0,4}}(?:{names})\b")
    texts: dict[int, str] = {}
    for a in story.index.articles.values():
        texts[a.origin] = texts.get(a.origin, "") + "\n" + (a.title or "") + "\n" + a.text
    sur = re.compile(rf"\b{re.escape(person.split()[-1])}\b")
    mention = {o for o, t in texts.items() if sur.search(t)}
    using = {o for o, t in texts.items() if pat.search(t)}
    return len(mention), len(using & mention)


def op_role(story: Story, text: str, rng: random.Random) -> Mutant | None:
    mentions = _mentions(text, story.people)
    if not mentions:
        return None
    person, m = rng.choice(mentions)
    word = rng.choice(ROLE_WORDS)
    pos = _role_start(text, m.start())
    if re.search(r"(?i:\b(?:former|ex-?|late|outgoing|incoming|acting|interim))\W*$", text[:pos]):
        return None  # a role word is already there
    glue = "" if word.endswith("-") else " "
    ins = word if pos else word.capitalize()
    out = text[:pos] + ins + glue + text[pos:]
    mention, using = _origins_using(story, person, word)
    discarded = not (using * 2 < mention)
    return Mutant("role", story.event, text, out, word, discarded)


def op_quote(story: Story, text: str, rng: random.Random) -> Mutant | None:
    spans = [m for m in QUOTE_RE.finditer(text) if len(m.group(1).split()) >= 3]
    if not spans:
        return None
    q = rng.choice(spans)
    inner = list(re.finditer(r"[A-Za-z]{3,}", q.group(1)))
    if not inner:
        return None
    w = rng.choice(inner)
    pool = [v for v in story.vocabulary if v.lower() != w.group(0).lower()]
    new = rng.choice(pool)
    new = new.capitalize() if w.group(0)[0].isupper() else new
    quote = q.group(1)[: w.start()] + new + q.group(1)[w.end() :]
    out = text[: q.start(1)] + quote + text[q.end(1) :]
    needle = plain(quote).strip(" ,.")
    discarded = any(needle in plain(s.text) for s in _near(out, story.index))
    return Mutant("quote", story.event, text, out, quote.strip(" ,."), discarded)


def op_citation(story: Story, text: str, rng: random.Random) -> Mutant | None:
    near = _near(text, story.index)
    if not near:
        return None
    drop: dict[int, list[tuple[int, int]]] = {}
    for s in near:
        drop.setdefault(s.article_id, []).append((s.start, s.end))
    # the same sentence printed by a copy must go too, or the claim keeps a source
    bodies = {s.text for s in near}
    arts = []
    for a in story.articles:
        spans = list(drop.get(a.id, [])) if a.id is not None else []
        for sp in split_sentences(a.text):
            if sp.text in bodies and (sp.start, sp.end) not in spans:
                spans.append((sp.start, sp.end))
        t = a.text
        for start, end in sorted(spans, reverse=True):
            t = t[:start] + t[end:]
        arts.append(replace(a, text=t))
    reduced = SourceIndex(arts)
    discarded = bool(_near(text, reduced))
    return Mutant("citation", story.event, text, text, None, discarded, tuple(arts))


def _shifted(m: re.Match[str], delta: int) -> str | None:
    """The date of ``m`` moved by ``delta`` days, printed the same way (weekday, day or range,
    month, year); ``None`` when that would change the month (its spelling is not ours to pick)."""
    weekday, days, month, year = date_parts(m)
    first = _resolve(days[0], month, year, date(2000 if year is None else year, month, 15))
    if first is None:
        return None
    new = [(first.replace(day=d) + timedelta(days=delta)) for d in days]
    if any(n.month != month for n in new):
        return None
    out = m.group(0)
    spans = [m.span(g) for g in (2, 3, 6, 7) if m.group(g)]
    for (a, b), n in sorted(zip(spans, new, strict=True), reverse=True):
        out = out[: a - m.start()] + str(n.day) + out[b - m.start() :]
    if weekday:
        wd = WEEKDAYS[(WEEKDAYS.index(weekday.lower()) + delta) % 7].capitalize()
        out = wd + out[len(weekday) :]
    return out


def _resolve(day: int, month: int, year: int | None, near: date) -> date | None:
    """The date ``day month [year]`` closest to ``near``."""
    best = None
    for y in (year,) if year else (near.year - 1, near.year, near.year + 1):
        try:
            d = date(y, month, day)
        except ValueError:
            continue
        if best is None or abs((d - near).days) < abs((best - near).days):
            best = d
    return best


def op_date(story: Story, text: str, rng: random.Random) -> Mutant | None:
    found = list(DATE_RE.finditer(text))
    if not found:
        return None
    m = rng.choice(found)
    delta = rng.choice((-1, 1))
    printed = _shifted(m, delta) or _shifted(m, -delta)
    if printed is None:
        return None
    out = text[: m.start()] + printed + text[m.end() :]
    near = _near(out, story.index)
    days: set[date] = set()
    for s in near:
        days |= source_days(s.text, story.index.articles[s.article_id].time)
    when = [story.index.articles[s.article_id].time.date() for s in near]
    new = next(DATE_RE.finditer(printed))
    return Mutant("date", story.event, text, out, printed, date_stands(new, days, when))


OPERATORS: dict[str, Callable[[Story, str, random.Random], Mutant | None]] = {
    "number": op_number,
    "person": op_person,
    "role": op_role,
    "quote": op_quote,
    "citation": op_citation,
    "date": op_date,
}


# ---------------------------------------------------------------------------- running
def caught(m: Mutant, index: SourceIndex) -> bool:
    """The verifier's verdict on a mutant: dropped, or repaired with the injected text gone."""
    if m.articles is not None:
        index = SourceIndex(m.articles)
    c = check_sentence(m.text, index)
    if c.verdict == "dropped":
        return True
    if m.token is None or c.verdict != "repaired":
        return False
    return _count(m.token, c.text) < _count(m.token, m.text)


def _people(index: SourceIndex, given: Iterable[str]) -> list[str]:
    """The story's people: the given ones (gold roles) that the sources name, else the persons
    the verifier's offline rule finds (titled or next to a speech verb)."""
    text = "\n".join(a.text for a in index.articles.values())
    named = [p for p in given if re.search(rf"\b{re.escape(p.split()[-1])}\b", text)]
    return sorted(set(named)) if named else sorted(index.persons)


def mutants(
    event: str,
    synthesis: Synthesis,
    articles: Sequence[Article],
    seed: int = 0,
    per_kind: int = PER_KIND,
    people: Iterable[str] = (),
) -> list[Mutant]:
    """Up to ``per_kind`` mutants of each kind for one event (discarded ones included), from
    the sentences of ``synthesis`` that the verifier accepts as they stand."""
    index = SourceIndex(articles)
    base = [
        s.text
        for s in [synthesis.headline, *synthesis.sentences]
        if s.text and check_sentence(s.text, index).verdict == "supported"
    ]
    vocab = sorted({w for s in index.sentences for w in s.content if w.isalpha() and len(w) > 3})
    story = Story(event, list(articles), index, _people(index, people), vocab)
    out: list[Mutant] = []
    for kind in KINDS:
        rng = random.Random(f"{seed}:{event}:{kind}")
        order = list(base)
        rng.shuffle(order)
        made = 0
        for text in order:
            if made >= per_kind:
                break
            m = OPERATORS[kind](story, text, rng)
            if m is not None and (m.text != m.original or kind == "citation"):
                out.append(m)
                made += 1
    return out


def run(
    syntheses_with_articles: Mapping[str, tuple[Synthesis, Sequence[Article]]],
    seed: int = 0,
    per_kind: int = PER_KIND,
    people: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """Mutate every event's verified article and count, per kind: generated, discarded, caught,
    missed (with the event ids of misses) and the catch rate over the mutants kept."""
    result: dict[str, Any] = {
        k: {"generated": 0, "discarded": 0, "caught": 0, "missed": 0, "missed_events": []}
        for k in KINDS
    }
    for event, (synthesis, articles) in sorted(syntheses_with_articles.items()):
        index = SourceIndex(articles)
        for m in mutants(event, synthesis, articles, seed, per_kind, (people or {}).get(event, ())):
            r = result[m.kind]
            r["generated"] += 1
            if m.discarded:
                r["discarded"] += 1
            elif caught(m, index):
                r["caught"] += 1
            else:
                r["missed"] += 1
                r["missed_events"].append(event)
                log.debug("missed %s mutant in %s: %r -> %r", m.kind, event, m.original, m.text)
    for r in result.values():
        kept = r["caught"] + r["missed"]
        r["catch_rate"] = round(r["caught"] / kept, 4) if kept else None
    return result


def markdown(result: Mapping[str, Any]) -> list[str]:
    """The result as a Markdown table for docs/benchmarks.md."""
    lines = [
        "| kind | generated | discarded | caught | missed | catch rate |",
        "|---|---|---|---|---|---|",
    ]
    for kind in KINDS:
        r = result.get(kind)
        if r is None:
            continue
        rate = "n/a" if r["catch_rate"] is None else f"{r['catch_rate']:.0%}"
        lines.append(
            f"| {kind} | {r['generated']} | {r['discarded']} | {r['caught']} | {r['missed']} "
            f"| {rate} |"
        )
    return lines


def evaluate(data: Path, seed: int = 0, per_kind: int = PER_KIND) -> dict[str, Any]:
    """Mutation results for a labelled data set: one verified article per gold event (written by
    ``newsloom.synthesize`` at ``WORDS`` words), the events' people from the gold roles."""
    from newsloom.eval.data import load
    from newsloom.eval.synth import write

    dataset = load(data)
    written = write(dataset, "newsloom", WORDS)
    people = {ev: [r["person"] for r in dataset.gold.events[ev].get("roles", [])] for ev in written}
    return run(written, seed=seed, per_kind=per_kind, people=people)


def mutate_command(
    data: Annotated[
        Path, typer.Option("--data", help="Folder holding articles.jsonl and events.jsonl.")
    ],
    seed: Annotated[int, typer.Option("--seed", help="Seed of the mutations.")] = 0,
    json_out: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """Inject seeded errors into verified articles and report the verifier's catch rate."""
    result = evaluate(data, seed)
    if json_out:
        typer.echo(json.dumps(result, indent=2))
        return
    typer.echo("\n".join(markdown(result)))
    for kind in KINDS:
        if result[kind]["missed_events"]:
            typer.echo(f"missed {kind}: {', '.join(sorted(set(result[kind]['missed_events'])))}")
