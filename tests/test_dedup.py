"""Canonical URLs, content hashes, wire detection and the near-duplicate Deduplicator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from newsloom.dedup import Deduplicator, canonical_url, content_hash, detect_wire
from newsloom.model import Article

T0 = datetime(2025, 3, 4, 8, 0, tzinfo=UTC)

# An invented wire report and an independent report of the same invented event.
WIRE = (
    "NORTHBRIDGE (AP) \u2014 The city council voted 7-2 on Tuesday to close the Harbour Bridge "
    "to cars from next spring, ending a decade of argument over the crumbling 1931 "
    "structure.\n"
    "Engineers told councillors that the bridge could no longer carry heavy traffic safely "
    "and that a full repair would cost about 48 million euros, money the city does not have.\n"
    "Mayor Ellen Vasquez called the decision painful but unavoidable. \u201cWe cannot ask "
    "people to drive over a bridge our own engineers do not trust,\u201d she told reporters "
    "after the vote.\n"
    "Buses, bicycles and pedestrians will still be allowed across, while cars will be sent "
    "to the Eastgate crossing two kilometres upstream, which the council says can absorb the "
    "extra traffic after its junctions are widened.\n"
    "A group representing 120 shop owners near the bridge said it would ask the regional "
    "court to suspend the decision, arguing that the closure would cut their trade by a "
    "third during the works.\n"
    "The first phase of construction is expected to begin in April and to last about "
    "eighteen months, during which a temporary ferry will run at peak hours."
)
INDEPENDENT = (
    "Drivers in Northbridge will lose their shortest route into the old town next year after "
    "councillors decided by seven votes to two to bar cars from the Harbour Bridge.\n"
    "The 94-year-old crossing has been under weight restrictions since 2019. A report by the "
    "city's engineering department put the cost of a complete renovation at 48 million euros.\n"
    "Vasquez, who backed the closure, said safety had to come first and that the bridge would "
    "remain open to buses and cyclists.\n"
    "Traders were furious. Their association, which speaks for about 120 businesses, said "
    "it was preparing a legal challenge and accused the council of ignoring local people.\n"
    "Opposition councillor Mark Dunn, who voted against, said the Eastgate crossing was "
    "already congested at rush hour and that the plan would push traffic into residential "
    "streets. Works are due to start in April."
)


def article(
    id: int, text: str, url: str | None = None, when: datetime = T0, title: str = "t"
) -> Article:
    url = url or f"https://outlet{id}.example/news/{id}"
    return Article(
        url=url,
        canonical_url=canonical_url(url),
        outlet=f"outlet{id}.example",
        title=title,
        text=text,
        published_at=when,
        fetched_at=when,
        id=id,
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "HTTPS://WWW.Example.COM:443/News/Story/?utm_source=rss&b=2&a=1&fbclid=x#comments",
            "https://example.com/News/Story?a=1&b=2",
        ),
        ("http://example.com:80", "http://example.com/"),
        ("http://example.com:8080/a/", "http://example.com:8080/a"),
        ("https://example.com/?ref=home", "https://example.com/"),
        (
            "https://example.com/a?gclid=1&mc_cid=2&utm_medium=email&id=7",
            "https://example.com/a?id=7",
        ),
        ("https://news.example.com/a?q=", "https://news.example.com/a?q="),
        ("  https://example.com/a#x  ", "https://example.com/a"),
        ("not a url", "not a url"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_canonical_url_is_idempotent() -> None:
    once = canonical_url("https://www.example.com/x/?b=1&a=2&utm_campaign=z")
    assert canonical_url(once) == once


def test_content_hash_ignores_formatting_only() -> None:
    assert content_hash("Hello  \u201cWorld\u201d\n") == content_hash('hello "world"')
    assert content_hash("Hello world") != content_hash("Hello world!")


@pytest.mark.parametrize(
    ("text", "source", "author", "expected"),
    [
        ("WASHINGTON (AP) \u2014 The Senate voted.", None, None, "Associated Press"),
        ("LONDON, March 4 (Reuters) - Shares fell.", None, None, "Reuters"),
        ("PARIS (AFP) - Le gouvernement a annonc\u00e9.", None, None, "AFP"),
        ("KYIV (Ukrinform) \u2014 Drones hit the city.", None, None, "Ukrinform"),
        (
            "NORTHBRIDGE (Harbour News Agency) \u2014 The bridge shuts.",
            None,
            None,
            "Harbour News Agency",
        ),
        ("By The Associated Press\nThe storm hit the coast.", None, None, "Associated Press"),
        (
            "The storm hit the coast overnight.\nPower was cut. \u2014 Reuters",
            None,
            None,
            "Reuters",
        ),
        ("Anything at all.", "The Associated Press", None, "Associated Press"),
        ("Anything at all.", "Northbridge Wire", None, "Northbridge Wire"),
        ("Anything at all.", None, "Agence France-Presse", "AFP"),
        ("Reuters reported that the talks had failed, citing two sources.", None, None, None),
        ("Officials (AP) said nothing.", None, None, None),
        ("The mayor spoke on Tuesday.", None, "Jane Holloway", None),
    ],
)
def test_detect_wire(
    text: str, source: str | None, author: str | None, expected: str | None
) -> None:
    assert detect_wire(text, source=source, author=author) == expected


def test_wire_copy_with_other_headline_and_boilerplate_is_linked() -> None:
    dd = Deduplicator()
    assert dd.add(article(1, WIRE)) is None
    copy = (
        "Listen to this article\n"
        + WIRE
        + "\nCopyright 2025 The Associated Press. All rights reserved."
    )
    assert dd.add(article(2, copy, title="Bridge to shut to cars, council decides")) == 1


def test_copy_with_a_paragraph_cut_is_linked() -> None:
    dd = Deduplicator()
    dd.add(article(1, WIRE))
    shortened = "\n".join(WIRE.split("\n")[:-1])  # a copy that drops the last paragraph
    assert dd.add(article(2, shortened)) == 1


def test_independent_reports_of_one_event_are_not_merged() -> None:
    dd = Deduplicator()
    assert dd.add(article(1, WIRE)) is None
    assert dd.add(article(2, INDEPENDENT)) is None
    assert len(dd) == 2


def test_same_url_twice() -> None:
    dd = Deduplicator()
    dd.add(article(1, WIRE, url="https://www.gazette.example/a/?utm_source=rss"))
    # same canonical URL, even with a revised, quite different text
    assert dd.add(article(2, INDEPENDENT, url="https://gazette.example/a#top")) == 1


def test_chains_resolve_to_first_origin() -> None:
    dd = Deduplicator()
    dd.add(article(1, WIRE))
    dd.add(article(2, WIRE + "\nRead more: our coverage of the city council."))
    # a copy of the copy (and the same URL as the copy) points at the first origin
    assert (
        dd.add(
            article(3, WIRE + "\nRead more: our coverage.", url="https://outlet2.example/news/2")
        )
        == 1
    )
    assert dd.add(article(4, "\n".join(WIRE.split("\n")[1:]))) == 1


def test_re_adding_an_id_is_idempotent() -> None:
    dd = Deduplicator()
    dd.add(article(1, WIRE))
    assert dd.add(article(2, WIRE)) == 1
    assert dd.add(article(2, WIRE)) == 1
    assert dd.add(article(1, WIRE)) is None
    assert len(dd) == 2


def test_short_texts_only_match_by_url() -> None:
    dd = Deduplicator()
    dd.add(article(1, "Bridge closes."))
    assert dd.add(article(2, "Bridge closes.")) is None


def test_deterministic_given_order() -> None:
    texts = [WIRE, INDEPENDENT, WIRE + "\nMore soon.", INDEPENDENT + "\nUpdated.", WIRE]
    runs = [Deduplicator().add_all(article(i, t) for i, t in enumerate(texts)) for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]
    assert runs[0] == {0: None, 1: None, 2: 0, 3: 1, 4: 0}


def test_forget_before_drops_old_entries() -> None:
    dd = Deduplicator()
    dd.add(article(1, WIRE, when=T0))
    dd.add(article(2, INDEPENDENT, when=T0 + timedelta(days=3)))
    assert dd.forget_before(T0 + timedelta(days=1)) == 1
    assert len(dd) == 1
    assert dd.add(article(3, WIRE, when=T0 + timedelta(days=4))) is None  # origin forgotten
    assert dd.add(article(4, INDEPENDENT + " ", when=T0 + timedelta(days=4))) == 2


def test_add_needs_an_id() -> None:
    a = article(1, WIRE)
    a.id = None
    with pytest.raises(ValueError, match="id"):
        Deduplicator().add(a)


def test_edited_copies_of_one_wire_story_are_one_origin() -> None:
    """A heavily trimmed wire story: too little shared text on its own, one origin when both
    articles carry the same agency's copy; two unrelated wire stories stay apart."""
    paras = WIRE.split("\n")
    trimmed = "\n".join([paras[0], paras[2], paras[4], INDEPENDENT.split("\n")[4]])
    plain = Deduplicator()
    plain.add(article(1, WIRE))
    assert plain.add(article(2, trimmed)) is None
    wired = Deduplicator()
    first, second = article(1, WIRE), article(2, trimmed)
    first.wire = second.wire = "Associated Press"
    wired.add(first)
    assert wired.add(second) == 1
    other = article(3, INDEPENDENT)
    other.wire = "Associated Press"
    assert wired.add(other) is None
