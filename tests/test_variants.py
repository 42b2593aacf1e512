"""Variant details across outlets: what an outlet alone gets wrong never reaches the article.

Invented stories; each test states which version is printed and which is left out."""

from __future__ import annotations

from datetime import UTC, datetime

from newsloom.model import Story
from newsloom.synthesize import synthesize
from newsloom.synthesize.facts import contested
from newsloom.synthesize.rewrite import contested_weekday
from newsloom.synthesize.variants import contested_quote, nicknames, truncated_name
from newsloom.verify import SourceIndex, check_sentence
from synth_fixtures import make_articles

DAY = datetime(2031, 5, 14, 18, tzinfo=UTC)
NOW = datetime(2031, 5, 15, tzinfo=UTC)


def _index(texts: dict[str, str]) -> SourceIndex:
    return SourceIndex(make_articles({o: (DAY, t) for o, t in texts.items()}))


def test_quoted_nickname_without_a_majority_is_removed_surname_kept() -> None:
    index = _index(
        {
            "spin.example": 'Festival chief "Johnny" Orlov opened the Lantern Fair in Vessa.',
            "wire.example": 'Festival chief "Ivan" Orlov opened the Lantern Fair in Vessa.',
        }
    )
    out = nicknames('Festival chief "Johnny" Orlov opened the Lantern Fair in Vessa.', index)
    assert out == "Festival chief Orlov opened the Lantern Fair in Vessa."
    # with a strict majority the quoted name stays
    index = _index(
        {
            "a.example": 'Festival chief "Ivan" Orlov opened the fair.',
            "b.example": 'Chief "Ivan" Orlov spoke at the fair.',
            "c.example": 'Chief "Johnny" Orlov spoke at the fair.',
        }
    )
    assert nicknames('Chief "Ivan" Orlov spoke at the fair.', index).startswith('Chief "Ivan"')
    assert nicknames('Chief "Johnny" Orlov spoke.', index) == "Chief Orlov spoke."


def test_misquote_changing_a_time_span_is_contested_but_translations_are_not() -> None:
    index = _index(
        {
            "one.example": 'The plan says that "within a few decades the river ports will close '
            'for good."',
            "two.example": 'The plan says that "in a matter of years the river ports will close '
            'for good."',
            "three.example": 'The minister said "the main targets were again energy facilities '
            'in the north."',
            "four.example": 'The minister wrote "the main targets were again power '
            'infrastructure in the north."',
        }
    )
    # one origin each: neither version of the changed time span is printed
    assert contested_quote(
        'The plan says that "in a matter of years the river ports will close for good."', 2, index
    )
    assert contested_quote(
        'The plan says that "within a few decades the river ports will close for good."', 1, index
    )
    # two translations of one statement differ in synonyms only: both may be printed
    assert not contested_quote(
        'The minister said "the main targets were again energy facilities in the north."',
        3,
        index,
    )


def test_abridged_quote_is_not_a_misquote() -> None:
    index = _index(
        {
            "full.example": '"At some point, hopefully soon, the harbour board will see that the '
            'fees are no longer fair," Mayor Ines Dorr said.',
            "short.example": '"At some point, the harbour board will see that the fees are no '
            'longer fair," Dorr said.',
        }
    )
    assert not contested_quote(
        '"At some point, the harbour board will see that the fees are no longer fair," Dorr said.',
        2,
        index,
    )


def test_law_title_missing_a_word_is_left_out_other_names_are_not() -> None:
    index = _index(
        {
            "a.example": "The council invoked the Coastal Emergency Powers Act on Monday.",
            "b.example": "The council invoked the Coastal Emergency Harbour Powers Act to close "
            "the port.",
            "c.example": "Flights left from Vessa National Airport and the Vessa Central "
            "National Airport.",
        }
    )
    assert truncated_name("The council invoked the Coastal Emergency Powers Act.", 1, index)
    assert not truncated_name(
        "The council invoked the Coastal Emergency Harbour Powers Act.", 2, index
    )
    assert not truncated_name("Flights left from Vessa National Airport.", 1, index)


def test_misspelt_name_of_a_minority_is_dropped_by_the_verifier() -> None:
    index = _index(
        {
            "a.example": "Commissioner Henna Virtanen said the port fee was lawful.",
            "b.example": "Commissioner Henna Virtanen told reporters the fee stands.",
            "c.example": "Commissioner Hina Vertonen said the port fee was lawful.",
        }
    )
    chk = check_sentence("Commissioner Hina Vertonen said the port fee was lawful.", index)
    assert chk.verdict == "dropped"
    assert check_sentence("Commissioner Henna Virtanen said the port fee was lawful.", index)


def test_contested_clock_time_and_past_figure_are_not_printed() -> None:
    texts = {
        "a.example": "The ferry sank at 6:30 p.m. near the Vessa breakwater, officials said. "
        "The last strike in 2019 lasted 34 days, the longest on record.",
        "b.example": "The ferry sank at 6:30 p.m. near the breakwater of Vessa harbour. "
        "Dockworkers said the walkout would start on Friday.",
        "c.example": "The ferry went down shortly after 6 p.m. close to the harbour wall. "
        "It is the first walkout since the record 35-day stoppage of 2019.",
        "d.example": "Witnesses saw the ferry list shortly after 6 p.m. in rough water.",
    }
    arts = make_articles({o: (DAY, t) for o, t in texts.items()})
    index = SourceIndex(arts)
    (clock, rivals, *_), *_ = contested(
        "The ferry sank at 6:30 p.m. near the breakwater.", 1, index
    )
    assert clock.unit == "clock" and rivals == {3, 4}
    (days, rivals, *_), *_ = contested("The 2019 strike lasted 34 days, the longest.", 1, index)
    assert days.number == "34" and rivals == {3}
    # 6:30 by two origins, 6 p.m. by two: no majority, neither time is printed
    syn = synthesize(Story(id=1), arts, words=200, now=NOW)
    assert "6:30" not in syn.text and "34 days" not in syn.text


def test_differing_estimates_are_both_reported_with_their_outlets() -> None:
    texts = {
        "valleynews.example": "About 700 children were at Camp Pinecrest when the flood struck "
        "the valley on Friday, officials said. The river rose quickly after midnight.",
        "riverpost.example": "The camp had approximately 750 children on site when the flood "
        "reached the cabins. Rescue teams used boats to reach the cabins.",
        "hillgazette.example": "Rescue teams used boats to reach the cabins at Camp Pinecrest. "
        "The river rose quickly after midnight, forecasters said.",
    }
    arts = make_articles({o: (DAY, t) for o, t in texts.items()})
    index = SourceIndex(arts)
    (fig, rivals, *_), *_ = contested(
        "The camp had approximately 750 children on site when the flood reached the cabins.",
        2,
        index,
    )
    assert fig.number == "750" and rivals == {1}
    syn = synthesize(Story(id=1), arts, words=200, now=NOW)
    # neither outlet's estimate is preferred: both are printed, the unattributed one with its
    # outlet
    assert "About 700 children" in syn.text
    assert "approximately 750 children" in syn.text
    assert "according to riverpost.example" in syn.text


def test_differing_exact_figures_are_not_reported_as_estimates() -> None:
    texts = {
        "a.example": "The bridge closure lasted 34 days in 2019, the longest on record.",
        "b.example": "It was the first closure since the record 35-day shutdown of 2019.",
    }
    arts = make_articles({o: (DAY, t) for o, t in texts.items()})
    syn = synthesize(Story(id=1), arts, words=200, now=NOW)
    assert "34 days" not in syn.text and "35-day" not in syn.text


def test_weekday_resolved_against_the_other_origins_dates() -> None:
    # one outlet's page carries a publication date a day early: its "Wednesday" would
    # resolve to the previous week
    tue, wed, thu = (datetime(2031, 5, d, 20, tzinfo=UTC) for d in (13, 14, 15))
    arts = make_articles(
        {
            "early.example": (tue, "The harbour board reopened the port to ferries on Wednesday."),
            "a.example": (wed, "The harbour board reopened the port on Wednesday, officials said."),
            "b.example": (
                thu,
                "Ferries returned after the harbour board reopened the port on Wednesday.",
            ),
        }
    )
    index = SourceIndex(arts)
    assert contested_weekday("The board reopened the port on Wednesday.", 1, tue, index)
    assert not contested_weekday("The board reopened the port on Wednesday.", 2, wed, index)
    syn = synthesize(Story(id=1), arts, words=200, now=NOW)
    assert "Wednesday, 7 May" not in syn.text  # the wrong week is never printed
    assert "Wednesday, 14 May" in syn.text


def test_one_side_of_a_disagreement_brings_the_other() -> None:
    """A tight budget picks one party's figure; the rival figure of another origin is added
    (displacing a sentence of least own weight) so neither reads as the settled fact."""
    later = DAY.replace(hour=21)
    texts = {
        "valleynews.example": (
            DAY,
            "Officials said about 700 children were at Camp Pinecrest when the flood struck. "
            "The river rose quickly after midnight in the Pine Valley. "
            "Rescue teams from Harlow County used boats to reach the cabins.",
        ),
        "riverpost.example": (
            later,
            "The camp had approximately 750 children on site when the flood struck, staff said. "
            "The river rose quickly after midnight in the Pine Valley. "
            "Volunteers from Harlow County opened the school gym as a shelter.",
        ),
        "hillgazette.example": (
            DAY,
            "Hundreds of children were at Camp Pinecrest when the flood struck the valley. "
            "The river rose quickly after midnight, forecasters in the Pine Valley said. "
            "Volunteers from Harlow County opened the school gym as a shelter.",
        ),
    }
    arts = make_articles(texts)
    syn = synthesize(Story(id=1), arts, words=50, now=NOW)
    assert "700 children" in syn.text and "750 children" in syn.text
    # each side is printed as somebody's figure
    for s in syn.sentences:
        if "children" in s.text:
            assert "said" in s.text or "according to" in s.text, s.text


def test_figures_read_currency_prefixes_irregular_plurals_and_other() -> None:
    """ "$US1.9 billion" is money, "26 feet" and "22-foot" count one unit, "70 other cities"
    counts cities: otherwise rival values of one quantity are never seen as rivals."""
    from newsloom.synthesize.facts import figures

    (money,) = figures("They expect about $US1.9 billion in savings.")
    assert (money.number, money.unit) == ("1.9", "money")
    units = {f.unit for f in figures("The river rose 26 feet; a 22-foot rise was logged.")}
    assert units == {"foot"}
    _weekday, cities = figures("Protests took place in over 70 other cities on Friday.")
    assert (cities.number, cities.unit) == ("70", "city")
    # a nationality before the noun: "five Afghan civilians" counts civilians
    assert [(f.number, f.unit) for f in figures("It left five Afghan civilians dead.")] == [
        ("5", "civilian")
    ]


def test_clock_times_of_different_happenings_are_not_rivals() -> None:
    """An origin that prints both times tells them apart (the hour of a death and the hour it
    was announced), and times whose nearby words share nothing time different things: only
    the two times of one happening contest each other."""
    from newsloom.synthesize.facts import figure_table

    texts = {
        "a.example": "The bishop died at 7:35 a.m. in his residence at Elm Abbey. "
        "Abbot Carrow announced the death at 9:45 a.m. from the chapel steps.",
        "b.example": "At 9:45 a.m. Abbot Carrow spoke from the chapel steps of Elm Abbey.",
        "c.example": "Police said the ferry sank at 6:30 p.m. near the breakwater.",
        "d.example": "Witnesses saw the ferry sink shortly after 6 p.m. in rough water.",
    }
    arts = make_articles({o: (DAY, t) for o, t in texts.items()})
    index = SourceIndex(arts)
    table = figure_table(index)
    said = "At 9:45 a.m. Abbot Carrow spoke from the chapel steps of Elm Abbey."
    assert not [r for r in contested(said, 2, index, table) if r.figure.unit == "clock"]
    (sank,) = [
        r for r in contested(texts["c.example"], 3, index, table) if r.figure.unit == "clock"
    ]
    assert sank.origins == {4} and sank.numbers == {"18:00"}


def test_a_list_item_dash_is_not_printed() -> None:
    """A bulleted line ("- Of the 22 people hurt...") is a sentence like any other once its
    dash is gone; before, its dash made it unusable and its facts were lost."""
    item = "- Of the 22 people hurt in the crash, five remain in Harlow General, the mayor said."
    bare = "- Harlow airport diverted 14 flights to Elm Town"  # no full stop: a list
    texts = {
        "a.example": f"A cargo plane crashed in Harlow on Friday night. {item}\n{bare}\n"
        "Investigators arrived from Elm Town.",
        "b.example": "Five people remain in Harlow General after the crash of a cargo plane. "
        "Harlow airport diverted flights after the crash.",
    }
    syn = synthesize(Story(id=1), make_articles({o: (DAY, t) for o, t in texts.items()}), now=NOW)
    printed = [s.text for s in syn.sentences]
    assert item[2:] in printed
    assert bare[2:] + "." in printed
    assert not any(s.text.startswith("-") for s in syn.sentences)


def test_weekday_printed_in_full_elsewhere_outweighs_a_resolution_a_week_off() -> None:
    """A report published a week later writes "the earthquake Friday": from its own date that
    would be the wrong Friday. Another origin prints "Friday, 9 May" in full, so the weekday
    is contested (a tie is enough) and its date is left out rather than printed wrong."""
    fri, next_fri = datetime(2031, 5, 9, 20, tzinfo=UTC), datetime(2031, 5, 16, 9, tzinfo=UTC)
    arts = make_articles(
        {
            "a.example": (
                fri,
                "A strong earthquake struck Vessa on Friday, 9 May, officials said.",
            ),
            "b.example": (next_fri, "The earthquake Friday destroyed 40 homes in Vessa."),
        }
    )
    index = SourceIndex(arts)
    assert contested_weekday(
        "The earthquake Friday destroyed 40 homes in Vessa.", 2, next_fri, index
    )
    syn = synthesize(Story(id=1), arts, words=200, now=NOW)
    assert "16 May" not in syn.text


def test_consensus_counts_the_origins_that_tell_a_sentence_in_their_own_words() -> None:
    from newsloom.synthesize.select import candidates

    texts = {
        "a.example": "The Harbour Bank cut its main rate for a second straight month on Friday. "
        "A ferry strike in Elm Town entered its third week.",
        "b.example": "The Harbour Bank made a second consecutive cut to its main rate.",
        "c.example": "Bakers in Vessa sold out of bread before noon.",
    }
    arts = make_articles({o: (DAY, t) for o, t in texts.items()})
    index = SourceIndex(arts)
    by_text = {c.text.split()[1]: c.consensus for c in candidates(arts, index)}
    assert by_text["Harbour"] == 0.5  # echoed by one of the two other origins
    assert by_text["ferry"] == 0.0 and by_text["in"] == 0.0
