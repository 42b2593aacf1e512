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

Featurising is a pure function of the text (:func:`compute_term_weights`), so
``cluster/parallel.py`` runs it in a worker process and puts the results into the cache that
:func:`term_weights` reads (:func:`prime`); what depends on the stream (IDF, the vector) stays
with the clusterer and runs in numpy on the :class:`TermWeights` arrays, giving the same floats
as the scalar formulas.
"""

from __future__ import annotations

import heapq
import math
import re
import zlib
from array import array
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from operator import mul
from typing import TypeVar

import numpy as np

from newsloom.model import Article
from newsloom.text import STOPWORDS, capitalized_runs, content_words, numbers

T = TypeVar("T")

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

# A sentence ends at . ! or ? (closing quotes or brackets may follow) before white space and
# a capital, a digit or an opening quote; or at a line break (paragraphs). Abbreviations that
# end in a full stop ("Mr.", "U.S.", "Gen.", initials) do not end a sentence.
_SENT_BREAK = re.compile(
    r"([.!?][\"'\u201d\u2019)\]]?)\s+(?=[\"'\u201c\u2018(\[]?[A-Z0-9\u00C0-\u00DE])|\s*\n\s*"
)
_ABBREV = frozenset(
    "Mr Mrs Ms Dr St Gen Sen Rep Gov Lt Col Capt Sgt Jr Sr Prof No Rev Maj Adm Pres Inc Corp "
    "Ltd Co Dept Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec vs".split()
)
_ABBREV_END = re.compile(r"(?:^|[\s(])([A-Za-z]{1,5})\.$|(?:^|\s)(?:[A-Z]\.){1,3}$")


def sentences(text: str) -> list[str]:
    """Sentences by a cheap rule (see ``_SENT_BREAK``), good enough for a headline and a lead.

    The clusterer needs only where the opening sentences end, and pysbd costs milliseconds
    per article (the whole budget at 2,000 articles a second), so this is a regular
    expression with an abbreviation guard instead; it is the one rule for every method."""
    out: list[str] = []
    pending = ""
    pos = 0
    for m in _SENT_BREAK.finditer(text):
        end = m.end(1) if m.group(1) else m.start()
        piece = text[pos:end] if not pending else pending + text[pos:end]
        pos = m.end()
        if m.group(1) and "\n" not in m.group(0) and _is_abbrev(piece):
            pending = piece + " "
            continue
        pending = ""
        if piece.strip():
            out.append(piece.strip())
    tail = (pending + text[pos:]).strip()
    if tail:
        out.append(tail)
    return out


def _is_abbrev(piece: str) -> bool:
    m = _ABBREV_END.search(piece[-12:])
    if m is None:
        return False
    word = m.group(1)
    return word is None or word in _ABBREV or (len(word) == 1 and word.isupper())


@lru_cache(maxsize=4096)
def _opening(text: str) -> tuple[tuple[str, ...], str]:
    """Sentences of the text's opening (about ``OPENING_CHARS`` characters) and the rest.

    Only the headline and the lead need sentence boundaries, so only the opening is split
    (cost flat in the article's length). Cached by text: the evaluation feeds the same texts
    many times (dense regime, tuning folds)."""
    if len(text) <= OPENING_CHARS:
        return tuple(sentences(text)), ""
    cut = text.rfind(" ", 0, OPENING_CHARS)
    cut = cut if cut > 0 else OPENING_CHARS
    spans = sentences(text[:cut])
    if len(spans) > 1:  # the last sentence of the opening may be cut: leave it to the rest
        spans = spans[:-1]
        end = text.find(spans[-1]) + len(spans[-1])
    else:
        end = 0
    return tuple(spans), text[end:]


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


_DIGITS = re.compile(r"[0-9]+")
_AFTER_DAY = re.compile(rf"(?:st|nd|rd|th)?(?:\s*-\s*\d{{1,2}})?\s+({_MONTH_ALT})\.?\b", re.I)
_BEFORE_DAY = re.compile(rf"\b({_MONTH_ALT})\.?\s+$", re.I)
_DAY_END = re.compile(r"(?:st|nd|rd|th)?\b(?!\s*,?\s*\d{3})")


def _dates(text: str) -> set[str]:
    """Dates such as "9 July", "July 9th" or "2025-07-09" as ``month-day`` strings.

    Driven by the digits of the text (few) rather than by a month-name alternation tried at
    every character, which cost more than all other features together."""
    out: set[str] = set()
    for m in _DIGITS.finditer(text):
        s, e = m.span()
        if s and (text[s - 1].isalnum() or text[s - 1] == "_"):
            continue
        if e - s == 4 and (iso := _ISO.match(text, s)) is not None:
            out.add(f"{int(iso.group(2))}-{int(iso.group(3))}")
            continue
        if e - s > 2:
            continue
        day = int(m.group(0))
        if (after := _AFTER_DAY.match(text, e)) is not None:
            out.add(f"{_month_number(after.group(1))}-{day}")
        if (before := _BEFORE_DAY.search(text, max(0, s - 12), s)) is not None and (
            _DAY_END.match(text, e) is not None
        ):
            out.add(f"{_month_number(before.group(1))}-{day}")
    return out


def _month_number(word: str) -> int:
    return _MONTHS.get(word.lower().rstrip("."), 0) or _month3(word)


def _month3(word: str) -> int:
    w = word.lower().rstrip(".")[:3]
    for name, num in _MONTHS.items():
        if name.startswith(w):
            return num
    return 0


_RUN_NAME: dict[str, str] = {}
_RUN_NAME_MAX = 1 << 17


def _names(text: str) -> set[str]:
    """Names of the text: its capitalised runs, lower-cased, without words that only open
    sentences ("The", "Breaking"); a lone word needs 3 letters. A run's name is looked up in
    a bounded table (runs repeat across a stream), so a known run costs no Python call."""
    out = _memo_map(_RUN_NAME, _RUN_NAME_MAX, capitalized_runs(text), _run_name)
    out.discard("")
    return out


def _run_name(run: str) -> str:
    parts = [p for p in run.lower().split() if p not in _NOT_NAMES]
    keep = parts and (len(parts) > 1 or len(parts[0]) > 2)
    return " ".join(parts) if keep else ""


def _memo_map(
    table: dict[str, T], limit: int, keys: list[str], compute: Callable[[str], T]
) -> set[T]:
    """``{compute(k) for k in keys}`` through a bounded memo table: when every key is known
    the whole lookup is one C-level ``map`` (the hot path of featurising); the table is
    cleared when it grows past ``limit``."""
    out = set(map(table.get, keys))
    if None in out:
        out.discard(None)  # type: ignore[arg-type]
        if len(table) > limit:
            table.clear()
        for key in keys:
            value = table.get(key)
            if value is None:
                value = table[key] = compute(key)
            out.add(value)
    return out


@lru_cache(maxsize=1 << 17)
def stem(word: str) -> str:
    """A light English suffix stripper ("strikes", "striking", "struck" stay apart, but
    "kills"/"killed"/"killing" meet): enough to let two reports of one event share words,
    without a stemmer's data files. Cached: a stream reuses a small vocabulary."""
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


def term_weights(article: Article, w: Weights) -> TermWeights:
    """Hashed term -> zone-weighted term frequency (each zone counts a term once: sets, so a
    long body does not drown the headline), times the weight of the term's kind.

    The result is cached by content and shared: callers must not modify it. ``prime`` puts
    results computed elsewhere (a worker process: ``cluster/parallel.py``) into that cache."""
    return _term_weights(article.title, article.text, w)


class TermWeights(dict[int, float]):
    """The term weights of one article as a dict *and* as numpy arrays in the dict's order
    (``terms``, ``tfl`` = the sublinear term frequency ``1 + log tf``), so that the per-term
    arithmetic of ``vectorize`` and ``OnlineIdf.update`` runs in numpy: the same IEEE
    operations on the same values, hence the same floats, without a Python step per term.
    ``is_name`` marks the terms that are names (``n:`` terms): the clusterer's name rule
    (``ClusterConfig.name_penalty``) needs to know who an article is about.

    Terms are in ascending order: the vector's key order then no longer depends on the
    process's string-hash seed, so float sums (and decisions) are the same in every process."""

    __slots__ = ("terms", "tfl", "is_name")

    def __init__(
        self, terms: np.ndarray, tf: np.ndarray, tfl: np.ndarray, is_name: np.ndarray
    ) -> None:
        super().__init__(zip(terms.tolist(), tf.tolist(), strict=True))
        self.terms = terms
        self.tfl = tfl
        self.is_name = is_name

    def names(self) -> frozenset[int]:
        """The hashed name terms of the article."""
        return frozenset(self.terms[self.is_name].tolist())


def term_arrays(
    counts: Mapping[int, float], names: Collection[int] = frozenset()
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(terms, tf, sublinear tf, is-a-name mask) of hashed term counts, sorted by term; the
    sublinear tf is looked up per distinct value (a handful: sums of zone x kind weights), each
    computed once with ``math.log``. What a worker process sends back (no dict to build
    there). ``names``: the hashes of the name terms among ``counts``."""
    n = len(counts)
    terms = np.fromiter(counts.keys(), np.int32, n)  # hashes < 2**HASH_BITS
    order = np.argsort(terms, kind="stable")
    tf = np.fromiter(counts.values(), np.float64, n)[order]
    tfl = np.fromiter(map(_SUBLINEAR.__getitem__, tf.tolist()), np.float64, n)
    terms = terms[order]
    is_name = np.fromiter(map(names.__contains__, terms.tolist()), bool, n)
    return terms, tf, tfl, is_name


class _Sublinear(dict[float, float]):
    """tf -> ``1 + log tf`` (tf itself below 1), filled on first use of each value."""

    def __missing__(self, f: float) -> float:
        value = self[f] = (1.0 + math.log(f)) if f >= 1 else f
        return value


_SUBLINEAR = _Sublinear()


_TW_CACHE: dict[tuple[str | None, str, Weights], TermWeights] = {}
_TW_CACHE_MAX = 4096


def _term_weights(title_or_none: str | None, text: str, w: Weights) -> TermWeights:
    key = (title_or_none, text, w)
    hit = _TW_CACHE.get(key)
    if hit is None:
        hit = compute_term_weights(title_or_none, text, w)
        _remember(key, hit)
    return hit


def _remember(key: tuple[str | None, str, Weights], value: TermWeights) -> None:
    """Bounded cache (oldest out first): the evaluation feeds the same texts many times
    (dense regime, tuning folds), a stream never."""
    if len(_TW_CACHE) >= _TW_CACHE_MAX:
        del _TW_CACHE[next(iter(_TW_CACHE))]
    _TW_CACHE[key] = value


def prime(article: Article, w: Weights, value: TermWeights) -> None:
    """Put term weights computed elsewhere (by ``compute_term_weights`` in a worker) into the
    cache ``term_weights`` reads, so ``OnlineClusterer.add`` finds them without featurising."""
    _remember((article.title, article.text, w), value)


def clear_cache() -> None:
    """Forget cached term weights (a benchmark's cold start; tests that must see a worker)."""
    _TW_CACHE.clear()


def is_cached(article: Article, w: Weights) -> bool:
    """Whether ``term_weights(article, w)`` is already cached (nothing to send to a worker)."""
    return (article.title, article.text, w) in _TW_CACHE


def compute_term_weights(title_or_none: str | None, text: str, w: Weights) -> TermWeights:
    """The uncached featuriser behind ``term_weights`` (pure: the same in any process)."""
    return TermWeights(*term_arrays(*term_counts(title_or_none, text, w)))


def term_counts(
    title_or_none: str | None, text: str, w: Weights
) -> tuple[dict[int, float], set[int]]:
    """Hashed term -> weighted term frequency, in order of discovery, and the hashes of the
    name terms among them (``compute_term_weights`` without the arrays)."""
    title, lead, rest = _split_zones(title_or_none, text, w.lead_sentences)
    out: dict[int, float] = {}
    names: set[int] = set()
    get = out.get
    for zone, zw in ((title, w.title), (lead, w.lead), (rest, w.body)):
        if not zone:
            continue
        # The same terms as zone_terms, hashed straight from cached token -> hash tables.
        for h in _word_hashes(zone):
            out[h] = get(h, 0.0) + zw
        for kind, kw, terms in (
            ("n:", w.name, _names(zone)),
            ("#:", w.number, _numbers(zone)),
            ("d:", w.date, _dates(zone)),
        ):
            for term in terms:
                h = term_hash(kind + term)
                out[h] = get(h, 0.0) + zw * kw
                if kind == "n:":
                    names.add(h)
    return out, names


def _numbers(zone: str) -> set[str]:
    """Number terms of a zone: as printed without thousands commas, a lone "0" left out."""
    return {n.replace(",", "") for n in numbers(zone) if len(n) > 1 or n != "0"}


_WORD_RE = re.compile(r"[a-z\u00C0-\u024F][a-z\u00C0-\u024F'\u2019-]*|\d+(?:[.,]\d+)*")
_WORD_HASH: dict[str, int] = {}
_WORD_HASH_MAX = 1 << 18


def _word_hashes(zone: str) -> set[int]:
    """Hashed stems of the zone's content words (``text.content_words``, then ``stem``).

    The hot loop of featurising: tokens are found in the lower-cased zone at once and mapped
    to hashes through a plain dict (C-level ``map``), so a known token costs no Python call.
    The table is keyed by the raw token (trailing quotes and hyphens included: they are
    stripped only when a token is first seen) and bounded: it is cleared when it reaches
    ``_WORD_HASH_MAX`` tokens."""
    hashes = _memo_map(_WORD_HASH, _WORD_HASH_MAX, _WORD_RE.findall(zone.lower()), _token_hash)
    hashes.discard(-1)
    return hashes


def _token_hash(raw: str) -> int:
    w = raw.strip("'\u2019-")
    return term_hash(stem(w)) if len(w) > 1 and w not in STOPWORDS else -1


@lru_cache(maxsize=1 << 18)
def term_hash(term: str) -> int:
    """Stable hash of a term into the fixed feature space (cached: the vocabulary repeats)."""
    return zlib.crc32(term.encode("utf-8")) & _MASK


class OnlineIdf:
    """Running document frequencies over hashed terms: IDF learned as articles arrive.

    ``log((1 + n) / (1 + df)) + 1`` (the smoothed form scikit-learn uses), so a term seen in
    every document still weighs a little and an unseen one weighs most. The counts live in a
    flat ``array`` of 32-bit ints (4 MB; scalar access from Python is several times cheaper
    than a numpy array's), viewed as a numpy array too for the vectorised path.
    """

    def __init__(self, background_docs: int = 0) -> None:
        self.n_docs = 0
        self.df = array("i", bytes(4 << HASH_BITS))
        self._df_np = np.frombuffer(self.df, dtype=np.int32)  # the same memory, for numpy
        if background_docs > 0:
            self.warm_start(background_docs)

    def warm_start(self, docs: int) -> None:
        """Start from the document frequencies of a small background vocabulary (the invented
        demo corpus shipped in the package, never evaluation data), scaled to count as
        ``docs`` documents: early in a stream the online IDF has seen too little to tell
        "said" from "Lutsk", and every first article would weigh both alike."""
        n, counts = background_df()
        scale = docs / n
        for t, c in counts.items():
            self.df[t] += max(1, round(c * scale))
        self.n_docs += docs

    def update(self, terms: Iterable[int]) -> None:
        """Count one document containing ``terms`` (distinct terms, e.g. a ``TermWeights``)."""
        self.n_docs += 1
        if isinstance(terms, TermWeights):
            self._df_np[terms.terms] += 1  # the same counts, one numpy step
            return
        df = self.df
        for t in terms:
            df[t] += 1

    def log1p_df(self, terms: np.ndarray) -> np.ndarray:
        """``math.log(1 + df)`` of each term, from a table of ``math.log`` values (so exactly
        the floats the scalar formula gives; numpy's own log may differ in the last bit)."""
        counts = self._df_np[terms]
        try:
            return _LOG1P[0][counts]
        except IndexError:  # a count beyond the table
            pass
        _grow_log1p(min(int(counts.max()), _LOG1P_MAX - 1))
        table = _LOG1P[0]
        inside = counts < len(table)
        out = np.empty(len(counts))
        out[inside] = table[counts[inside]]
        out[~inside] = [math.log(1 + k) for k in counts[~inside].tolist()]
        return out

    def idf(self, term: int) -> float:
        """Current inverse document frequency of ``term``."""
        return math.log((1 + self.n_docs) / (1 + self.df[term])) + 1.0


@lru_cache(maxsize=1)
def background_df() -> tuple[int, dict[int, int]]:
    """(documents, hashed term -> document count) of the demo corpus's English articles."""
    from newsloom import demo  # the package's own data, read once

    counts: dict[int, int] = {}
    n = 0
    for a in demo.articles():
        if a.get("lang", "en") != "en":
            continue
        n += 1
        for t in _term_weights(a["title"], "\n".join(a["paragraphs"]), Weights()):
            counts[t] = counts.get(t, 0) + 1
    return max(n, 1), counts


def vectorize(tf: dict[int, float], idf: OnlineIdf, keep: int = 0) -> dict[int, float]:
    """L2-normalised sparse TF-IDF vector with sublinear term frequency (1 + log tf).

    ``keep`` > 0 keeps only the ``keep`` weightiest terms (before normalising): the specifics
    of an event are its rare, emphasised terms, and short vectors make every comparison cheap.
    A ``TermWeights`` (what ``term_weights`` returns) takes the numpy path: the same formula,
    the same operation order, so the same floats."""
    df, log = idf.df, math.log
    base = log(1 + idf.n_docs)
    if isinstance(tf, TermWeights) and not keep:
        values = tf.tfl * ((base - idf.log1p_df(tf.terms)) + 1.0)
        norm = math.sqrt(sum((values * values).tolist()))  # sequential sum, as below
        if not norm > 0:
            return {}
        return dict(zip(tf.terms.tolist(), (values / norm).tolist(), strict=True))
    vec = {
        t: ((1.0 + log(f)) if f >= 1 else f) * (base - log(1 + df[t]) + 1.0) for t, f in tf.items()
    }
    if keep and len(vec) > keep:
        vec = dict(heapq.nlargest(keep, vec.items(), key=lambda p: p[1]))
    norm = math.sqrt(sum(v * v for v in vec.values()))
    return {t: v / norm for t, v in vec.items()} if norm > 0 else {}


_LOG1P: list[np.ndarray] = [np.zeros(0)]
"""``_LOG1P[0][k] == math.log(1 + k)``, grown on demand up to the largest df seen."""
_LOG1P_MAX = 1 << 20
"""Table bound (8 MB); larger document frequencies (streams of millions) use ``math.log``."""


def _grow_log1p(top: int) -> None:
    old = _LOG1P[0]
    if top < len(old):
        return
    size = max(1024, 2 * len(old))
    while size <= top:
        size *= 2
    tail = [math.log(1 + k) for k in range(len(old), size)]
    _LOG1P[0] = np.concatenate([old, np.array(tail, dtype=np.float64)])


def top_terms(vec: dict[int, float], k: int) -> list[int]:
    """The ``k`` weightiest terms of a vector, weightiest first (ties: larger term first):
    exactly ``[t for _, t in heapq.nlargest(k, ((v, t) for t, v in vec.items()))]``, with
    the sort done by numpy instead of tuple comparisons in Python."""
    n = len(vec)
    if n <= 2 * k:
        return [t for _, t in heapq.nlargest(k, ((v, t) for t, v in vec.items()))]
    terms = np.fromiter(vec.keys(), np.int64, n)
    weights = np.fromiter(vec.values(), np.float64, n)
    order = np.lexsort((terms, weights))[::-1][:k]  # by weight, then term; descending
    return terms[order].tolist()


def cosine(a: dict[int, float], b: dict[int, float]) -> float:
    """Dot product of two sparse vectors (cosine when both are unit length); the shared keys
    come from a C-level set intersection, so the Python loop runs over shared terms only."""
    keys = a.keys() & b.keys()
    return sum(map(mul, map(a.__getitem__, keys), map(b.__getitem__, keys)))


_QUANTITY = re.compile(
    r"(?:\b(magnitude|rate|rates)\s+(?:of\s+)?(?:to\s+)?)?"
    r"(?<![\w.,])(\d+(?:[.,]\d+)?)(?:\s*(%|percent\b|per\s+cent\b|[a-z]+))?",
    re.I,
)
_NOT_UNITS = (
    frozenset(_MONTHS)
    | frozenset(m[:3] for m in _MONTHS)
    | frozenset("am pm gmt utc st nd rd th".split())
)


def salient_quantities(article: Article, lead_sentences: int = 2) -> dict[str, frozenset[str]]:
    """Unit -> numbers stated in the headline and lead ("%" -> {"4.25"}, "magnitude" ->
    {"7.1"}, "killed" -> {"12"}): the salient numbers of the happening. Two rate decisions or two
    earthquakes share every word but these; years, dates and clock times are left out."""
    return _quantities(article.title, article.text, lead_sentences)


@lru_cache(maxsize=4096)
def _quantities(
    title_or_none: str | None, text: str, lead_sentences: int
) -> dict[str, frozenset[str]]:
    title, lead, _ = _split_zones(title_or_none, text, lead_sentences)
    out: dict[str, set[str]] = {}
    for m in _QUANTITY.finditer(f"{title}\n{lead}"):
        pre, num, unit = m.group(1), m.group(2).replace(",", ""), (m.group(3) or "").lower()
        if len(num) == 4 and num.startswith(("19", "20")):
            continue  # a year
        if pre:
            key = "magnitude" if pre.lower() == "magnitude" else "%"
        elif unit in ("%", "percent") or unit.startswith("per"):
            key = "%"
        elif unit and unit not in _NOT_UNITS and unit not in STOPWORDS and len(unit) > 2:
            key = stem(unit)
        else:
            continue
        out.setdefault(key, set()).add(num)
    return {k: frozenset(v) for k, v in out.items()}


def quantity_conflict(article: Mapping[str, frozenset[str]], story: Mapping[str, set[str]]) -> bool:
    """True when the article and the story state numbers for the same unit and none agree
    (4.25% against 4.5%; magnitude 6.2 against 7.1)."""
    return any(u in story and not (nums & story[u]) for u, nums in article.items())
