"""Event features of an article: weighted terms for an online TF-IDF.

Topics share words ("Russia", "drones", "strike"); events differ in their specifics: who,
where, how many, which day. So besides content words the representation carries *names*
(capitalised runs, kept whole: "Lutsk", "Jerome Powell"), *numbers* ("728", "4.25") and
*dates* ("jul-9"), and it weighs the headline and the lead above the rest of the body, where
reporters put the specifics of the event.

One documented rule for articles without a title (168 of 231 in realnews): the first sentence
of at least ``MIN_HEADLINE_WORDS`` words serves as the title (else the first sentence).
Every method (the online clusterer and the offline peers) uses :func:`headline` and
:func:`event_text`, so none gains from a different rule.

Terms are hashed (CRC-32, stable across processes, unlike ``hash``) into a fixed space, so the
running document frequencies of :class:`OnlineIdf` take bounded memory however long the stream.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from newsloom.model import Article
from newsloom.text import STOPWORDS, capitalized_runs, content_words, numbers, split_sentences

HASH_BITS = 20
MIN_HEADLINE_WORDS = 6
_MASK = (1 << HASH_BITS) - 1

_MONTH_NAMES = (
    "january february march april may june july august september october november december"
)
_MONTHS = {m: i + 1 for i, m in enumerate(_MONTH_NAMES.split())}
_MONTH_ALT = "|".join(sorted(list(_MONTHS) + [m[:3] for m in _MONTHS] + ["sept"], key=len)[::-1])
_DAY_MONTH = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?(?:\s*-\s*\d{{1,2}})?\s+({_MONTH_ALT})\.?\b", re.I
)
_MONTH_DAY = re.compile(
    rf"\b({_MONTH_ALT})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*,?\s*\d{{3}})", re.I
)
_ISO = re.compile(r"\b(20\d\d)-(\d\d)-(\d\d)\b")

# Words that open sentences and headlines in capitals but name nobody.
_NOT_NAMES = STOPWORDS | frozenset(
    "breaking update live watch photo video read home news story opinion analysis".split()
)


OPENING_CHARS = 700


@lru_cache(maxsize=4096)
def _opening(text: str) -> tuple[tuple[str, ...], str]:
    """Sentences of the text's opening (about ``OPENING_CHARS`` characters) and the rest.

    Only the headline and the lead need sentence boundaries; splitting just the opening keeps
    the costliest step (pysbd) flat in the article's length. Cached by text: the evaluation
    feeds the same texts many times (dense regime, tuning folds)."""
    if len(text) <= OPENING_CHARS:
        return tuple(s.text for s in split_sentences(text)), ""
    cut = text.rfind(" ", 0, OPENING_CHARS)
    cut = cut if cut > 0 else OPENING_CHARS
    spans = split_sentences(text[:cut])
    if len(spans) > 1:  # the last sentence of the opening may be cut: leave it to the rest
        spans = spans[:-1]
    end = spans[-1].end if spans else 0
    return tuple(s.text for s in spans), text[end:]


def headline(article: Article) -> str:
    """The article's headline: its title, else its first sentence of at least
    ``MIN_HEADLINE_WORDS`` words (so page debris such as a lone menu label is skipped), else its
    first sentence. The one rule for every method."""
    if article.title and article.title.strip():
        return article.title.strip()
    spans, _ = _opening(article.text)
    return spans[_headline_index(spans)] if spans else ""


def _headline_index(spans: tuple[str, ...]) -> int:
    for i, s in enumerate(spans):
        if len(s.split()) >= MIN_HEADLINE_WORDS:
            return i
    return 0


def _sections(article: Article, lead_sentences: int) -> tuple[str, str, str]:
    """(headline, lead, rest of body). Without a title the first sentence is the headline and
    the lead starts after it, so no sentence is counted twice."""
    return _split_zones(article.title, article.text, lead_sentences)


def _split_zones(title_or_none: str | None, text: str, lead_sentences: int) -> tuple[str, str, str]:
    spans, remainder = _opening(text)
    if title_or_none and title_or_none.strip():
        title, body = title_or_none.strip(), spans
    else:
        i = _headline_index(spans) if spans else 0
        title, body = (spans[i], spans[i + 1 :]) if spans else ("", ())
    lead = " ".join(body[:lead_sentences])
    rest = " ".join([*body[lead_sentences:], remainder])
    return title, lead, rest


def event_text(article: Article, lead_sentences: int = 2) -> str:
    """Plain text for methods that take one string (the offline peers): the headline and lead
    repeated so that they weigh more, like the online weights, then the body."""
    title, lead, rest = _sections(article, lead_sentences)
    return "\n".join([title, title, title, lead, lead, rest])


def _dates(text: str) -> set[str]:
    out: set[str] = set()
    for m in _DAY_MONTH.finditer(text):
        out.add(
            f"{_MONTHS.get(m.group(2).lower().rstrip('.'), _month3(m.group(2)))}-{int(m.group(1))}"
        )
    for m in _MONTH_DAY.finditer(text):
        out.add(
            f"{_MONTHS.get(m.group(1).lower().rstrip('.'), _month3(m.group(1)))}-{int(m.group(2))}"
        )
    for m in _ISO.finditer(text):
        out.add(f"{int(m.group(2))}-{int(m.group(3))}")
    return out


def _month3(word: str) -> int:
    w = word.lower().rstrip(".")[:3]
    for name, num in _MONTHS.items():
        if name.startswith(w):
            return num
    return 0


def _names(text: str) -> set[str]:
    out: set[str] = set()
    for run in capitalized_runs(text):
        parts = [p for p in run.lower().split() if p not in _NOT_NAMES]
        if parts and (len(parts) > 1 or len(parts[0]) > 2):
            out.add(" ".join(parts))
    return out


def stem(word: str) -> str:
    """A light English suffix stripper ("strikes", "striking", "struck" stay apart, but
    "kills"/"killed"/"killing" meet): enough to let two reports of one event share words,
    without a stemmer's data files."""
    if len(word) <= 4 or not word.isalpha():
        return word
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", "e")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: len(word) - len(suffix)] + repl
            break
    else:
        if word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def zone_terms(text: str) -> dict[str, int]:
    """Term counts of one zone: content words, ``n:`` names, ``#:`` numbers, ``d:`` dates."""
    counts: dict[str, int] = {}
    toks: list[str] = []
    toks.extend(stem(w) for w in content_words(text))
    toks.extend("n:" + n for n in _names(text))
    toks.extend("#:" + n.replace(",", "") for n in numbers(text) if len(n) > 1 or n != "0")
    toks.extend("d:" + d for d in _dates(text))
    for t in toks:
        counts[t] = counts.get(t, 0) + 1
    return counts


@dataclass(frozen=True, slots=True)
class Weights:
    """Zone and kind weights of the representation (see ``ClusterConfig``)."""

    title: float = 2.0
    lead: float = 2.0
    body: float = 1.0
    name: float = 1.5
    number: float = 1.5
    date: float = 2.0
    lead_sentences: int = 2


def term_weights(article: Article, w: Weights) -> dict[int, float]:
    """Hashed term -> zone-weighted term frequency (each zone counts a term once: sets, so a
    long body does not drown the headline), times the weight of the term's kind.

    The result is cached by content and shared: callers must not modify it."""
    return _term_weights(article.title, article.text, w)


@lru_cache(maxsize=4096)
def _term_weights(title_or_none: str | None, text: str, w: Weights) -> dict[int, float]:
    title, lead, rest = _split_zones(title_or_none, text, w.lead_sentences)
    out: dict[int, float] = {}
    for zone, zw in ((title, w.title), (lead, w.lead), (rest, w.body)):
        if not zone:
            continue
        for term in zone_terms(zone):
            kind = term[:2]
            kw = (
                w.name
                if kind == "n:"
                else w.number
                if kind == "#:"
                else w.date
                if kind == "d:"
                else 1.0
            )
            h = term_hash(term)
            out[h] = out.get(h, 0.0) + zw * kw
    return out


def term_hash(term: str) -> int:
    """Stable hash of a term into the fixed feature space."""
    return zlib.crc32(term.encode("utf-8")) & _MASK


class OnlineIdf:
    """Running document frequencies over hashed terms: IDF learned as articles arrive.

    ``log((1 + n) / (1 + df)) + 1`` (the smoothed form scikit-learn uses), so a term seen in
    every document still weighs a little and an unseen one weighs most.
    """

    def __init__(self) -> None:
        self.n_docs = 0
        self.df = np.zeros(1 << HASH_BITS, dtype=np.int32)

    def update(self, terms: Iterable[int]) -> None:
        """Count one document containing ``terms``."""
        self.n_docs += 1
        for t in terms:
            self.df[t] += 1

    def idf(self, term: int) -> float:
        """Current inverse document frequency of ``term``."""
        return math.log((1 + self.n_docs) / (1 + int(self.df[term]))) + 1.0


def vectorize(tf: dict[int, float], idf: OnlineIdf) -> dict[int, float]:
    """L2-normalised sparse TF-IDF vector with sublinear term frequency (1 + log tf)."""
    vec = {t: (1.0 + math.log(f)) * idf.idf(t) if f >= 1 else f * idf.idf(t) for t, f in tf.items()}
    norm = math.sqrt(sum(v * v for v in vec.values()))
    return {t: v / norm for t, v in vec.items()} if norm > 0 else {}


def cosine(a: dict[int, float], b: dict[int, float]) -> float:
    """Dot product of two sparse vectors (cosine when both are unit length)."""
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())
