"""Synthetic news streams for benchmarks: many stories recombined from the demo corpus.

Why: clustering and dedup must be measured at sizes (10,000+ articles) and densities no
hand-written corpus reaches, with true labels and without any real text. Each synthetic story
takes one group of corpus articles (an event, or a single hard negative) as its template and
gets its own cast: every name-like word of the template (capitalised inside a sentence, never
written in lower case in the corpus: "Aldric", "Lindqvist", "Okafor") is replaced by a word
invented for that story alone, and every number (but years, days of the month and clock
times) by another number with the same shape. So stories built from the same
template share their ordinary vocabulary (the hard part) and differ in names and figures (what
makes them separable). Story sizes are long-tailed (Pareto), and stories overlap in time.

The output is deterministic for a given ``n`` and ``seed``.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from newsloom.demo import articles as corpus_articles
from newsloom.demo import outlets as corpus_outlets
from newsloom.model import Article
from newsloom.text import split_sentences

__all__ = ["generate", "generate_labeled", "story_sizes"]

START = datetime(2026, 3, 1, tzinfo=UTC)
"""Default start of the synthetic stream."""

_TOKEN = re.compile(r"[A-Z][a-z\u00C0-\u024F]+|\d+(?:[.,]\d+)*")
_OPENERS = " \"'\u201c\u2018("
_KEEP_AFTER = re.compile(  # days of the month and clock times stay plausible
    r" (?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|a\.m\.|p\.m\.)|:"
)
_YEAR = re.compile(r"(?:19|20)\d\d")
_KEEP = frozenset(
    "I Mr Mrs Ms Dr St Chief Officer Detective Inspector Commander Minister Mayor Director "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May "
    "June July August September October November December".split()
)
_ONSETS = ("b", "br", "d", "dr", "f", "g", "gr", "h", "k", "kr", "l", "m", "n", "p", "r", "s",
           "st", "t", "tr", "v", "z", "sh", "th", "w")  # fmt: skip
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ei", "ou")
_SYLLABLES = tuple(o + v for o in _ONSETS for v in _VOWELS)  # 192 syllables
_CODAS = ("", "n", "r", "s", "k", "l", "m", "th")
_NOUNS = ("Herald", "Courier", "Post", "Times", "Gazette", "Observer", "Chronicle", "Mail")

# A template is a tuple of literal strings and slots: an int >= 0 names an entity word of the
# group, an int < 0 the number ``-slot - 1`` of the group.
Template = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class _Source:
    title: Template
    paragraphs: tuple[tuple[Template, ...], ...]


@dataclass(frozen=True, slots=True)
class _Group:
    """The corpus articles of one event (or one hard negative) and the words to recast."""

    sources: tuple[_Source, ...]
    entities: tuple[str, ...]
    numbers: tuple[str, ...]


def _compile(
    text: str, names: frozenset[str], ents: dict[str, int], nums: dict[str, int]
) -> Template:
    """``text`` as a template; new entity words and numbers are added to ``ents``/``nums``."""
    parts: list[str | int] = []
    pos = 0
    for m in _TOKEN.finditer(text):
        tok = m.group(0)
        if tok[0].isdigit():
            if (
                _YEAR.fullmatch(tok)
                or _KEEP_AFTER.match(text, m.end())
                or text[m.start() - 1 : m.start()] == ":"
            ):
                continue
            slot = -nums.setdefault(tok, len(nums)) - 1
        elif tok not in names:
            continue
        else:
            slot = ents.setdefault(tok, len(ents))
        parts.append(text[pos : m.start()])
        parts.append(slot)
        pos = m.end()
    parts.append(text[pos:])
    return tuple(p for p in parts if p != "")


def _name_words(sentences: list[str]) -> frozenset[str]:
    """Words to recast: capitalised somewhere inside a sentence (not just at its start, where
    "Here" or "Families" are capitalised too) and never written in lower case."""
    lower = {w for s in sentences for w in re.findall(r"\b[a-z]+\b", s)}
    inner = {
        m.group(0)
        for s in sentences
        for m in _TOKEN.finditer(s)
        if m.group(0)[0].isalpha() and s[: m.start()].strip(_OPENERS)
    }
    return frozenset(w for w in inner if w.lower() not in lower and w not in _KEEP)


@lru_cache(maxsize=1)
def _groups() -> tuple[_Group, ...]:
    """The corpus's English articles, compiled into templates, one group per event."""
    arts = [a for a in corpus_articles() if a.get("lang", "en") == "en" and not a.get("copy_of")]
    split = {
        a["path"]: [[sp.text for sp in split_sentences(p)] for p in a["paragraphs"]] for a in arts
    }
    names = _name_words([s for paras in split.values() for para in paras for s in para])
    by_key: dict[str, list[dict]] = {}
    for a in arts:
        by_key.setdefault(a["event"] or a["path"], []).append(a)
    groups = []
    for members in by_key.values():
        ents: dict[str, int] = {}
        nums: dict[str, int] = {}
        sources = tuple(
            _Source(
                title=_compile(a["title"], names, ents, nums),
                paragraphs=tuple(
                    tuple(_compile(s, names, ents, nums) for s in para) for para in split[a["path"]]
                ),
            )
            for a in members
        )
        groups.append(_Group(sources, tuple(ents), tuple(nums)))
    return tuple(groups)


def _word(index: int) -> str:
    """A distinct invented word per index below 2**24: the index is scrambled (an odd multiplier
    is a bijection modulo a power of two, so neighbours look unrelated), then written as a coda
    and two or three syllables in bijective base-192 numeration."""
    index = (index * 2654435761) % 2**24
    index, coda = divmod(index, len(_CODAS))
    index += len(_SYLLABLES)  # skip the one-syllable words
    sylls = []
    while True:
        index, r = divmod(index, len(_SYLLABLES))
        sylls.append(_SYLLABLES[r])
        if index == 0:
            break
        index -= 1
    return ("".join(reversed(sylls)) + _CODAS[coda]).capitalize()


def _renumber(number: str, rng: random.Random) -> str:
    """Another number with the same shape (digit count, separators), no leading zero."""
    out = []
    for i, ch in enumerate(number):
        out.append(str(rng.randint(1 if i == 0 else 0, 9)) if ch.isdigit() else ch)
    return "".join(out)


def _renumber_all(numbers: tuple[str, ...], rng: random.Random) -> list[str]:
    """New numbers for a story, distinct where the originals are (so "Dock 4" and "Dock 7" stay
    two docks); a one-digit space may run out, then a repeat is accepted."""
    used: set[str] = set()
    out = []
    for number in numbers:
        new = _renumber(number, rng)
        for _ in range(20):
            if new not in used:
                break
            new = _renumber(number, rng)
        used.add(new)
        out.append(new)
    return out


def _render(t: Template, names: list[str], nums: list[str]) -> str:
    return "".join(p if isinstance(p, str) else names[p] if p >= 0 else nums[-p - 1] for p in t)


def story_sizes(n: int, rng: random.Random, alpha: float = 1.2) -> list[int]:
    """Long-tailed story sizes summing to ``n``: ``floor(Pareto(alpha))`` truncated at ``n // 25``
    (at least 1; larger draws are redrawn, so no pile-up at the cap), the last one cut to fit.
    Lower ``alpha`` gives a heavier tail."""
    cap = max(1, n // 25)
    sizes: list[int] = []
    left = n
    while left > 0:
        size = int(rng.paretovariate(alpha))
        while size > cap:
            size = int(rng.paretovariate(alpha))
        size = min(size, left)
        sizes.append(size)
        left -= size
    return sizes


def _outlet_pool(rng: random.Random, extra: int = 40) -> list[tuple[str, str]]:
    pool = [(o["name"], o["host"]) for o in corpus_outlets()]
    for i in range(extra):
        place = _word(2**24 - 1 - i)
        name = f"The {place} {_NOUNS[i % len(_NOUNS)]}"
        pool.append((name, f"{place.lower()}{_NOUNS[i % len(_NOUNS)].lower()}.example"))
    rng.shuffle(pool)
    return pool


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60]


def generate_labeled(
    n: int,
    seed: int = 0,
    *,
    alpha: float = 1.2,
    days: float | None = None,
    start: datetime = START,
) -> tuple[list[Article], list[int]]:
    """``n`` synthetic articles in time order (ids ``0..n-1``) and each one's true story label.

    ``days`` is the span over which stories start (default ``max(1, n / 500)``: about 500
    articles a day, so many stories run at once); a story's articles follow its start by
    exponential delays with a mean of 12 hours."""
    rng = random.Random(seed)
    groups = _groups()
    span = timedelta(days=days if days is not None else max(1.0, n / 500))
    outlets = _outlet_pool(random.Random(seed + 1))
    word_base = rng.randrange(2**24)
    words_used = 0
    rows: list[tuple[datetime, str, Article, int]] = []
    for story, size in enumerate(story_sizes(n, rng, alpha)):
        group = groups[rng.randrange(len(groups))]
        names = [_word(word_base + words_used + i) for i in range(len(group.entities))]
        words_used += len(names)
        nums = _renumber_all(group.numbers, rng)
        begin = start + span * rng.random()
        for j in range(size):
            src = group.sources[rng.randrange(len(group.sources))]
            sentences = [_render(t, names, nums) for para in src.paragraphs for t in para]
            kept = sentences[:1] + [s for s in sentences[1:] if rng.random() < 0.75]
            if len(kept) < 3:
                kept = sentences[:3]
            paras = [" ".join(kept[i : i + 2]) for i in range(0, len(kept), 2)]
            title = _render(src.title, names, nums)
            outlet, host = outlets[rng.randrange(len(outlets))]
            when = begin + timedelta(hours=0 if j == 0 else rng.expovariate(1 / 12))
            when = when.replace(microsecond=0)
            key = hashlib.sha1(f"{seed}:{story}:{j}".encode()).hexdigest()[:10]
            url = f"https://{host}/{when:%Y/%m/%d}/{_slug(title)}-{key}.html"
            text = "\n".join(paras)
            art = Article(
                url=url,
                canonical_url=url,
                outlet=outlet,
                title=title,
                text=text,
                published_at=when,
                fetched_at=when + timedelta(minutes=5),
                language="en",
                content_hash=hashlib.sha1(text.encode()).hexdigest(),
            )
            rows.append((when, url, art, story))
    rows.sort(key=lambda r: (r[0], r[1]))
    for i, (_, _, art, _) in enumerate(rows):
        art.id = i
    return [r[2] for r in rows], [r[3] for r in rows]


def generate(n: int, seed: int = 0) -> list[Article]:
    """``n`` synthetic articles (see :func:`generate_labeled`, which also gives the labels)."""
    return generate_labeled(n, seed)[0]
