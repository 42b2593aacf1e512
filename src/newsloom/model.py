"""The one data model every stage speaks.

Plain typed dataclasses, no behaviour beyond small derived properties. Stages take and return
these objects; nothing else crosses a stage border (see docs/architecture.md). Ids are assigned
by the store (or, in evaluations and benchmarks, by the caller): the pure cores only require
that ``Article.id`` is set and unique.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Verdict = Literal["supported", "repaired", "dropped"]


@dataclass(frozen=True, slots=True)
class Outlet:
    """A publisher, as configured in ``newsloom.toml`` (or derived from a URL's domain)."""

    name: str
    feed_url: str | None = None
    language: str | None = None
    country: str | None = None


@dataclass(slots=True)
class Article:
    """One extracted article.

    ``canonical_url`` is its identity for life; ``content_hash`` tells a changed page (a new
    revision of the same article) from an unchanged one. ``origin_id`` is ``None`` for an
    original and the id of the original for a syndicated or near-identical copy. ``wire`` names
    the agency when the text says it carries wire copy ("(AP)", "Reuters", a feed's <source>).
    ``truncated`` is true when the text's last sentence has no end punctuation: that sentence
    helps clustering but is never used as a claim.
    """

    url: str
    canonical_url: str
    outlet: str
    title: str | None
    text: str
    published_at: datetime | None
    fetched_at: datetime
    language: str | None = None
    author: str | None = None
    content_hash: str = ""
    id: int | None = None
    origin_id: int | None = None
    wire: str | None = None
    truncated: bool = False

    @property
    def time(self) -> datetime:
        """Article time: when it was published, else when it was fetched."""
        return self.published_at or self.fetched_at

    @property
    def origin(self) -> int:
        """The id of the independent origin this article belongs to (itself if original)."""
        assert self.id is not None, "article has no id yet"
        return self.origin_id if self.origin_id is not None else self.id


@dataclass(slots=True)
class Rejection:
    """Why a fetched page or record did not become an article (kept, logged, shown)."""

    url: str
    reason: str


@dataclass(slots=True)
class Origin:
    """An independent origin: an article and the copies that republish it."""

    article_id: int
    copy_ids: list[int] = field(default_factory=list)


@dataclass(slots=True)
class Story:
    """A story: articles about one event. Its id is stable for life and never reused."""

    id: int
    article_ids: list[int] = field(default_factory=list)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    merged_into: int | None = None


@dataclass(frozen=True, slots=True)
class Merge:
    """A recorded merge of story ``source`` into story ``target``; the old id redirects."""

    source: int
    target: int
    at: datetime


@dataclass(frozen=True, slots=True)
class Assignment:
    """What the clusterer decided for one article, on arrival."""

    article_id: int
    story_id: int
    created: bool
    merges: tuple[Merge, ...] = ()


@dataclass(frozen=True, slots=True)
class Citation:
    """A source sentence that supports a written sentence: a character span of an article."""

    article_id: int
    start: int
    end: int


@dataclass(slots=True)
class Sentence:
    """A written sentence with its support and the verifier's verdict."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    verdict: Verdict | None = None
    reasons: list[str] = field(default_factory=list)


@dataclass(slots=True)
class KeyFact:
    """A figure or named claim and who reported it ("653 drones — Ukraine's air force")."""

    value: str
    fact: str
    attribution: str | None
    article_ids: list[int] = field(default_factory=list)


@dataclass(slots=True)
class RelatedSource:
    """One independent origin in the Related Sources list, its copies grouped under it."""

    outlet: str
    title: str | None
    url: str
    article_id: int
    copies: list[RelatedSource] = field(default_factory=list)


@dataclass(slots=True)
class Synthesis:
    """One version of a story's article. Only sentences with a non-dropped verdict are shown."""

    story_id: int
    version: int
    headline: Sentence
    paragraphs: list[list[Sentence]]
    related: list[RelatedSource]
    created_at: datetime
    backend: str = "extractive"
    model: str | None = None
    prompt_version: str | None = None
    dropped: list[Sentence] = field(default_factory=list)
    key_facts: list[KeyFact] = field(default_factory=list)
    article_ids: list[int] = field(default_factory=list)

    @property
    def sentences(self) -> list[Sentence]:
        """Body sentences in reading order."""
        return [s for p in self.paragraphs for s in p]

    @property
    def text(self) -> str:
        """Headline and body prose: the scored text of the evaluations."""
        body = "\n".join(" ".join(s.text for s in p) for p in self.paragraphs)
        return f"{self.headline.text}\n{body}"
