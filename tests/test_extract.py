"""extract(): main text without boilerplate, metadata, decoding, language and rejections."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsloom.extract import decode, detect_language, extract, is_truncated
from newsloom.ingest.feeds import FeedItem
from newsloom.model import Article, Rejection

FETCHED = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)
URL = "https://www.gazette.example/news/2025/03/04/harbour-bridge?utm_source=rss"

EN_PARAS = [
    "The city council of Northbridge voted on Tuesday to close the old Harbour Bridge to cars "
    "from next spring, ending a decade of debate over the crumbling structure.",
    "Engineers told the council that the bridge, opened in 1931, could no longer carry heavy "
    "traffic safely and that repairs would cost about 48 million euros.",
    "Mayor Ellen Vasquez said the decision was painful but necessary. \u201cWe cannot ask people "
    "to drive over a bridge our own engineers do not trust,\u201d she said after the vote.",
    "Under the plan, buses and bicycles will still be allowed to use the bridge, while cars "
    "will be diverted to the newer Eastgate crossing two kilometres upstream.",
    "Shop owners near the bridge warned that the closure would hurt business. A group "
    "representing 120 traders said it would ask the regional court to review the decision.",
    "The council expects the first phase of the works to begin in April and to last about "
    "eighteen months, during which a temporary ferry will run at peak hours.",
]
DE_PARAS = [
    "Der Stadtrat von Nordbrück hat am Dienstag beschlossen, die alte Hafenbrücke ab dem "
    "nächsten Frühjahr für Autos zu sperren. Damit endet eine Debatte, die seit zehn Jahren "
    "über das marode Bauwerk geführt wird.",
    "Die Ingenieure erklärten dem Rat, dass die Brücke aus dem Jahr 1931 den schweren Verkehr "
    "nicht mehr sicher tragen könne und dass eine Sanierung etwa 48 Millionen Euro kosten würde.",
    "Die Bürgermeisterin sagte nach der Abstimmung, die Entscheidung sei schmerzhaft, aber "
    "notwendig. Busse und Fahrräder dürfen die Brücke auch weiterhin benutzen, während Autos "
    "über die neue Ostbrücke umgeleitet werden.",
    "Die Händler in der Nähe der Brücke warnten, dass die Sperrung ihrem Geschäft schaden "
    "werde. Eine Gruppe von 120 Geschäften will das Verwaltungsgericht anrufen.",
]

TITLE = "Northbridge council votes to close Harbour Bridge to cars"
NAV = "Weather forecast for the whole week ahead"
AD = "Subscribe today and save 50 percent on your first year of unlimited digital access"
COMMENT = "This is absolutely ridiculous, the council never listens to anybody who lives here"
RELATED = "Ferry timetable changes announced for the summer season"


def make_page(
    paras: list[str] = EN_PARAS,
    lang: str | None = "en",
    charset: str = "utf-8",
    title: str = TITLE,
    head: str | None = None,
) -> str:
    """A realistic news page: navigation, an ad, the article, related links, comments, footer."""
    body = "\n".join(f"<p>{p}</p>" for p in paras)
    lang_attr = f' lang="{lang}"' if lang else ""
    if head is None:
        head = (
            f'<meta property="og:title" content="{title}">\n'
            '<meta property="article:published_time" content="2025-03-04T09:30:00+01:00">\n'
            '<meta name="author" content="Jane Holloway">\n'
            '<link rel="canonical" href="/news/2025/03/04/harbour-bridge?utm_medium=x">\n'
        )
    return f"""<!DOCTYPE html>
<html{lang_attr}><head><meta charset="{charset}">
<title>{title} | The Gazette</title>
{head}</head><body>
<header><nav class="main-nav"><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>
<li><a href="/weather">{NAV}</a></li></ul></nav></header>
<div class="ad-banner" id="ad-top"><p>Advertisement: {AD}</p></div>
<main><article><h1>{title}</h1><p class="byline">By Jane Holloway</p>
{body}
</article>
<aside class="related"><h3>Related stories</h3><ul><li><a href="/a">{RELATED}</a></li></ul></aside>
<section id="comments" class="comments"><h3>Comments</h3>
<div class="comment"><p>Reader42 wrote: {COMMENT}.</p></div></section></main>
<footer><p>Copyright 2025 The Gazette. All rights reserved. Privacy policy.</p></footer>
</body></html>"""


def test_realistic_page_main_text_and_metadata() -> None:
    art = extract(make_page().encode("utf-8"), URL, "gazette.example", FETCHED)
    assert isinstance(art, Article), art
    for boiler in (NAV, AD, COMMENT, RELATED, "All rights reserved", "Home"):
        assert boiler not in art.text
    assert art.text.split("\n")[0] == EN_PARAS[0]  # the repeated <h1> headline is not text
    assert art.text.count("\n") == len(EN_PARAS) - 1  # one paragraph a line
    assert "\u201cWe cannot ask people" in art.text
    assert art.title == TITLE
    assert art.published_at == datetime(2025, 3, 4, 8, 30, tzinfo=UTC)
    assert art.canonical_url == "https://gazette.example/news/2025/03/04/harbour-bridge"
    assert art.language == "en"
    assert art.author == "Jane Holloway"
    assert art.fetched_at == FETCHED
    assert not art.truncated
    assert len(art.content_hash) == 40


def test_feed_hint_fills_missing_title_and_date() -> None:
    page = make_page(title="", head="")
    hint = FeedItem(
        url=URL,
        title="Harbour Bridge to close to cars",
        published=datetime(2025, 3, 4, 7, 15, tzinfo=UTC),
        summary=None,
        source="The Associated Press",
        author=None,
    )
    art = extract(page.encode(), URL, "gazette.example", FETCHED, hint=hint)
    assert isinstance(art, Article), art
    assert art.title == "Harbour Bridge to close to cars"
    assert art.published_at == hint.published
    assert art.wire == "Associated Press"
    # no <link rel=canonical>: the canonical URL is the cleaned fetch URL
    assert art.canonical_url == "https://gazette.example/news/2025/03/04/harbour-bridge"


def test_cross_site_canonical_ignored() -> None:
    head = '<link rel="canonical" href="https://aggregator.example/copy/123">'
    art = extract(make_page(head=head).encode(), URL, "gazette.example", FETCHED)
    assert isinstance(art, Article)
    assert art.canonical_url == "https://gazette.example/news/2025/03/04/harbour-bridge"


def test_too_short_page_rejected() -> None:
    page = make_page(paras=["Short notice: the bridge meeting is postponed to Friday."])
    rej = extract(page.encode(), URL, "gazette.example", FETCHED)
    assert isinstance(rej, Rejection)
    assert rej.reason.startswith("too short:") and rej.reason.endswith("< 80")
    assert rej.url == URL


@pytest.mark.parametrize(
    ("content", "ctype", "expect"),
    [
        (b"%PDF-1.7 binary stuff", None, "PDF"),
        (b'{"items": []}', "application/json", "application/json"),
        (b"<?xml version='1.0'?><rss version='2.0'><channel></channel></rss>", None, "RSS"),
        (b"just some plain words without any markup at all", None, "no HTML markup"),
    ],
)
def test_non_html_rejected(content: bytes, ctype: str | None, expect: str) -> None:
    rej = extract(content, URL, "gazette.example", FETCHED, content_type=ctype)
    assert isinstance(rej, Rejection)
    assert rej.reason.startswith("not an HTML page") and expect in rej.reason


def test_page_without_article_rejected() -> None:
    page = "<html><body><nav><a href='/'>Home</a></nav><div></div></body></html>"
    rej = extract(page, URL, "gazette.example", FETCHED)
    assert isinstance(rej, Rejection)
    assert "no extractable article" in rej.reason or "too short" in rej.reason


def test_latin1_page_without_http_charset() -> None:
    paras = [p.replace("Vasquez", "Müller-Lüdenscheid") for p in EN_PARAS]
    paras[0] += " Café owners — and the mayor’s critics — were not consulted."
    raw = make_page(paras=paras, charset="windows-1252").encode("cp1252")
    art = extract(raw, URL, "gazette.example", FETCHED)  # charset only in <meta>
    assert isinstance(art, Article), art
    assert "Müller-Lüdenscheid" in art.text
    assert "Café owners — and the mayor’s critics" in art.text


def test_wrong_http_charset_does_not_crash_or_garble() -> None:
    paras = [p.replace("Vasquez", "Ångström") for p in EN_PARAS]
    raw = make_page(paras=paras).encode("utf-8")
    art = extract(raw, URL, "gazette.example", FETCHED, encoding="iso-8859-1")
    assert isinstance(art, Article)
    assert "Ångström" in art.text  # valid UTF-8 beats a latin-1 label


def test_decode_fallbacks() -> None:
    assert decode("héllo".encode("cp1252")) == "héllo"  # not UTF-8: guessed, not crashed
    assert decode(b"\xef\xbb\xbfhi") == "hi"
    assert decode(b"x", encoding="no-such-charset") == "x"
    assert isinstance(decode(bytes(range(256))), str)


def test_german_page_labelled_de() -> None:
    page = make_page(paras=DE_PARAS, lang="de", title="Hafenbrücke wird für Autos gesperrt")
    art = extract(page.encode(), URL, "gazette.example", FETCHED)
    assert isinstance(art, Article), art
    assert art.language == "de"
    # without <html lang> the stop-word detector gets there too
    art2 = extract(make_page(paras=DE_PARAS, lang=None).encode(), URL, "g", FETCHED)
    assert isinstance(art2, Article) and art2.language == "de"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (" ".join(EN_PARAS), "en"),
        (" ".join(DE_PARAS), "de"),
        (
            "Le conseil municipal a voté mardi la fermeture du vieux pont aux voitures. "
            "Les commerçants sont inquiets et ils ont annoncé un recours dans les prochains jours.",
            "fr",
        ),
        (
            "El ayuntamiento votó el martes cerrar el viejo puente a los coches. Los comerciantes "
            "dicen que la decisión es un golpe para sus negocios y que la van a recurrir.",
            "es",
        ),
        (
            "Il consiglio comunale ha votato martedì la chiusura del vecchio ponte alle auto. "
            "Gli esercenti sono preoccupati e hanno annunciato un ricorso nei prossimi giorni.",
            "it",
        ),
        (
            "A câmara municipal votou na terça-feira o fecho da velha ponte aos carros. Os "
            "comerciantes dizem que a decisão é um golpe para os seus negócios e não vão aceitar.",
            "pt",
        ),
        (
            "De gemeenteraad heeft dinsdag besloten de oude brug voor auto's te sluiten. De "
            "winkeliers zijn niet blij en zeggen dat het besluit hun zaken schaadt.",
            "nl",
        ),
        ("1,200 4,500 Kyiv Lviv Odesa", None),
        ("", None),
    ],
)
def test_detect_language(text: str, lang: str | None) -> None:
    assert detect_language(text) == lang


def test_truncated_excerpt() -> None:
    assert is_truncated("First sentence is whole.\nThe second one is cut in the mid")
    assert not is_truncated("First sentence.\nSecond one ends well.")
    art = extract(
        make_page(paras=[*EN_PARAS, "The council will meet again in"]).encode(), URL, "g", FETCHED
    )
    assert isinstance(art, Article) and art.truncated


def test_agency_dateline_on_its_own_site_is_not_wire_copy() -> None:
    from datetime import UTC, datetime

    from newsloom.extract import build_article

    text = "WASHINGTON (UPI) — Lawmakers met on Tuesday to discuss the budget. They agreed."
    now = datetime(2026, 3, 3, tzinfo=UTC)
    common = {"title": "T", "text": text, "published_at": now, "fetched_at": now}
    own = build_article(url="https://www.upi.com/a/1", outlet="upi.com", **common)
    other = build_article(url="https://example.org/a/1", outlet="example.org", **common)
    assert own.wire is None
    assert other.wire == "UPI"
