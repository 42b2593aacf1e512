"""Load a labelled data set (the realnews format) into model objects, in the evaluation orders.

Only ``url``, ``outlet``, ``title``, ``text``, ``published`` and ``eval_date`` reach the methods
(as an ``Article``); the gold fields stay in ``Gold`` on the side, keyed by article id.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsloom.model import Article


@dataclass(slots=True)
class Gold:
    """Gold labels, never shown to a method: event per article id, copies, and the events."""

    event_of: dict[int, str | None]
    copy_of: dict[int, int | None]
    record_id: dict[int, str]
    events: dict[str, dict[str, Any]] = field(default_factory=dict)

    def label(self, article_id: int) -> str:
        """The gold cluster label: the event id, or a singleton label for a hard negative."""
        ev = self.event_of[article_id]
        return ev if ev is not None else f"_single:{article_id}"


@dataclass(slots=True)
class Dataset:
    """Articles in stream order (ids 0..n-1 follow that order) plus their gold labels."""

    articles: list[Article]
    gold: Gold

    def dense(self, seed: int) -> list[Article]:
        """The dense regime: every article on one day, in a seeded shuffle of the stream order."""
        order = list(self.articles)
        random.Random(seed).shuffle(order)
        day = min(a.time for a in self.articles)
        out = []
        for a in order:
            b = Article(**{f: getattr(a, f) for f in Article.__slots__})  # type: ignore[attr-defined]
            b.published_at = day
            b.fetched_at = day
            out.append(b)
        return out


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)


def article_from_record(rec: dict[str, Any], article_id: int | None = None) -> Article:
    """An ``Article`` from one JSONL record, using only the fields a method may see.

    The article's time is ``published``, else ``eval_date`` (the same rule as ``newsloom
    import``: ``published_at`` is the known publication date only, ``fetched_at`` the time, so
    a relative date is never resolved from a guessed date); the record's own id, event and
    copy fields are ignored.
    """
    from newsloom.text import split_sentences  # local: keep import light for callers

    text = rec.get("text") or ""
    when = _date(rec.get("published")) or _date(rec.get("eval_date"))
    assert when is not None, f"record {rec.get('url')} has neither published nor eval_date"
    spans = split_sentences(text)
    from newsloom.text import is_complete

    truncated = bool(spans) and not is_complete(spans[-1].text)
    return Article(
        id=article_id,
        url=rec["url"],
        canonical_url=rec["url"],
        outlet=rec["outlet"],
        title=rec.get("title"),
        text=text,
        published_at=_date(rec.get("published")),
        fetched_at=when,
        language="en",
        content_hash=hashlib.sha1(text.encode()).hexdigest(),
        truncated=truncated,
    )


def stream_key(rec: dict[str, Any]) -> tuple[str, str]:
    """Stream order: by ``eval_date``, ties broken by the sha1 hex of the url."""
    return (rec["eval_date"], hashlib.sha1(rec["url"].encode()).hexdigest())


def load(path: str | Path) -> Dataset:
    """Load ``articles.jsonl`` (and ``events.jsonl`` when present) from a data folder."""
    folder = Path(path)
    src = folder / "articles.jsonl"
    if not src.exists():
        raise FileNotFoundError(f"{src} not found: pass the folder that holds articles.jsonl")
    records = [json.loads(line) for line in src.read_text(encoding="utf-8").splitlines() if line]
    records.sort(key=stream_key)
    by_rec = {r["id"]: i for i, r in enumerate(records)}
    articles = [article_from_record(r, i) for i, r in enumerate(records)]
    gold = Gold(
        event_of={i: r.get("event") for i, r in enumerate(records)},
        copy_of={
            i: (by_rec.get(r["copy_of"]) if r.get("copy_of") else None)
            for i, r in enumerate(records)
        },
        record_id={i: r["id"] for i, r in enumerate(records)},
    )
    ev_file = folder / "events.jsonl"
    if ev_file.exists():
        for line in ev_file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                ev = json.loads(line)
                gold.events[ev["event"]] = ev
    return Dataset(articles=articles, gold=gold)
