"""The pipeline shell: load pending work from the store, call the pure cores, write results back.

Each stage works in small units (a page, a batch of clustered articles, one story) committed in
one transaction, so a stage re-run finds nothing pending and changes nothing, and a run killed
mid-way finishes on the next run without duplicates. ``newsloom run``, the demo, the benchmarks
and the evaluations all reach the cores through here or call them directly: there is no second
code path.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from newsloom.cluster import ClusterConfig, OnlineClusterer
from newsloom.config import Config
from newsloom.dedup import Deduplicator
from newsloom.extract import extract
from newsloom.ingest.feeds import FeedError, FeedItem, parse_feed
from newsloom.ingest.fetch import Fetcher, FetchError, FetchResult
from newsloom.ingest.files import read_jsonl
from newsloom.model import Article, Outlet, Rejection, Story, Synthesis
from newsloom.progress import track
from newsloom.publish import StoryView, export_site
from newsloom.store import Store
from newsloom.synthesize import synthesize
from newsloom.synthesize.llm import LLMBackend, LLMError, from_config, is_empty

log = logging.getLogger(__name__)

SYNTH_LANGUAGES = frozenset({"en"})


@dataclass(slots=True)
class Report:
    """What a stage did, for the CLI and the logs."""

    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def merge(self, other: Report) -> Report:
        for k, v in other.counts.items():
            self.add(k, v)
        self.seconds.update(other.seconds)
        return self


def _now() -> datetime:
    return datetime.now(UTC)


def _fetcher(cfg: Config) -> Fetcher:
    f = cfg.fetch
    return Fetcher(
        user_agent=f.user_agent,
        timeout=f.timeout,
        max_bytes=f.max_bytes,
        max_redirects=f.max_redirects,
    )


def _outlet_of(url: str) -> str:
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


# -- ingest ---------------------------------------------------------------------------------
def _hint(item: FeedItem) -> dict[str, Any]:
    d = asdict(item)
    d["published"] = item.published.isoformat() if item.published else None
    return d


def _from_hint(d: dict[str, Any] | None) -> FeedItem | None:
    if not d:
        return None
    d = dict(d)
    d["published"] = datetime.fromisoformat(d["published"]) if d.get("published") else None
    return FeedItem(**d)


def _store_pages(
    store: Store,
    fetcher: Fetcher,
    jobs: list[tuple[str, str, str | None, dict[str, Any] | None]],
    report: Report,
    workers: int = 8,
) -> None:
    """Fetch pages concurrently; store each one (or its failure) as its own unit."""

    def get(job: tuple[str, str, str | None, dict[str, Any] | None]) -> FetchResult | FetchError:
        try:
            return fetcher.get(job[0])
        except FetchError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = pool.map(get, jobs)
        for job, res in track(zip(jobs, results, strict=True), "Fetching pages", total=len(jobs)):
            url, outlet, feed_url, hint = job
            if isinstance(res, FetchError):
                log.warning("page %s not fetched: %s", url, res.reason)
                store.reject("fetch", Rejection(url, res.reason))
                report.add("pages failed")
                continue
            store.add_page(
                res.url,
                outlet,
                res.content,
                res.encoding,
                feed_url,
                hint,
                content_type=res.content_type,
            )
            report.add("pages fetched")


def ingest_feeds(cfg: Config, store: Store, feeds: Iterable[Outlet] | None = None) -> Report:
    """Poll every configured feed (conditional GET) and fetch the pages of new items."""
    report = Report()
    jobs: list[tuple[str, str, str | None, dict[str, Any] | None]] = []
    with _fetcher(cfg) as fetcher:
        for outlet in track(list(feeds if feeds is not None else cfg.feeds), "Polling feeds"):
            url = outlet.feed_url or ""
            etag, modified = store.feed_state(url)
            try:
                res = fetcher.get(url, etag=etag, last_modified=modified)
                if res.not_modified:
                    store.save_feed_state(url, outlet.name, "ok", etag, modified)
                    report.add("feeds unchanged")
                    continue
                items = parse_feed(res.content, res.url)
            except (FetchError, FeedError) as exc:
                reason = getattr(exc, "reason", None) or str(exc)
                log.warning("feed %s (%s) failed: %s", outlet.name, url, reason)
                store.save_feed_state(url, outlet.name, "error", error=reason)
                report.add("feeds failed")
                continue
            store.save_feed_state(url, outlet.name, "ok", res.etag, res.last_modified)
            report.add("feeds ok")
            for item in items:
                if not store.known_url(item.url):
                    jobs.append((item.url, outlet.name, url, _hint(item)))
        _store_pages(store, fetcher, jobs, report)
    return report


def add_urls(cfg: Config, store: Store, urls: Iterable[str]) -> Report:
    """Fetch single article pages (outlet = the site's host name) as pending pages."""
    report = Report()
    jobs = [(u, _outlet_of(u), None, None) for u in urls]
    with _fetcher(cfg) as fetcher:
        _store_pages(store, fetcher, jobs, report, workers=4)
    return report


def import_jsonl(store: Store, path: Path, batch_size: int = 500) -> Report:
    """Import articles from a JSON Lines file; bad lines are recorded, never fatal.

    Articles are committed in batches (one transaction each); re-importing changes nothing.
    """
    report = Report()
    records = list(read_jsonl(path))
    for start in track(range(0, len(records), batch_size), f"Importing {path.name}"):
        with store.transaction() as conn:
            for rec in records[start : start + batch_size]:
                if isinstance(rec, Rejection):
                    log.warning("%s: %s", rec.url, rec.reason)
                    store.reject(f"import:{path.name}", rec, conn)
                    report.add("rejected")
                    continue
                _, outcome = store.save_article(rec, conn)
                report.add(f"articles {outcome}")
    return report


# -- extract --------------------------------------------------------------------------------
def extract_pending(cfg: Config, store: Store) -> Report:
    """Turn pending pages into articles (or recorded rejections), one page per transaction."""
    report = Report()
    for page in track(store.pending_pages(), "Extracting"):
        result = extract(
            page.content or b"",
            page.url,
            page.outlet,
            page.fetched_at,
            encoding=page.encoding,
            content_type=page.content_type,
            hint=_from_hint(page.hint),
            min_words=cfg.extract.min_words,
        )
        with store.transaction() as conn:
            if isinstance(result, Rejection):
                log.info("page %s kept out: %s", page.url, result.reason)
                store.reject("extract", result, conn)
                store.mark_page(conn, page.id, "rejected", result.reason)
                report.add("pages rejected")
                continue
            _, outcome = store.save_article(result, conn)
            store.mark_page(conn, page.id, "extracted", None)
            report.add(f"articles {outcome}")
    return report


# -- dedup + cluster ------------------------------------------------------------------------
def cluster_pending(cfg: Config, store: Store, batch_size: int = 500) -> Report:
    """Deduplicate and cluster unclustered articles in the fixed processing order.

    The clusterer and the deduplicator are rebuilt from stored stories in the active window,
    so a second run adds new articles to existing stories. Assignments are committed in
    batches; a run killed mid-batch re-does only that batch.
    """
    report = Report()
    pending = store.pending_articles()
    if not pending:
        return report
    clusterer = OnlineClusterer(ClusterConfig.from_dict(cfg.cluster))
    since = min(a.time for a in pending) - timedelta(days=clusterer.config.window_days)
    stories = store.active_stories(since)
    known = store.articles(since=since)
    clusterer.restore(stories, {a.id: a for a in known if a.id is not None}, store.next_story_id())
    dedup = Deduplicator()
    for a in known:
        dedup.add(a)

    def commit(articles: list[Article]) -> None:
        # one add_many per batch: a worker process featurises ahead while this one decides
        # (decisions exactly those of add one by one), then one commit
        batch: list[tuple[Article, int, Any]] = []
        for article, assignment in zip(articles, clusterer.add_many(articles), strict=True):
            batch.append((article, assignment.story_id, assignment.merges))
            report.add("articles clustered")
            report.add("copies linked", article.origin_id is not None)
            report.add("stories created", assignment.created)
            report.add("stories merged", len(assignment.merges))
        store.save_assignments(batch)

    chunk: list[Article] = []
    for article in track(pending, "Clustering"):
        article.origin_id = dedup.add(article)  # dedup does not depend on clustering
        chunk.append(article)
        if len(chunk) >= batch_size:
            commit(chunk)
            chunk = []
    if chunk:
        commit(chunk)
    return report


# -- synthesize + verify --------------------------------------------------------------------
def _key_fact_changes(old: Synthesis | None, new: Synthesis) -> dict[str, list[str]] | None:
    """What a revision changed in the key facts (values added and removed), or None."""
    if old is None:
        return None
    before = {k.value for k in old.key_facts}
    after = {k.value for k in new.key_facts}
    if before == after:
        return None
    return {"added": sorted(after - before), "removed": sorted(before - after)}


def synthesize_story(
    cfg: Config, story: Story, articles: list[Article], version: int, llm: LLMBackend | None = None
) -> Synthesis | None:
    """The core call for one story: None for a single-origin (or non-English) story.

    With an LLM backend, the model writes and the same verifier checks every sentence; when the
    model fails (timeout, bad answer) or nothing it wrote survives verification, the story gets
    the extractive article instead, with the reason logged."""
    usable = [a for a in articles if (a.language or "en") in SYNTH_LANGUAGES]
    for a in articles:
        if a not in usable:
            log.info(
                "article %s (%s) left out of synthesis: language %s", a.id, a.outlet, a.language
            )
    origins = {a.origin for a in usable}
    if len(origins) < cfg.synthesis.min_origins:
        return None
    if llm is not None:
        try:
            written = llm.write(story, usable, version=version, words=cfg.synthesis.words)
            if not is_empty(written):
                return written
            log.warning(
                "story %s: nothing model %s wrote survived verification", story.id, llm.model
            )
        except LLMError as exc:
            log.warning(
                "story %s: model %s failed (%s); extractive used", story.id, llm.model, exc.reason
            )
    # the synthesizer runs the verifier on its own draft: what it returns is what verify accepts
    return synthesize(story, usable, version=version, words=cfg.synthesis.words)


def synthesize_dirty(cfg: Config, store: Store) -> Report:
    """Write a new synthesis version for every story that changed, one story per unit."""
    report = Report()
    llm = from_config(cfg.synthesis) if cfg.synthesis.backend == "openai" else None
    for story in track(store.stories(dirty_only=True), "Synthesizing"):
        articles = store.articles(story.article_ids)
        history = store.syntheses(story.id)
        result = synthesize_story(cfg, story, articles, version=len(history) + 1, llm=llm)
        if result is None:
            report.add("single-source stories")
        else:
            report.add("syntheses written")
            report.add("sentences dropped", len(result.dropped))
        changes = _key_fact_changes(history[-1] if history else None, result) if result else None
        store.save_synthesis(result, story.id, changes)
    return report


# -- all steps ------------------------------------------------------------------------------
Stage = Callable[[], Report]


def run(cfg: Config, store: Store, ingest: bool = True) -> Report:
    """All steps over pending work: ingest feeds, extract, cluster, synthesize."""
    stages: list[tuple[str, Stage]] = []
    if ingest and cfg.feeds:
        stages.append(("ingest", lambda: ingest_feeds(cfg, store)))
    stages += [
        ("extract", lambda: extract_pending(cfg, store)),
        ("cluster", lambda: cluster_pending(cfg, store)),
        ("synthesize", lambda: synthesize_dirty(cfg, store)),
    ]
    total = Report()
    for name, stage in stages:
        t0 = time.perf_counter()
        total.merge(stage())
        total.seconds[name] = time.perf_counter() - t0
        log.info("%s done in %.2f s", name, total.seconds[name])
    return total


def story_views(store: Store) -> list[StoryView]:
    """Every live story with its articles, latest synthesis and history, for publishing."""
    views = []
    for story in store.stories():
        history = store.syntheses(story.id)
        views.append(
            StoryView(
                story=story,
                articles=store.articles(story.article_ids),
                synthesis=history[-1] if history else None,
                history=history[:-1],
            )
        )
    return views


def export(store: Store, out: Path, generated_at: datetime | None = None) -> Path:
    """Write the static site and stories.json for every live story."""
    return export_site(story_views(store), out, generated_at or _now())
