"""The pipeline shell: bad input gets a clear, stored reason and loses nothing; re-runs change
nothing; a run that dies mid-way finishes on the next run without duplicates."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsloom import config, pipeline
from newsloom.demo import synthetic
from newsloom.demo.server import LATIN1_MARKERS, DemoServer
from newsloom.model import Outlet
from newsloom.store import Store


def _with_feeds(cfg: config.Config, server: DemoServer, paths: list[str]) -> config.Config:
    bad = [Outlet(name=p, feed_url=server.url(p)) for p in paths]
    cfg.feeds = [*cfg.feeds[:1], *bad]
    return cfg


def test_bad_feeds_fail_clearly_and_good_ones_still_ingest(
    demo_config: config.Config, demo_store: Store, demo_server: DemoServer
) -> None:
    cfg = _with_feeds(
        demo_config,
        demo_server,
        ["/bad/malformed.xml", "/bad/html-feed.xml", "/bad/404", "/bad/500"],
    )
    report = pipeline.run(cfg, demo_store)
    # a malformed feed whose entries can still be recovered is used (with a warning): nothing lost
    assert report.counts["feeds ok"] == 2
    assert report.counts["feeds failed"] == 3
    state = {r.outlet: r for r in demo_store.feed_rows()}
    assert state["/bad/malformed.xml"].status == "ok"
    assert "looks like an HTML page" in state["/bad/html-feed.xml"].error
    assert state["/bad/404"].error == "HTTP 404"
    assert state["/bad/500"].error == "HTTP 500"
    assert demo_store.count("articles") > 0  # the good feed's articles are in


def test_bad_pages_are_recorded_with_reasons(
    demo_config: config.Config, demo_store: Store, demo_server: DemoServer
) -> None:
    cfg = _with_feeds(demo_config, demo_server, ["/bad/feed.xml"])
    cfg.feeds = cfg.feeds[1:]
    pipeline.run(cfg, demo_store)
    reasons = {r.url.rsplit("/", 1)[-1]: r.reason for r in demo_store.rejection_rows()}
    assert "cap" in reasons["huge.html"]
    assert reasons["404"] == "HTTP 404"
    assert "redirect" in next(v for k, v in reasons.items() if k.startswith("redirect-loop"))
    assert "too short" in reasons["empty.html"] or "no " in reasons["empty.html"]
    texts = " ".join(a.text for a in demo_store.articles())
    for marker in LATIN1_MARKERS:  # the windows-1252 pages were decoded right
        assert marker in texts


def test_slow_page_times_out(
    demo_config: config.Config, demo_store: Store, demo_server: DemoServer
) -> None:
    report = pipeline.add_urls(demo_config, demo_store, [demo_server.url("/bad/slow")])
    assert report.counts == {"pages failed": 1}
    assert "timed out" in demo_store.rejection_rows()[0].reason


def test_same_article_twice_is_one_article(
    demo_config: config.Config, demo_store: Store, demo_server: DemoServer
) -> None:
    url = demo_server.url("/harbour-herald/fire-at-dock-7.html")
    pipeline.add_urls(demo_config, demo_store, [url])
    pipeline.extract_pending(demo_config, demo_store)
    pipeline.add_urls(demo_config, demo_store, [url, url + "?utm_source=x"])
    pipeline.extract_pending(demo_config, demo_store)
    assert demo_store.count("articles") == 1


def _jsonl(tmp_path: Path, n: int) -> Path:
    arts = synthetic.generate(n, seed=3)
    path = tmp_path / "articles.jsonl"
    with path.open("w") as fh:
        for a in arts:
            rec = {"url": a.url, "outlet": a.outlet, "title": a.title, "text": a.text}
            rec["published"] = a.time.date().isoformat()
            fh.write(json.dumps(rec) + "\n")
        fh.write("{not json\n")
    return path


def _state(store: Store) -> tuple:
    stories = sorted((tuple(s.article_ids)) for s in store.stories())
    heads = sorted(h.headline.text for s in store.stories() for h in store.syntheses(s.id)[-1:])
    return stories, heads


def test_import_is_idempotent_and_reports_bad_lines(tmp_path: Path) -> None:
    path = _jsonl(tmp_path, 40)
    with Store(f"sqlite:///{tmp_path / 'db.sqlite'}") as store:
        first = pipeline.import_jsonl(store, path)
        assert first.counts == {"articles new": 40, "rejected": 1}
        again = pipeline.import_jsonl(store, path)
        assert again.counts == {"articles unchanged": 40, "rejected": 1}
        assert "line 41" in store.rejection_rows()[0].reason


def test_crash_mid_synthesis_then_rerun_equals_clean_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _jsonl(tmp_path, 120)
    cfg = config.Config(root=tmp_path)
    with Store(f"sqlite:///{tmp_path / 'clean.sqlite'}") as clean:
        pipeline.import_jsonl(clean, path)
        pipeline.run(cfg, clean)
        expected = _state(clean)
    real = pipeline.synthesize
    calls = {"n": 0}

    def dying(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("killed")
        return real(*args, **kwargs)

    with Store(f"sqlite:///{tmp_path / 'crash.sqlite'}") as store:
        pipeline.import_jsonl(store, path)
        monkeypatch.setattr(pipeline, "synthesize", dying)
        with pytest.raises(RuntimeError):
            pipeline.run(cfg, store)
        written = store.count("syntheses")
        assert written == 2
        monkeypatch.setattr(pipeline, "synthesize", real)
        pipeline.run(cfg, store)
        assert _state(store) == expected
        assert all(len(store.syntheses(s.id)) <= 1 for s in store.stories())


def test_process_killed_mid_run_finishes_without_duplicates(tmp_path: Path) -> None:
    path = _jsonl(tmp_path, 1000)
    (tmp_path / "newsloom.toml").write_text('[store]\npath = "db.sqlite"\n')
    env = {**os.environ, "NEWSLOOM_NO_PROGRESS": "1"}
    cli = [sys.executable, "-m", "newsloom", "--config", str(tmp_path / "newsloom.toml")]
    subprocess.run([*cli, "import", str(path)], check=True, env=env, capture_output=True)
    proc = subprocess.Popen(
        [*cli, "run"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    time.sleep(4)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = subprocess.run([*cli, "run"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with Store(f"sqlite:///{tmp_path / 'db.sqlite'}") as store:
        assert store.pending_articles() == []
        assert store.stories(dirty_only=True) == []
        members = [i for s in store.stories() for i in s.article_ids]
        assert sorted(members) == sorted(set(members))
        assert len(members) == store.count("articles") == 1000
        for s in store.stories():
            assert [h.version for h in store.syntheses(s.id)] in ([], [1])


def test_revision_records_changed_key_facts() -> None:
    from datetime import UTC, datetime

    from newsloom.model import KeyFact, Sentence, Synthesis

    def syn(values: list[str]) -> Synthesis:
        facts = [KeyFact(value=v, fact=v, attribution=None) for v in values]
        return Synthesis(1, 1, Sentence("h"), [], [], datetime.now(UTC), key_facts=facts)

    assert pipeline._key_fact_changes(None, syn(["14 injured"])) is None
    assert pipeline._key_fact_changes(syn(["14 injured"]), syn(["14 injured"])) is None
    assert pipeline._key_fact_changes(
        syn(["14 injured", "2 dead"]), syn(["17 injured", "2 dead"])
    ) == {
        "added": ["17 injured"],
        "removed": ["14 injured"],
    }
