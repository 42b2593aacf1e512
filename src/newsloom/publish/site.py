"""The static site: ``index.html``, one page per story, ``stories.json`` and the style sheet.

The templates render the very document written to ``stories.json`` (``stories_document``), so
the two outputs agree by construction. Everything is relative-linked and script-free, so the
site works from ``file://``, from any sub-path of a web server, and in a text browser. Jinja2
autoescaping is on: article titles and text are data, never markup. Links to sources pass
:func:`web_url`, because escaping alone does not stop a ``javascript:`` URL.
"""

from __future__ import annotations

import logging
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2

from newsloom.publish import StoryView
from newsloom.publish.json_export import Record, dumps, page_path, stories_document, write_text

log = logging.getLogger(__name__)

_PACKAGE = "newsloom.publish"


def web_url(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) URL, else ``None`` (the template then shows no link)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def when(value: str | None) -> str:
    """A reader-facing UTC time from an ISO timestamp: ``1 May 2024, 14:30 UTC``."""
    if not value:
        return ""
    dt = datetime.fromisoformat(value)
    return f"{dt.day} {dt:%b %Y, %H:%M} UTC"


def support(sentence: Record) -> str:
    """The tooltip of a sentence: which outlets support it and what the verifier did."""
    outlets: list[str] = []
    for citation in sentence["citations"]:
        if citation["outlet"] and citation["outlet"] not in outlets:
            outlets.append(citation["outlet"])
    base = f"Supported by {', '.join(outlets)}" if outlets else "No cited source"
    if sentence["verdict"] == "repaired":
        reasons = "; ".join(sentence["reasons"])
        return f"Repaired by the verifier{f' ({reasons})' if reasons else ''}. {base}"
    if sentence["verdict"] is None:
        return f"Not verified. {base}"
    return base


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader(_PACKAGE, "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(when=when, web_url=web_url, support=support)
    return env


def _stylesheet() -> str:
    return resources.files(_PACKAGE).joinpath("static/style.css").read_text(encoding="utf-8")


def export_site(
    views: list[StoryView], out: Path, generated_at: datetime, title: str = "newsloom"
) -> Path:
    """Write the site for ``views`` into ``out`` and return the path of ``index.html``.

    Idempotent: the same input gives byte-identical files (the only time printed is
    ``generated_at``), and pages of stories no longer in ``views`` are removed.
    """
    document = stories_document(views, generated_at)
    env = _environment()
    common: dict[str, Any] = {"site_title": title, "generated_at": document["generated_at"]}

    out.mkdir(parents=True, exist_ok=True)
    index = out / "index.html"
    write_text(index, env.get_template("index.html").render(document=document, root="", **common))
    write_text(out / "style.css", _stylesheet())
    write_text(out / "stories.json", dumps(document))

    story_template = env.get_template("story.html")
    pages: set[Path] = set()
    for record in document["stories"]:
        path = out / page_path(record["id"])
        write_text(path, story_template.render(story=record, root="../", **common))
        pages.add(path)
    _remove_stale(out / "stories", pages)
    log.info("wrote site to %s: %d story pages", out, len(pages))
    return index


def _remove_stale(directory: Path, keep: set[Path]) -> None:
    """Delete story pages this export did not write (stories merged away or unpublished)."""
    if not directory.is_dir():
        return
    for path in sorted(directory.glob("*.html")):
        if path not in keep:
            log.info("removing stale page %s", path)
            path.unlink()
