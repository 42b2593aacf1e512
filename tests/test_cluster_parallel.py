"""Featurising in a worker process (``cluster/parallel.py``) and the numpy paths of
``cluster/features.py`` must change where the work happens, never a decision or a float."""

from __future__ import annotations

import heapq
import json
import random
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from newsloom import config, pipeline
from newsloom.cluster import parallel
from newsloom.cluster.features import (
    OnlineIdf,
    TermWeights,
    Weights,
    clear_cache,
    compute_term_weights,
    term_weights,
    top_terms,
    vectorize,
)
from newsloom.cluster.online import ClusterConfig, OnlineClusterer, most_shared
from newsloom.demo.synthetic import generate_labeled
from newsloom.model import Article, Assignment
from newsloom.store import Store

N = 700  # several worker chunks (parallel.CHUNK) beyond the main process's own first one


@pytest.fixture(autouse=True)
def _stop_workers() -> Iterator[None]:
    yield
    parallel.shutdown()


@pytest.fixture(scope="module")
def stream() -> list[Article]:
    """Invented articles (the demo corpus recast with made-up names and numbers), some of them
    syndicated copies of an earlier one, and one article fed twice."""
    articles, _ = generate_labeled(N, seed=7, days=1.0)
    out = list(articles)
    for i in range(50, N, 97):  # copies: same text, new id, origin set
        out.insert(i + 1, replace(out[i], id=10_000 + i, origin_id=out[i].id))
    out.append(out[3])  # a re-run of one article: idempotent
    return out


def one_by_one(articles: list[Article], config: ClusterConfig) -> list[Assignment]:
    """``add`` one by one, featurising in this process; then the cache is emptied, so the
    run compared with it gets its features from the worker."""
    clear_cache()
    clusterer = OnlineClusterer(config)
    out = [clusterer.add(a) for a in articles]
    clear_cache()
    return out


def test_add_many_with_a_worker_decides_exactly_like_add(stream: list[Article]) -> None:
    config = ClusterConfig(window_days=30)
    expected = one_by_one(stream, config)
    clusterer = OnlineClusterer(config)
    clusterer.timings = {}
    got = []
    for i in range(0, len(stream), 300):  # batches, as `newsloom run` commits them
        got.extend(clusterer.add_many(stream[i : i + 300], workers=1))
    assert got == expected
    assert parallel.WORKER_STEP in clusterer.timings  # the worker did featurise chunks
    assert len({a.story_id for a in got}) > 10  # a real clustering, not one story


def test_worker_features_equal_in_process_features(stream: list[Article]) -> None:
    w = Weights()
    packed = parallel.featurise_chunk([(a.title, a.text) for a in stream[:40]], w)
    for a, tw in zip(stream[:40], parallel.unpack(packed), strict=True):
        local = compute_term_weights(a.title, a.text, w)
        assert dict(tw) == dict(local) and list(tw) == list(local)
        assert np.array_equal(tw.tfl, local.tfl) and list(tw.terms) == sorted(tw)
        assert tw.names() == local.names() and np.array_equal(tw.is_name, local.is_name)


def test_a_killed_worker_costs_speed_not_decisions(stream: list[Article]) -> None:
    config = ClusterConfig(window_days=30)
    expected = one_by_one(stream, config)
    clusterer = OnlineClusterer(config)
    got = clusterer.add_many(stream[:300], workers=1)
    for worker in parallel._workers:
        worker.proc.kill()
        worker.proc.wait()
    got += clusterer.add_many(stream[300:], workers=1)
    assert got == expected


def test_newsloom_run_clusters_in_batches_with_the_same_stories(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``pipeline.cluster_pending`` feeds ``add_many`` per committed batch; with or without
    a worker the stored stories are the same."""
    path = tmp_path / "articles.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for a in generate_labeled(400, seed=11, days=1.0)[0]:
            rec = {"url": a.url, "outlet": a.outlet, "title": a.title, "text": a.text}
            fh.write(json.dumps({**rec, "published": a.time.isoformat()}) + "\n")
    cfg = config.Config(root=tmp_path)
    stored = []
    for workers in ("1", "0"):
        monkeypatch.setenv(parallel.WORKERS_ENV, workers)
        clear_cache()
        with Store(f"sqlite:///{tmp_path / f'w{workers}.sqlite'}") as store:
            pipeline.import_jsonl(store, path)
            report = pipeline.cluster_pending(cfg, store, batch_size=200)
            assert report.counts["articles clustered"] == 400
            stored.append(sorted(tuple(s.article_ids) for s in store.stories()))
        assert bool(parallel._workers) == (workers == "1")
        parallel.shutdown()
    assert stored[0] == stored[1] and len(stored[0]) > 10


def test_without_workers_everything_stays_in_process(stream: list[Article]) -> None:
    clusterer = OnlineClusterer(ClusterConfig(window_days=30))
    clusterer.timings = {}
    clusterer.add_many(stream[:200], workers=0)
    assert parallel.WORKER_STEP not in clusterer.timings and not parallel._workers


def test_a_script_without_main_guard_can_use_workers(tmp_path: Path) -> None:
    """The worker is a fresh ``python -m``, so the caller's script is never re-imported: the
    script runs once and its labels match ``add``. (Whether the worker got a chunk depends on
    how fast it starts on a loaded machine, so it is not asserted here.)"""
    script = tmp_path / "plain.py"
    script.write_text(
        "from newsloom.cluster.online import ClusterConfig, OnlineClusterer\n"
        "from newsloom.demo.synthetic import generate_labeled\n"
        "arts, _ = generate_labeled(400, seed=3, days=1.0)\n"
        "c = OnlineClusterer(ClusterConfig(window_days=30))\n"
        "many = [a.story_id for a in c.add_many(arts, workers=1)]\n"
        "d = OnlineClusterer(ClusterConfig(window_days=30))\n"
        "print(many == [d.add(a).story_id for a in arts], 'ran')\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.split() == ["True", "ran"]  # printed once: never re-imported


def test_numpy_vectorize_gives_the_same_floats_as_the_dict_formula(stream: list[Article]) -> None:
    fast, slow = OnlineIdf(), OnlineIdf()
    for a in stream[:150]:
        tw = term_weights(a, Weights())
        assert isinstance(tw, TermWeights)
        fast.update(tw)  # numpy path
        slow.update(iter(dict(tw)))  # plain iterable path
        assert vectorize(tw, fast) == vectorize(dict(tw), slow)  # exact float equality
    assert fast.n_docs == slow.n_docs and fast.df == slow.df


def test_top_terms_is_the_heapq_expression_ties_included() -> None:
    rng = random.Random(1)
    for size in (3, 15, 31, 200):
        vec = {rng.randrange(1 << 20): float(rng.choice((0.1, 0.2, 0.3))) for _ in range(size)}
        want = [t for _, t in heapq.nlargest(15, ((v, t) for t, v in vec.items()))]
        assert top_terms(vec, 15) == want


def test_idf_of_very_common_terms_beyond_the_log_table_is_exact(stream: list[Article]) -> None:
    """Streams of millions of articles: counts past the cached ``log(1 + df)`` table."""
    tw = term_weights(stream[0], Weights())
    idf = OnlineIdf()
    idf.n_docs = 3_000_000
    for i, t in enumerate(tw):
        idf.df[t] = 2_000_000 + i if i % 2 else i  # half the terms beyond the table
    assert vectorize(tw, idf) == vectorize(dict(tw), idf)


def test_most_shared_is_the_heapq_expression_ties_included() -> None:
    rng = random.Random(4)
    for _ in range(300):
        shared = {rng.randrange(500): rng.randint(1, 6) for _ in range(rng.randint(1, 60))}
        for k in (1, 3, 8):
            want = heapq.nsmallest(k, shared, key=lambda s: (-shared[s], s))
            assert most_shared(shared, k) == want


class _AlwaysScoreMembers(OnlineClusterer):
    """The clusterer before member comparisons of hopeless candidates were skipped."""

    skipped = 0

    def _hopeless(self, cent: float, gap: float, lost: float) -> bool:
        _AlwaysScoreMembers.skipped += super()._hopeless(cent, gap, lost)
        return False


def test_skipping_members_of_vetoed_stories_changes_no_assignment(stream: list[Article]) -> None:
    for rules in ({}, {"name_novel": 0.8}):
        config = ClusterConfig(window_days=30, **rules)
        _AlwaysScoreMembers.skipped = 0
        reference = _AlwaysScoreMembers(config)
        expected = [reference.add(a) for a in stream]
        fast = OnlineClusterer(config)
        assert [fast.add(a) for a in stream] == expected
        assert _AlwaysScoreMembers.skipped > 20  # the fast path was taken, many times
