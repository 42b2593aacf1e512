"""Parse RSS (0.9x, 1.0, 2.0) and Atom feeds into ``FeedItem``s with feedparser.

A feed item is only a pointer to an article plus hints (title, time, author, wire source) that
fill gaps the page itself leaves; the article text always comes from the page. Pure: bytes in,
items out; fetching is ``ingest.fetch``'s job.
"""

from __future__ import annotations

import calendar
import html
import io
import logging
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

log = logging.getLogger(__name__)


@dataclass(slots=True)
class FeedItem:
    """One entry of a feed: the article URL and what the feed says about it."""

    url: str
    title: str | None
    published: datetime | None  # aware, UTC
    summary: str | None
    source: str | None  # wire/agency name from RSS <source>
    author: str | None


class FeedError(Exception):
    """A feed URL that did not give a usable feed; the message says why, for a human."""


_HTML_START = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]", re.I | re.S
)
_FEED_START = re.compile(rb"<(?:rss|feed|rdf:RDF|channel)[\s>]", re.I)
_ALTERNATE = re.compile(rb"<link[^>]+type=[\"']application/(?:rss|atom)\+xml[\"'][^>]*>", re.I)
_HREF = re.compile(rb"href=[\"']([^\"']+)[\"']", re.I)
_INLINE_TAG = re.compile(
    r"</?(?:a|b|i|em|strong|span|sup|sub|abbr|code|small|u|q|mark)\b[^>]*>", re.I
)
_TAG = re.compile(r"<[^>]+>")


def _looks_like_html(content: bytes) -> bool:
    head = content[:4096].lstrip(b"\xef\xbb\xbf")
    return bool(_HTML_START.match(head)) and not _FEED_START.search(head[:1024])


def _advertised_feed(content: bytes, url: str) -> str | None:
    """The feed an HTML page advertises with ``<link rel=alternate type=...rss+xml>``."""
    m = _ALTERNATE.search(content[:65536])
    if not m:
        return None
    href = _HREF.search(m.group(0))
    return urljoin(url, href.group(1).decode("utf-8", "replace")) if href else None


def _text(value: Any) -> str | None:
    """Plain text from a feed field that may hold HTML; ``None`` when empty."""
    if not isinstance(value, str):
        return None
    plain = " ".join(html.unescape(_TAG.sub(" ", _INLINE_TAG.sub("", value))).split())
    return plain or None


def _problem(exc: object) -> str:
    """expat's "<unknown>:3:14: not well-formed" as "XML error at line 3, column 14: ..."."""
    m = re.match(r"<unknown>:(\d+):(\d+): (.*)", str(exc))
    return f"XML error at line {m[1]}, column {m[2]}: {m[3]}" if m else str(exc)


def _when(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed: time.struct_time | None = entry.get(key)
        if parsed:
            # feedparser normalises to UTC struct_time; timegm reads it as UTC.
            return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    return None


def _source(entry: Any) -> str | None:
    src = entry.get("source")
    if isinstance(src, dict):
        return _text(src.get("title"))
    return None


def parse_feed(content: bytes, url: str) -> list[FeedItem]:
    """Parse feed bytes fetched from ``url`` (used to resolve relative links and in messages).

    Raises ``FeedError`` for an HTML page served as a feed and for content that yields no feed
    (malformed XML without recoverable entries, or XML that is not RSS/Atom). Malformed XML
    from which feedparser still recovered entries is accepted with a logged warning; entries
    without a link are skipped and logged. An empty but valid feed gives ``[]``.
    """
    if not content.strip():
        raise FeedError(f"{url} is not a feed: the response is empty")
    if _looks_like_html(content):
        msg = f"{url} is not a feed: it looks like an HTML page"
        alt = _advertised_feed(content, url)
        raise FeedError(f"{msg} (it advertises a feed at {alt})" if alt else msg)
    # A file-like object: feedparser would treat bytes as a possible file name or URL.
    parsed = feedparser.parse(
        io.BytesIO(content),
        # application/xml: the XML declaration decides the encoding, and feedparser does not
        # flag a missing Content-Type as an error.
        response_headers={"content-location": url, "content-type": "application/xml"},
        resolve_relative_uris=True,
        sanitize_html=True,
    )
    entries = parsed.get("entries") or []
    if parsed.get("bozo"):
        problem = _problem(parsed.get("bozo_exception"))
        if not entries:
            raise FeedError(f"{url} is not a valid feed: {problem}")
        log.warning(
            "%s is malformed (%s); using the %d entries recovered", url, problem, len(entries)
        )
    if not entries and not parsed.get("version"):
        raise FeedError(f"{url} is not a feed: no RSS or Atom document found")
    items: list[FeedItem] = []
    for i, entry in enumerate(entries):
        link = entry.get("link") or ""
        if not link.strip():
            log.info("%s: skipping entry %d (%r) without a link", url, i, entry.get("title"))
            continue
        items.append(
            FeedItem(
                url=urljoin(url, link.strip()),
                title=_text(entry.get("title")),
                published=_when(entry),
                summary=_text(entry.get("summary")),
                source=_source(entry),
                author=_text(entry.get("author")),
            )
        )
    return items
