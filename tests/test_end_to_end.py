"""The whole pipeline over real HTTP: demo feeds on 127.0.0.1 -> stories -> verified site."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from newsloom import config, demo, pipeline
from newsloom.store import Store
from newsloom.text import normalize


@pytest.fixture
def ran(demo_config: config.Config, demo_store: Store, tmp_path: Path) -> dict:
    report = pipeline.run(demo_config, demo_store)
    index = pipeline.export(demo_store, tmp_path / "site")
    return {"report": report, "views": pipeline.story_views(demo_store), "index": index}


def _story_events(views: list) -> dict[int, set[str | None]]:
    gold = demo.gold()
    out: dict[int, set[str | None]] = defaultdict(set)
    for v in views:
        for a in v.articles:
            out[v.story.id].add(gold.get(urlsplit(a.url).path))
    return out


def test_events_found_and_confusable_pairs_split(ran: dict) -> None:
    views = ran["views"]
    per_story = _story_events(views)
    # no story mixes two gold events (hard negatives are None and must stand alone)
    for story_id, events in per_story.items():
        assert len(events) == 1, f"story {story_id} mixes {events}"
    found = {next(iter(e)) for e in per_story.values()} - {None}
    assert found == {e["id"] for e in demo.events()}
    for a, b in demo.confusable_pairs():
        sa = {s for s, ev in per_story.items() if a in ev}
        sb = {s for s, ev in per_story.items() if b in ev}
        assert sa and sb and not (sa & sb)


def test_syntheses_are_multi_origin_verified_and_exact(ran: dict) -> None:
    synthesized = [v for v in ran["views"] if v.synthesis is not None]
    assert len(synthesized) >= len(demo.events()) - 1
    by_story = _story_events(ran["views"])
    events = {e["id"]: e for e in demo.events()}
    for v in synthesized:
        assert len({a.origin for a in v.articles}) >= 2
        syn = v.synthesis
        sources = {a.id: a for a in v.articles}
        for s in [syn.headline, *syn.sentences]:
            assert s.verdict in ("supported", "repaired")
            assert s.citations, s.text
            for c in s.citations:
                assert c.article_id in sources
        text = normalize(syn.text)
        event = events[next(iter(by_story[v.story.id]))]
        for wrong in event.get("wrong", []):
            assert normalize(wrong) not in text
        # quotes printed are verbatim from a source
        for q in event.get("quotes", []):
            if normalize(q)[:20] in text:
                assert normalize(q) in text
        assert "former mayor" not in text


def test_site_and_json_written(ran: dict) -> None:
    index: Path = ran["index"]
    assert index.exists()
    doc = json.loads((index.parent / "stories.json").read_text())
    assert doc["schema"] == "newsloom.stories/1"
    assert len(doc["stories"]) + len(doc["single_source"]) == len(ran["views"])
    assert len(doc["stories"]) == sum(v.synthesis is not None for v in ran["views"])
    page = next((index.parent / "stories").glob("*.html")).read_text()
    assert "Related Sources" in page


def test_second_run_changes_nothing(
    demo_config: config.Config, demo_store: Store, ran: dict
) -> None:
    counts = {t: demo_store.count(t) for t in ("articles", "stories", "pages", "syntheses")}
    again = pipeline.run(demo_config, demo_store)
    assert again.counts == {"feeds unchanged": len(demo_config.feeds)}
    assert counts == {t: demo_store.count(t) for t in counts}


def test_non_article_and_foreign_language_are_labelled(ran: dict, demo_store: Store) -> None:
    reasons = [r.reason for r in demo_store.rejection_rows()]
    assert any("too short" in r for r in reasons)
    german = [a for v in ran["views"] for a in v.articles if a.language == "de"]
    assert german
    for v in ran["views"]:
        if v.synthesis:
            assert all(
                c.article_id not in {a.id for a in german}
                for s in v.synthesis.sentences
                for c in s.citations
            )


def test_new_articles_make_a_new_version_and_keep_history(
    demo_config: config.Config, demo_store: Store
) -> None:
    everything = list(demo_config.feeds)
    demo_config.feeds = everything[:3]
    pipeline.run(demo_config, demo_store)
    before = {v.story.id: v for v in pipeline.story_views(demo_store)}
    demo_config.feeds = everything
    pipeline.run(demo_config, demo_store)
    after = {v.story.id: v for v in pipeline.story_views(demo_store)}
    grown = [
        sid
        for sid, v in after.items()
        if sid in before and len(v.articles) > len(before[sid].articles) and before[sid].synthesis
    ]
    assert grown, "some story should gain articles from the new feeds"
    for sid in grown:
        versions = [s.version for s in demo_store.syntheses(sid)]
        assert versions == [1, 2]
        assert after[sid].history[0].headline.text == before[sid].synthesis.headline.text
        assert set(after[sid].synthesis.article_ids) > set(before[sid].synthesis.article_ids)
    # new articles join existing stories: ids of stories seen before are kept
    assert set(before) <= set(after)
