"""Throughput of the online clusterer on a large synthetic stream: the curve, the steps, memory.

Issue 4's goal is a flat cost per article as the active window grows from 10,000 to 100,000
articles, so one stream is fed once and timed per *segment* (articles 0-10k, 10k-30k,
30k-100k by default): if a segment late in the stream is as fast as an early one, the cost does
not grow with the window. The window is widened (``window_days``) so that every article of the
stream is still in it at the end; otherwise stories would expire and the test would be void.

The stream comes from ``newsloom.demo.synthetic.generate_labeled`` (the demo corpus recast with
invented names and numbers: real sentence shapes and lengths, long-tailed story sizes), so the
run also yields a BCubed F1 against the generator's labels, a sanity check that speed was not
bought by clustering nothing. Timing starts at extracted text (``Article``) and ends at the
assignment; storing it is the pipeline's part. Benchmarks report; tests never assert timings.

Articles go through ``add_many`` in batches, as ``newsloom run`` feeds them, so by default a
worker process featurises ahead while the main process decides (``cluster/parallel.py``): the
wall figure uses both cores, and the CPU figures count both processes.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import sys
import time
from collections.abc import Sequence
from typing import Any

from newsloom.cluster.online import STEPS, ClusterConfig, OnlineClusterer
from newsloom.cluster.parallel import WORKER_STEP, default_workers, worker_peak_rss_mb
from newsloom.demo.synthetic import generate_labeled
from newsloom.eval.metrics import bcubed

log = logging.getLogger(__name__)

ARTICLES_PER_DAY = 5_000
"""Density of the benchmark stream: 100,000 articles over 20 days, many stories at once."""


def _max_rss_mb() -> float:
    """Peak resident memory of this process so far (ru_maxrss: kB on Linux, bytes on macOS)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1 << 20) if sys.platform == "darwin" else rss / 1024


def throughput(
    n_values: Sequence[int] = (10_000, 30_000, 100_000),
    seed: int = 0,
    config: ClusterConfig | None = None,
    batch: int = 1_000,
    workers: int | None = None,
) -> list[dict[str, Any]]:
    """Feed one synthetic stream of ``max(n_values)`` articles through ``OnlineClusterer`` and
    report one row per segment ending at each ``n``: articles/s in the segment (wall clock, and
    per CPU second of all processes: on a shared machine the wall figure includes other
    processes' load), CPU microseconds per article for each step of ``STEPS`` in the main
    process, of featurising in worker processes, and in total (main process + workers), active
    stories and articles in the window at its end, peak memory (max RSS) of the main process
    and of the worker so far, and (last row) BCubed F1 against the true stories.

    ``config`` defaults to the default ``ClusterConfig`` with a window long enough to hold the
    whole stream (the point of the benchmark). Articles go in through ``add_many`` in chunks of
    ``batch`` (a batched commit, as ``newsloom run`` does; with embeddings, one MiniLM batch per
    chunk), featurised ahead by ``workers`` worker processes (``cluster/parallel.py``; None:
    its default, 1 on 2 or more CPUs; 0: everything in this process)."""
    ends = sorted(set(n_values))
    n = ends[-1]
    days = max(1.0, n / ARTICLES_PER_DAY)
    t0 = time.perf_counter()
    articles, labels = generate_labeled(n, seed, days=days)
    log.info("generated %d articles in %.1f s", n, time.perf_counter() - t0)
    if config is None:
        config = ClusterConfig(window_days=days + 30)
    if config.embeddings:  # load the model before the clock starts (seconds, once a process)
        from newsloom.cluster.embed import embed

        embed(["warm up"])
    workers = default_workers() if workers is None else workers
    rss_before = _max_rss_mb()
    clusterer = OnlineClusterer(config)
    clusterer.timings = {}
    predicted: list[int] = []
    rows: list[dict[str, Any]] = []
    start = 0
    for end in ends:
        before = dict(clusterer.timings)
        t, cpu = time.perf_counter(), time.process_time()
        for i in range(start, end, batch):
            chunk = articles[i : min(i + batch, end)]
            predicted.extend(a.story_id for a in clusterer.add_many(chunk, workers=workers))
        secs, cpu = time.perf_counter() - t, time.process_time() - cpu
        count = end - start

        spent = {
            s: 1e6 * (clusterer.timings.get(s, 0.0) - before.get(s, 0.0)) / count
            for s in (*STEPS, WORKER_STEP)
        }
        worker = spent.pop(WORKER_STEP)
        stories = clusterer.stories
        rows.append(
            {
                "segment": f"{start:,}-{end:,}",
                "articles": count,
                "workers": workers,
                "seconds": secs,
                "cpu_seconds": cpu + worker * count / 1e6,
                "articles_per_s": count / secs,
                "articles_per_cpu_s": count / (cpu + worker * count / 1e6),
                "us_per_article": {**spent, "total": 1e6 * cpu / count + worker},
                "main_us_per_article": 1e6 * cpu / count,
                "worker_us_per_article": worker,
                "active_stories": len(stories),
                "window_articles": sum(len(s.article_ids) for s in stories),
                "peak_rss_mb": _max_rss_mb(),
                "worker_peak_rss_mb": worker_peak_rss_mb(),
                "rss_before_mb": rss_before,
            }
        )
        log.info("segment %s: %.0f articles/s", rows[-1]["segment"], count / secs)
        start = end
    rows[-1]["bcubed_f1"] = bcubed(predicted, labels).f1
    rows[-1]["true_stories"] = len(set(labels))
    return rows


def markdown(results: list[dict[str, Any]]) -> list[str]:
    """The rows of :func:`throughput` as a Markdown table (lines), for docs/benchmarks.md.

    Step columns are main-process CPU time; "featurise (worker)" is the worker processes'
    CPU time for the same articles; "total" is both (the CPU cost of an article)."""
    head = (
        "| segment | articles/s (wall) | articles/s (CPU) | "
        + " | ".join(f"{s} (µs)" for s in STEPS)
        + " | featurise, worker (µs) | main process (µs/article) | total CPU (µs/article) "
        "| active stories | articles in window | peak RSS main / worker (MB) |"
    )
    lines = [head, "|---" + "|---:" * (len(STEPS) + 8) + "|"]
    for r in results:
        us = r["us_per_article"]
        lines.append(
            f"| {r['segment']} | {r['articles_per_s']:,.0f} | {r['articles_per_cpu_s']:,.0f} | "
            + " | ".join(f"{us[s]:.0f}" for s in STEPS)
            + f" | {r['worker_us_per_article']:.0f} | {r['main_us_per_article']:.0f} "
            f"| {us['total']:.0f} | {r['active_stories']:,} | {r['window_articles']:,} | "
            f"{r['peak_rss_mb']:,.0f} / {r['worker_peak_rss_mb']:,.0f} |"
        )
    last = results[-1]
    if "bcubed_f1" in last:
        lines.append("")
        lines.append(
            f"Whole stream: BCubed F1 {last['bcubed_f1']:.3f} against the generator's "
            f"{last['true_stories']:,} true stories; max RSS before clustering "
            f"{last['rss_before_mb']:,.0f} MB (the generated stream itself); "
            f"{last['workers']} featurising worker process(es)."
        )
    return lines


def main(argv: Sequence[str]) -> str:
    """``python -m newsloom.cluster.bench [--workers N] [--embeddings] [sizes...]``: the
    throughput table as markdown."""
    parser = argparse.ArgumentParser(
        prog="python -m newsloom.cluster.bench",
        description="Time the online clusterer on one synthetic stream, per segment "
        "(articles/s wall and CPU, microseconds per step, active stories, peak memory).",
    )
    parser.add_argument(
        "sizes",
        nargs="*",
        type=int,
        help="segment ends in articles (default 10000 30000 100000; 500 2000 with embeddings)",
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="featurising worker processes (0: none)"
    )
    parser.add_argument(
        "--embeddings", action="store_true", help="with the MiniLM channel (needs the extra)"
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a ClusterConfig field for this run, e.g. --set members_scored=3",
    )
    args = parser.parse_args(list(argv))
    sizes = tuple(args.sizes) or ((500, 2_000) if args.embeddings else (10_000, 30_000, 100_000))
    overrides: dict[str, object] = {}
    for item in args.set:
        key, _, value = item.partition("=")
        overrides[key] = json.loads(value)
    cfg = None
    if args.embeddings:
        overrides["embeddings"] = True
    if overrides:  # the same wide window as the default run
        overrides.setdefault("window_days", max(sizes) / ARTICLES_PER_DAY + 30)
        cfg = ClusterConfig.from_dict(overrides)
    batch = 64 if args.embeddings else 1_000  # with embeddings: one MiniLM batch per 64
    rows = throughput(sizes, config=cfg, batch=batch, workers=args.workers)
    return "\n".join(markdown(rows)) + "\n"


if __name__ == "__main__":  # pragma: no cover - manual entry point
    logging.basicConfig(level=logging.INFO)
    sys.stdout.write(main(sys.argv[1:]))
