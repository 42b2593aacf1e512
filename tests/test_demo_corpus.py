"""The demo corpus meets its own requirements; pages and feeds render as real sites do;
synthetic streams are deterministic and long-tailed."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import datetime
from html.parser import HTMLParser

import feedparser
import pytest

from newsloom import demo
from newsloom.config import load
from newsloom.demo import render
from newsloom.demo.synthetic import generate, generate_labeled, story_sizes
from newsloom.text import contains, normalize

ARTICLES = demo.articles()
EVENTS = {e["id"]: e for e in demo.events()}
OUTLETS = {o["slug"]: o for o in demo.outlets()}
BASE = "http://127.0.0.1:9999"


def _of(event_id: str) -> list[dict]:
    return [a for a in ARTICLES if a["event"] == event_id]


def _text(article: dict) -> str:
    return normalize(article["title"] + "\n" + "\n".join(article["paragraphs"]))


# --- the corpus -------------------------------------------------------------------------------


def test_outlets_cover_three_feed_kinds_and_a_second_language() -> None:
    assert 8 <= len(OUTLETS) <= 10
    kinds = Counter(o["feed"] for o in OUTLETS.values())
    assert kinds["rss2"] >= 4 and kinds["atom"] >= 2 and kinds["rss1"] == 1
    foreign = [o for o in OUTLETS.values() if o["language"] != "en"]
    assert len(foreign) == 1
    own = [a for a in ARTICLES if a["outlet"] == foreign[0]["slug"]]
    assert 1 <= len(own) <= 2
    assert all(a["lang"] == foreign[0]["language"] and a["event"] in EVENTS for a in own)


def test_every_event_has_three_to_five_outlets_in_different_words() -> None:
    assert len(EVENTS) >= 6
    for event_id in EVENTS:
        arts = _of(event_id)
        outlets = {a["outlet"] for a in arts}
        assert 3 <= len(outlets) == len(arts) <= 5, event_id
        originals = [a for a in arts if not a.get("copy_of")]
        ledes = {a["paragraphs"][0] for a in originals}
        assert len(ledes) == len(originals), f"{event_id}: two outlets share a lede"


def test_articles_have_news_shape() -> None:
    times = []
    for a in ARTICLES:
        words = sum(len(p.split()) for p in a["paragraphs"])
        assert 4 <= len(a["paragraphs"]) <= 9, a["slug"]
        assert 150 <= words <= 500, (a["slug"], words)
        published = datetime.fromisoformat(a["published"])
        assert published.tzinfo is not None
        times.append(published)
    assert (max(times) - min(times)).days >= 10
    assert 0 < sum(1 for a in ARTICLES if a.get("author")) < len(ARTICLES)
    assert len({a["path"] for a in ARTICLES}) == len(ARTICLES)


def test_event_numbers_quotes_and_conflicts_are_printed_by_the_articles() -> None:
    for event_id, event in EVENTS.items():
        texts = [_text(a) for a in _of(event_id)]
        wanted = event["numbers"] + event["quotes"]
        wanted += [v["value"] for c in event["conflicts"] for v in c["versions"]]
        wanted += [p["name"] for p in event["people"]] + event["organisations"]
        for s in wanted:
            assert any(contains(t, s) for t in texts), f"{event_id}: {s!r} is in no article"


def test_the_wrong_role_is_printed_by_exactly_one_outlet() -> None:
    wrongs = [(e["id"], w) for e in EVENTS.values() for w in e["wrong"]]
    assert wrongs == [("dock7-fire", "former Mayor Ines Okafor")]
    event_id, wrong = wrongs[0]
    guilty = [a for a in ARTICLES if contains(_text(a), wrong)]
    assert len(guilty) == 1 and guilty[0]["event"] == event_id
    right = [a for a in _of(event_id) if a is not guilty[0]]
    assert sum(contains(_text(a), "Mayor Ines Okafor") for a in right) >= 3


def test_wire_copy_is_carried_verbatim_with_dateline_and_source() -> None:
    copies = demo.copies()
    assert copies
    by_path = {a["path"]: a for a in ARTICLES}
    for copy_path, origin_path in copies.items():
        copy, origin = by_path[copy_path], by_path[origin_path]
        assert copy["paragraphs"] == origin["paragraphs"]
        assert copy["outlet"] != origin["outlet"]
        assert copy["paragraphs"][0].startswith("PORT ALDRIC (Continental Press) \u2014")
        assert copy["wire"] == origin["wire"] == "Continental Press"
    assert any(a.get("source") == "Continental Press" for a in ARTICLES)


def test_confusable_pairs_share_actors_and_place_a_few_days_apart() -> None:
    pairs = demo.confusable_pairs()
    assert len(pairs) >= 2
    for a, b in pairs:
        ea, eb = EVENTS[a], EVENTS[b]
        days = abs((datetime.fromisoformat(ea["date"]) - datetime.fromisoformat(eb["date"])).days)
        assert 1 <= days <= 7
        shared = {p["name"] for p in ea["people"]} & {p["name"] for p in eb["people"]}
        assert len(shared) >= 2, (a, b)
        assert len(_of(a)) >= 3 and len(_of(b)) >= 3
        assert all(contains(_text(x), "Port Aldric") for x in _of(a) + _of(b))


def test_hard_negatives_share_actors_with_an_event() -> None:
    negatives = [a for a in ARTICLES if a["event"] is None]
    assert len(negatives) >= 3
    actors = {p["name"] for e in EVENTS.values() for p in e["people"]}
    actors |= {o for e in EVENTS.values() for o in e["organisations"]}
    for a in negatives:
        assert any(contains(_text(a), name) for name in actors), a["slug"]


def test_gold_maps_every_article_path_and_no_page() -> None:
    gold = demo.gold()
    assert set(gold) == {a["path"] for a in ARTICLES}
    assert all(p["path"] not in gold for p in demo.pages())
    assert None in gold.values()


def test_write_config_is_read_by_the_config_loader(tmp_path) -> None:
    path = demo.write_config(tmp_path / "newsloom.toml", BASE + "/")
    config = load(path)
    assert [f.name for f in config.feeds] == [f["name"] for f in demo.feeds()]
    assert config.feeds[0].feed_url == f"{BASE}/{demo.feeds()[0]['slug']}/feed.xml"
    assert {f.language for f in config.feeds} == {"en", "de"}
    assert {f.country for f in config.feeds} == {"XA"}


# --- rendering --------------------------------------------------------------------------------


class _Tags(HTMLParser):
    """Collects (tag, attrs) and the stack of open tags at each text chunk."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.stack: list[str] = []
        self.texts: list[tuple[tuple[str, ...], str]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in {"meta", "link", "br", "img", "input"}:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.texts.append((tuple(self.stack), data))


def _parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


def test_article_page_wraps_the_body_in_site_chrome() -> None:
    art = next(a for a in ARTICLES if a["outlet"] == "aldric-courier" and a["author"])
    outlet = OUTLETS["aldric-courier"]
    related = [a for a in ARTICLES if a["outlet"] == "aldric-courier" and a is not art][:2]
    html = render.render_article(art, outlet, BASE, related)
    assert html.startswith("<!DOCTYPE html>")
    page = _parse(html)
    attrs = {(t, a.get("rel") or a.get("property") or a.get("name") or ""): a for t, a in page.tags}
    canonical = f"{BASE}/aldric-courier/{art['slug']}.html"
    assert attrs[("link", "canonical")]["href"] == canonical
    assert attrs[("meta", "og:title")]["content"] == art["title"]
    assert attrs[("meta", "article:published_time")]["content"] == art["published"]
    assert attrs[("meta", "description")]["content"] == art["paragraphs"][0]
    assert attrs[("html", "")]["lang"] == "en"
    classes = {a.get("class", "") for _, a in page.tags}
    assert {"cookie-banner", "site-nav", "related", "comments", "site-footer"} <= classes
    assert sum(c.split()[0] == "ad" for c in classes if c) >= 3
    body = [text for stack, text in page.texts if "article" in stack and "p" in stack]
    for para in art["paragraphs"]:
        assert para in body
    hrefs = [a["href"] for t, a in page.tags if t == "a"]
    assert all(h.startswith(BASE + "/") for h in hrefs)
    assert f"{BASE}/aldric-courier/{related[0]['slug']}.html" in hrefs


def test_everything_is_escaped() -> None:
    art = {
        "slug": "x",
        "title": 'Tom & Jerry <script>alert("x")</script>',
        "published": "2026-03-02T10:00:00+01:00",
        "author": "A <b>",
        "paragraphs": ["5 < 7 & \"quoted\" 'single'"] * 4,
        "source": "Wire & Co",
        "source_url": "https://wire.example/?a=1&b=2",
    }
    html = render.render_article(art, OUTLETS["harbour-herald"], BASE)
    assert "<script>" not in html and "Tom &amp; Jerry &lt;script&gt;" in html
    for kind in ("rss2", "atom", "rss1"):
        outlet = OUTLETS["harbour-herald"] | {"feed": kind, "name": "A & B"}
        root = ET.fromstring(render.render_feed(outlet, [art], BASE))
        assert any(el.text == art["title"] for el in root.iter()), kind


@pytest.mark.parametrize("slug", sorted(OUTLETS))
def test_feeds_parse_and_link_to_pages(slug: str) -> None:
    outlet = OUTLETS[slug]
    items = [a for a in ARTICLES if a["outlet"] == slug]
    items += [p for p in demo.pages() if p["outlet"] == slug]
    xml = render.render_feed(outlet, items, BASE)
    ET.fromstring(xml)  # well-formed
    parsed = feedparser.parse(xml)
    assert not parsed.bozo
    expected = {"rss2": "rss20", "atom": "atom10", "rss1": "rss10"}[outlet["feed"]]
    assert parsed.version == expected
    assert {e.title for e in parsed.entries} == {i["title"] for i in items}
    for entry in parsed.entries:
        assert entry.link.startswith(f"{BASE}/{slug}/")
        assert ("utm_source=" in entry.link) == bool(outlet["tracking"])
        assert entry.get("published_parsed") or entry.get("updated_parsed")  # RSS 1.0: dc:date
    stamps = [e.get("published_parsed") or e.updated_parsed for e in parsed.entries]
    assert stamps == sorted(stamps, reverse=True)


def test_wire_copy_feed_item_names_its_source() -> None:
    art = next(a for a in ARTICLES if a.get("source"))
    outlet = OUTLETS[art["outlet"]]
    assert outlet["feed"] == "rss2"
    parsed = feedparser.parse(render.render_feed(outlet, [art], BASE))
    assert parsed.entries[0].source.title == "Continental Press"
    assert parsed.entries[0].source.href.startswith("https://")


def test_german_page_is_labelled_german() -> None:
    art = next(a for a in ARTICLES if a["lang"] == "de")
    html = render.render_article(art, OUTLETS[art["outlet"]], BASE)
    assert '<html lang="de">' in html and "Leserkommentare" in html


# --- synthetic streams ------------------------------------------------------------------------


def test_synthetic_is_deterministic_by_seed() -> None:
    a1, l1 = generate_labeled(400, seed=3)
    a2, l2 = generate_labeled(400, seed=3)
    a3, _ = generate_labeled(400, seed=4)
    assert [(a.url, a.text, a.published_at) for a in a1] == [
        (a.url, a.text, a.published_at) for a in a2
    ]
    assert l1 == l2
    assert [a.text for a in a1] != [a.text for a in a3]
    assert [a.url for a in generate(50, seed=3)] == [a.url for a in generate_labeled(50, 3)[0]]


def test_synthetic_articles_are_well_formed_and_time_ordered() -> None:
    arts, labels = generate_labeled(2000, seed=1)
    assert [a.id for a in arts] == list(range(2000)) and len(labels) == 2000
    assert len({a.url for a in arts}) == 2000
    assert all(a.canonical_url == a.url and a.title and a.text for a in arts)
    times = [a.time for a in arts]
    assert times == sorted(times)
    assert len({a.outlet for a in arts}) > 20
    first: dict[int, datetime] = {}
    last: dict[int, datetime] = {}
    for a, label in zip(arts, labels, strict=True):
        first.setdefault(label, a.time)
        last[label] = a.time
    # stories overlap in time: many start while the biggest story is still running
    big = Counter(labels).most_common(1)[0][0]
    overlapping = [s for s in first if s != big and first[big] < first[s] < last[big]]
    assert len(overlapping) > 10


def test_synthetic_story_sizes_are_long_tailed() -> None:
    _, labels = generate_labeled(5000, seed=0)
    sizes = sorted(Counter(labels).values(), reverse=True)
    singletons = sum(1 for s in sizes if s == 1)
    assert singletons > len(sizes) / 3
    assert sizes[0] >= 20 * sorted(sizes)[len(sizes) // 2]
    assert sum(story_sizes(1234, __import__("random").Random(0))) == 1234


def test_synthetic_stories_are_separable_by_their_names() -> None:
    """Stories built from the same template share ordinary words, never their invented names."""
    arts, labels = generate_labeled(3000, seed=2)
    caps = re.compile(r"\b[A-Z][a-z]+\b")
    known = {w for a in ARTICLES for w in caps.findall(" ".join([a["title"], *a["paragraphs"]]))}
    invented: dict[int, set[str]] = {}
    for a, label in zip(arts, labels, strict=True):
        invented.setdefault(label, set()).update(set(caps.findall(a.text)) - known)
    assert all(invented.values())
    owners = Counter(w for names in invented.values() for w in names)
    assert max(owners.values()) == 1
    ordinary = Counter(w for a in arts for w in set(a.text.lower().split()) if w.isalpha())
    assert ordinary["firefighters"] > Counter(labels).most_common(1)[0][1]
