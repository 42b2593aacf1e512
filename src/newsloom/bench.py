"""``make bench``: time each stage on a large synthetic stream, run the real-news check and the
evaluations, and write every figure with the command that made it to ``docs/benchmarks.md``.

The stages are timed through ``newsloom.pipeline`` on a real SQLite file, so the figures are
those of ``newsloom run``. Quality sections run only when ``--shared`` points at the reference
data (a fresh clone without it still gets the speed figures).
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import resource
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsloom import config, pipeline
from newsloom.demo import synthetic
from newsloom.demo.render import render_article
from newsloom.eval.metrics import bcubed
from newsloom.extract import extract
from newsloom.store import Store
from newsloom.text import contains, normalize

log = logging.getLogger("newsloom.bench")

COMMAND = "make bench  # = python -m newsloom.bench --out docs/benchmarks.md --shared ../shared"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def _write_jsonl(path: Path, articles: list[Any]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for a in articles:
            rec = {"url": a.url, "outlet": a.outlet, "title": a.title, "text": a.text}
            rec["published"] = a.time.date().isoformat()
            fh.write(json.dumps(rec) + "\n")


def bench_extract(articles: list[Any], k: int = 500) -> dict[str, float]:
    """Extraction speed on real-looking HTML pages rendered from synthetic articles."""
    pages = []
    for a in articles[:k]:
        item = {
            "slug": f"a{a.id}",
            "title": a.title or a.text[:60],
            "paragraphs": a.text.split("\n"),
            "published": a.time.isoformat(),
            "author": None,
        }
        outlet = {"name": a.outlet, "slug": "o", "language": "en"}
        pages.append(
            (f"http://127.0.0.1/o/a{a.id}.html", render_article(item, outlet, "http://127.0.0.1"))
        )
    now = datetime.now(UTC)
    _, secs = _timed(lambda: [extract(html.encode(), url, "o", now) for url, html in pages])
    return {"pages": len(pages), "seconds": secs, "per_s": len(pages) / secs}


def bench_stages(n: int, work: Path) -> dict[str, Any]:
    """Import, cluster, synthesize and export ``n`` synthetic articles through the pipeline."""
    (arts, labels), gen_s = _timed(lambda: synthetic.generate_labeled(n, seed=0))
    src = work / "synthetic.jsonl"
    _write_jsonl(src, arts)
    cfg = config.Config(root=work)
    out: dict[str, Any] = {"n": n, "generate_s": gen_s, "stories_true": len(set(labels))}
    out["extract"] = bench_extract(arts)
    with Store(f"sqlite:///{work / 'bench.sqlite'}") as store:
        t0 = time.perf_counter()
        _, out["import_s"] = _timed(lambda: pipeline.import_jsonl(store, src))
        rep, out["cluster_s"] = _timed(lambda: pipeline.cluster_pending(cfg, store))
        out["merges"] = rep.counts.get("stories merged", 0)
        rep, out["synth_s"] = _timed(lambda: pipeline.synthesize_dirty(cfg, store))
        out["syntheses"] = rep.counts.get("syntheses written", 0)
        _, out["export_s"] = _timed(lambda: pipeline.export(store, work / "site"))
        out["total_s"] = time.perf_counter() - t0
        story_of = {a: s.id for s in store.stories() for a in s.article_ids}
        by_url = {a.url: a.id for a in store.articles()}
        out["stories"] = store.count("stories") - len(store.merge_rows())
    pred = [story_of[by_url[a.url]] for a in arts]
    out["bcubed"] = bcubed(pred, labels).f1
    out["peak_mb"] = _peak_mb()
    return out


def _majority_event(article_events: list[str | None]) -> str | None:
    events = [e for e in article_events if e is not None]
    return Counter(events).most_common(1)[0][0] if events else None


def bench_realnews(data: Path, work: Path) -> dict[str, Any]:
    """`newsloom import articles.jsonl && newsloom run && newsloom export` on real news, scored
    by the data README's rules: stories, BCubed F1, role errors and wrong values printed."""
    from newsloom.eval.data import load
    from newsloom.eval.synth import role_errors

    dataset = load(data)
    cfg = config.Config(root=work)
    gold_by_url = {a.url: dataset.gold.label(a.id) for a in dataset.articles}
    event_by_url = {a.url: dataset.gold.event_of[a.id] for a in dataset.articles}
    with Store(f"sqlite:///{work / 'realnews.sqlite'}") as store:
        t0 = time.perf_counter()
        pipeline.import_jsonl(store, data / "articles.jsonl")
        pipeline.run(cfg, store, ingest=False)
        pipeline.export(store, work / "realnews-site")
        secs = time.perf_counter() - t0
        views = pipeline.story_views(store)
    pred, gold = [], []
    wrong = roles = written = 0
    for v in views:
        for a in v.articles:
            pred.append(v.story.id)
            gold.append(gold_by_url[a.url])
        if v.synthesis is None:
            continue
        written += 1
        ev = _majority_event([event_by_url[a.url] for a in v.articles])
        if ev is None:
            continue
        event = dataset.gold.events[ev]
        text = normalize(v.synthesis.text)
        for c in event.get("conflicts", []):
            wrong += sum(contains(text, w) for w in c.get("wrong", []))
        roles += role_errors(v.synthesis.text, event.get("roles", []))
    return {
        "articles": len(pred),
        "stories": len(views),
        "gold_stories": len(set(gold)),
        "syntheses": written,
        "bcubed": bcubed(pred, gold),
        "wrong_values": wrong,
        "role_errors": roles,
        "seconds": secs,
    }


def render(
    stages: dict[str, Any], real: dict[str, Any] | None, extra: list[str], command: str = COMMAND
) -> str:
    n = stages["n"]
    ex = stages["extract"]
    lines = [
        "# Benchmarks",
        "",
        f"Made by `{command}` on {datetime.now(UTC):%Y-%m-%d}, {platform.machine()}, "
        f"Python {platform.python_version()}, 2 cores. Figures are from one run; timings are never "
        "asserted in tests.",
        "",
        f"## Pipeline stages on {n:,} synthetic articles",
        "",
        "A long-tailed stream generated from the demo corpus (`newsloom.demo.synthetic`, seed 0: "
        f"{stages['stories_true']:,} true stories), imported from JSONL into a fresh SQLite file and "
        "run through `newsloom.pipeline`, the code of `newsloom run`.",
        "",
        "| stage | time (s) | rate |",
        "|---|---:|---:|",
        f"| extract (trafilatura, {ex['pages']} rendered HTML pages) | {ex['seconds']:.2f} | "
        f"{ex['per_s']:.0f} pages/s |",
        f"| import (JSONL -> store) | {stages['import_s']:.2f} | {n / stages['import_s']:,.0f} articles/s |",
        f"| dedup + cluster | {stages['cluster_s']:.2f} | {n / stages['cluster_s']:,.0f} articles/s |",
        f"| synthesize + verify ({stages['syntheses']:,} stories) | {stages['synth_s']:.2f} | "
        f"{stages['syntheses'] / max(stages['synth_s'], 1e-9):,.1f} stories/s |",
        f"| export (site + stories.json) | {stages['export_s']:.2f} | |",
        f"| **end to end** (import to site) | **{stages['total_s']:.2f}** | "
        f"{n / stages['total_s']:,.0f} articles/s |",
        "",
        f"Peak memory (max RSS of the process): {stages['peak_mb']:.0f} MB. Stories found: "
        f"{stages['stories']:,} (true {stages['stories_true']:,}), merges {stages['merges']}, "
        f"BCubed F1 against the generator's labels {stages['bcubed']:.3f}.",
        "",
    ]
    if real:
        b = real["bcubed"]
        lines += [
            "## Real news: import, run, export",
            "",
            "`newsloom import ../shared/bench/realnews/articles.jsonl && newsloom run && newsloom "
            "export`, scored by the data README's rules (the stream order of the pipeline is article "
            "time then URL; the evaluation commands below use the README's exact order).",
            "",
            "| articles | stories (gold) | syntheses | BCubed P | BCubed R | BCubed F1 | wrong values "
            "printed | role errors | time (s) |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            f"| {real['articles']} | {real['stories']} ({real['gold_stories']}) | {real['syntheses']} | "
            f"{b.precision:.3f} | {b.recall:.3f} | {b.f1:.3f} | {real['wrong_values']} | "
            f"{real['role_errors']} | {real['seconds']:.1f} |",
            "",
        ]
    lines += extra
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m newsloom.bench", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/benchmarks.md"))
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("-n", type=int, default=10_000, help="synthetic articles (default 10,000)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        log.info("stages on %d synthetic articles ...", args.n)
        stages = bench_stages(args.n, work)
        realnews = args.shared / "bench" / "realnews"
        real = bench_realnews(realnews, work) if realnews.exists() else None
        if real is None:
            log.info("no %s: real-news figures skipped", realnews)
        extra = _clusterer_throughput() + _evaluations(args.shared / "bench")
    command = (
        COMMAND if args.n == 10_000 else f"python -m newsloom.bench -n {args.n} --out {args.out}"
    )
    args.out.write_text(render(stages, real, extra, command), encoding="utf-8")
    log.info("wrote %s", args.out)


def _clusterer_throughput() -> list[str]:
    """The online clusterer alone on a 100,000-article synthetic stream (issue 4's curve)."""
    from newsloom.cluster.bench import markdown, throughput

    return [
        "## Online clustering throughput (10k to 100k articles in the active window)",
        "",
        "`newsloom.cluster.bench.throughput()` (part of `make bench`): one synthetic stream, the "
        "clusterer from extracted text to assignment, no embeddings, per segment.",
        "",
        *markdown(throughput()),
        "",
    ]


def _evaluations(bench: Path) -> list[str]:
    """The evaluation sections (clustering, synthesis, mutations), when the data is there."""
    if not (bench / "realnews").exists():
        return []
    from newsloom.eval import mutate
    from newsloom.eval.report import sections

    lines = sections(bench)
    for name in ("realnews", "realnews-day"):
        lines += [
            f"## Verifier mutation testing: {name}",
            "",
            f"`newsloom eval mutate --data ../shared/bench/{name}`: seeded errors injected into "
            "the verified articles; a mutant that still passes the stated rule is discarded.",
            "",
            *mutate.markdown(mutate.evaluate(bench / name)),
            "",
        ]
    return lines


if __name__ == "__main__":
    main()
