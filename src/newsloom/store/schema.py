"""The tables, as SQLAlchemy Core metadata. Alembic migrations create them; this is what the
store's queries are written against. Times are stored as timezone-aware UTC datetimes."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A datetime stored as UTC and read back timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData()

feeds = Table(
    "feeds",
    metadata,
    Column("url", String, primary_key=True),
    Column("outlet", String, nullable=False),
    Column("etag", String),
    Column("last_modified", String),
    Column("checked_at", UTCDateTime()),
    Column("status", String),
    Column("error", Text),
)

pages = Table(
    "pages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", String, nullable=False, unique=True),
    Column("outlet", String, nullable=False),
    Column("feed_url", String),
    Column("fetched_at", UTCDateTime(), nullable=False),
    Column("content", LargeBinary),
    Column("encoding", String),
    Column("content_type", String),
    Column("hint", JSON),
    Column("status", String, nullable=False, index=True),  # pending | extracted | rejected
    Column("reason", Text),
)

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", String, nullable=False),
    Column("canonical_url", String, nullable=False, unique=True),
    Column("outlet", String, nullable=False),
    Column("title", Text),
    Column("text", Text, nullable=False),
    Column("published_at", UTCDateTime()),
    Column("fetched_at", UTCDateTime(), nullable=False),
    Column("time", UTCDateTime(), nullable=False, index=True),
    Column("language", String),
    Column("author", String),
    Column("content_hash", String, nullable=False),
    Column("revision", Integer, nullable=False, default=1),
    Column("origin_id", Integer, ForeignKey("articles.id")),
    Column("wire", String),
    Column("truncated", Boolean, nullable=False, default=False),
    Column("story_id", Integer, ForeignKey("stories.id"), index=True),
    Column("status", String, nullable=False, index=True),  # new | clustered
)

stories = Table(
    "stories",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("first_seen", UTCDateTime(), nullable=False),
    Column("last_seen", UTCDateTime(), nullable=False, index=True),
    Column("merged_into", Integer, ForeignKey("stories.id")),
    Column("dirty", Boolean, nullable=False, default=True, index=True),
)

merges = Table(
    "merges",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", Integer, ForeignKey("stories.id"), nullable=False),
    Column("target", Integer, ForeignKey("stories.id"), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
)

syntheses = Table(
    "syntheses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("story_id", Integer, ForeignKey("stories.id"), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("backend", String, nullable=False),
    Column("model", String),
    Column("prompt_version", String),
    Column("headline", Text, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("changes", JSON),
    UniqueConstraint("story_id", "version"),
)

sentences = Table(
    "sentences",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("synthesis_id", Integer, ForeignKey("syntheses.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("paragraph", Integer),  # null: headline (-1) or dropped
    Column("text", Text, nullable=False),
    Column("verdict", String),
    Column("reasons", JSON),
    Column("citations", JSON),
)

rejections = Table(
    "rejections",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String, nullable=False),
    Column("url", String, nullable=False),
    Column("reason", Text, nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    UniqueConstraint("source", "url", "reason"),
)

meta = Table(
    "meta",
    metadata,
    Column("key", String, primary_key=True),
    Column("value", String, nullable=False),
)
