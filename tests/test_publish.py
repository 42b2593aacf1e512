"""Tests of the static site and stories.json, over invented stories and outlets."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from newsloom.model import (
    Article,
    Citation,
    KeyFact,
    RelatedSource,
    Sentence,
    Story,
    Synthesis,
)
from newsloom.publish import StoryView, export_json, export_site, rank, score
from synth_fixtures import article as make_article

NOW = datetime(2031, 3, 14, 12, 0, tzinfo=UTC)
EVIL = "<script>alert(1)</script>"

BRIDGE_ORIGINAL = (
    "The Harrowgate bridge reopened on Tuesday after 14 months of repairs. "
    "Mayor Ilse Brandt said the work cost 38 million crowns."
)
BRIDGE_HERALD = (
    "Traffic crossed the Harrowgate bridge again on Tuesday. "
    "The city council had approved the repairs in 2029."
)
BRIDGE_POST = f"Engineers replaced 212 cables on the bridge. {EVIL} was printed on a sign."


def _article(id_: int, outlet: str, text: str, title: str, hours_ago: float, **kw: Any) -> Article:
    url = f"https://{outlet.lower().replace(' ', '')}.example/a/{id_}"
    return make_article(
        url, text, NOW - timedelta(hours=hours_ago), outlet, title=title, id=id_, **kw
    )


def _cite(article: Article, sentence: str) -> Citation:
    start = article.text.index(sentence)
    return Citation(article.id or 0, start, start + len(sentence))


def bridge_view() -> StoryView:
    """Three origins (Courier, Herald, Post) and one copy of the Courier (Gazette)."""
    courier = _article(1, "Courier", BRIDGE_ORIGINAL, "Harrowgate bridge reopens", 3)
    gazette = _article(
        2, "Gazette", BRIDGE_ORIGINAL, "Bridge reopens after repairs", 2.5, origin_id=1
    )
    herald = _article(3, "Herald", BRIDGE_HERALD, "Traffic returns to bridge", 2)
    post = _article(4, "Evening Post", BRIDGE_POST, f"Bridge {EVIL} cables", 1)
    s1 = Sentence(
        "The Harrowgate bridge reopened on Tuesday after 14 months of repairs.",
        [
            _cite(courier, "The Harrowgate bridge reopened on Tuesday after 14 months of repairs."),
            _cite(herald, "Traffic crossed the Harrowgate bridge again on Tuesday."),
        ],
        "supported",
    )
    s2 = Sentence(
        "The repairs cost 38 million crowns, Mayor Ilse Brandt said.",
        [_cite(gazette, "Mayor Ilse Brandt said the work cost 38 million crowns.")],
        "repaired",
        ["attribution moved to the mayor"],
    )
    s3 = Sentence(
        f"Engineers replaced 212 cables; a sign read {EVIL}.",
        [_cite(post, "Engineers replaced 212 cables on the bridge.")],
        "supported",
    )
    dropped = Sentence(
        "The bridge is the longest in the country.",
        [_cite(herald, "The city council had approved the repairs in 2029.")],
        "dropped",
        ["no source states the claim"],
    )
    synthesis = Synthesis(
        story_id=10,
        version=2,
        headline=Sentence(
            "Harrowgate bridge reopens after 14 months", [s1.citations[0]], "supported"
        ),
        paragraphs=[[s1, s2], [s3]],
        related=[
            RelatedSource(
                "Courier",
                courier.title,
                courier.url,
                1,
                [RelatedSource("Gazette", gazette.title, gazette.url, 2)],
            ),
            RelatedSource("Herald", herald.title, herald.url, 3),
            RelatedSource("Evening Post", post.title, "javascript:alert(2)", 4),
        ],
        created_at=NOW - timedelta(minutes=30),
        dropped=[dropped],
        key_facts=[
            KeyFact("38 million crowns", "cost of the repairs", "Mayor Ilse Brandt", [1, 2]),
            KeyFact("212", "cables replaced", None, [4]),
        ],
        article_ids=[1, 2, 3, 4],
    )
    first = Synthesis(10, 1, Sentence("Bridge reopens"), [], [], NOW - timedelta(hours=2))
    story = Story(10, [1, 2, 3, 4], NOW - timedelta(hours=3), NOW - timedelta(hours=1))
    return StoryView(story, [courier, gazette, herald, post], synthesis, [first])


def harbour_view(hours_ago: float = 5) -> StoryView:
    """Two origins, older than the bridge story."""
    a = _article(11, "Courier", "Ferries resumed at the harbour. Crews cleared ice.", "Ferries", 6)
    b = _article(12, "Herald", "Harbour ferries sail again. Ice was cleared.", "Harbour", hours_ago)
    s = Sentence("Ferries resumed at the harbour.", [_cite(a, "Ferries resumed at the harbour.")])
    s.verdict = "supported"
    synthesis = Synthesis(20, 1, Sentence("Harbour ferries resume"), [[s]], [], NOW)
    story = Story(20, [11, 12], NOW - timedelta(hours=6), NOW - timedelta(hours=hours_ago))
    return StoryView(story, [a, b], synthesis)


def single_view() -> StoryView:
    """One origin only: listed apart, never written."""
    a = _article(21, "Herald", "A festival date was announced. It runs three days.", EVIL, 0.5)
    return StoryView(Story(30, [21], NOW - timedelta(hours=0.5), None), [a], None)


def all_views() -> list[StoryView]:
    return [harbour_view(), single_view(), bridge_view()]


class _Links(HTMLParser):
    """Collects ids, hrefs, titles and text of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        d = dict(attrs)
        self.tags.append((tag, d))
        if d.get("id"):
            self.ids.add(str(d["id"]))
        if tag == "a" and d.get("href"):
            self.hrefs.append(str(d["href"]))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture()
def site(tmp_path: Path) -> Path:
    index = export_site(all_views(), tmp_path / "site", NOW, title="Test Loom")
    assert index == tmp_path / "site" / "index.html"
    return tmp_path / "site"


def test_rank_by_origins_decayed_by_age() -> None:
    bridge, harbour, single = bridge_view(), harbour_view(), single_view()
    assert [v.story.id for v in rank([single, harbour, bridge], NOW)] == [10, 20, 30]
    assert bridge.origins == 3  # the Gazette copy does not count
    # Age halves the weight every 12 hours: a fresh two-origin story beats a day-old one.
    old = harbour_view(hours_ago=30)
    assert score(old, NOW) < score(harbour_view(hours_ago=1), NOW)
    assert [v.story.id for v in rank([bridge, old], NOW + timedelta(days=3))] == [10, 20]


def test_index_lists_stories_in_rank_order(site: Path) -> None:
    html = (site / "index.html").read_text(encoding="utf-8")
    links = parse(site / "index.html")
    pages = [h for h in links.hrefs if h.startswith("stories/")]
    assert pages == ["stories/10.html", "stories/20.html"]
    assert "3 independent sources" in html and "2 independent sources" in html
    assert "Courier, Evening Post, Gazette, Herald" in html
    # The single-source item sits in its own section, after the ranked stories.
    section = html.index("Single-source reports")
    assert html.index("stories/20.html") < section < html.index("https://herald.example/a/21")
    assert 'href="style.css"' in html and 'href="stories.json"' in html


def test_story_page_citations_link_to_related_sources(site: Path) -> None:
    page = site / "stories" / "10.html"
    links = parse(page)
    html = page.read_text(encoding="utf-8")
    markers = re.findall(r'<sup class="cite"><a href="#(src-\d+)">\[(\d+)\]</a></sup>', html)
    assert markers, "no citation markers"
    for anchor, n in markers:
        assert anchor in links.ids and anchor == f"src-{n}"
    # Sentence 1 cites the Courier and the Herald: [1][2]; the repaired one cites the
    # Gazette copy, which points at its origin, the Courier: [1].
    first, second = (f'<sup class="cite"><a href="#src-{n}">[{n}]</a></sup>' for n in (1, 2))
    assert f"repairs.</span>{first}{second}" in html
    assert 'said.</span><sup class="cite"><a href="#src-1">[1]</a></sup>' in html
    assert {"src-1", "src-2", "src-3"} <= links.ids and "src-4" not in links.ids
    assert 'href="../style.css"' in html and 'href="../index.html"' in html


def test_every_origin_listed_with_copies_grouped(site: Path) -> None:
    html = (site / "stories" / "10.html").read_text(encoding="utf-8")
    related = html[html.index('id="related-sources"') :]
    items = re.findall(r'<li id="src-(\d+)".*?</li>', related, flags=re.S)
    assert items == ["1", "2", "3"]
    first = re.search(r'<li id="src-1".*?</li>', related, flags=re.S)
    assert first is not None
    assert "also carried by" in first.group(0) and "Gazette" in first.group(0)
    assert 'href="https://gazette.example/a/2"' in first.group(0)
    assert related.count("also carried by") == 1


def test_support_indicator_key_facts_version_and_left_out(site: Path) -> None:
    links = parse(site / "stories" / "10.html")
    html = (site / "stories" / "10.html").read_text(encoding="utf-8")
    titles = {d.get("title") for tag, d in links.tags if tag == "span" and d.get("title")}
    assert "Supported by Courier, Herald" in titles
    repaired = [d for t, d in links.tags if t == "span" and "s-repaired" in (d.get("class") or "")]
    assert repaired and "Repaired by the verifier" in str(repaired[0].get("title"))
    assert '<strong class="value">38 million crowns</strong> — ' in html
    assert "Mayor Ilse Brandt" in html
    assert "Version 2," in html and "earlier versions" in html
    left = html[html.index('<details class="left-out">') :]
    assert "What was left out (1)" in left
    assert "The bridge is the longest in the country." in left
    assert "no source states the claim" in left
    body = html[html.index('<div class="body">') : html.index("</div>")]
    assert "longest in the country" not in body


def test_article_text_is_escaped(site: Path) -> None:
    for page in [site / "index.html", site / "stories" / "10.html"]:
        html = page.read_text(encoding="utf-8")
        assert "<script" not in html
        assert "javascript:" not in html
    story = parse(site / "stories" / "10.html")
    index = parse(site / "index.html")
    assert EVIL in "".join(story.text)  # shown as text
    assert EVIL in "".join(index.text)  # the single-source title


def _validate(instance: Any, schema: dict[str, Any], root: dict[str, Any], where: str) -> None:
    """A small JSON Schema subset (type, const, enum, required, properties, items, $ref, oneOf,
    additionalProperties) so the schema is exercised even without the jsonschema package."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        schema = root["$defs"][name]
    if "oneOf" in schema:
        passed = 0
        for option in schema["oneOf"]:
            try:
                _validate(instance, option, root, where)
            except AssertionError:
                continue
            passed += 1
        assert passed == 1, f"{where}: matches {passed} of oneOf"
    types = schema.get("type")
    if types is not None:
        allowed = types if isinstance(types, list) else [types]
        py = {
            "object": dict,
            "array": list,
            "string": str,
            "integer": int,
            "null": type(None),
            "boolean": bool,
        }
        ok = any(
            isinstance(instance, py[t]) and not (t == "integer" and isinstance(instance, bool))
            for t in allowed
        )
        assert ok, f"{where}: {instance!r} is not {allowed}"
    if "const" in schema:
        assert instance == schema["const"], where
    if "enum" in schema:
        assert instance in schema["enum"], f"{where}: {instance!r} not in {schema['enum']}"
    if isinstance(instance, dict):
        for key in schema.get("required", []):
            assert key in instance, f"{where}: missing {key}"
        props = schema.get("properties", {})
        if schema.get("additionalProperties") is False:
            extra = set(instance) - set(props)
            assert not extra, f"{where}: unexpected {extra}"
        for key, value in instance.items():
            if key in props:
                _validate(value, props[key], root, f"{where}.{key}")
    if isinstance(instance, list) and "items" in schema:
        for i, item in enumerate(instance):
            _validate(item, schema["items"], root, f"{where}[{i}]")


def test_stories_json_matches_documented_schema(site: Path) -> None:
    document = json.loads((site / "stories.json").read_text(encoding="utf-8"))
    schema_text = resources.files("newsloom.publish").joinpath("stories.schema.json")
    schema = json.loads(schema_text.read_text(encoding="utf-8"))
    try:
        import jsonschema  # type: ignore[import-untyped]
    except ImportError:
        _validate(document, schema, schema, "$")
    else:  # pragma: no cover - depends on the environment
        jsonschema.validate(document, schema)

    assert document["schema"] == "newsloom.stories/1" and document["schema_version"] == 1
    assert [s["id"] for s in document["stories"]] == [10, 20]
    bridge = document["stories"][0]
    assert bridge["counts"] == {"articles": 4, "origins": 3}
    cite = bridge["paragraphs"][0][1]["citations"][0]
    assert cite["outlet"] == "Gazette" and cite["source"] == 1
    assert cite["text"] == "Mayor Ilse Brandt said the work cost 38 million crowns."
    assert bridge["related"][0]["copies"][0]["outlet"] == "Gazette"
    assert bridge["dropped"][0]["reasons"] == ["no source states the claim"]
    assert bridge["synthesis"]["version"] == 2 and bridge["history"][0]["version"] == 1
    single = document["single_source"][0]
    assert single["id"] == 30 and single["article"]["outlet"] == "Herald"
    assert single["headline"] == EVIL  # raw in JSON; escaping is the renderer's job

    # Every documented top-level and story field appears in docs/stories-json.md.
    docs = Path(__file__).resolve().parents[1] / "docs" / "stories-json.md"
    if docs.exists():
        text = docs.read_text(encoding="utf-8")
        for key in list(document) + list(bridge) + list(single) + list(cite):
            assert f"`{key}`" in text, f"{key} undocumented"


def test_export_is_byte_identical_and_removes_stale_pages(tmp_path: Path) -> None:
    out = tmp_path / "site"
    export_site(all_views(), out, NOW)
    first = {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    export_site(all_views(), out, NOW)
    second = {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    assert first == second
    assert set(first) == {
        Path("index.html"),
        Path("style.css"),
        Path("stories.json"),
        Path("stories/10.html"),
        Path("stories/20.html"),
    }

    # The harbour story is gone (merged away): its page goes too, nothing else is touched.
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    export_site([bridge_view(), single_view()], out, NOW)
    assert not (out / "stories" / "20.html").exists()
    assert (out / "stories" / "10.html").read_bytes() == first[Path("stories/10.html")]
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert "stories/20.html" not in (out / "index.html").read_text(encoding="utf-8")


def test_export_json_alone(tmp_path: Path) -> None:
    path = tmp_path / "out" / "stories.json"
    export_json(all_views(), path, NOW)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["generated_at"] == "2031-03-14T12:00:00+00:00"
    site_json = export_site(all_views(), tmp_path / "s", NOW).parent / "stories.json"
    assert path.read_bytes() == site_json.read_bytes()  # one document, two writers


def test_documented_example_validates() -> None:
    """The example in docs/stories-json.md is valid JSON that matches the shipped schema."""
    docs = Path(__file__).resolve().parents[1] / "docs" / "stories-json.md"
    if not docs.exists():
        pytest.skip("docs not shipped with this checkout")
    text = docs.read_text(encoding="utf-8")
    example = re.search(r"## Example.*?```json\n(.*?)```", text, flags=re.S)
    assert example is not None
    schema_file = resources.files("newsloom.publish").joinpath("stories.schema.json")
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    _validate(json.loads(example.group(1)), schema, schema, "$")


def test_naive_times_mix_with_aware_ones(tmp_path: Path) -> None:
    """Feeds give naive and aware times; they are both read as UTC instead of raising."""
    view = harbour_view()
    for article in view.articles:
        assert article.published_at is not None
        article.published_at = article.published_at.replace(tzinfo=None)
    view.story.last_seen = None
    document = json.loads(
        (export_site([view, bridge_view()], tmp_path, NOW).parent / "stories.json").read_text(
            encoding="utf-8"
        )
    )
    harbour = next(s for s in document["stories"] if s["id"] == 20)
    assert harbour["last_seen"] == "2031-03-14T07:00:00+00:00"


def test_empty_export_removes_every_story_page(tmp_path: Path) -> None:
    export_site(all_views(), tmp_path, NOW)
    export_site([], tmp_path, NOW)
    assert list((tmp_path / "stories").glob("*.html")) == []
    document = json.loads((tmp_path / "stories.json").read_text(encoding="utf-8"))
    assert document["stories"] == [] and document["single_source"] == []
    assert "No stories" in (tmp_path / "index.html").read_text(encoding="utf-8")


def test_unwritten_multi_origin_story_is_not_called_single_source(tmp_path: Path) -> None:
    """A story the synthesizer has not reached yet is listed apart but with its true count."""
    view = harbour_view()
    view.synthesis = None
    html = export_site([view], tmp_path, NOW).read_text(encoding="utf-8")
    assert "2 independent sources, not yet written up" in html
    assert not (tmp_path / "stories" / "20.html").exists()
