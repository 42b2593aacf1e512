"""Extractive synthesis: one neutral, cited article per story from its independent origins.

    synthesize(story, articles) -> Synthesis

The pipeline: candidates (safe rewrites + verifier checks, ``select.candidates``) -> greedy fact
coverage within the word budget (``select.select``) -> headline (``headline.headline``) ->
reading order and paragraphs (``order.order``) -> related sources and key facts -> ``verify``
once more over the finished text, so what is returned is exactly what the verifier accepts.
Offline and deterministic: no model, no network.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from newsloom.model import Article, RelatedSource, Sentence, Story, Synthesis
from newsloom.verify import SourceIndex, verify

from .facts import key_facts
from .headline import headline
from .order import order
from .select import candidates, representatives
from .select import select as select_sentences

log = logging.getLogger(__name__)

__all__ = ["related_sources", "synthesize"]


def related_sources(articles: Sequence[Article]) -> list[RelatedSource]:
    """One entry per independent origin (outlet, title, url), its copies grouped under it."""
    out: list[RelatedSource] = []
    reps = sorted(representatives(articles), key=lambda a: (a.time, a.id or 0))
    for rep in reps:
        copies = [
            RelatedSource(a.outlet, a.title, a.url, a.id)  # type: ignore[arg-type]
            for a in articles
            if a.origin == rep.origin and a.id != rep.id
        ]
        out.append(RelatedSource(rep.outlet, rep.title, rep.url, rep.id, copies))  # type: ignore[arg-type]
    return out


MAX_ORIGINS = 16


def evidence(articles: Sequence[Article], max_origins: int) -> list[Article]:
    """The articles of the ``max_origins`` most recent independent origins (ties by id)."""
    latest: dict[int, tuple[datetime, int]] = {}
    for a in articles:
        key = (a.time, a.id or 0)
        latest[a.origin] = max(latest.get(a.origin, key), key)
    if len(latest) <= max_origins:
        return list(articles)
    keep = set(sorted(latest, key=lambda o: latest[o], reverse=True)[:max_origins])
    return [a for a in articles if a.origin in keep]


def synthesize(
    story: Story,
    articles: Sequence[Article],
    version: int = 1,
    words: int = 600,
    now: datetime | None = None,
    max_origins: int = MAX_ORIGINS,
) -> Synthesis:
    """Write the story's article from its English articles within ``words`` words (headline
    included). Thin stories come out shorter: selection stops when no sentence adds a fact.

    A very large story draws its sentences from the ``max_origins`` most recent independent
    origins (with their copies), so the cost per story stays bounded; Related Sources still
    lists every origin."""
    every = list(articles)
    articles = evidence(every, max_origins)
    index = SourceIndex(articles)
    cands = candidates(articles, index)
    origins = len({a.origin for a in index.articles.values()})
    head_budget = 14
    chosen = select_sentences(cands, max(words - head_budget, 0), origins)
    head = headline(chosen, index)
    if head is None and chosen:
        head = (chosen[0].text.rstrip("."), chosen[0].check.citations)
        chosen = chosen[1:]
    head_text, head_cites = head if head else ("", [])
    # the budget counts the actual headline: trim the tail of the selection if needed
    total = len(head_text.split()) + sum(c.words for c in chosen)
    while chosen and total > words:
        worst = chosen.pop()
        total -= worst.words
    paragraphs = [
        [
            Sentence(c.text, list(c.check.citations), c.check.verdict, list(c.check.reasons))  # type: ignore[arg-type]
            for c in para
        ]
        for para in order(chosen)
    ]
    synthesis = Synthesis(
        story_id=story.id,
        version=version,
        headline=Sentence(head_text, list(head_cites)),
        paragraphs=paragraphs,
        related=related_sources(every),
        created_at=now or datetime.now(UTC),
        key_facts=[],
        article_ids=[a.id for a in articles if a.id is not None],
    )
    synthesis = verify(synthesis, articles)
    synthesis.key_facts = key_facts([s.text for s in synthesis.sentences], index, articles)
    log.debug("story %s: %d candidates, %d sentences", story.id, len(cands), len(chosen))
    return synthesis
