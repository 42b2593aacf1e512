"""One typed configuration, read from ``newsloom.toml``.

The TOML file is the single source of feeds: ``newsloom feeds add/list/remove`` edit it with
tomlkit, which keeps a user's comments and layout. Every section is optional; defaults are what a
user gets out of the box (embedded SQLite next to the config file, extractive synthesis).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import tomlkit

from newsloom.model import Outlet

DEFAULT_PATH = Path("newsloom.toml")
BACKENDS = ("extractive", "openai")

TEMPLATE = """\
# newsloom configuration. Every section is optional; see docs/configuration.md.

[store]
# SQLite file, relative to this file (or an SQLAlchemy URL with `url = "..."`).
path = "newsloom.sqlite"

[fetch]
timeout = 10.0          # seconds per request
max_bytes = 5000000     # pages larger than this are refused
max_redirects = 5

[synthesis]
backend = "extractive"  # offline; or "openai" for any OpenAI-compatible server (docs/llm.md)
words = 600

# One [[feeds]] table per outlet feed; `newsloom feeds add` appends here.
"""


class ConfigError(Exception):
    """A configuration file that cannot be used; the message says what to change."""


@dataclass(slots=True)
class StoreConfig:
    path: str = "newsloom.sqlite"
    url: str | None = None


@dataclass(slots=True)
class FetchConfig:
    user_agent: str = "newsloom/0.1 (+https://github.com/newsloom/newsloom)"
    timeout: float = 10.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5


@dataclass(slots=True)
class ExtractConfig:
    min_words: int = 80


@dataclass(slots=True)
class SynthesisConfig:
    backend: str = "extractive"
    words: int = 600
    min_origins: int = 2
    base_url: str | None = None
    model: str | None = None
    api_key_env: str | None = None
    timeout: float = 60.0


@dataclass(slots=True)
class Config:
    """The whole configuration; ``root`` is the folder relative paths are resolved against."""

    root: Path = field(default_factory=Path.cwd)
    store: StoreConfig = field(default_factory=StoreConfig)
    fetch: FetchConfig = field(default_factory=FetchConfig)
    extract: ExtractConfig = field(default_factory=ExtractConfig)
    synthesis: SynthesisConfig = field(default_factory=SynthesisConfig)
    cluster: dict[str, Any] = field(default_factory=dict)
    feeds: list[Outlet] = field(default_factory=list)

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL of the store (SQLite file beside the config by default)."""
        if self.store.url:
            return self.store.url
        path = Path(self.store.path)
        if not path.is_absolute():
            path = self.root / path
        return f"sqlite:///{path}"


def _section(cls: type, data: dict[str, Any], name: str) -> Any:
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(
            f"[{name}] has unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    try:
        return cls(**data)
    except TypeError as exc:  # pragma: no cover - dataclass signature errors
        raise ConfigError(f"[{name}]: {exc}") from exc


def _feeds(raw: Any) -> list[Outlet]:
    if not isinstance(raw, list):
        raise ConfigError("feeds must be a list of [[feeds]] tables")
    out: list[Outlet] = []
    for i, item in enumerate(raw, 1):
        if not isinstance(item, dict) or not item.get("name") or not item.get("url"):
            raise ConfigError(f"feed #{i} needs both `name` and `url`")
        extra = sorted(set(item) - {"name", "url", "language", "country"})
        if extra:
            raise ConfigError(f"feed {item['name']!r} has unknown key(s) {', '.join(extra)}")
        out.append(
            Outlet(
                name=str(item["name"]),
                feed_url=str(item["url"]),
                language=item.get("language"),
                country=item.get("country"),
            )
        )
    return out


def load(path: Path | None = None) -> Config:
    """Read a config file; a missing default file gives the defaults (an empty feed list)."""
    path = path or DEFAULT_PATH
    if not path.exists():
        if path != DEFAULT_PATH:
            raise ConfigError(
                f"config file {path} does not exist (create one with `newsloom init`)"
            )
        return Config(root=Path.cwd())
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    sections = {"store", "fetch", "extract", "synthesis", "cluster", "feeds"}
    unknown = sorted(set(data) - sections)
    if unknown:
        raise ConfigError(f"{path}: unknown section(s) {', '.join(unknown)}")
    synthesis = _section(SynthesisConfig, data.get("synthesis", {}), "synthesis")
    if synthesis.backend not in BACKENDS:
        raise ConfigError(
            f"[synthesis] backend {synthesis.backend!r} is not available; choose from "
            f"{', '.join(BACKENDS)}"
        )
    return Config(
        root=path.resolve().parent,
        store=_section(StoreConfig, data.get("store", {}), "store"),
        fetch=_section(FetchConfig, data.get("fetch", {}), "fetch"),
        extract=_section(ExtractConfig, data.get("extract", {}), "extract"),
        synthesis=synthesis,
        cluster=dict(data.get("cluster", {})),
        feeds=_feeds(data.get("feeds", [])),
    )


def init(path: Path) -> None:
    """Write a commented starter config; refuses to overwrite an existing file."""
    if path.exists():
        raise ConfigError(f"{path} already exists")
    path.write_text(TEMPLATE, encoding="utf-8")


def _document(path: Path) -> tomlkit.TOMLDocument:
    if not path.exists():
        return tomlkit.parse(TEMPLATE)
    return tomlkit.parse(path.read_text(encoding="utf-8"))


def add_feed(path: Path, outlet: Outlet) -> None:
    """Append a feed to the config file, keeping the file's comments and layout."""
    doc = _document(path)
    feeds = doc.get("feeds")
    if feeds is None:
        feeds = tomlkit.aot()
        doc["feeds"] = feeds
    for item in feeds:
        if item.get("url") == outlet.feed_url:
            raise ConfigError(f"feed {outlet.feed_url} is already configured as {item['name']!r}")
    table = tomlkit.table()
    table["name"] = outlet.name
    table["url"] = outlet.feed_url
    if outlet.language:
        table["language"] = outlet.language
    if outlet.country:
        table["country"] = outlet.country
    feeds.append(table)
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")


def remove_feed(path: Path, name_or_url: str) -> Outlet:
    """Remove the feed with this name or URL; the error lists what is configured."""
    doc = _document(path)
    feeds = doc.get("feeds") or []
    for i, item in enumerate(feeds):
        if name_or_url in (item.get("name"), item.get("url")):
            removed = Outlet(name=item["name"], feed_url=item["url"])
            del feeds[i]
            path.write_text(tomlkit.dumps(doc), encoding="utf-8")
            return removed
    names = ", ".join(repr(f.get("name")) for f in feeds) or "none"
    raise ConfigError(f"no feed named or at {name_or_url!r} (configured: {names})")
