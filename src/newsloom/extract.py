"""Turn a fetched page into an ``Article`` (or a ``Rejection`` saying why not).

trafilatura finds the main text and leaves out navigation, ads and reader comments; this module
adds what a news pipeline needs around it: robust decoding of whatever bytes a server sends,
the publication time from the page's own metadata, a same-site canonical URL, the language,
and the article fields every later stage relies on (content hash, truncation, wire agency).

Pure: takes bytes or text, returns model objects; no network, no files, no database.
"""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import trafilatura
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from newsloom.dedup import canonical_url, content_hash, detect_wire
from newsloom.model import Article, Rejection
from newsloom.text import is_complete, words

if TYPE_CHECKING:  # only the type: keeps extract importable without the ingest package
    from newsloom.ingest.feeds import FeedItem

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------------------------

_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]{2,40})""", re.I
)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]{0,100}encoding\s*=\s*["']([A-Za-z0-9_.-]{2,40})""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _codec(label: str | None) -> str | None:
    """Python codec for a charset label, or ``None`` if unknown. As browsers do (WHATWG),
    ``iso-8859-1`` and ``ascii`` labels mean windows-1252: servers that say latin-1 almost
    always send cp1252 (curly quotes in 0x80-0x9F)."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return "cp1252" if name in ("iso8859-1", "latin-1", "ascii") else name


def _strict(content: bytes, codec: str) -> str | None:
    try:
        return content.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _is_utf8_non_ascii(content: bytes) -> bool:
    if content.isascii():
        return False
    return _strict(content, "utf-8") is not None


def declared_encoding(content: bytes) -> str | None:
    """The charset a page declares for itself (``<meta charset>``, http-equiv or XML
    declaration), looked for in its first 4 KB as browsers do."""
    head = content[:4096]
    m = _META_CHARSET.search(head) or _XML_DECL.search(head)
    return m.group(1).decode("ascii") if m else None


def decode(content: bytes | str, encoding: str | None = None) -> str:
    """Decode page bytes; never raises.

    Order: a byte-order mark; the HTTP charset (``encoding``); the page's own declaration; UTF-8;
    cp1252; charset-normalizer's guess; cp1252 with replacement characters. Undeclared non-UTF-8
    pages in the languages newsloom reads (Western European) are nearly always cp1252, and
    charset-normalizer misreads short Western texts (as cp775, cp1006, ...), so it is consulted
    only for bytes that cp1252 cannot represent. A declaration is used only
    if the bytes actually decode with it, because declarations are often wrong. A cp1252/latin-1
    declaration loses to valid non-ASCII UTF-8, since mis-declared UTF-8 is far more common
    than cp1252 text that happens to form valid UTF-8 sequences.
    """
    if isinstance(content, str):
        return content
    for bom, codec in _BOMS:
        if content.startswith(bom):
            text = _strict(content, codec)
            if text is not None:
                return text
    for label in (encoding, declared_encoding(content)):
        codec = _codec(label)
        if codec is None:
            continue
        if codec == "cp1252" and _is_utf8_non_ascii(content):
            return content.decode("utf-8")
        text = _strict(content, codec)
        if text is not None:
            return text
    text = _strict(content, "utf-8") or _strict(content, "cp1252")
    if text is not None:
        return text
    try:  # bytes cp1252 leaves undefined: some other single- or multi-byte charset
        from charset_normalizer import from_bytes

        best = from_bytes(content).best()
        if best is not None:
            return str(best)
    except Exception:  # a guesser must never take a page down with it
        log.debug("charset-normalizer failed", exc_info=True)
    return content.decode("cp1252", errors="replace")


# --------------------------------------------------------------------------------------------
# Language
# --------------------------------------------------------------------------------------------

#: Frequent function words per language, chosen to overlap little between the languages.
STOPWORDS_BY_LANG: dict[str, frozenset[str]] = {
    lang: frozenset(ws.split())
    for lang, ws in {
        "en": "the and of to is was that with for this have has are were which from by but not "
        "they their would been said it its on at be he she will an or who",
        "de": "der die das und ist nicht ein eine mit sich auf dem den des auch es wird wurde "
        "von zu im für bei nach hat sind sie dass über aus einen einer noch wie werden",
        "fr": "le la les et est une des du dans pour pas qui sur au avec il elle ont sont été "
        "mais cette aux par plus ses leur ce son nous ne",
        "es": "el los las y del una por con para se su sus fue ha al como pero está más este "
        "esta también entre sobre según lo han",
        "it": "il lo gli della delle dei degli è che non per con sono nel nella alla anche più "
        "ma stato questo come dal sul ha una",
        "pt": "o os as da do das dos e é não um uma com para em no na que se foi mais pelo pela "
        "ao também são está seu sua",
        "nl": "de het een en van is niet dat op te met voor zijn die er ook aan bij naar werd "
        "wordt maar heeft nog over uit",
    }.items()
}
_LANG_MAX_WORDS = 2000


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language among en, de, fr, es, it, pt and nl, or ``None``.

    Rule: count, for each language, the tokens (of the first 2,000) that are among its frequent
    function words; the language with the highest count wins if it covers at least 10% of the
    tokens and at least 3 of them, and strictly beats the runner-up. Any running prose in these
    languages is 30-50% function words, so the rule is reliable beyond a sentence or two and
    abstains on lists, headlines-only pages and other languages instead of guessing.
    """
    toks = words(text)[:_LANG_MAX_WORDS]
    if not toks:
        return None
    scores = sorted(
        ((sum(t in sw for t in toks), lang) for lang, sw in STOPWORDS_BY_LANG.items()),
        reverse=True,
    )
    (best, lang), (second, _) = scores[0], scores[1]
    if best < 3 or best < 0.1 * len(toks) or best == second:
        return None
    return lang


def _lang_code(value: Any) -> str | None:
    """``"en-US"`` -> ``"en"``; anything that is not a two-letter code -> ``None``."""
    if not isinstance(value, str):
        return None
    code = re.split(r"[-_]", value.strip().lower(), maxsplit=1)[0]
    return code if len(code) == 2 and code.isalpha() else None


# --------------------------------------------------------------------------------------------
# Building an article (shared with ingest.files)
# --------------------------------------------------------------------------------------------


def is_truncated(text: str) -> bool:
    """True when the last sentence lacks end punctuation (an excerpt cut mid-sentence).

    Newlines always end a sentence (``text.split_sentences``), so the text's last sentence
    ends where its last non-blank line ends: checking that line with ``text.is_complete``
    gives the same answer as segmenting the whole text, without running the segmenter."""
    last = next((p for p in reversed(text.split("\n")) if p.strip()), "")
    return bool(last.strip()) and not is_complete(last)


def build_article(
    *,
    url: str,
    outlet: str,
    title: str | None,
    text: str,
    published_at: datetime | None,
    fetched_at: datetime,
    canonical: str | None = None,
    language: str | None = None,
    author: str | None = None,
    source: str | None = None,
) -> Article:
    """An ``Article`` with its derived fields filled the same way for every ingest path:
    canonical URL, content hash, language (detected when not given), wire agency, truncation."""
    return Article(
        url=url,
        canonical_url=canonical or canonical_url(url),
        outlet=outlet,
        title=title,
        text=text,
        published_at=published_at,
        fetched_at=fetched_at,
        language=language or detect_language(text),
        author=author,
        content_hash=content_hash(text),
        wire=_foreign_wire(detect_wire(text, source=source, author=author), outlet, url),
        truncated=is_truncated(text),
    )


def _foreign_wire(wire: str | None, outlet: str, url: str) -> str | None:
    """An agency's own site datelines its own copy ("(UPI)" on upi.com): that is not a copy of
    someone else's wire, so it is not labelled as wire copy."""
    if wire is None:
        return None
    squeeze = re.sub(r"[^a-z0-9]", "", wire.lower())
    host = (urlsplit(url).hostname or "").lower()
    own = re.sub(r"[^a-z0-9]", "", outlet.lower())
    if squeeze and (squeeze in re.sub(r"[^a-z0-9]", "", host) or squeeze == own):
        return None
    return wire


# --------------------------------------------------------------------------------------------
# Page metadata
# --------------------------------------------------------------------------------------------

_DATE_META = (
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publication_date",
    "dc.date.issued",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
)
_JSONLD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]{8,40})"')
_NOT_HTML = (
    ("%PDF", "a PDF document"),
    ("{", "JSON"),
    ("[", "JSON"),
    ("<rss", "an RSS feed"),
    ("<feed", "an Atom feed"),
    ("<rdf:RDF", "an RSS 1.0 feed"),
)
_HTML_MARK = re.compile(r"<(?:!doctype\s+html|html|head|body|p|div|article|main)[\s>/]", re.I)
_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "")
_SUFFIX_SLD = frozenset({"co", "com", "net", "org", "gov", "ac", "edu", "ne", "or", "go", "gv"})


def parse_datetime(value: str | None) -> datetime | None:
    """An aware UTC datetime from ISO 8601 or RFC 2822 text; a bare date is midnight UTC."""
    if not value:
        return None
    value = value.strip()
    dt: datetime | None = None
    try:
        dt = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        try:
            dt = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def _meta(tree: HtmlElement) -> dict[str, str]:
    """``<meta>`` property/name/itemprop -> content (first wins), keys lower-cased."""
    out: dict[str, str] = {}
    for el in tree.iter("meta"):
        key = el.get("property") or el.get("name") or el.get("itemprop")
        content = el.get("content")
        if key and content and content.strip():
            out.setdefault(key.strip().lower(), content.strip())
    return out


def _site(host: str) -> str:
    """The registrable part of a host, approximately: ``news.bbc.co.uk`` -> ``bbc.co.uk``."""
    labels = host.lower().rstrip(".").split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SUFFIX_SLD:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _canonical_link(tree: HtmlElement, url: str) -> str | None:
    """The page's ``<link rel=canonical>``, made absolute, if it stays on the same site and does
    not point at the home page (a common template bug) while the page itself is deeper."""
    for el in tree.iter("link"):
        rels = (el.get("rel") or "").lower().split()
        href = (el.get("href") or "").strip()
        if "canonical" not in rels or not href:
            continue
        absolute = urljoin(url, href)
        a, b = urlsplit(absolute), urlsplit(url)
        if a.scheme not in ("http", "https") or not a.hostname or not b.hostname:
            return None
        if _site(a.hostname) != _site(b.hostname):
            log.debug("ignoring cross-site canonical %s for %s", absolute, url)
            return None
        if a.path in ("", "/") and b.path not in ("", "/"):
            return None
        return canonical_url(absolute)
    return None


def _published(
    raw: str, meta: dict[str, str], traf_date: str | None, hint: FeedItem | None
) -> datetime | None:
    """Publication time: the page's own full timestamp, else trafilatura's date (a day) — made
    precise by the feed item's time when both name the same day — else the feed item's time."""
    for key in _DATE_META:
        dt = parse_datetime(meta.get(key))
        if dt is not None:
            return dt
    m = _JSONLD_DATE.search(raw)
    dt = parse_datetime(m.group(1)) if m else None
    if dt is not None:
        return dt
    hinted = hint.published if hint else None
    day = parse_datetime(traf_date)
    if day is None:
        return hinted
    if hinted is not None and hinted.date() == day.date():
        return hinted
    return day


def _not_html(text: str, content_type: str | None) -> str | None:
    """Why this is not an HTML page, or ``None`` if it looks like one."""
    if content_type is not None:
        mime = content_type.split(";", 1)[0].strip().lower()
        if mime not in _HTML_TYPES:
            return f"not an HTML page: content type {mime}"
    head = text[:2048].lstrip("\ufeff \t\r\n")
    if "\x00" in head:
        return "not an HTML page: binary content"
    for prefix, what in _NOT_HTML:
        if head.startswith(prefix) and not _HTML_MARK.search(head):
            return f"not an HTML page: it looks like {what}"
    if head.startswith("<?xml"):
        body = head.split("?>", 1)[-1].lstrip()
        for prefix, what in _NOT_HTML:
            if body.startswith(prefix):
                return f"not an HTML page: it looks like {what}"
    if not _HTML_MARK.search(text[:65536]):
        return "not an HTML page: no HTML markup"
    return None


def _clean_lines(text: str, title: str | None) -> str:
    """One paragraph a line, inner white space folded, empty lines dropped, and a first line
    that merely repeats the headline removed (trafilatura keeps the ``<h1>``)."""
    lines = [" ".join(line.split()) for line in text.split("\n")]
    lines = [line for line in lines if line]
    if lines and title and _same_title(lines[0], title):
        lines = lines[1:]
    return "\n".join(lines)


def _same_title(a: str, b: str) -> bool:
    return words(a) == words(b)


_TITLE_EDGE = " \t|\u2013\u2014-:\u00b7\u2022"


def _title(candidates: Iterable[str | None]) -> str | None:
    """The first usable headline: separators left by stripping a site name are trimmed, and a
    candidate of fewer than three words (a bare site name, "Home") is skipped."""
    for cand in candidates:
        clean = " ".join((cand or "").split()).strip(_TITLE_EDGE)
        if len(words(clean)) >= 3:
            return clean
    return None


def _first(values: Iterable[str | None]) -> str | None:
    for v in values:
        if v and v.strip():
            return " ".join(v.split())
    return None


# --------------------------------------------------------------------------------------------
# Extraction
# --------------------------------------------------------------------------------------------


def extract(
    content: bytes | str,
    url: str,
    outlet: str,
    fetched_at: datetime,
    encoding: str | None = None,
    hint: FeedItem | None = None,
    min_words: int = 80,
    content_type: str | None = None,
) -> Article | Rejection:
    """Extract the article of one page.

    ``encoding`` is the HTTP charset, ``hint`` the feed item that led here (its title, time,
    author and ``<source>`` fill gaps), ``content_type`` the HTTP media type when known. Returns
    a ``Rejection`` (also logged) for non-HTML content, pages without an extractable article
    and texts shorter than ``min_words`` words; never raises on bad input.
    """
    raw = decode(content, encoding)
    reason = _not_html(raw, content_type)
    if reason is not None:
        return _reject(url, reason)
    tree = load_html(raw)
    if tree is None:
        return _reject(url, "not an HTML page: could not parse it")
    meta = _meta(tree)
    html_lang = _lang_code(
        tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    )
    canonical = _canonical_link(tree, url)
    page_title = _first(tree.xpath("//title/text()"))  # type: ignore[arg-type]
    try:
        doc = trafilatura.bare_extraction(
            tree,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_links=False,
        )
    except Exception as exc:  # trafilatura raises assorted errors on odd pages
        log.debug("trafilatura failed on %s", url, exc_info=True)
        return _reject(url, f"no extractable article: extraction failed ({type(exc).__name__})")
    text = getattr(doc, "text", None) if doc is not None else None
    if not text or not text.strip():
        return _reject(url, "no extractable article: no main text found")
    title = _title([meta.get("og:title"), doc.title, hint.title if hint else None, page_title])
    text = _clean_lines(text, title)
    n = len(text.split())
    if n < min_words:
        return _reject(url, f"too short: {n} words < {min_words}")
    author = _first([doc.author, meta.get("author"), hint.author if hint else None])
    published = _published(raw, meta, doc.date, hint)
    language = html_lang or _lang_code(doc.language) or detect_language(text)
    return build_article(
        url=url,
        outlet=outlet,
        title=title,
        text=text,
        published_at=published,
        fetched_at=fetched_at,
        canonical=canonical,
        language=language,
        author=author,
        source=hint.source if hint else None,
    )


def _reject(url: str, reason: str) -> Rejection:
    log.info("rejected %s: %s", url, reason)
    return Rejection(url=url, reason=reason)


__all__ = [
    "build_article",
    "decode",
    "declared_encoding",
    "detect_language",
    "extract",
    "is_truncated",
    "parse_datetime",
]
