"""Fetcher against a real HTTP server on 127.0.0.1: statuses, conditional GET, limits."""

from __future__ import annotations

import contextlib
import gzip
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from newsloom.extract import extract
from newsloom.ingest.fetch import Fetcher, FetchError
from newsloom.model import Article

ETAG = '"v1-abc"'
LAST_MODIFIED = "Tue, 04 Mar 2025 08:00:00 GMT"
PAGE = b"<html><body><p>hello</p></body></html>"
BIG = b"x" * 300_000
LATIN1_PAGE = (
    "<html><head><title>Neue Brücke</title></head><body><article>"
    + "".join(
        f"<p>Die Bürgermeisterin von Nordbrück erklärte am Dienstag, dass die Brücke Nummer {i} "
        "für Autos gesperrt wird, weil die Sanierung zu teuer wäre und niemand sie zahlen will.</p>"
        for i in range(6)
    )
    + "</article></body></html>"
).encode("latin-1")


class Handler(BaseHTTPRequestHandler):
    """Routes for every case; each path is one behaviour."""

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        # The client may give up first (timeout, size cap): that is the test, not an error.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.send_response(status)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            if "Content-Length" not in (headers or {}):
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path
        if path == "/ok":
            self._send(
                200,
                PAGE,
                {
                    "Content-Type": "text/html; charset=utf-8",
                    "ETag": ETAG,
                    "Last-Modified": LAST_MODIFIED,
                },
            )
        elif path == "/cond":
            if self.headers.get("If-None-Match") == ETAG:
                self._send(304, headers={"ETag": ETAG})
            else:
                self._send(200, PAGE, {"Content-Type": "text/html", "ETag": ETAG})
        elif path == "/ua":
            self._send(
                200, self.headers.get("User-Agent", "").encode(), {"Content-Type": "text/plain"}
            )
        elif path == "/missing":
            self._send(404, b"not here")
        elif path == "/broken":
            self._send(500, b"oops")
        elif path == "/slow":
            time.sleep(1.5)
            self._send(200, PAGE)
        elif path == "/big-declared":
            self._send(200, BIG, {"Content-Type": "text/html"})
        elif path == "/big-chunked":
            # No Content-Length: the cap must stop the download while streaming.
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Connection", "close")
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                for _ in range(100):
                    self.wfile.write(b"y" * 10_000)
                    self.wfile.flush()
        elif path == "/gzip":
            body = gzip.compress(PAGE)
            self._send(200, body, {"Content-Type": "text/html", "Content-Encoding": "gzip"})
        elif path == "/loop-a":
            self._send(302, headers={"Location": "/loop-b"})
        elif path == "/loop-b":
            self._send(302, headers={"Location": "/loop-a"})
        elif path == "/redirect":
            self._send(301, headers={"Location": "/ok"})
        elif path == "/latin1":
            self._send(200, LATIN1_PAGE, {"Content-Type": "text/html; charset=ISO-8859-1"})
        else:
            self._send(404)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture()
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(timeout=0.5, max_bytes=100_000, trust_env=False) as f:
        yield f


def test_200(server: str, fetcher: Fetcher) -> None:
    res = fetcher.get(f"{server}/ok")
    assert res.status == 200 and not res.not_modified
    assert res.content == PAGE
    assert res.content_type == "text/html"
    assert res.encoding == "utf-8"
    assert res.etag == ETAG and res.last_modified == LAST_MODIFIED


def test_user_agent_sent(server: str) -> None:
    with Fetcher(user_agent="test-agent/1.0", trust_env=False) as f:
        assert f.get(f"{server}/ua").content == b"test-agent/1.0"


def test_conditional_get_304(server: str, fetcher: Fetcher) -> None:
    first = fetcher.get(f"{server}/cond")
    assert first.status == 200 and first.etag == ETAG
    again = fetcher.get(f"{server}/cond", etag=first.etag)
    assert again.status == 304 and again.not_modified
    assert again.content == b""
    assert again.etag == ETAG


@pytest.mark.parametrize(("path", "reason"), [("/missing", "HTTP 404"), ("/broken", "HTTP 500")])
def test_http_errors(server: str, fetcher: Fetcher, path: str, reason: str) -> None:
    with pytest.raises(FetchError) as err:
        fetcher.get(f"{server}{path}")
    assert err.value.reason == reason
    assert err.value.url == f"{server}{path}"


def test_timeout(server: str, fetcher: Fetcher) -> None:
    with pytest.raises(FetchError) as err:
        fetcher.get(f"{server}/slow")
    assert err.value.reason == "timed out after 0.5 s"


@pytest.mark.parametrize("path", ["/big-declared", "/big-chunked"])
def test_size_cap(server: str, fetcher: Fetcher, path: str) -> None:
    with pytest.raises(FetchError) as err:
        fetcher.get(f"{server}{path}")
    assert err.value.reason == "page larger than 0.1 MB cap"


def test_gzip_is_decoded(server: str, fetcher: Fetcher) -> None:
    assert fetcher.get(f"{server}/gzip").content == PAGE


def test_redirect_followed_and_final_url(server: str, fetcher: Fetcher) -> None:
    res = fetcher.get(f"{server}/redirect")
    assert res.url == f"{server}/ok"
    assert res.content == PAGE


def test_redirect_loop(server: str, fetcher: Fetcher) -> None:
    with pytest.raises(FetchError) as err:
        fetcher.get(f"{server}/loop-a")
    assert err.value.reason == "too many redirects (max 5)"


def test_only_http(fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match="only http and https"):
        fetcher.get("file:///etc/passwd")


def test_connection_refused(fetcher: Fetcher) -> None:
    with socket.socket() as s:  # a port that was free a moment ago and has no listener
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(FetchError) as err:
        fetcher.get(f"http://127.0.0.1:{port}/")
    assert err.value.reason == "connection refused"


def test_non_utf8_page_decoded_right(server: str, fetcher: Fetcher) -> None:
    res = fetcher.get(f"{server}/latin1")
    assert res.encoding is not None and res.encoding.lower() == "iso-8859-1"
    art = extract(
        res.content,
        res.url,
        "local",
        datetime(2025, 3, 4, tzinfo=UTC),
        encoding=res.encoding,
        content_type=res.content_type,
        min_words=20,
    )
    assert isinstance(art, Article), art
    assert "Die Bürgermeisterin von Nordbrück erklärte" in art.text
    assert "\ufffd" not in art.text
    assert art.language == "de"
