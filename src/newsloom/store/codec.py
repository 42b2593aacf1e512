"""Conversion between model objects and table rows / JSON payloads (store-private)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from newsloom.model import (
    Article,
    Citation,
    KeyFact,
    RelatedSource,
    Sentence,
    Synthesis,
)

_ARTICLE_FIELDS = (
    "url",
    "canonical_url",
    "outlet",
    "title",
    "text",
    "published_at",
    "fetched_at",
    "language",
    "author",
    "content_hash",
    "origin_id",
    "wire",
    "truncated",
)


def article_row(article: Article) -> dict[str, Any]:
    row = {f: getattr(article, f) for f in _ARTICLE_FIELDS}
    row["time"] = article.time
    return row


def article(row: Any) -> Article:
    return Article(id=row.id, **{f: getattr(row, f) for f in _ARTICLE_FIELDS})


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def synthesis_payload(s: Synthesis) -> dict[str, Any]:
    return _jsonable(asdict(s))


def synthesis_row(s: Synthesis) -> dict[str, Any]:
    return {
        "story_id": s.story_id,
        "version": s.version,
        "created_at": s.created_at,
        "backend": s.backend,
        "model": s.model,
        "prompt_version": s.prompt_version,
        "headline": s.headline.text,
        "payload": synthesis_payload(s),
    }


def sentence_rows(s: Synthesis, synthesis_id: int) -> list[dict[str, Any]]:
    """One row per sentence (headline at paragraph -1, dropped ones at paragraph null), so
    per-sentence support can be queried in SQL."""
    placed: list[tuple[int | None, Sentence]] = [(-1, s.headline)]
    placed += [(i, sent) for i, para in enumerate(s.paragraphs) for sent in para]
    placed += [(None, sent) for sent in s.dropped]
    return [
        {
            "synthesis_id": synthesis_id,
            "position": pos,
            "paragraph": para,
            "text": sent.text,
            "verdict": sent.verdict,
            "reasons": list(sent.reasons),
            "citations": [asdict(c) for c in sent.citations],
        }
        for pos, (para, sent) in enumerate(placed)
    ]


def _sentence(d: dict[str, Any]) -> Sentence:
    return Sentence(
        text=d["text"],
        citations=[Citation(**c) for c in d.get("citations", [])],
        verdict=d.get("verdict"),
        reasons=list(d.get("reasons", [])),
    )


def _related(d: dict[str, Any]) -> RelatedSource:
    return RelatedSource(
        outlet=d["outlet"],
        title=d.get("title"),
        url=d["url"],
        article_id=d["article_id"],
        copies=[_related(c) for c in d.get("copies", [])],
    )


def synthesis(d: dict[str, Any]) -> Synthesis:
    return Synthesis(
        story_id=d["story_id"],
        version=d["version"],
        headline=_sentence(d["headline"]),
        paragraphs=[[_sentence(s) for s in p] for p in d["paragraphs"]],
        related=[_related(r) for r in d["related"]],
        created_at=datetime.fromisoformat(d["created_at"]),
        backend=d.get("backend", "extractive"),
        model=d.get("model"),
        prompt_version=d.get("prompt_version"),
        dropped=[_sentence(s) for s in d.get("dropped", [])],
        key_facts=[KeyFact(**k) for k in d.get("key_facts", [])],
        article_ids=list(d.get("article_ids", [])),
    )
