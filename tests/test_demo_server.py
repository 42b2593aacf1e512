"""The demo server over real HTTP on 127.0.0.1: feeds, pages, validators, bad endpoints."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import feedparser
import httpx
import pytest

from newsloom import demo
from newsloom.demo.server import BAD_PAGES, LATIN1_MARKERS, DemoServer


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(slow_seconds=3.0) as srv:
        yield srv


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10.0) as c:
        yield c


def test_base_url_is_local_with_a_real_port(server: DemoServer) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", server.base_url)
    assert not server.base_url.endswith(":0")


def test_every_feed_is_served_and_every_item_resolves(
    server: DemoServer, client: httpx.Client
) -> None:
    fetched = 0
    for feed in demo.feeds():
        resp = client.get(server.url(feed["path"]))
        assert resp.status_code == 200
        kind = {"rss2": "application/rss+xml", "atom": "application/atom+xml"}
        assert resp.headers["content-type"] == (
            kind.get(feed["kind"], "application/rdf+xml") + "; charset=utf-8"
        )
        parsed = feedparser.parse(resp.content)
        assert not parsed.bozo and parsed.entries, feed["name"]
        for entry in parsed.entries:
            page = client.get(entry.link)  # tracking parameters are ignored by the server
            assert page.status_code == 200
            assert page.headers["content-type"] == "text/html; charset=utf-8"
            assert "<article" in page.text or 'class="page"' in page.text
            fetched += 1
    assert fetched == len(demo.articles()) + len(demo.pages())


def test_gold_paths_are_pages_with_their_titles(server: DemoServer, client: httpx.Client) -> None:
    titles = {a["path"]: a["title"] for a in demo.articles()}
    for path in list(demo.gold())[:8]:
        resp = client.get(server.url(path))
        assert resp.status_code == 200
        title = titles[path].replace("&", "&amp;")
        assert f'<meta property="og:title" content="{title}">' in resp.text


def test_about_page_is_linked_from_a_feed_and_too_short_to_be_news(
    server: DemoServer, client: httpx.Client
) -> None:
    page = demo.pages()[0]
    feed = client.get(server.url(f"/{page['outlet']}/feed.xml")).text
    assert server.url(page["path"]) in feed
    body = client.get(server.url(page["path"])).text
    assert "<article" not in body
    assert sum(len(p.split()) for p in page["paragraphs"]) < 50


def test_etag_and_last_modified_give_304(server: DemoServer, client: httpx.Client) -> None:
    for path in ("/harbour-herald/fire-at-dock-7.html", "/metro-signal/feed.xml"):
        first = client.get(server.url(path))
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        assert etag.startswith('"') and modified.endswith("GMT")
        by_tag = client.get(server.url(path), headers={"If-None-Match": etag})
        assert by_tag.status_code == 304 and by_tag.content == b""
        assert by_tag.headers["etag"] == etag
        by_date = client.get(server.url(path), headers={"If-Modified-Since": modified})
        assert by_date.status_code == 304
        stale = client.get(server.url(path), headers={"If-None-Match": '"other"'})
        assert stale.status_code == 200 and stale.content == first.content
        old = client.get(
            server.url(path), headers={"If-Modified-Since": "Sun, 01 Feb 2026 00:00:00 GMT"}
        )
        assert old.status_code == 200


def test_last_modified_is_the_articles_update_time(
    server: DemoServer, client: httpx.Client
) -> None:
    resp = client.get(server.url("/harbour-herald/fire-at-dock-7.html"))
    assert resp.headers["last-modified"] == "Tue, 03 Mar 2026 12:40:00 GMT"  # 13:40 +01:00


def test_head_has_headers_and_no_body(server: DemoServer, client: httpx.Client) -> None:
    resp = client.head(server.url("/eastmarch-daily/feed.xml"))
    assert resp.status_code == 200 and resp.content == b""
    assert int(resp.headers["content-length"]) > 1000


def test_requests_are_recorded(server: DemoServer, client: httpx.Client) -> None:
    client.get(server.url("/valley-gazette/feed.xml?x=1"))
    assert server.requests[-1] == "/valley-gazette/feed.xml"


def test_malformed_feed_is_not_xml(server: DemoServer, client: httpx.Client) -> None:
    resp = client.get(server.url("/bad/malformed.xml"))
    assert resp.status_code == 200 and "rss" in resp.headers["content-type"]
    with pytest.raises(ET.ParseError):
        ET.fromstring(resp.content)
    assert feedparser.parse(resp.content).bozo


def test_html_served_where_a_feed_should_be(server: DemoServer, client: httpx.Client) -> None:
    resp = client.get(server.url("/bad/html-feed.xml"))
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/html")
    assert resp.text.startswith("<!DOCTYPE html>")
    assert not feedparser.parse(resp.content).entries


@pytest.mark.parametrize(("path", "status"), [("/bad/404", 404), ("/bad/500", 500), ("/nope", 404)])
def test_error_statuses(server: DemoServer, client: httpx.Client, path: str, status: int) -> None:
    resp = client.get(server.url(path))
    assert resp.status_code == status
    assert "etag" not in resp.headers


def test_slow_endpoint_outlasts_a_short_timeout(server: DemoServer) -> None:
    with pytest.raises(httpx.TimeoutException):
        httpx.get(server.url("/bad/slow"), timeout=0.3)


def test_latin1_page_with_charset_only_in_the_header(
    server: DemoServer, client: httpx.Client
) -> None:
    resp = client.get(server.url("/bad/latin1.html"))
    assert resp.headers["content-type"] == "text/html; charset=windows-1252"
    with pytest.raises(UnicodeDecodeError):
        resp.content.decode("utf-8")
    text = resp.content.decode("cp1252")
    assert "charset" not in text.split("</head>")[0]
    assert all(marker in text for marker in LATIN1_MARKERS)
    assert all(marker in resp.text for marker in LATIN1_MARKERS)  # httpx honours the header


def test_latin1_page_with_charset_only_in_a_meta_tag(
    server: DemoServer, client: httpx.Client
) -> None:
    resp = client.get(server.url("/bad/latin1-meta.html"))
    assert resp.headers["content-type"] == "text/html"
    assert b'<meta charset="windows-1252">' in resp.content
    assert all(marker in resp.content.decode("cp1252") for marker in LATIN1_MARKERS)


def test_huge_page_is_several_megabytes(server: DemoServer, client: httpx.Client) -> None:
    resp = client.get(server.url("/bad/huge.html"))
    assert len(resp.content) >= server.huge_bytes > 5_000_000
    assert resp.text.rstrip().endswith("</html>")


def test_empty_article_page_has_no_text(server: DemoServer, client: httpx.Client) -> None:
    resp = client.get(server.url("/bad/empty.html"))
    article = resp.text.split("<article", 1)[1].split("</article>", 1)[0]
    assert "<h1>" in article and "<p>" not in article
    assert "cookie-banner" in resp.text


def test_redirect_loop_never_ends(server: DemoServer) -> None:
    with (
        httpx.Client(follow_redirects=True, max_redirects=5, timeout=5) as c,
        pytest.raises(httpx.TooManyRedirects),
    ):
        c.get(server.url("/bad/redirect-loop"))


def test_bad_feed_lists_the_bad_pages(server: DemoServer, client: httpx.Client) -> None:
    parsed = feedparser.parse(client.get(server.url("/bad/feed.xml")).content)
    paths = {httpx.URL(e.link).path for e in parsed.entries}
    assert paths == {p for p in BAD_PAGES if p.endswith((".html", "404", "500", "loop"))}


def test_server_stops_and_frees_the_port() -> None:
    srv = DemoServer(slow_seconds=30).start()
    url = srv.url("/harbour-herald/feed.xml")
    assert httpx.get(url).status_code == 200
    srv.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, timeout=2)
    with pytest.raises(RuntimeError):
        _ = srv.base_url
