"""Polite, bounded HTTP GETs for feeds and pages (httpx).

Every limit a crawler needs against a hostile or broken server is enforced here and turned into
one exception with a plain reason: a timeout per network operation plus a total deadline, a
size cap checked *while* streaming (a 2 GB "article" is never downloaded), a redirect limit,
http/https only. Conditional GET (ETag / Last-Modified) lets a feed poll cost a 304 when
nothing changed.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import urlsplit

import httpx

log = logging.getLogger(__name__)

DEFAULT_USER_AGENT = "newsloom/0.1 (+https://github.com/newsloom/newsloom)"
_ACCEPT = (
    "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
    "application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.5"
)


@dataclass(slots=True)
class FetchResult:
    """A successful response (2xx, or 304 when ``not_modified``)."""

    url: str  # final URL after redirects
    status: int
    content: bytes
    content_type: str | None  # media type without parameters, lower case
    encoding: str | None  # from the HTTP header charset
    etag: str | None
    last_modified: str | None
    not_modified: bool


class FetchError(Exception):
    """A URL that could not be fetched; ``reason`` is short and plain ("HTTP 404")."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


def _mb(n: int) -> str:
    return f"{n / 1_000_000:g} MB"


def _connect_reason(exc: Exception) -> str:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ConnectionRefusedError) or "refused" in str(seen).lower():
            return "connection refused"
        if "name or service not known" in str(seen).lower() or "nodename" in str(seen).lower():
            return "host name not found"
        seen = seen.__cause__ or seen.__context__
    return f"could not connect ({exc})"


class Fetcher:
    """One pooled ``httpx.Client`` with newsloom's limits; use as a context manager.

    ``timeout`` bounds each network operation (connect, each read); ``total_timeout`` (default
    three times ``timeout``) bounds a whole download, so a server trickling bytes cannot hold a
    worker forever. ``trust_env`` honours proxy environment variables as httpx does.
    """

    def __init__(
        self,
        user_agent: str = DEFAULT_USER_AGENT,
        timeout: float = 10.0,
        max_bytes: int = 5_000_000,
        max_redirects: int = 5,
        total_timeout: float | None = None,
        trust_env: bool = True,
    ) -> None:
        self.timeout = timeout
        self.total_timeout = total_timeout if total_timeout is not None else 3 * timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self._client = httpx.Client(
            headers={"User-Agent": user_agent, "Accept": _ACCEPT},
            timeout=httpx.Timeout(timeout),
            follow_redirects=True,
            max_redirects=max_redirects,
            trust_env=trust_env,
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(
        self, url: str, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET ``url``; raise ``FetchError`` for anything but a 2xx or a 304.

        Pass the ``etag``/``last_modified`` of the previous result to make the request
        conditional; an unchanged resource comes back with ``not_modified=True`` and no body.
        """
        scheme = urlsplit(url).scheme.lower()
        if scheme not in ("http", "https"):
            raise FetchError(
                url, f"unsupported URL scheme {scheme or '(none)'!r}: only http and https"
            )
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            with self._client.stream("GET", url, headers=headers) as resp:
                result = self._read(url, resp)
        except FetchError:
            raise
        except httpx.TimeoutException as exc:
            raise FetchError(url, f"timed out after {self.timeout:g} s") from exc
        except httpx.TooManyRedirects as exc:
            raise FetchError(url, f"too many redirects (max {self.max_redirects})") from exc
        except httpx.ConnectError as exc:
            raise FetchError(url, _connect_reason(exc)) from exc
        except httpx.UnsupportedProtocol as exc:
            raise FetchError(url, "redirected to a URL that is not http or https") from exc
        except httpx.InvalidURL as exc:
            raise FetchError(url, f"invalid URL ({exc})") from exc
        except httpx.DecodingError as exc:
            raise FetchError(url, "could not decode the compressed response") from exc
        except httpx.HTTPError as exc:
            raise FetchError(url, f"network error ({type(exc).__name__}: {exc})") from exc
        if result.not_modified:  # servers may omit validators on a 304: keep the ones we sent
            result.etag = result.etag or etag
            result.last_modified = result.last_modified or last_modified
        return result

    def _read(self, url: str, resp: httpx.Response) -> FetchResult:
        final = str(resp.url)
        if resp.status_code == 304:
            return self._result(final, resp, b"", not_modified=True)
        if not 200 <= resp.status_code < 300:
            raise FetchError(url, f"HTTP {resp.status_code}")
        declared = resp.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(url, f"page larger than {_mb(self.max_bytes)} cap")
        deadline = time.monotonic() + self.total_timeout
        chunks: list[bytes] = []
        size = 0
        for chunk in resp.iter_bytes():  # decompressed: the cap also stops gzip bombs
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(url, f"page larger than {_mb(self.max_bytes)} cap")
            if time.monotonic() > deadline:
                raise FetchError(url, f"timed out after {self.total_timeout:g} s in total")
            chunks.append(chunk)
        log.debug("fetched %s (%d bytes, HTTP %d)", final, size, resp.status_code)
        return self._result(final, resp, b"".join(chunks), not_modified=False)

    @staticmethod
    def _result(url: str, resp: httpx.Response, content: bytes, not_modified: bool) -> FetchResult:
        ctype = resp.headers.get("content-type")
        return FetchResult(
            url=url,
            status=resp.status_code,
            content=content,
            content_type=ctype.split(";", 1)[0].strip().lower() if ctype else None,
            encoding=resp.charset_encoding,
            etag=resp.headers.get("etag"),
            last_modified=resp.headers.get("last-modified"),
            not_modified=not_modified,
        )
