"""Import articles from JSON Lines files (the realnews ``articles.jsonl`` format).

One record a line with ``url``, ``outlet``, ``title``, ``text``, ``published`` and
``eval_date``; other fields (``id``, ``event``, ``copy_of``, ...) are ignored, so labelled data
sets can be imported without leaking their labels. A bad line becomes a ``Rejection`` naming
the line and never stops the import: one broken record in a million must not cost the rest.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from newsloom.extract import build_article, parse_datetime
from newsloom.model import Article, Rejection

log = logging.getLogger(__name__)


class _BadRecord(ValueError):
    """A record that cannot become an article; the message is the rejection reason."""


def _date(rec: dict[str, Any], key: str) -> datetime | None:
    value = rec.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _BadRecord(f"{key} is not a date string: {value!r}")
    dt = parse_datetime(value)
    if dt is None:
        raise _BadRecord(f"{key} is not a date (YYYY-MM-DD or ISO 8601): {value!r}")
    return dt


def _outlet(rec: dict[str, Any], url: str) -> str:
    outlet = rec.get("outlet")
    if isinstance(outlet, str) and outlet.strip():
        return outlet.strip()
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.") or "unknown"


def _str_field(rec: dict[str, Any], key: str) -> str | None:
    value = rec.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _BadRecord(f"{key} is not a string")
    return value.strip() or None


def record_to_article(rec: Any, now: datetime | None = None) -> Article:
    """An ``Article`` from one decoded record; raises ``ValueError`` with the reason if unusable.

    Time: ``published``, else ``eval_date`` (else ``now`` when given); ``fetched_at`` is that
    time too, so imports are deterministic and evaluation sees the same times.
    """
    if not isinstance(rec, dict):
        raise _BadRecord(f"not a JSON object but {type(rec).__name__}")
    url = _str_field(rec, "url")
    if not url:
        raise _BadRecord("missing url")
    if urlsplit(url).scheme not in ("http", "https"):
        raise _BadRecord(f"url is not an http(s) URL: {url!r}")
    text = rec.get("text")
    if not isinstance(text, str) or not text.strip():
        raise _BadRecord("missing text")
    published = _date(rec, "published")
    when = published or _date(rec, "eval_date") or now
    if when is None:
        raise _BadRecord("no date: neither published nor eval_date")
    language = rec.get("language")
    return build_article(
        url=url,
        outlet=_outlet(rec, url),
        title=_str_field(rec, "title"),
        text=text.strip(),
        published_at=published,
        fetched_at=when,
        language=language if isinstance(language, str) and language else None,
        author=_str_field(rec, "author"),
    )


def read_jsonl(path: Path, now: datetime | None = None) -> Iterator[Article | Rejection]:
    """Yield an ``Article`` or a ``Rejection`` for every non-blank line of ``path``, in order.

    A rejection's ``url`` is the record's url when it has one, else ``"<path>:<line>"``; its
    reason always names the line number. ``now`` dates records that have no date at all
    (otherwise they are rejected).
    """
    with Path(path).open("rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            where = f"{path}:{lineno}"
            url: str | None = None
            try:
                rec = json.loads(raw.decode("utf-8"))
                if isinstance(rec, dict) and isinstance(rec.get("url"), str):
                    url = rec["url"].strip() or None
                yield record_to_article(rec, now=now)
            except UnicodeDecodeError:
                yield _reject(url or where, f"line {lineno}: not valid UTF-8")
            except json.JSONDecodeError as exc:
                yield _reject(url or where, f"line {lineno}: invalid JSON ({exc.msg})")
            except _BadRecord as exc:
                yield _reject(url or where, f"line {lineno}: {exc}")


def _reject(url: str, reason: str) -> Rejection:
    log.warning("rejected %s: %s", url, reason)
    return Rejection(url=url, reason=reason)
