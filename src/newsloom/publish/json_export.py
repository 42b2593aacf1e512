"""``stories.json``: the published stories as one versioned, documented JSON document.

The document built here is also the *only* input of the HTML templates (see ``site.py``), so
the site and the JSON can never disagree about a citation number, a count or a dropped
sentence. The format is documented field by field in ``docs/stories-json.md`` and described by
``stories.schema.json`` next to this module; additive changes keep ``schema_version`` 1, anything
that removes, renames or retypes a field bumps it.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from newsloom.model import Article, Citation, KeyFact, RelatedSource, Sentence, Synthesis
from newsloom.publish import StoryView, as_utc, rank

log = logging.getLogger(__name__)

SCHEMA = "newsloom.stories/1"
SCHEMA_VERSION = 1

Record = dict[str, Any]


def iso(value: datetime | None) -> str | None:
    """An ISO 8601 UTC timestamp (``2024-05-01T14:30:00+00:00``), or ``None``."""
    return None if value is None else as_utc(value).isoformat()


def page_path(story_id: int) -> str:
    """The story page, relative to the site root (also used as the link in ``stories.json``)."""
    return f"stories/{story_id}.html"


def _related(view: StoryView) -> list[RelatedSource]:
    """The Related Sources of a story: the synthesis' list, else one entry per origin.

    A synthesis normally carries its list; deriving it from the articles keeps the page usable
    when a synthesizer left it empty.
    """
    assert view.synthesis is not None
    if view.synthesis.related:
        return view.synthesis.related
    by_origin: dict[int, list[Article]] = {}
    for article in sorted(view.articles, key=lambda a: (as_utc(a.time), a.id or 0)):
        by_origin.setdefault(article.origin, []).append(article)
    related = []
    for origin_id, group in by_origin.items():
        head = next((a for a in group if a.id == origin_id), group[0])
        copies = [_source_of(a) for a in group if a is not head]
        related.append(RelatedSource(head.outlet, head.title, head.url, origin_id, copies))
    return related


def _source_of(article: Article) -> RelatedSource:
    assert article.id is not None
    return RelatedSource(article.outlet, article.title, article.url, article.id)


def _numbering(view: StoryView, related: list[RelatedSource]) -> dict[int, int]:
    """Article id -> 1-based number of its entry in the Related Sources list.

    Copies share their origin's number, so a sentence citing a syndicated copy points at the
    origin it was copied from.
    """
    numbers: dict[int, int] = {}
    for n, entry in enumerate(related, start=1):
        numbers.setdefault(entry.article_id, n)
        for copy in entry.copies:
            numbers.setdefault(copy.article_id, n)
    for article in view.articles:
        if article.id is not None and article.id not in numbers and article.origin in numbers:
            numbers[article.id] = numbers[article.origin]
    return numbers


class _Story:
    """Builds the records of one synthesized story; holds the lookups they share."""

    def __init__(self, view: StoryView) -> None:
        assert view.synthesis is not None
        self.view = view
        self.synthesis: Synthesis = view.synthesis
        self.articles = {a.id: a for a in view.articles if a.id is not None}
        self.related = _related(view)
        self.numbers = _numbering(view, self.related)

    def citation(self, citation: Citation) -> Record:
        article = self.articles.get(citation.article_id)
        if article is None:
            log.warning(
                "story %s cites article %s it does not contain",
                self.view.story.id,
                citation.article_id,
            )
        return {
            "article_id": citation.article_id,
            "source": self.numbers.get(citation.article_id),
            "outlet": article.outlet if article else None,
            "url": article.url if article else None,
            "start": citation.start,
            "end": citation.end,
            "text": article.text[citation.start : citation.end] if article else None,
        }

    def sentence(self, sentence: Sentence) -> Record:
        citations = [self.citation(c) for c in sentence.citations]
        return {
            "text": sentence.text,
            "verdict": sentence.verdict,
            "reasons": list(sentence.reasons),
            "sources": sorted({c["source"] for c in citations if c["source"] is not None}),
            "citations": citations,
        }

    def related_record(self, n: int, entry: RelatedSource) -> Record:
        return {
            "n": n,
            "article_id": entry.article_id,
            "outlet": entry.outlet,
            "title": entry.title,
            "url": entry.url,
            "copies": [
                {"article_id": c.article_id, "outlet": c.outlet, "title": c.title, "url": c.url}
                for c in entry.copies
            ],
        }

    def key_fact(self, fact: KeyFact) -> Record:
        sources = {self.numbers[i] for i in fact.article_ids if i in self.numbers}
        return {
            "value": fact.value,
            "fact": fact.fact,
            "attribution": fact.attribution,
            "article_ids": list(fact.article_ids),
            "sources": sorted(sources),
        }

    def record(self, position: int) -> Record:
        syn = self.synthesis
        shown = [[s for s in p if s.verdict != "dropped"] for p in syn.paragraphs]
        # A dropped sentence left inside a paragraph is reported with the others, never shown.
        dropped = list(syn.dropped) + [
            s for p in syn.paragraphs for s in p if s.verdict == "dropped" and s not in syn.dropped
        ]
        return {
            **_common(self.view, position),
            "page": page_path(self.view.story.id),
            "headline": self.sentence(syn.headline),
            "paragraphs": [[self.sentence(s) for s in p] for p in shown if p],
            "related": [self.related_record(n, e) for n, e in enumerate(self.related, start=1)],
            "key_facts": [self.key_fact(f) for f in syn.key_facts],
            "dropped": [self.sentence(s) for s in dropped],
            "synthesis": _version(syn),
            "history": [_version(h) for h in self.view.history],
        }


def _version(syn: Synthesis) -> Record:
    return {
        "version": syn.version,
        "created_at": iso(syn.created_at),
        "backend": syn.backend,
        "model": syn.model,
        "prompt_version": syn.prompt_version,
    }


def _common(view: StoryView, position: int) -> Record:
    """Fields every record has, synthesized or single-source."""
    story = view.story
    return {
        "id": story.id,
        "rank": position,
        "first_seen": iso(story.first_seen),
        "last_seen": iso(view.last_seen),
        "counts": {"articles": len(view.articles), "origins": view.origins},
        "outlets": sorted({a.outlet for a in view.articles}),
    }


def _article_record(article: Article) -> Record:
    return {
        "article_id": article.id,
        "outlet": article.outlet,
        "title": article.title,
        "url": article.url,
        "published_at": iso(article.published_at),
        "wire": article.wire,
    }


def lead_article(view: StoryView) -> Article | None:
    """The original of a single-source item (its earliest article if the original is absent)."""
    if not view.articles:
        return None
    ordered = sorted(view.articles, key=lambda a: (as_utc(a.time), a.id or 0))
    return next((a for a in ordered if a.origin_id is None), ordered[0])


def _single_source_record(view: StoryView, position: int) -> Record:
    lead = lead_article(view)
    if lead is None:
        headline = f"Story {view.story.id}"
    else:
        headline = lead.title or (lead.text.strip().split("\n", 1)[0][:200]) or lead.url
    return {
        **_common(view, position),
        "headline": headline,
        "article": _article_record(lead) if lead else None,
        "copies": [_article_record(a) for a in view.articles if a is not lead],
    }


def stories_document(views: list[StoryView], generated_at: datetime) -> Record:
    """The whole ``stories.json`` document, ranked at ``generated_at`` (pure, no I/O)."""
    ranked = rank(views, generated_at)
    written = [v for v in ranked if v.synthesis is not None]
    single = [v for v in ranked if v.synthesis is None]
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "generated_at": iso(generated_at),
        "stories": [_Story(v).record(i) for i, v in enumerate(written, start=1)],
        "single_source": [_single_source_record(v, i) for i, v in enumerate(single, start=1)],
    }


def dumps(document: Record) -> str:
    """Serialise deterministically: same document, same bytes."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 with ``\\n`` line ends, skipping the write when the bytes are unchanged."""
    data = text.encode("utf-8")
    if path.exists() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def export_json(views: list[StoryView], path: Path, generated_at: datetime) -> None:
    """Write ``stories.json`` for ``views`` to ``path`` (see ``docs/stories-json.md``)."""
    write_text(path, dumps(stories_document(views, generated_at)))
    log.info("wrote %s", path)
