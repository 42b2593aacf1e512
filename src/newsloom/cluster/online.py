"""The online event clusterer: one article at a time into stories, deterministic, time-aware.

How it decides (docs/clustering.md has the one-screen version):

1. The article becomes a TF-IDF vector over event features (``features.py``); the document
   frequencies are updated first, so IDF is learned online from the stream itself.
2. Candidate stories come from an inverted index over each active story's most weighty terms
   (each article indexes its ``index_terms`` weightiest and looks up its ``lookup_terms``
   weightiest), so the work per article depends on how many stories share its rare terms, not
   on how many stories are active.
3. Each candidate is scored against its centroid (built from its first ``centroid_cap``
   members only, so a story cannot drift away from the event that opened it) *and* against
   its closest member; the score loses ``time_penalty`` per day between the article and the
   story's time span. The best score at or above ``threshold`` wins; otherwise a new story.
4. When the article's story now looks like another active story (centroids at or above
   ``merge_threshold``), the younger is merged into the older and the merge is recorded: the
   old id redirects. Assignments never change otherwise.
5. Stories whose last article is more than ``window_days`` older than the newest article seen
   leave the window: their state is dropped, so memory is bounded by the window and next
   week's strike on the same city opens a new story.

Syndicated copies (``origin_id`` set) join their origin's story and do not count as documents
for IDF (a copy is not independent evidence that a term is common).
"""

from __future__ import annotations

import heapq
import logging
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from itertools import chain
from time import process_time
from typing import Any

from newsloom.cluster.features import (
    OnlineIdf,
    TermWeights,
    Weights,
    cosine,
    quantity_conflict,
    salient_quantities,
    term_weights,
    top_terms,
    vectorize,
)
from newsloom.model import Article, Assignment, Merge, Story

log = logging.getLogger(__name__)


def most_shared(shared: Mapping[int, int], k: int) -> list[int]:
    """The ``k`` stories sharing most terms, ties by smaller id: exactly
    ``heapq.nsmallest(k, shared, key=lambda s: (-shared[s], s))``, without a Python key call
    per story (only the stories at or above the k-th largest count are sorted)."""
    if len(shared) <= k:
        return sorted(shared, key=lambda s: (-shared[s], s))
    cut = sorted(shared.values(), reverse=True)[k - 1]
    return [s for _, s in sorted([(-c, s) for s, c in shared.items() if c >= cut])[:k]]


_DAY = 86400.0
STEPS = ("featurise", "candidates", "scoring", "update")
"""The steps of ``OnlineClusterer.add`` that ``timings`` breaks the time into."""


@dataclass(slots=True)
class ClusterConfig:
    """Every threshold and weight of the online clusterer. Defaults are the calibrated values
    (docs/clustering.md says how they were chosen)."""

    threshold: float = 0.22
    """Lowest score with which an article joins an existing story."""
    merge_threshold: float = 0.55
    """Lowest centroid similarity at which two active stories are merged."""
    centroid_weight: float = 0.5
    """Share of the centroid similarity in the score; the rest is the closest member's."""
    time_penalty: float = 0.03
    """Score lost per day between the article's time and the story's time span."""
    window_days: float = 3.0
    """A story leaves the active window this long after its last article."""
    centroid_cap: int = 12
    """Only the first members shape the centroid (no drift)."""
    members_compared: int = 6
    """At most this many member vectors are kept per story for the closest-member score."""
    members_scored: int = 2
    """Only this many candidates (the best by centroid) are compared with their members. The
    folds are indifferent between 2 and 3 (identical labels on all three regimes); 2 costs a
    third less scoring."""
    index_terms: int = 15
    """Terms per article put into the inverted index (its weightiest)."""
    lookup_terms: int = 30
    """Terms per article looked up in the inverted index (its weightiest; may exceed
    ``index_terms``). An article's weightiest terms are often its own rare words, which no
    earlier article had and which find no story; what a later report shares with its story may
    come only after them, and a story missing from the candidates cannot be joined at any
    score. Looking up more costs a few more posting lists per article; indexing more would
    grow every posting list instead. Calibrated by the folds (docs/clustering.md)."""
    max_candidates: int = 8
    """Stories scored exactly per article, chosen by shared index terms (the folds chose 8 of
    {5, 6, 8, 10}; 6-10 give identical labels on the full sets)."""
    max_posting: int = 200
    """An index term shared by more active stories than this is too common to find
    candidates by (a stop word of the window): it is skipped at lookup, so the candidate search
    costs the same with 10,000 or 100,000 articles in the window."""
    vector_terms: int = 0
    """Keep only this many weightiest terms per article vector (0: all)."""
    background_docs: int = 0
    """Online IDF starts from the shipped demo corpus counted as this many documents."""
    title_weight: float = 2.0
    lead_weight: float = 2.0
    body_weight: float = 1.0
    name_weight: float = 1.5
    number_weight: float = 1.5
    date_weight: float = 2.0
    lead_sentences: int = 2
    quantity_penalty: float = 0.0
    """Score lost when the article's headline/lead numbers for a unit all differ from the
    story's (two rate decisions, two earthquakes: ``features.salient_quantities``)."""
    embeddings: bool = False
    """Add a dense channel: MiniLM embeddings of headline and lead (``cluster/embed.py``;
    needs ``newsloom[embeddings]``). Off by default: see docs/clustering.md for both figures."""
    embedding_weight: float = 0.15
    """With embeddings: share of the embedding cosine (to the story's embedding centroid) in
    the score; the rest is the TF-IDF score."""
    embedding_threshold: float = 0.28
    """With embeddings: replaces ``threshold`` (the combined score lives on another scale)."""
    embedding_floor: float = 0.0
    """With embeddings: the embedding term is ``max(0, (cos - floor) / (1 - floor))``, so
    only embeddings closer than the floor add anything (same-topic pairs sit around 0.5-0.7)."""
    embedding_gate: float = 0.0
    """With embeddings: an article never joins a story whose embedding cosine is below this."""
    embedding_candidates: int = 0
    """With embeddings: also score this many active stories nearest by embedding (brute force
    over the window), so an aftermath report in other words can still be found."""
    lone_threshold: float = 0.19
    """The (lower) threshold for an article whose looked-up terms find at most
    ``lone_stories`` active stories, ``lone_after_days`` or more after that story began (0:
    off): with no rival story in the window, a near-threshold match a day later is more likely
    an aftermath report in other words than another event. Without the day condition it cost
    the dense regime (early in a dense day a sibling event's story is just as alone); with it
    the folds chose 0.19 / 1 story / 1 day (docs/clustering.md)."""
    lone_stories: int = 1
    lone_after_days: float = 1.0
    """The lone threshold applies only to an article this many days or more after its best
    candidate story began: an aftermath report comes later; a sibling event's first report on
    the same day does not."""
    name_known: float = 0.2
    """A story that holds less than this share of the article's *known* name weight loses
    ``name_penalty`` (0: off; 7 of 8 folds chose 0.2, docs/clustering.md). Known names are those an earlier article already had (online
    df > 1), weighed by their squared TF-IDF weight in the article's vector; the story
    holds a name when its centroid (first ``centroid_cap`` members) has it. Reports of one
    event share its people and places; templated copy about another event (automated quake
    or market reports; the synthetic stream) shares every word but those."""
    name_novel: float = 0.0
    """An article whose name weight is more than this share *novel* (names no earlier article
    had) loses ``name_penalty`` against every story (0: off): it is about
    people and places nobody has reported yet, so it opens a story rather than join one on
    shared wording alone (the first report of a templated sibling event). Off by default:
    0.9 lifts the synthetic stream further but costs realnews-day 0.008."""
    name_penalty: float = 1.0
    """Score lost under ``name_known`` or ``name_novel`` (1: a veto)."""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ClusterConfig:
        """Build from a ``[cluster]`` TOML table; unknown keys are an error, not ignored."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown cluster settings: {', '.join(sorted(unknown))}")
        return cls(**dict(data))

    def as_dict(self) -> dict[str, Any]:
        """Plain dict of all settings (for reports)."""
        return asdict(self)

    @property
    def weights(self) -> Weights:
        """The feature weights as ``features.Weights``."""
        return Weights(
            title=self.title_weight,
            lead=self.lead_weight,
            body=self.body_weight,
            name=self.name_weight,
            number=self.number_weight,
            date=self.date_weight,
            lead_sentences=self.lead_sentences,
        )


@dataclass(frozen=True, slots=True)
class _NameEvidence:
    """What the name rules (``ClusterConfig.name_known``, ``name_novel``) need of an article:
    its known names with their squared vector weights, their total, and whether its name
    weight is mostly novel."""

    known: tuple[tuple[int, float], ...]
    known_mass: float
    novel: bool

    def held_share(self, centroid: Mapping[int, float]) -> float:
        """Share of the known name weight that a story's centroid holds (1 with none)."""
        if not self.known_mass > 0:
            return 1.0
        return sum(v2 for n, v2 in self.known if n in centroid) / self.known_mass


@dataclass(slots=True)
class _State:
    """What the clusterer keeps about one active story."""

    id: int
    article_ids: list[int]
    first: float
    last: float
    members: list[dict[int, float]] = field(default_factory=list)
    centroid_sum: dict[int, float] = field(default_factory=dict)
    centroid_n: int = 0
    centroid_sq: float = 0.0
    """Squared length of ``centroid_sum``, kept up to date term by term: the centroid is
    never normalised into a new dict (that cost O(story terms) per added article)."""
    index_terms: set[int] = field(default_factory=set)
    emb_sum: Any = None
    """Sum of the first ``centroid_cap`` members' embeddings (numpy), with embeddings on."""
    emb_n: int = 0
    quantities: dict[str, set[str]] = field(default_factory=dict)
    """Unit -> salient numbers of the first ``centroid_cap`` members (with quantity_penalty)."""

    def add_embedding(self, emb: Any, cap: int) -> None:
        if emb is None or self.emb_n >= cap:
            return
        self.emb_sum = emb.copy() if self.emb_sum is None else self.emb_sum + emb
        self.emb_n += 1

    def embedding_cosine(self, emb: Any) -> float:
        if self.emb_sum is None:
            return 0.0
        norm = float((self.emb_sum @ self.emb_sum) ** 0.5)
        return float(emb @ self.emb_sum) / norm if norm > 0 else 0.0

    def add_vector(self, vec: dict[int, float], cap: int, members_cap: int) -> None:
        if len(self.members) < members_cap:
            self.members.append(vec)
        if self.centroid_n < cap:
            cs, sq = self.centroid_sum, self.centroid_sq
            for t, v in vec.items():
                old = cs.get(t, 0.0)
                cs[t] = new = old + v
                sq += new * new - old * old
            self.centroid_sq = sq
            self.centroid_n += 1

    def centroid_cosine(self, vec: dict[int, float]) -> float:
        """Cosine between a unit vector and the story's centroid."""
        return (
            cosine(vec, self.centroid_sum) / math.sqrt(self.centroid_sq)
            if self.centroid_sq > 0
            else 0.0
        )

    def story(self) -> Story:
        return Story(
            id=self.id,
            article_ids=list(self.article_ids),
            first_seen=datetime.fromtimestamp(self.first, tz=UTC),
            last_seen=datetime.fromtimestamp(self.last, tz=UTC),
        )


class OnlineClusterer:
    """Online, incremental event clustering with a small scikit-learn-like interface.

    ``add(article)`` decides once, on arrival; ``restore(...)`` rebuilds the active window from
    stored stories so a later run continues them; ``stories`` and ``story_of`` read the state.
    """

    def __init__(self, config: ClusterConfig | None = None) -> None:
        self.config = config or ClusterConfig()
        self._weights = self.config.weights
        self._idf = OnlineIdf(self.config.background_docs)
        self._active: dict[int, _State] = {}
        self._story_of: dict[int, int] = {}
        self._redirect: dict[int, int] = {}
        self._postings: dict[int, set[int]] = {}
        self._expiry: list[tuple[float, int]] = []  # (last_seen, story id), lazily checked
        self._now = -math.inf
        self.next_story_id = 1
        self._found = 0  # active stories the last article's looked-up terms found
        self.timings: dict[str, float] | None = None
        """Set to a dict to accumulate CPU seconds per step (``STEPS``) for benchmarks (CPU
        time, not wall time: a figure that other processes on the machine do not inflate)."""

    # ---- reading -------------------------------------------------------------------------
    @property
    def stories(self) -> list[Story]:
        """The active stories (merged-away ones excluded), by id."""
        return [self._active[i].story() for i in sorted(self._active)]

    def story_of(self, article_id: int) -> int | None:
        """The current story of an article in the active window (merges followed)."""
        sid = self._story_of.get(article_id)
        return None if sid is None else self._resolve(sid)

    def _resolve(self, sid: int) -> int:
        while sid in self._redirect:
            sid = self._redirect[sid]
        return sid

    # ---- the one decision ----------------------------------------------------------------
    def add(self, article: Article) -> Assignment:
        """Assign ``article`` to a story (new or existing) and return the decision."""
        if article.id is None:
            raise ValueError("article has no id: the clusterer needs unique article ids")
        t = article.time.timestamp()
        self._advance(t)
        if article.id in self._story_of:  # idempotent: a re-run changes nothing
            return Assignment(article.id, self.story_of(article.id) or -1, created=False)

        if article.origin_id is not None and article.origin_id in self._story_of:
            state = self._active[self._resolve(self._story_of[article.origin_id])]
            self._attach(state, article.id, t, None)
            return Assignment(article.id, state.id, created=False)

        clock = self.timings is not None
        t0 = process_time() if clock else 0.0
        tf = term_weights(article, self._weights)
        self._idf.update(tf)
        vec = vectorize(tf, self._idf, self.config.vector_terms)
        top = self._top_terms(vec)
        emb = self._embed(article)
        t1 = process_time() if clock else 0.0
        cands = self._candidates(top, emb)
        t2 = process_time() if clock else 0.0
        qty = (
            salient_quantities(article, self.config.lead_sentences)
            if self.config.quantity_penalty
            else None
        )
        names = self._name_evidence(tf, vec)
        scored = self._score(vec, cands, t, emb, qty, names)
        t3 = process_time() if clock else 0.0
        cfg = self.config
        threshold = cfg.embedding_threshold if emb is not None else cfg.threshold
        if cfg.lone_threshold and self._found <= cfg.lone_stories and scored:
            best = self._active[scored[0][1]]
            if (t - best.first) / _DAY >= cfg.lone_after_days:
                threshold = min(threshold, cfg.lone_threshold)
        if scored and scored[0][0] >= threshold:
            state = self._active[scored[0][1]]
            self._attach(state, article.id, t, vec, top, emb, qty)
            merges = self._maybe_merge(
                state, [sid for s, sid in scored[1:] if s >= threshold], article.time
            )
            out = Assignment(article.id, self._resolve(state.id), created=False, merges=merges)
        else:
            state = _State(id=self.next_story_id, article_ids=[], first=t, last=t)
            self.next_story_id += 1
            self._active[state.id] = state
            self._attach(state, article.id, t, vec, top, emb, qty)
            out = Assignment(article.id, state.id, created=True)
        if clock:
            self._clock(t0, t1, t2, t3, process_time())
        return out

    def add_many(self, articles: Sequence[Article], workers: int | None = None) -> list[Assignment]:
        """``add`` each article in order, with the featurising of a large batch done ahead by
        ``workers`` worker processes (``cluster/parallel.py``; default: 1 with 2 or more CPUs,
        ``NEWSLOOM_CLUSTER_WORKERS``) while this process decides; with embeddings on, their
        headline+lead passages are embedded first in one batch (MiniLM is several times faster
        per passage in batches). The decisions are exactly those of calling ``add`` one by one:
        the workers compute the same pure features, and IDF and decisions stay here, in order."""
        from newsloom.cluster.parallel import prefeaturised

        todo = [a for a in articles if a.origin_id is None and a.id not in self._story_of]
        if self.config.embeddings:
            from newsloom.cluster.embed import prefetch  # optional dependency

            prefetch(todo, self.config.lead_sentences)
        ordered = prefeaturised(articles, todo, self._weights, workers, self.timings)
        return [self.add(a) for a in ordered]

    def _clock(self, *marks: float) -> None:
        timings = self.timings
        assert timings is not None
        for step, a, b in zip(STEPS, marks, marks[1:], strict=False):
            timings[step] = timings.get(step, 0.0) + (b - a)

    def _embed(self, article: Article) -> Any:
        """The article's headline+lead embedding, or None with embeddings off."""
        if not self.config.embeddings:
            return None
        from newsloom.cluster.embed import embed_article  # optional dependency

        return embed_article(article, self.config.lead_sentences)

    def _top_terms(self, vec: dict[int, float]) -> list[int]:
        """The weightiest terms to look up and (the first ``index_terms``) to index."""
        return top_terms(vec, max(self.config.index_terms, self.config.lookup_terms))

    def _candidates(self, top: list[int], emb: Any = None) -> list[int]:
        """Active stories sharing most of the article's index terms (terms in more than
        ``max_posting`` stories are skipped: they cannot tell events apart), plus, with
        ``embedding_candidates``, the stories nearest by embedding."""
        cfg = self.config
        found = self._term_candidates(top)
        if emb is None or cfg.embedding_candidates <= 0:
            return found
        near = heapq.nlargest(
            cfg.embedding_candidates,
            (s for s in self._active.values() if s.emb_sum is not None),
            key=lambda s: (s.embedding_cosine(emb), -s.id),
        )
        return sorted(set(found) | {s.id for s in near})

    def _term_candidates(self, top: list[int]) -> list[int]:
        """Stories by shared looked-up terms; the posting lists are counted by ``Counter`` in
        C (a Python step per posting entry cost more as the window filled up)."""
        cfg = self.config
        cap = cfg.max_posting
        lists = [p for p in map(self._postings.get, top[: cfg.lookup_terms]) if p and len(p) <= cap]
        shared = Counter(chain.from_iterable(lists))
        self._found = len(shared)
        if len(shared) <= cfg.max_candidates:
            return sorted(shared)
        return most_shared(shared, cfg.max_candidates)

    def _name_evidence(self, tf: TermWeights, vec: dict[int, float]) -> _NameEvidence | None:
        """The article's names split into known (df > 1: an earlier article had them) and
        novel, by squared vector weight; None with the name rules off."""
        cfg = self.config
        if not (cfg.name_known or cfg.name_novel):
            return None
        df = self._idf.df
        known: list[tuple[int, float]] = []
        mass = novel = 0.0
        for n in tf.names():
            v = vec.get(n)
            if v is None:
                continue
            v2 = v * v
            mass += v2
            if df[n] > 1:
                known.append((n, v2))
            else:
                novel += v2
        return _NameEvidence(
            tuple(known),
            mass - novel,
            bool(cfg.name_novel) and mass > 0 and novel > cfg.name_novel * mass,
        )

    def _score(
        self,
        vec: dict[int, float],
        cands: list[int],
        t: float,
        emb: Any = None,
        qty: Mapping[str, frozenset[str]] | None = None,
        names: _NameEvidence | None = None,
    ) -> list[tuple[float, int]]:
        """The exact score of each candidate story, best first.

        Every candidate gets its centroid similarity; only the ``members_scored`` best of them
        by centroid are also compared with their members (the costly part), the others score
        as if their closest member were no closer than their centroid. With an embedding, the
        score mixes in the cosine to the story's embedding centroid (``embedding_weight``) and
        a story below ``embedding_gate`` is out. With ``names``, the name rules may cost a
        story ``name_penalty``."""
        cfg = self.config
        rows = []
        for sid in cands:
            st = self._active[sid]
            gap = max(0.0, t - st.last, st.first - t) / _DAY
            if gap <= cfg.window_days:
                rows.append((st.centroid_cosine(vec), gap, sid))
        rows.sort(key=lambda r: (-r[0], r[2]))
        out = []
        w = cfg.centroid_weight
        for i, (cent, gap, sid) in enumerate(rows):
            member = cent
            vetoed = names is not None and (
                names.novel or names.held_share(self._active[sid].centroid_sum) < cfg.name_known
            )
            if i < cfg.members_scored and not (
                vetoed and emb is None and self._hopeless(cent, gap, cfg.name_penalty)
            ):
                member = max(cosine(vec, m) for m in self._active[sid].members)
            score = w * cent + (1 - w) * member
            if emb is not None:
                e = self._active[sid].embedding_cosine(emb)
                if e < cfg.embedding_gate:
                    continue
                f = cfg.embedding_floor
                bonus = max(0.0, (e - f) / (1 - f)) if f < 1 else 0.0
                score = (1 - cfg.embedding_weight) * score + cfg.embedding_weight * bonus
            if qty and quantity_conflict(qty, self._active[sid].quantities):
                score -= cfg.quantity_penalty
            if vetoed:
                score -= cfg.name_penalty
            out.append((score - cfg.time_penalty * gap, sid))
        out.sort(key=lambda p: (-p[0], p[1]))
        return out

    def _hopeless(self, cent: float, gap: float, lost: float) -> bool:
        """Whether a candidate with centroid cosine ``cent`` that loses ``lost`` (and the time
        penalty) stays below every threshold that can apply whatever its closest member:
        its member comparisons are then skipped (most candidates a name rule vetoes). Exact:
        both its true score and the score without members (``cent`` for the member) are at
        most ``w * cent + (1 - w) - lost - time``, and a story below the lowest threshold can
        neither be joined nor merged, so the assignment is the same either way."""
        cfg = self.config
        floor = min(cfg.threshold, cfg.lone_threshold) if cfg.lone_threshold else cfg.threshold
        w = cfg.centroid_weight
        return w * cent + (1 - w) - lost - cfg.time_penalty * gap < floor - 1e-9

    def _attach(
        self,
        state: _State,
        article_id: int,
        t: float,
        vec: dict[int, float] | None,
        top: list[int] | None = None,
        emb: Any = None,
        qty: Mapping[str, frozenset[str]] | None = None,
    ) -> None:
        state.article_ids.append(article_id)
        state.first, state.last = min(state.first, t), max(state.last, t)
        self._story_of[article_id] = state.id
        heapq.heappush(self._expiry, (state.last, state.id))
        if vec is not None:
            state.add_vector(vec, self.config.centroid_cap, self.config.members_compared)
            state.add_embedding(emb, self.config.centroid_cap)
            if qty and state.centroid_n <= self.config.centroid_cap:
                for unit, nums in qty.items():
                    state.quantities.setdefault(unit, set()).update(nums)
            for term in (top or ())[: self.config.index_terms]:
                if term not in state.index_terms:
                    state.index_terms.add(term)
                    self._postings.setdefault(term, set()).add(state.id)

    def _maybe_merge(self, state: _State, others: list[int], at: datetime) -> tuple[Merge, ...]:
        """Merge stories the new article shows to be one event (centroids alike)."""
        merges: list[Merge] = []
        for sid in others:
            other = self._active.get(sid)
            if other is None or other.id == state.id:
                continue
            norms = math.sqrt(state.centroid_sq * other.centroid_sq)
            alike = cosine(state.centroid_sum, other.centroid_sum) / norms if norms > 0 else 0.0
            if alike < self.config.merge_threshold:
                continue
            target, source = (state, other) if state.id < other.id else (other, state)
            self._absorb(target, source)
            merges.append(Merge(source=source.id, target=target.id, at=at))
            log.debug("merged story %d into %d", source.id, target.id)
            state = target
        return tuple(merges)

    def _absorb(self, target: _State, source: _State) -> None:
        for term in source.index_terms:
            posting = self._postings.get(term)
            if posting is not None:
                posting.discard(source.id)
                posting.add(target.id)
        target.index_terms |= source.index_terms
        for vec in source.members:
            target.add_vector(vec, self.config.centroid_cap, self.config.members_compared)
        if source.emb_sum is not None and target.emb_n < self.config.centroid_cap:
            target.emb_sum = (
                source.emb_sum.copy() if target.emb_sum is None else target.emb_sum + source.emb_sum
            )
            target.emb_n += source.emb_n
        for unit, nums in source.quantities.items():
            target.quantities.setdefault(unit, set()).update(nums)
        target.article_ids.extend(source.article_ids)
        target.first, target.last = min(target.first, source.first), max(target.last, source.last)
        heapq.heappush(self._expiry, (target.last, target.id))
        self._redirect[source.id] = target.id
        del self._active[source.id]

    # ---- the window ----------------------------------------------------------------------
    def _advance(self, t: float) -> None:
        """Move the clock and drop stories that left the window (bounded memory)."""
        if t <= self._now:
            return
        self._now = t
        horizon = t - self.config.window_days * _DAY
        while self._expiry and self._expiry[0][0] < horizon:
            last, sid = heapq.heappop(self._expiry)
            st = self._active.get(sid)
            if st is None or st.last != last:
                continue  # stale entry: merged away or seen since
            self._drop(st)

    def _drop(self, st: _State) -> None:
        for term in st.index_terms:
            posting = self._postings.get(term)
            if posting is not None:
                posting.discard(st.id)
                if not posting:
                    del self._postings[term]
        for aid in st.article_ids:
            self._story_of.pop(aid, None)
        del self._active[st.id]
        self._redirect = {s: d for s, d in self._redirect.items() if d in self._active}

    # ---- continuing a stored state -------------------------------------------------------
    def restore(
        self, stories: list[Story], articles: Mapping[int, Article], next_story_id: int
    ) -> None:
        """Rebuild the active window from stored stories so new articles join them.

        Articles are replayed in time order to rebuild document frequencies and vectors; no
        decision is taken again (stories keep exactly their stored members). Merged-away
        stories only leave a redirect.
        """
        timings = self.timings
        self.__init__(self.config)  # type: ignore[misc]
        self.timings = timings
        self.next_story_id = next_story_id
        live = [s for s in stories if s.merged_into is None]
        for s in stories:
            if s.merged_into is not None:
                self._redirect[s.id] = s.merged_into
        member_of = {aid: s.id for s in live for aid in s.article_ids if aid in articles}
        order = sorted(member_of, key=lambda a: (articles[a].time, a))
        for aid in order:
            art = articles[aid]
            t = art.time.timestamp()
            sid = member_of[aid]
            state = self._active.get(sid)
            if state is None:
                state = self._active[sid] = _State(id=sid, article_ids=[], first=t, last=t)
            if art.origin_id is not None and art.origin_id in member_of:
                self._attach(state, aid, t, None)
                continue
            tf = term_weights(art, self._weights)
            self._idf.update(tf)
            vec = vectorize(tf, self._idf, self.config.vector_terms)
            qty = (
                salient_quantities(art, self.config.lead_sentences)
                if self.config.quantity_penalty
                else None
            )
            self._attach(state, aid, t, vec, self._top_terms(vec), self._embed(art), qty)
        if order:
            self._advance(max(articles[a].time.timestamp() for a in order))
        self.next_story_id = max([next_story_id, *(s.id + 1 for s in stories)])
