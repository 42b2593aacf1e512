"""The command line: parse, call the pipeline, print with rich. No logic of its own."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.table import Table

from newsloom import config as configuration
from newsloom import pipeline
from newsloom.model import Outlet
from newsloom.store import Store

app = typer.Typer(
    help="newsloom: many outlets in, one verified article per story out.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
feeds_app = typer.Typer(help="Edit and list the feeds in newsloom.toml.", no_args_is_help=True)
eval_app = typer.Typer(
    help="Evaluate clustering and synthesis on labelled data.", no_args_is_help=True
)
app.add_typer(feeds_app, name="feeds")
app.add_typer(eval_app, name="eval")

console = Console()
err = Console(stderr=True)
log = logging.getLogger("newsloom")

ConfigOpt = Annotated[
    Path,
    typer.Option("--config", "-c", help="Configuration file (TOML).", envvar="NEWSLOOM_CONFIG"),
]
DEFAULT_CONFIG = Path("newsloom.toml")


class _State:
    config_path: Path = DEFAULT_CONFIG


state = _State()


@app.callback()
def main(
    config: ConfigOpt = DEFAULT_CONFIG,
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, help="More logging.")] = 0,
) -> None:
    """Ingest feeds, cluster stories, write one verified article per story."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(
        level=level,
        format="%(message)s",
        handlers=[RichHandler(console=err, show_path=False)],
        force=True,
    )
    state.config_path = config


def fail(message: str) -> typer.Exit:
    err.print(f"[bold red]Error:[/] {message}")
    return typer.Exit(code=1)


def _config() -> configuration.Config:
    try:
        return configuration.load(state.config_path)
    except configuration.ConfigError as exc:
        raise fail(str(exc)) from exc


def _store(cfg: configuration.Config) -> Store:
    return Store(cfg.database_url)


def _print_report(report: pipeline.Report) -> None:
    table = Table(show_header=False, box=None)
    for key, value in report.counts.items():
        table.add_row(key, str(value))
    for key, secs in report.seconds.items():
        table.add_row(f"{key} time", f"{secs:.2f} s")
    console.print(table)


@app.command()
def init(
    path: Annotated[
        Path | None, typer.Argument(help="Where to write the config (default: --config).")
    ] = None,
) -> None:
    """Write a starter newsloom.toml and create its database."""
    path = path or state.config_path
    try:
        configuration.init(path)
    except configuration.ConfigError as exc:
        raise fail(str(exc)) from exc
    cfg = configuration.load(path)
    _store(cfg).close()
    console.print(f"Wrote {path}; database at {cfg.database_url}")


@feeds_app.command("add")
def feeds_add(
    url: Annotated[str, typer.Argument(help="Feed URL (RSS or Atom).")],
    name: Annotated[str, typer.Option("--name", "-n", help="Outlet name.")],
    language: Annotated[str | None, typer.Option(help="ISO 639-1 code, e.g. en.")] = None,
    country: Annotated[str | None, typer.Option(help="ISO 3166 code, e.g. GB.")] = None,
) -> None:
    """Add a feed to the config file."""
    if not url.startswith(("http://", "https://")):
        raise fail(f"{url!r} is not an http(s) URL")
    try:
        configuration.add_feed(state.config_path, Outlet(name, url, language, country))
    except configuration.ConfigError as exc:
        raise fail(str(exc)) from exc
    console.print(f"Added {name} ({url}) to {state.config_path}")


@feeds_app.command("list")
def feeds_list() -> None:
    """List configured feeds with their last poll status."""
    cfg = _config()
    with _store(cfg) as store:
        seen = {r.url: r for r in store.feed_rows()}
    table = Table("name", "url", "language", "last checked", "status")
    for f in cfg.feeds:
        row = seen.get(f.feed_url or "")
        checked = row.checked_at.strftime("%Y-%m-%d %H:%M") if row and row.checked_at else "never"
        status = (row.status + (f": {row.error}" if row.error else "")) if row else ""
        table.add_row(f.name, f.feed_url or "", f.language or "", checked, status)
    console.print(table)


@feeds_app.command("remove")
def feeds_remove(
    name_or_url: Annotated[str, typer.Argument(help="Outlet name or feed URL.")],
) -> None:
    """Remove a feed from the config file (its articles stay in the store)."""
    try:
        gone = configuration.remove_feed(state.config_path, name_or_url)
    except configuration.ConfigError as exc:
        raise fail(str(exc)) from exc
    console.print(f"Removed {gone.name} ({gone.feed_url})")


@app.command()
def ingest() -> None:
    """Poll every feed and fetch new article pages (then run `extract` or `run`)."""
    cfg = _config()
    if not cfg.feeds:
        raise fail(
            f"no feeds in {state.config_path}; add one with `newsloom feeds add URL --name N`"
        )
    with _store(cfg) as store:
        _print_report(pipeline.ingest_feeds(cfg, store))


@app.command()
def add(urls: Annotated[list[str], typer.Argument(help="Article page URLs.")]) -> None:
    """Fetch single article pages and extract them."""
    cfg = _config()
    with _store(cfg) as store:
        report = pipeline.add_urls(cfg, store, urls)
        _print_report(report.merge(pipeline.extract_pending(cfg, store)))


@app.command("import")
def import_(
    files: Annotated[list[Path], typer.Argument(help="JSON Lines files of articles.")],
) -> None:
    """Import articles from JSON Lines (url, outlet, title, text, published, eval_date)."""
    cfg = _config()
    with _store(cfg) as store:
        for path in files:
            if not path.exists():
                raise fail(f"{path} does not exist")
            _print_report(pipeline.import_jsonl(store, path))


@app.command("extract")
def extract_() -> None:
    """Extract articles from fetched pages."""
    cfg = _config()
    with _store(cfg) as store:
        _print_report(pipeline.extract_pending(cfg, store))


@app.command()
def cluster() -> None:
    """Deduplicate and cluster new articles into stories."""
    cfg = _config()
    with _store(cfg) as store:
        _print_report(pipeline.cluster_pending(cfg, store))


@app.command()
def synthesize() -> None:
    """Write and verify a new article for every story that changed."""
    cfg = _config()
    with _store(cfg) as store:
        _print_report(pipeline.synthesize_dirty(cfg, store))


@app.command()
def run(
    no_ingest: Annotated[bool, typer.Option("--no-ingest", help="Skip polling feeds.")] = False,
) -> None:
    """Run all steps over pending work: ingest, extract, cluster, synthesize."""
    cfg = _config()
    with _store(cfg) as store:
        _print_report(pipeline.run(cfg, store, ingest=not no_ingest))


@app.command()
def export(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder for the site.")] = Path(
        "site"
    ),
) -> None:
    """Write the static site and stories.json."""
    cfg = _config()
    with _store(cfg) as store:
        index = pipeline.export(store, out)
    console.print(f"Site written: {index.resolve()}")


@app.command()
def stories(limit: Annotated[int, typer.Option(help="How many to list.")] = 30) -> None:
    """List stories, most recently active first."""
    cfg = _config()
    with _store(cfg) as store:
        views = pipeline.story_views(store)[:limit]
    table = Table("id", "origins", "articles", "last seen", "headline")
    for v in views:
        origins = len({a.origin for a in v.articles})
        headline = v.synthesis.headline.text if v.synthesis else (v.articles[0].title or "")
        last = v.story.last_seen.strftime("%Y-%m-%d %H:%M") if v.story.last_seen else ""
        table.add_row(str(v.story.id), str(origins), str(len(v.articles)), last, headline)
    console.print(table)


@app.command()
def show(
    story_id: Annotated[int, typer.Argument(help="Story id (old ids of merged stories redirect).")],
) -> None:
    """Print a story's article with citations and verdicts."""
    cfg = _config()
    with _store(cfg) as store:
        live = store.resolve_story(story_id)
        if live is None:
            raise fail(f"no story {story_id}")
        if live != story_id:
            console.print(f"[dim]story {story_id} was merged into {live}[/]")
        view = next(v for v in pipeline.story_views(store) if v.story.id == live)
    by_id = {a.id: a for a in view.articles}
    if view.synthesis is None:
        a = view.articles[0]
        console.print(f"[bold]{a.title}[/] (single source: {a.outlet})\n{a.url}")
        return
    syn = view.synthesis
    console.print(f"[bold]{syn.headline.text}[/]  [dim]v{syn.version}, {syn.backend}[/]\n")
    for para in syn.paragraphs:
        for s in para:
            outlets = sorted(
                {by_id[c.article_id].outlet for c in s.citations if c.article_id in by_id}
            )
            mark = "" if s.verdict == "supported" else f" [yellow]({s.verdict})[/]"
            console.print(f"{s.text}{mark} [dim][{', '.join(outlets)}][/]")
        console.print()
    console.print("[bold]Related Sources[/]")
    for r in syn.related:
        console.print(f"• {r.outlet}: {r.title or ''} {r.url}")
        for c in r.copies:
            console.print(f"    also carried by {c.outlet}: {c.url}")
    if syn.dropped:
        console.print("\n[bold]Left out[/]")
        for s in syn.dropped:
            console.print(f"[dim]- {s.text} ({'; '.join(s.reasons)})[/]")


@app.command()
def demo(
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the demo's config, database and site.")
    ] = Path("demo-out"),
) -> None:
    """Serve the invented demo corpus on 127.0.0.1, run the whole pipeline over HTTP, write the site."""
    from newsloom.demo.server import DemoServer, write_config

    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("newsloom.sqlite*"):
        stale.unlink()
    t0 = time.perf_counter()
    with DemoServer() as server:
        cfg_path = out / "newsloom.toml"
        write_config(cfg_path, server.base_url)
        cfg = configuration.load(cfg_path)
        console.print(f"Demo outlets served at {server.base_url} ({len(cfg.feeds)} feeds)")
        with _store(cfg) as store:
            report = pipeline.run(cfg, store)
            index = pipeline.export(store, out / "site")
    _print_report(report)
    console.print(f"Pipeline finished in {time.perf_counter() - t0:.1f} s")
    console.print(f"Open [bold]file://{index.resolve()}[/]")


def _register_eval() -> None:
    from newsloom.eval.cluster import cluster_command
    from newsloom.eval.mutate import mutate_command
    from newsloom.eval.synth import synth_command

    eval_app.command("cluster")(cluster_command)
    eval_app.command("synth")(synth_command)
    eval_app.command("mutate")(mutate_command)


_register_eval()
