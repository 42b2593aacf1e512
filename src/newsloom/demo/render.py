"""Render demo articles as real-looking web pages and outlets' feeds (pure functions).

Why real-looking: the extractor must find the article body among what real sites wrap around it
-- navigation, a cookie banner, ads, "related stories", reader comments, a footer -- and the
ingester must read RSS 2.0, Atom and RSS 1.0 feeds whose links carry tracking parameters while
the page's ``<link rel="canonical">`` does not. Every URL is absolute, built from ``base_url``.
Everything printed is escaped. Inputs are the dicts of :mod:`newsloom.demo`.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from email.utils import format_datetime
from html import escape
from typing import Any

Item = Mapping[str, Any]

_LABELS = {
    "en": {
        "home": "Home",
        "sections": ("News", "Business", "Weather", "Sport", "Opinion"),
        "cookies": "We use cookies to improve your experience and to show you relevant "
        "advertising. By continuing you agree to our cookie policy.",
        "accept": "Accept all",
        "ad": "Advertisement",
        "related": "Related stories",
        "comments": "Reader comments",
        "by": "By",
        "subscribe": "Subscribe",
        "rights": "All rights reserved.",
    },
    "de": {
        "home": "Startseite",
        "sections": ("Nachrichten", "Wirtschaft", "Wetter", "Sport", "Meinung"),
        "cookies": "Wir verwenden Cookies, um Ihnen ein besseres Angebot und passende Werbung "
        "zu zeigen. Mit der weiteren Nutzung stimmen Sie unserer Cookie-Richtlinie zu.",
        "accept": "Alle akzeptieren",
        "ad": "Anzeige",
        "related": "Weitere Artikel",
        "comments": "Leserkommentare",
        "by": "Von",
        "subscribe": "Abonnieren",
        "rights": "Alle Rechte vorbehalten.",
    },
}

_SPONSORS = (
    "Harbourside Kitchens: fitted kitchens at 20% off this month",
    "Eastmarch Savings Bank: fixed-rate savings for the whole family",
    "Sable Point Holiday Cottages: book your spring break now",
    "Ostervale Motors: test drive the new estate range",
)

_COMMENTS = (
    ("dockside_dave", "Been saying this for years and nobody listens. Same story every time."),
    ("MarisolK", "Thoughts with everyone affected. Well done to the crews."),
    ("quietreader", "Does anyone know if the number 12 bus is still running?"),
    ("T. Abernathy", "Another excellent piece. This is why I pay for local news."),
    ("seagull_watcher", "First!"),
    ("Ruth in Northgate", "Can we please get a proper explanation from the council this time?"),
    ("harbourlad84", "My cousin works down there, he says it was worse than they are saying."),
    ("P. Oyelaran", "Comments like the one above are why I stopped reading these threads."),
)


def _labels(lang: str | None) -> dict[str, Any]:
    return _LABELS.get(lang or "en", _LABELS["en"])


def _pick(seq: Sequence[Any], key: str, k: int) -> list[Any]:
    """A deterministic choice of ``k`` items, different per key (stable across runs)."""
    start = zlib.crc32(key.encode("utf-8"))
    return [seq[(start + i * 3) % len(seq)] for i in range(k)]


def site_url(base_url: str, outlet_slug: str) -> str:
    """The outlet's home page."""
    return f"{base_url.rstrip('/')}/{outlet_slug}/"


def feed_url(base_url: str, outlet_slug: str) -> str:
    """The outlet's feed."""
    return f"{base_url.rstrip('/')}/{outlet_slug}/feed.xml"


def article_url(base_url: str, outlet: Item, slug: str, *, tracking: bool = False) -> str:
    """The page's canonical URL, or with ``tracking`` (and an outlet that tags its feed links)
    the same URL with the ``utm_*`` parameters a feed adds."""
    url = f"{base_url.rstrip('/')}/{outlet['slug']}/{slug}.html"
    if tracking and outlet.get("tracking"):
        url += f"?utm_source=rss&utm_medium=feed&utm_campaign={outlet['slug']}"
    return url


def parse_time(value: str) -> datetime:
    """An ISO 8601 time from the corpus."""
    return datetime.fromisoformat(value)


def last_modified(item: Item) -> datetime:
    """When a page last changed: its ``updated`` time, else its ``published`` time."""
    return parse_time(item.get("updated") or item["published"])


def _human_date(value: str, lang: str | None) -> str:
    t = parse_time(value)
    if lang == "de":
        return f"{t.day}.{t.month:02d}.{t.year}, {t:%H:%M} Uhr"
    return f"{t.day} {t:%B %Y}, {t:%H:%M}"


def _page(
    outlet: Item,
    base_url: str,
    *,
    lang: str,
    title: str,
    head: str,
    main: str,
    aside: str = "",
) -> str:
    """The site chrome every page of an outlet shares, around ``main``."""
    lab = _labels(lang)
    home = escape(site_url(base_url, outlet["slug"]))
    name = escape(outlet["name"])
    nav = "\n".join(
        f'      <li><a href="{home}#{escape(s.lower())}">{escape(s)}</a></li>'
        for s in lab["sections"]
    )
    sponsor = _pick(_SPONSORS, title, 1)[0]
    return f"""<!DOCTYPE html>
<html lang="{escape(lang)}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{escape(title)} | {name}</title>
{head}
  <link rel="alternate" type="application/rss+xml" title="{name}"
        href="{escape(feed_url(base_url, outlet["slug"]))}">
  <style>body{{font-family:Georgia,serif;max-width:60rem;margin:auto}}.ad{{background:#eee}}</style>
</head>
<body>
  <div class="cookie-banner" id="cookie-consent" role="dialog">
    <p>{escape(lab["cookies"])}</p>
    <button type="button">{escape(lab["accept"])}</button>
  </div>
  <header class="site-header">
    <a class="logo" href="{home}">{name}</a>
    <p class="tagline">{escape(outlet.get("tagline", ""))}</p>
    <nav class="site-nav" aria-label="Sections">
    <ul>
      <li><a href="{home}">{escape(lab["home"])}</a></li>
{nav}
    </ul>
    </nav>
    <a class="subscribe" href="{home}#subscribe">{escape(lab["subscribe"])}</a>
  </header>
  <div class="ad ad-leaderboard" aria-label="{escape(lab["ad"])}">
    <span class="ad-label">{escape(lab["ad"])}</span>
    <a href="{home}#ad" rel="sponsored">{escape(sponsor)}</a>
  </div>
  <main id="content">
{main}
  </main>
{aside}
  <footer class="site-footer">
    <p>&copy; 2026 {name}. {escape(lab["rights"])}</p>
    <ul class="footer-links">
      <li><a href="{home}#about">About us</a></li>
      <li><a href="{home}#contact">Contact</a></li>
      <li><a href="{home}#privacy">Privacy</a></li>
      <li><a href="{escape(feed_url(base_url, outlet["slug"]))}">RSS</a></li>
    </ul>
  </footer>
</body>
</html>
"""


def render_article(article: Item, outlet: Item, base_url: str, related: Iterable[Item] = ()) -> str:
    """An article page: meta tags, chrome, ``<article><h1>`` body with an inline ad, related
    stories (links to ``related`` articles of the same outlet) and reader comments."""
    lang = article.get("lang") or outlet.get("language") or "en"
    lab = _labels(lang)
    canonical = article_url(base_url, outlet, article["slug"])
    paras = [f"      <p>{escape(p)}</p>" for p in article["paragraphs"]]
    inline_ad = (
        f'      <div class="ad ad-inline"><span class="ad-label">{escape(lab["ad"])}</span> '
        f"{escape(_pick(_SPONSORS, article['slug'], 1)[0])}</div>"
    )
    if len(paras) > 3:
        paras.insert(3, inline_ad)
    description = _summary(article)
    head = [
        f'  <link rel="canonical" href="{escape(canonical)}">',
        f'  <meta name="description" content="{escape(description)}">',
        f'  <meta property="og:title" content="{escape(article["title"])}">',
        '  <meta property="og:type" content="article">',
        f'  <meta property="og:url" content="{escape(canonical)}">',
        f'  <meta property="og:site_name" content="{escape(outlet["name"])}">',
        f'  <meta property="article:published_time" content="{escape(article["published"])}">',
    ]
    if article.get("updated"):
        head.append(
            f'  <meta property="article:modified_time" content="{escape(article["updated"])}">'
        )
    byline = ""
    if article.get("author"):
        head.append(f'  <meta name="author" content="{escape(article["author"])}">')
        byline = (
            f'      <p class="byline">{escape(lab["by"])} '
            f'<span class="author">{escape(article["author"])}</span></p>\n'
        )
    links = "\n".join(
        f'      <li><a href="{escape(article_url(base_url, outlet, r["slug"]))}">'
        f"{escape(r['title'])}</a></li>"
        for r in related
    )
    comments = "\n".join(
        f'      <li class="comment"><span class="comment-author">{escape(who)}</span>'
        f"<p>{escape(text)}</p></li>"
        for who, text in _pick(_COMMENTS, article["slug"], 3)
    )
    when = escape(_human_date(article["published"], lang))
    main = f"""    <article class="story">
      <h1>{escape(article["title"])}</h1>
{byline}      <time datetime="{escape(article["published"])}">{when}</time>
{chr(10).join(paras)}
    </article>
    <section class="related" aria-label="{escape(lab["related"])}">
      <h2>{escape(lab["related"])}</h2>
      <ul>
{links}
      </ul>
    </section>
    <section class="comments" id="comments">
      <h2>{escape(lab["comments"])}</h2>
      <ol>
{comments}
      </ol>
    </section>"""
    aside = f"""  <aside class="sidebar">
    <div class="ad ad-sidebar"><span class="ad-label">{escape(lab["ad"])}</span>
      {escape(_pick(_SPONSORS, outlet["slug"], 1)[0])}</div>
  </aside>"""
    return _page(
        outlet,
        base_url,
        lang=lang,
        title=article["title"],
        head="\n".join(head),
        main=main,
        aside=aside,
    )


def render_plain(page: Item, outlet: Item, base_url: str) -> str:
    """A page that is not an article (about us, subscribe): chrome and a few short lines."""
    lang = page.get("lang") or outlet.get("language") or "en"
    canonical = article_url(base_url, outlet, page["slug"])
    body = "\n".join(f"    <p>{escape(p)}</p>" for p in page["paragraphs"])
    main = f'    <div class="page">\n    <h1>{escape(page["title"])}</h1>\n{body}\n    </div>'
    head = f'  <link rel="canonical" href="{escape(canonical)}">'
    return _page(outlet, base_url, lang=lang, title=page["title"], head=head, main=main)


def render_index(outlet: Item, items: Iterable[Item], base_url: str) -> str:
    """The outlet's home page: a list of links to its articles."""
    lang = outlet.get("language") or "en"
    links = "\n".join(
        f'      <li><a href="{escape(article_url(base_url, outlet, a["slug"]))}">'
        f"{escape(a['title'])}</a></li>"
        for a in items
    )
    main = f'    <h1>{escape(outlet["name"])}</h1>\n    <ul class="latest">\n{links}\n    </ul>'
    head = f'  <link rel="canonical" href="{escape(site_url(base_url, outlet["slug"]))}">'
    return _page(outlet, base_url, lang=lang, title=outlet["name"], head=head, main=main)


def _summary(item: Item) -> str:
    """The first paragraph (a feed's description, a page's meta description), else the title."""
    return item["paragraphs"][0] if item["paragraphs"] else item["title"]


def _rss2(outlet: Item, items: Sequence[Item], base_url: str) -> str:
    entries = []
    for it in items:
        link = article_url(base_url, outlet, it["slug"], tracking=True)
        parts = [
            f"      <title>{escape(it['title'])}</title>",
            f"      <link>{escape(link)}</link>",
            f'      <guid isPermaLink="true">'
            f"{escape(article_url(base_url, outlet, it['slug']))}</guid>",
            f"      <pubDate>{format_datetime(parse_time(it['published']))}</pubDate>",
            f"      <description>{escape(_summary(it))}</description>",
        ]
        if it.get("author"):
            parts.append(f"      <dc:creator>{escape(it['author'])}</dc:creator>")
        if it.get("source"):
            parts.append(
                f'      <source url="{escape(it.get("source_url") or "")}">'
                f"{escape(it['source'])}</source>"
            )
        entries.append("    <item>\n" + "\n".join(parts) + "\n    </item>")
    built = max((last_modified(i) for i in items), default=None)
    build = f"    <lastBuildDate>{format_datetime(built)}</lastBuildDate>\n" if built else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>{escape(outlet["name"])}</title>
    <link>{escape(site_url(base_url, outlet["slug"]))}</link>
    <description>{escape(outlet.get("tagline", outlet["name"]))}</description>
    <language>{escape(outlet.get("language") or "en")}</language>
    <atom:link href="{escape(feed_url(base_url, outlet["slug"]))}" rel="self"
               type="application/rss+xml"/>
{build}{chr(10).join(entries)}
  </channel>
</rss>
"""


def _atom(outlet: Item, items: Sequence[Item], base_url: str) -> str:
    entries = []
    for it in items:
        link = article_url(base_url, outlet, it["slug"], tracking=True)
        author = ""
        if it.get("author"):
            author = f"\n    <author><name>{escape(it['author'])}</name></author>"
        entries.append(
            f"""  <entry>
    <title>{escape(it["title"])}</title>
    <id>{escape(article_url(base_url, outlet, it["slug"]))}</id>
    <link rel="alternate" type="text/html" href="{escape(link)}"/>
    <published>{escape(it["published"])}</published>
    <updated>{escape(it.get("updated") or it["published"])}</updated>{author}
    <summary>{escape(_summary(it))}</summary>
  </entry>"""
        )
    updated = max((last_modified(i) for i in items), default=parse_time("2026-03-01T00:00:00Z"))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{escape(outlet.get("language") or "en")}">
  <title>{escape(outlet["name"])}</title>
  <subtitle>{escape(outlet.get("tagline", ""))}</subtitle>
  <id>{escape(site_url(base_url, outlet["slug"]))}</id>
  <link rel="alternate" type="text/html" href="{escape(site_url(base_url, outlet["slug"]))}"/>
  <link rel="self" type="application/atom+xml" href="{escape(feed_url(base_url, outlet["slug"]))}"/>
  <updated>{updated.isoformat()}</updated>
{chr(10).join(entries)}
</feed>
"""


def _rss1(outlet: Item, items: Sequence[Item], base_url: str) -> str:
    links = [article_url(base_url, outlet, it["slug"], tracking=True) for it in items]
    seq = "\n".join(f'        <rdf:li rdf:resource="{escape(u)}"/>' for u in links)
    entries = []
    for it, link in zip(items, links, strict=True):
        creator = ""
        if it.get("author"):
            creator = f"\n    <dc:creator>{escape(it['author'])}</dc:creator>"
        entries.append(
            f"""  <item rdf:about="{escape(link)}">
    <title>{escape(it["title"])}</title>
    <link>{escape(link)}</link>
    <description>{escape(_summary(it))}</description>
    <dc:date>{escape(it["published"])}</dc:date>{creator}
  </item>"""
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="{escape(feed_url(base_url, outlet["slug"]))}">
    <title>{escape(outlet["name"])}</title>
    <link>{escape(site_url(base_url, outlet["slug"]))}</link>
    <description>{escape(outlet.get("tagline", outlet["name"]))}</description>
    <dc:language>{escape(outlet.get("language") or "en")}</dc:language>
    <items>
      <rdf:Seq>
{seq}
      </rdf:Seq>
    </items>
  </channel>
{chr(10).join(entries)}
</rdf:RDF>
"""


_FEEDS = {"rss2": _rss2, "atom": _atom, "rss1": _rss1}
FEED_TYPES = {
    "rss2": "application/rss+xml",
    "atom": "application/atom+xml",
    "rss1": "application/rdf+xml",
}


def render_feed(outlet: Item, items: Iterable[Item], base_url: str) -> str:
    """The outlet's feed in its configured kind (``rss2``, ``atom`` or ``rss1``), newest first.

    ``items`` are the outlet's articles and pages; links carry the outlet's tracking parameters
    (when it uses them), ids/guids are the canonical URLs, and an item with a ``source`` names the
    wire agency in an RSS ``<source url=...>`` element."""
    ordered = sorted(items, key=lambda i: parse_time(i["published"]), reverse=True)
    return _FEEDS[outlet["feed"]](outlet, ordered, base_url)
