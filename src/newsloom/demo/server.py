"""A local HTTP server for the demo corpus, plus deliberately broken endpoints.

Why: ingest must be tested over real HTTP (conditional GET, content types, charsets, timeouts,
size limits, redirects), and ``make demo`` needs outlets to fetch without any network. The server
binds 127.0.0.1 on a free port in a daemon thread; every response is rendered once at start.

Routes (``base_url`` is ``http://127.0.0.1:PORT``)::

    /<outlet>/                 the outlet's home page
    /<outlet>/feed.xml         its feed (RSS 2.0, Atom or RSS 1.0)
    /<outlet>/<slug>.html      an article or another page (query strings are ignored)
    /bad/feed.xml              an RSS feed linking to the bad pages below (not to /bad/slow)
    /bad/malformed.xml         broken XML served as RSS
    /bad/html-feed.xml         an HTML page where a feed should be (text/html)
    /bad/404, /bad/500         those status codes
    /bad/slow                  a small feed, after ``slow_seconds``
    /bad/latin1.html           windows-1252 bytes, charset only in the Content-Type header
    /bad/latin1-meta.html      windows-1252 bytes, charset only in a <meta> tag
    /bad/huge.html             a real article inside a page of ``huge_bytes`` (default 6 MB)
    /bad/empty.html            an article page whose <article> has a headline and no text
    /bad/redirect-loop         302 -> /bad/redirect-loop-2 -> 302 back, for ever

Every 200 response has ETag and Last-Modified and answers a matching conditional request with 304.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import signal
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from newsloom.demo import (
    articles,
    copies,
    events,
    feed_path,
    feeds,
    gold,
    outlets,
    pages,
    write_config,
)
from newsloom.demo.render import (
    FEED_TYPES,
    last_modified,
    render_article,
    render_feed,
    render_index,
    render_plain,
)

__all__ = [
    "BAD_PAGES",
    "LATIN1_MARKERS",
    "DemoServer",
    "copies",
    "events",
    "feeds",
    "gold",
    "main",
    "write_config",
]

logger = logging.getLogger(__name__)

HTML = "text/html; charset=utf-8"
_BAD_TIME = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
_BAD_OUTLET: dict[str, Any] = {
    "slug": "bad",
    "name": "The Misbehaving Mercury",
    "feed": "rss2",
    "language": "en",
    "tracking": False,
    "tagline": "Pages that break things",
}

#: Strings in ``/bad/latin1*.html`` that a correct decoder must return intact.
LATIN1_MARKERS = ("Zoë Fähnrich", "Café Möwe", "€12", "crème brûlée")
_LATIN1_PARAGRAPHS = [
    "The Café Möwe on Marine Parade reopened on Saturday after a winter of repairs, and its "
    "owner, Zoë Fähnrich, said the first customers were queuing before eight o’clock.",
    "“We lost half the kitchen to the damp, but not a single recipe,” Fähnrich said. The café "
    "is known for its crème brûlée and for a fish soup that costs €12 a bowl.",
    "The building, a former net loft from the 1890s, needed a new roof and new windows. The "
    "repairs cost about €84,000, of which the city’s heritage fund paid a third.",
    "Regulars said the café had been missed. “It is the only place on the front that is open "
    "at seven in the morning,” said René Østergaard, a retired harbour pilot.",
    "Fähnrich, who took over the café from her aunt in 2019, said she would keep the prices "
    "unchanged until the summer. The café is open every day except Monday.",
    "Next month she plans to add a small terrace facing the harbour – “weather permitting”, "
    "she added, with a glance at the sky.",
]

#: The URL paths of the bad endpoints, for tests that iterate over them.
BAD_PAGES = (
    "/bad/feed.xml",
    "/bad/malformed.xml",
    "/bad/html-feed.xml",
    "/bad/404",
    "/bad/500",
    "/bad/slow",
    "/bad/latin1.html",
    "/bad/latin1-meta.html",
    "/bad/huge.html",
    "/bad/empty.html",
    "/bad/redirect-loop",
)


@dataclass(slots=True)
class Resource:
    """One prepared response."""

    body: bytes
    content_type: str
    modified: datetime | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None

    def __post_init__(self) -> None:
        if self.status == 200 and self.etag is None:
            self.etag = '"' + hashlib.sha1(self.body).hexdigest()[:20] + '"'


def _html(text: str, modified: datetime | None = None) -> Resource:
    return Resource(text.encode("utf-8"), HTML, modified)


def _site(base_url: str) -> dict[str, Resource]:
    """Every outlet's home page, feed, article pages and other pages."""
    routes: dict[str, Resource] = {}
    all_articles = articles()
    all_pages = pages()
    for outlet in outlets():
        own = [a for a in all_articles if a["outlet"] == outlet["slug"]]
        own_pages = [p for p in all_pages if p["outlet"] == outlet["slug"]]
        items = own + own_pages
        newest = max((last_modified(i) for i in items), default=_BAD_TIME)
        for art in own:
            related = sorted(
                (a for a in own if a["slug"] != art["slug"]),
                key=lambda a, art=art: abs((last_modified(a) - last_modified(art)).total_seconds()),
            )[:3]
            routes[art["path"]] = _html(
                render_article(art, outlet, base_url, related), last_modified(art)
            )
        for page in own_pages:
            routes[page["path"]] = _html(render_plain(page, outlet, base_url), last_modified(page))
        routes[f"/{outlet['slug']}/"] = _html(render_index(outlet, own, base_url), newest)
        routes[feed_path(outlet["slug"])] = Resource(
            render_feed(outlet, items, base_url).encode("utf-8"),
            FEED_TYPES[outlet["feed"]] + "; charset=utf-8",
            newest,
        )
    return routes


def _latin1_article() -> dict[str, Any]:
    return {
        "slug": "latin1",
        "title": "Café Möwe reopens on Marine Parade after winter repairs",
        "published": "2026-03-01T12:00:00+00:00",
        "author": "Zoë Fähnrich",
        "lang": "en",
        "paragraphs": _LATIN1_PARAGRAPHS,
    }


def _huge_page(base_url: str, size: int) -> bytes:
    """A normal article whose comments section is padded until the page is ``size`` bytes."""
    page = render_article(_latin1_article() | {"slug": "huge"}, _BAD_OUTLET, base_url)
    filler = '      <li class="comment"><p>' + "So true. " * 100 + "</p></li>\n"
    cut = page.index("      </ol>")
    missing = max(0, size - len(page.encode("utf-8")))
    pad = filler * (missing // len(filler) + 1)
    return (page[:cut] + pad + page[cut:]).encode("utf-8")


def _bad(base_url: str, slow_feed: bytes, huge_bytes: int) -> dict[str, Resource]:
    """The misbehaving endpoints (see the module docstring)."""
    latin = render_article(_latin1_article(), _BAD_OUTLET, base_url)
    no_meta = latin.replace('  <meta charset="utf-8">\n', "")
    with_meta = latin.replace('<meta charset="utf-8">', '<meta charset="windows-1252">')
    empty = {
        "slug": "empty",
        "title": "Council meeting postponed",
        "published": "2026-03-01T12:00:00+00:00",
        "paragraphs": [],
    }
    listed = [
        {"slug": s, "title": t, "published": "2026-03-01T12:00:00+00:00", "paragraphs": [t]}
        for s, t in (
            ("latin1", "Café Möwe reopens (charset in the header)"),
            ("latin1-meta", "Café Möwe reopens (charset in a meta tag)"),
            ("empty", "Council meeting postponed"),
            ("huge", "A very long page"),
        )
    ]
    feed = render_feed(_BAD_OUTLET, listed, base_url)
    for path in ("404", "500", "redirect-loop"):  # links without .html
        feed = feed.replace(
            "  </channel>",
            f"    <item>\n      <title>{path}</title>\n      <link>{base_url}/bad/{path}</link>\n"
            "      <pubDate>Sun, 01 Mar 2026 12:00:00 +0000</pubDate>\n    </item>\n  </channel>",
        )
    return {
        "/bad/feed.xml": Resource(
            feed.encode("utf-8"), "application/rss+xml; charset=utf-8", _BAD_TIME
        ),
        "/bad/malformed.xml": Resource(
            b'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            b"<title>Broken & unescaped</title><item><title>Half an item</title>"
            b"<link>" + base_url.encode() + b"/bad/empty.html</link></channel>\n<item><titl",
            "application/rss+xml; charset=utf-8",
            _BAD_TIME,
        ),
        "/bad/html-feed.xml": _html(render_index(_BAD_OUTLET, listed, base_url), _BAD_TIME),
        "/bad/404": Resource(b"<h1>Not found</h1>", HTML, status=404),
        "/bad/500": Resource(b"<h1>Internal server error</h1>", HTML, status=500),
        "/bad/slow": Resource(slow_feed, "application/rss+xml; charset=utf-8", _BAD_TIME),
        "/bad/latin1.html": Resource(
            no_meta.encode("cp1252"), "text/html; charset=windows-1252", _BAD_TIME
        ),
        "/bad/latin1-meta.html": Resource(with_meta.encode("cp1252"), "text/html", _BAD_TIME),
        "/bad/huge.html": Resource(_huge_page(base_url, huge_bytes), HTML, _BAD_TIME),
        "/bad/empty.html": _html(render_article(empty, _BAD_OUTLET, base_url), _BAD_TIME),
        "/bad/redirect-loop": Resource(
            b"", HTML, status=302, headers={"Location": f"{base_url}/bad/redirect-loop-2"}
        ),
        "/bad/redirect-loop-2": Resource(
            b"", HTML, status=302, headers={"Location": "/bad/redirect-loop"}
        ),
    }


def _not_modified(res: Resource, headers: Any) -> bool:
    """RFC 9110: If-None-Match wins over If-Modified-Since."""
    inm = headers.get("If-None-Match")
    if inm is not None and res.etag:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or res.etag in tags
    ims = headers.get("If-Modified-Since")
    if ims and res.modified is not None:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return res.modified.replace(microsecond=0) <= since
    return False


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out without a 40 ms delayed-ACK stall

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._respond(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(body=False)

    def _respond(self, body: bool) -> None:
        demo = self.server.demo
        path = urlsplit(self.path).path
        demo.requests.append(path)
        res = demo.routes.get(path) or demo.routes["/bad/404"]
        if path == "/bad/slow" and demo.stopping.wait(demo.slow_seconds):
            return  # shutting down: drop the connection
        try:
            if res.status == 200 and _not_modified(res, self.headers):
                self.send_response(304)
                self._validators(res)
                self.end_headers()
                return
            self.send_response(res.status)
            self.send_header("Content-Type", res.content_type)
            self.send_header("Content-Length", str(len(res.body)))
            for name, value in res.headers.items():
                self.send_header(name, value)
            self._validators(res)
            self.end_headers()
            if body:
                self.wfile.write(res.body)
        except (BrokenPipeError, ConnectionResetError):
            logger.debug("client went away during %s", path)

    def _validators(self, res: Resource) -> None:
        if res.status != 200:
            return
        if res.etag:
            self.send_header("ETag", res.etag)
        if res.modified is not None:
            self.send_header("Last-Modified", format_datetime(res.modified.astimezone(UTC), True))

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - base signature
        logger.debug("%s %s", self.address_string(), format % args)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    demo: DemoServer


class DemoServer:
    """The demo outlets and the bad endpoints on ``127.0.0.1``, in a daemon thread.

    Use as a context manager (``with DemoServer() as srv: srv.base_url``) or call
    :meth:`start` and :meth:`stop`. ``requests`` records every requested path, in order.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        slow_seconds: float = 5.0,
        huge_bytes: int = 6_000_000,
    ) -> None:
        self.host = host
        self.port = port
        self.slow_seconds = slow_seconds
        self.huge_bytes = huge_bytes
        self.routes: dict[str, Resource] = {}
        self.requests: list[str] = []
        self.stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash); only valid once started."""
        if self._httpd is None:
            raise RuntimeError("DemoServer is not running")
        return f"http://{self.host}:{self._httpd.server_address[1]}"

    def url(self, path: str) -> str:
        """The absolute URL of a path on this server."""
        return self.base_url + path

    def start(self) -> DemoServer:
        """Bind, render every response for the bound address, and serve in a daemon thread."""
        self.stopping.clear()
        httpd = _HTTPServer((self.host, self.port), _Handler)
        httpd.demo = self
        self._httpd = httpd
        base = self.base_url
        slow_feed = render_feed(_BAD_OUTLET, [], base).encode("utf-8")
        self.routes = _site(base) | _bad(base, slow_feed, self.huge_bytes)
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            daemon=True,
            name="newsloom-demo-server",
        )
        self._thread.start()
        logger.info("demo server at %s (%d routes)", base, len(self.routes))
        return self

    def stop(self) -> None:
        """Stop serving and release the port (a pending /bad/slow is cut short)."""
        self.stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    """``python -m newsloom.demo.server``: serve until Ctrl-C, optionally writing a config."""
    parser = argparse.ArgumentParser(description="Serve the newsloom demo outlets locally.")
    parser.add_argument("--port", type=int, default=8765, help="port (0 picks a free one)")
    parser.add_argument("--config", type=Path, help="also write a newsloom.toml here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with DemoServer(port=args.port) as server:
        if args.config:
            write_config(args.config, server.base_url)
            logger.info("wrote %s", args.config)
        for feed in feeds():
            logger.info("  %-28s %s", feed["name"], server.url(feed["path"]))
        logger.info("serving at %s; press Ctrl-C to stop", server.base_url)
        done = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: done.set())  # `kill` stops as cleanly as Ctrl-C
        try:
            while not done.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        logger.info("stopped")


if __name__ == "__main__":
    main()
