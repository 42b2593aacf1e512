"""The demo corpus: invented outlets reporting invented events, with gold labels.

Why it exists: a new user (``make demo``) and the end-to-end tests need news that behaves like
real news -- several outlets in different words, disagreeing figures, a wire story carried
verbatim, confusable pairs of events, hard negatives, one outlet's role error -- without
shipping anybody's real articles. Everything here is fiction (country code ``XA``).

The corpus lives in ``corpus.json`` beside this file. These accessors return fresh copies, so a
caller may mutate what it gets. Gold labels (``event``, ``copy_of``) are for tests and
evaluations only; the pipeline never sees them.

URL paths are ``/<outlet-slug>/feed.xml`` for feeds and ``/<outlet-slug>/<article-slug>.html`` for
pages; :mod:`newsloom.demo.server` serves them and :mod:`newsloom.demo.render` renders them.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import tomlkit

CORPUS_PATH = Path(__file__).with_name("corpus.json")

__all__ = [
    "CORPUS_PATH",
    "article_path",
    "articles",
    "confusable_pairs",
    "copies",
    "corpus",
    "events",
    "feed_path",
    "feeds",
    "gold",
    "outlets",
    "pages",
    "write_config",
]


@lru_cache(maxsize=1)
def _load() -> dict[str, Any]:
    return json.loads(CORPUS_PATH.read_text(encoding="utf-8"))


def corpus() -> dict[str, Any]:
    """The whole corpus document (outlets, wires, events, confusable, articles, pages)."""
    return copy.deepcopy(_load())


def article_path(outlet_slug: str, slug: str) -> str:
    """The URL path of a page: ``/<outlet-slug>/<slug>.html``."""
    return f"/{outlet_slug}/{slug}.html"


def feed_path(outlet_slug: str) -> str:
    """The URL path of an outlet's feed."""
    return f"/{outlet_slug}/feed.xml"


def _with_path(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = copy.deepcopy(items)
    for item in out:
        item["path"] = article_path(item["outlet"], item["slug"])
    return out


def outlets() -> list[dict[str, Any]]:
    """Outlets: slug, name, host, feed kind (rss2/atom/rss1), language, country, tracking."""
    return copy.deepcopy(_load()["outlets"])


def articles() -> list[dict[str, Any]]:
    """Articles with their gold ``event`` (None for a hard negative) and URL ``path``."""
    return _with_path(_load()["articles"])


def pages() -> list[dict[str, Any]]:
    """Outlet pages that are not articles (linked from a feed; the pipeline must reject them)."""
    return _with_path(_load()["pages"])


def events() -> list[dict[str, Any]]:
    """Events: id, title, date, summary, ``numbers`` and ``quotes`` printed verbatim by at least
    one article, ``people`` with their roles at the time, ``organisations``, ``conflicts``
    between sources (each version's value and who gave it), and ``wrong``: strings that one
    outlet printed in error and a synthesis must never print.

    Strings match article text under :func:`newsloom.text.normalize` (some outlets use curly
    quotes and apostrophes)."""
    return copy.deepcopy(_load()["events"])


def confusable_pairs() -> list[tuple[str, str]]:
    """Pairs of event ids with the same actors, place and kind of happening a few days apart."""
    return [(a, b) for a, b in _load()["confusable"]]


def gold() -> dict[str, str | None]:
    """Article URL path -> gold event id (None: a hard negative, its own singleton story)."""
    return {a["path"]: a["event"] for a in articles()}


def copies() -> dict[str, str]:
    """Article URL path -> path of the article whose text it republishes (wire syndication)."""
    return {a["path"]: a["copy_of"] for a in articles() if a.get("copy_of")}


def feeds() -> list[dict[str, Any]]:
    """One entry per outlet feed: name, slug, ``path`` (the feed's URL path), kind, language,
    country."""
    return [
        {
            "name": o["name"],
            "slug": o["slug"],
            "path": feed_path(o["slug"]),
            "kind": o["feed"],
            "language": o["language"],
            "country": o["country"],
        }
        for o in _load()["outlets"]
    ]


def write_config(path: Path, base_url: str) -> Path:
    """Write a ``newsloom.toml`` with one ``[[feeds]]`` table per demo outlet.

    ``base_url`` is where the demo server listens (``DemoServer.base_url``); the store and other
    sections keep their defaults. Returns ``path``.
    """
    doc = tomlkit.document()
    doc.add(tomlkit.comment("newsloom demo configuration: invented outlets served locally."))
    tables = tomlkit.aot()
    for feed in feeds():
        table = tomlkit.table()
        table["name"] = feed["name"]
        table["url"] = base_url.rstrip("/") + feed["path"]
        table["language"] = feed["language"]
        table["country"] = feed["country"]
        tables.append(table)
    doc["feeds"] = tables
    path = Path(path)
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    return path
