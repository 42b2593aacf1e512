"""Publishing: the static site and ``stories.json``, a pure shell over model objects.

The pipeline loads stories, their articles and syntheses from the store, wraps each in a
:class:`StoryView` and hands the list here; publishing never opens the database, so the same
code serves ``newsloom run``, the evaluations and the tests.

Ranking (:func:`rank`) orders the index by *independent origins decayed by age*::

    score = origins * 0.5 ** (age_hours / HALF_LIFE_HOURS)

where ``origins`` is the number of distinct ``Article.origin`` values in the story (syndicated
copies count once: ten papers printing one wire story are one source), and ``age_hours`` is the
time from the story's last activity (``Story.last_seen``, else its newest article) to ``now``,
never negative. With a 12-hour half-life a story carried by four independent outlets this
morning still outranks a two-origin story from an hour ago, but not one from yesterday. Ties
break on the newer last activity, then the lower story id, so the order is total and exports are
reproducible.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

from newsloom.model import Article, Story, Synthesis

log = logging.getLogger(__name__)

HALF_LIFE_HOURS = 12.0
"""Age in hours after which a story's weight halves in the index order."""


@dataclass
class StoryView:
    """Everything publishing needs about one story, already loaded by the caller.

    ``synthesis`` is ``None`` for a single-source item (one independent origin): such items are
    listed apart and never get a written article, because a story nobody else confirms cannot be
    cross-checked.
    """

    story: Story
    articles: list[Article]
    synthesis: Synthesis | None
    history: list[Synthesis] = field(default_factory=list)

    @property
    def origins(self) -> int:
        """Number of independent origins: distinct ``Article.origin`` among the articles."""
        return len({a.origin for a in self.articles})

    @property
    def last_seen(self) -> datetime | None:
        """The story's last activity: ``Story.last_seen``, else its newest article time."""
        if self.story.last_seen is not None:
            return self.story.last_seen
        times = [a.time for a in self.articles]
        return max(times, key=as_utc) if times else self.story.first_seen


def as_utc(value: datetime) -> datetime:
    """``value`` as an aware UTC datetime; naive values are taken to be UTC already.

    Feeds mix naive and aware timestamps; comparing them raises, so every comparison and every
    printed time goes through here.
    """
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def score(view: StoryView, now: datetime) -> float:
    """The index weight of a story at ``now`` (see the module docstring for the formula)."""
    seen = view.last_seen
    age_hours = 0.0 if seen is None else (as_utc(now) - as_utc(seen)).total_seconds() / 3600
    return view.origins * 0.5 ** (max(age_hours, 0.0) / HALF_LIFE_HOURS)


def rank(views: list[StoryView], now: datetime) -> list[StoryView]:
    """Return ``views`` in index order: highest :func:`score` first, a total, stable order."""
    epoch = datetime.min.replace(tzinfo=UTC)

    def key(view: StoryView) -> tuple[float, float, int]:
        seen = view.last_seen
        newest = as_utc(seen) if seen is not None else epoch
        return (-score(view, now), -(newest - epoch).total_seconds(), view.story.id)

    return sorted(views, key=key)


# The exporters import StoryView and rank from this module, so they are imported last.
from newsloom.publish.json_export import export_json, stories_document  # noqa: E402
from newsloom.publish.site import export_site  # noqa: E402

__all__ = [
    "HALF_LIFE_HOURS",
    "StoryView",
    "as_utc",
    "export_json",
    "export_site",
    "rank",
    "score",
    "stories_document",
]
