"""The store: the only code that speaks SQL.

SQLite by default (one file, WAL mode), any SQLAlchemy URL otherwise; the schema is created and
upgraded by Alembic migrations shipped in this package. Each public method is one unit of work
in one transaction, so a process killed between two calls loses nothing that was committed and
a re-run finds exactly the work still pending.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Connection, create_engine, event, func, insert, select, update
from sqlalchemy.engine import Engine

from newsloom.model import Article, Merge, Rejection, Story, Synthesis
from newsloom.store import codec
from newsloom.store.schema import articles as A
from newsloom.store.schema import feeds as F
from newsloom.store.schema import merges as M
from newsloom.store.schema import meta as META
from newsloom.store.schema import pages as P
from newsloom.store.schema import rejections as R
from newsloom.store.schema import sentences as SE
from newsloom.store.schema import stories as S
from newsloom.store.schema import syntheses as SY

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"

__all__ = ["Page", "Store"]


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def now() -> datetime:
    return datetime.now(UTC)


class Page:
    """A fetched page waiting for extraction."""

    __slots__ = (
        "id",
        "url",
        "outlet",
        "feed_url",
        "fetched_at",
        "content",
        "encoding",
        "content_type",
        "hint",
    )

    def __init__(self, row: Any) -> None:
        for name in self.__slots__:
            setattr(self, name, getattr(row, name))


class Store:
    """A newsloom database. ``Store(url)`` creates or upgrades it to the current schema."""

    def __init__(self, url: str) -> None:
        self.url = url
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._migrate()

    def _migrate(self) -> None:
        cfg = AlembicConfig()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One unit of work: committed whole, or not at all."""
        with self.engine.begin() as conn:
            yield conn

    # -- feeds -----------------------------------------------------------------------------
    def feed_state(self, url: str) -> tuple[str | None, str | None]:
        """The validators (ETag, Last-Modified) of a feed's last successful fetch."""
        with self.engine.connect() as conn:
            row = conn.execute(select(F.c.etag, F.c.last_modified).where(F.c.url == url)).first()
        return (row.etag, row.last_modified) if row else (None, None)

    def save_feed_state(
        self,
        url: str,
        outlet: str,
        status: str,
        etag: str | None = None,
        last_modified: str | None = None,
        error: str | None = None,
    ) -> None:
        with self.transaction() as conn:
            values = {"outlet": outlet, "checked_at": now(), "status": status, "error": error}
            if status == "ok":
                values |= {"etag": etag, "last_modified": last_modified}
            if conn.execute(select(F.c.url).where(F.c.url == url)).first():
                conn.execute(update(F).where(F.c.url == url).values(**values))
            else:
                conn.execute(insert(F).values(url=url, **values))

    def feed_rows(self) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(select(F).order_by(F.c.outlet)))

    # -- pages -----------------------------------------------------------------------------
    def known_url(self, url: str) -> bool:
        """True when a page or an article already exists for this URL (fetch it only once)."""
        with self.engine.connect() as conn:
            if conn.execute(select(P.c.id).where(P.c.url == url)).first():
                return True
            hit = select(A.c.id).where((A.c.url == url) | (A.c.canonical_url == url))
            return conn.execute(hit).first() is not None

    def add_page(
        self,
        url: str,
        outlet: str,
        content: bytes,
        encoding: str | None,
        feed_url: str | None = None,
        hint: dict[str, Any] | None = None,
        fetched_at: datetime | None = None,
        content_type: str | None = None,
    ) -> int:
        """Store a fetched page as pending extraction; a page already stored is replaced."""
        values = {
            "outlet": outlet,
            "feed_url": feed_url,
            "fetched_at": fetched_at or now(),
            "content": content,
            "encoding": encoding,
            "content_type": content_type,
            "hint": hint,
            "status": "pending",
            "reason": None,
        }
        with self.transaction() as conn:
            row = conn.execute(select(P.c.id).where(P.c.url == url)).first()
            if row:
                conn.execute(update(P).where(P.c.id == row.id).values(**values))
                return int(row.id)
            return int(conn.execute(insert(P).values(url=url, **values)).inserted_primary_key[0])

    def pending_pages(self) -> list[Page]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(P).where(P.c.status == "pending").order_by(P.c.id))
            return [Page(r) for r in rows]

    def mark_page(self, conn: Connection, page_id: int, status: str, reason: str | None) -> None:
        conn.execute(update(P).where(P.c.id == page_id).values(status=status, reason=reason))

    # -- rejections ------------------------------------------------------------------------
    def reject(self, source: str, rejection: Rejection, conn: Connection | None = None) -> None:
        """Record why something did not become an article (once per source, URL and reason)."""
        row = {"source": source, "url": rejection.url, "reason": rejection.reason}
        q = select(R.c.id).filter_by(**row)
        if conn is None:
            with self.transaction() as c:
                if not c.execute(q).first():
                    c.execute(insert(R).values(at=now(), **row))
        elif not conn.execute(q).first():
            conn.execute(insert(R).values(at=now(), **row))

    def rejection_rows(self) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(select(R).order_by(R.c.id)))

    # -- articles --------------------------------------------------------------------------
    def save_article(self, article: Article, conn: Connection | None = None) -> tuple[int, str]:
        """Insert an article, or record a new revision when its page changed.

        Returns ``(id, outcome)`` with outcome ``new``, ``revised`` or ``unchanged``: the same
        canonical URL with the same content hash changes nothing, so re-imports are harmless.
        A revision keeps the article's id and story and marks the story for re-synthesis.
        """
        if conn is None:
            with self.transaction() as c:
                return self.save_article(article, c)
        row = conn.execute(
            select(A.c.id, A.c.content_hash, A.c.revision, A.c.story_id).where(
                A.c.canonical_url == article.canonical_url
            )
        ).first()
        values = codec.article_row(article)
        if row is None:
            new_id = conn.execute(insert(A).values(status="new", **values)).inserted_primary_key[0]
            article.id = int(new_id)
            return article.id, "new"
        article.id = int(row.id)
        if row.content_hash == article.content_hash:
            return article.id, "unchanged"
        for key in ("origin_id", "wire"):
            values.pop(key, None)
        conn.execute(update(A).where(A.c.id == row.id).values(revision=row.revision + 1, **values))
        if row.story_id is not None:
            conn.execute(update(S).where(S.c.id == row.story_id).values(dirty=True))
        return article.id, "revised"

    def pending_articles(self) -> list[Article]:
        """Articles not yet clustered, in the fixed processing order (time, canonical URL)."""
        q = select(A).where(A.c.status == "new").order_by(A.c.time, A.c.canonical_url)
        with self.engine.connect() as conn:
            return [codec.article(r) for r in conn.execute(q)]

    def articles(
        self, ids: Iterable[int] | None = None, since: datetime | None = None
    ) -> list[Article]:
        """Stored articles by id, or all clustered articles since a time, in id order."""
        q = select(A).order_by(A.c.id)
        if ids is not None:
            q = q.where(A.c.id.in_(list(ids)))
        if since is not None:
            q = q.where(A.c.time >= since, A.c.status == "clustered")
        with self.engine.connect() as conn:
            return [codec.article(r) for r in conn.execute(q)]

    def count(self, table: str) -> int:
        tables = {"articles": A, "stories": S, "pages": P, "syntheses": SY, "rejections": R}
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(tables[table])).scalar_one())

    # -- clustering ------------------------------------------------------------------------
    def next_story_id(self) -> int:
        with self.engine.connect() as conn:
            top = conn.execute(select(func.max(S.c.id))).scalar()
        return int(top or 0) + 1

    def active_stories(self, since: datetime) -> list[Story]:
        """Unmerged stories seen since ``since``, with their article ids (for restoring)."""
        with self.engine.connect() as conn:
            rows = list(
                conn.execute(
                    select(S)
                    .where(S.c.last_seen >= since, S.c.merged_into.is_(None))
                    .order_by(S.c.id)
                )
            )
            members: dict[int, list[int]] = {r.id: [] for r in rows}
            if members:
                q = select(A.c.id, A.c.story_id).where(A.c.story_id.in_(list(members)))
                for a in conn.execute(q.order_by(A.c.id)):
                    members[a.story_id].append(a.id)
        return [
            Story(
                id=r.id, article_ids=members[r.id], first_seen=r.first_seen, last_seen=r.last_seen
            )
            for r in rows
        ]

    def save_assignments(self, items: Sequence[tuple[Article, int, Sequence[Merge]]]) -> None:
        """Commit a batch of (article with its origin, story id, merges) in one transaction."""
        with self.transaction() as conn:
            for article, story_id, merged in items:
                self._touch_story(conn, story_id, article.time)
                conn.execute(
                    update(A)
                    .where(A.c.id == article.id)
                    .values(story_id=story_id, origin_id=article.origin_id, status="clustered")
                )
                for m in merged:
                    self._merge(conn, m)

    def _touch_story(self, conn: Connection, story_id: int, t: datetime) -> None:
        row = conn.execute(select(S.c.first_seen, S.c.last_seen).where(S.c.id == story_id)).first()
        if row is None:
            conn.execute(insert(S).values(id=story_id, first_seen=t, last_seen=t, dirty=True))
        else:
            values = {
                "first_seen": min(row.first_seen, t),
                "last_seen": max(row.last_seen, t),
                "dirty": True,
            }
            conn.execute(update(S).where(S.c.id == story_id).values(**values))

    def _merge(self, conn: Connection, m: Merge) -> None:
        src = conn.execute(select(S.c.first_seen, S.c.last_seen).where(S.c.id == m.source)).first()
        if src is not None:
            self._touch_story(conn, m.target, src.first_seen)
            self._touch_story(conn, m.target, src.last_seen)
        conn.execute(update(A).where(A.c.story_id == m.source).values(story_id=m.target))
        conn.execute(update(S).where(S.c.id == m.source).values(merged_into=m.target, dirty=False))
        conn.execute(insert(M).values(source=m.source, target=m.target, at=m.at))

    def resolve_story(self, story_id: int) -> int | None:
        """Follow recorded merges to the live id; None when no such story exists."""
        with self.engine.connect() as conn:
            seen = set()
            while story_id not in seen:
                seen.add(story_id)
                row = conn.execute(select(S.c.merged_into).where(S.c.id == story_id)).first()
                if row is None:
                    return None
                if row.merged_into is None:
                    return story_id
                story_id = row.merged_into
        return story_id

    def stories(self, dirty_only: bool = False) -> list[Story]:
        """Live (unmerged) stories with their article ids, newest activity first."""
        q = select(S).where(S.c.merged_into.is_(None))
        if dirty_only:
            q = q.where(S.c.dirty.is_(True))
        with self.engine.connect() as conn:
            rows = list(conn.execute(q.order_by(S.c.last_seen.desc(), S.c.id)))
            members: dict[int, list[int]] = {r.id: [] for r in rows}
            for a in conn.execute(select(A.c.id, A.c.story_id).where(A.c.story_id.is_not(None))):
                if a.story_id in members:
                    members[a.story_id].append(a.id)
        return [
            Story(
                id=r.id,
                article_ids=sorted(members[r.id]),
                first_seen=r.first_seen,
                last_seen=r.last_seen,
            )
            for r in rows
        ]

    def merge_rows(self) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(select(M).order_by(M.c.id)))

    # -- syntheses -------------------------------------------------------------------------
    def save_synthesis(
        self, synthesis: Synthesis | None, story_id: int, changes: Any = None
    ) -> None:
        """Store a new version (or none, for a single-source story) and clear the dirty flag."""
        with self.transaction() as conn:
            if synthesis is not None:
                sid = conn.execute(
                    insert(SY).values(**codec.synthesis_row(synthesis), changes=changes)
                )
                syn_id = sid.inserted_primary_key[0]
                rows = codec.sentence_rows(synthesis, syn_id)
                if rows:
                    conn.execute(insert(SE), rows)
            conn.execute(update(S).where(S.c.id == story_id).values(dirty=False))

    def latest_version(self, story_id: int) -> int:
        with self.engine.connect() as conn:
            v = conn.execute(
                select(func.max(SY.c.version)).where(SY.c.story_id == story_id)
            ).scalar()
        return int(v or 0)

    def syntheses(self, story_id: int) -> list[Synthesis]:
        """Every version of a story's synthesis, oldest first."""
        q = select(SY.c.payload).where(SY.c.story_id == story_id).order_by(SY.c.version)
        with self.engine.connect() as conn:
            return [codec.synthesis(r.payload) for r in conn.execute(q)]

    def synthesis_changes(self, story_id: int) -> list[Any]:
        q = (
            select(SY.c.version, SY.c.changes)
            .where(SY.c.story_id == story_id)
            .order_by(SY.c.version)
        )
        with self.engine.connect() as conn:
            return list(conn.execute(q))

    # -- meta ------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(META.c.value).where(META.c.key == key)).first()
        return row.value if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as conn:
            if conn.execute(select(META.c.key).where(META.c.key == key)).first():
                conn.execute(update(META).where(META.c.key == key).values(value=value))
            else:
                conn.execute(insert(META).values(key=key, value=value))
