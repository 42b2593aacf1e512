"""parse_feed(): RSS 2.0, RSS 1.0, Atom, broken feeds and HTML served as a feed."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from newsloom.ingest.feeds import FeedError, parse_feed

FEED_URL = "https://gazette.example/feeds/news.xml"

RSS2 = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>The Gazette</title><link>https://gazette.example/</link><description>News</description>
  <item>
    <title>Harbour Bridge to close to cars</title>
    <link>https://gazette.example/news/harbour-bridge?utm_source=rss</link>
    <description>&lt;p&gt;The council voted &lt;b&gt;7-2&lt;/b&gt; on Tuesday.</description>
    <pubDate>Tue, 04 Mar 2025 09:30:00 +0100</pubDate>
    <source url="https://apnews.example/feed">The Associated Press</source>
    <dc:creator>Jane Holloway</dc:creator>
  </item>
  <item>
    <title>Relative link item</title>
    <link>/news/ferry-timetable</link>
    <pubDate>Wed, 05 Mar 2025 10:00:00 GMT</pubDate>
  </item>
  <item>
    <title>An item with no link at all</title>
    <description>Should be skipped.</description>
  </item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Nordbrück Zeitung</title>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <updated>2025-03-04T08:00:00Z</updated>
  <entry>
    <title>Hafenbrücke wird für Autos gesperrt</title>
    <link rel="alternate" href="https://zeitung.example/artikel/hafenbruecke"/>
    <link rel="enclosure" href="https://zeitung.example/foto.jpg"/>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <published>2025-03-04T07:45:00+01:00</published>
    <updated>2025-03-04T09:00:00+01:00</updated>
    <author><name>Anna Schmidt</name></author>
    <summary type="html">Der Stadtrat hat &lt;em&gt;entschieden&lt;/em&gt;.</summary>
  </entry>
</feed>""".encode()

RSS1 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://old.example/">
    <title>Old Wire</title><link>https://old.example/</link><description>d</description>
    <items><rdf:Seq><rdf:li resource="https://old.example/a1"/></rdf:Seq></items>
  </channel>
  <item rdf:about="https://old.example/a1">
    <title>Storm hits the coast</title>
    <link>https://old.example/a1</link>
    <dc:date>2025-02-01T06:00:00Z</dc:date>
    <dc:creator>Reuters</dc:creator>
  </item>
</rdf:RDF>"""


def test_rss2() -> None:
    items = parse_feed(RSS2, FEED_URL)
    assert [i.url for i in items] == [
        "https://gazette.example/news/harbour-bridge?utm_source=rss",
        "https://gazette.example/news/ferry-timetable",  # resolved against the feed URL
    ]
    first = items[0]
    assert first.title == "Harbour Bridge to close to cars"
    assert first.published == datetime(2025, 3, 4, 8, 30, tzinfo=UTC)
    assert first.published.tzinfo is not None
    assert first.summary == "The council voted 7-2 on Tuesday."  # tags stripped
    assert first.source == "The Associated Press"
    assert first.author == "Jane Holloway"
    assert items[1].source is None and items[1].author is None


def test_rss2_skips_items_without_link(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="newsloom.ingest.feeds"):
        items = parse_feed(RSS2, FEED_URL)
    assert len(items) == 2
    assert "without a link" in caplog.text


def test_atom() -> None:
    (item,) = parse_feed(ATOM, "https://zeitung.example/atom")
    assert item.url == "https://zeitung.example/artikel/hafenbruecke"  # alternate, not enclosure
    assert item.title == "Hafenbrücke wird für Autos gesperrt"
    assert item.published == datetime(2025, 3, 4, 6, 45, tzinfo=UTC)  # published, not updated
    assert item.author == "Anna Schmidt"
    assert item.summary == "Der Stadtrat hat entschieden."


def test_rss1() -> None:
    (item,) = parse_feed(RSS1, "https://old.example/rss")
    assert item.url == "https://old.example/a1"
    assert item.published == datetime(2025, 2, 1, 6, 0, tzinfo=UTC)
    assert item.author == "Reuters"


def test_empty_valid_feed_gives_no_items() -> None:
    empty = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
    assert parse_feed(empty, FEED_URL) == []


def test_malformed_xml_without_entries_raises() -> None:
    broken = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</titl'
    with pytest.raises(FeedError, match="is not a valid feed"):
        parse_feed(broken, FEED_URL)


def test_malformed_xml_with_recoverable_entries_warns(caplog: pytest.LogCaptureFixture) -> None:
    # An unescaped "&" makes the XML ill-formed; feedparser's lenient parser still recovers.
    broken = RSS2.replace(b"<title>Relative link item</title>", b"<title>Q&A item</title>")
    with caplog.at_level(logging.WARNING, logger="newsloom.ingest.feeds"):
        items = parse_feed(broken, FEED_URL)
    assert len(items) == 2
    assert items[1].title is not None and items[1].title.startswith("Q&A")
    assert "malformed" in caplog.text


def test_html_page_served_as_feed() -> None:
    page = b"""<!DOCTYPE html><html><head><title>The Gazette</title>
    <link rel="alternate" type="application/rss+xml" href="/rss/all.xml"></head>
    <body><p>Welcome</p></body></html>"""
    with pytest.raises(FeedError, match="it looks like an HTML page") as err:
        parse_feed(page, FEED_URL)
    assert FEED_URL in str(err.value)
    assert "https://gazette.example/rss/all.xml" in str(err.value)  # the hint to the real feed


def test_xml_that_is_not_a_feed() -> None:
    with pytest.raises(FeedError, match="not a feed"):
        parse_feed(b'<?xml version="1.0"?><config><a>1</a></config>', FEED_URL)


def test_empty_response() -> None:
    with pytest.raises(FeedError, match="the response is empty"):
        parse_feed(b"  \n", FEED_URL)


def test_xml_error_message_names_the_line() -> None:
    with pytest.raises(FeedError, match=r"XML error at line 3"):
        parse_feed(b'<?xml version="1.0"?>\n<rss version="2.0">\n<channel><</rss>', FEED_URL)
