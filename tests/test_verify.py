"""The verifier catches each injected error in an invented story."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsloom.model import Sentence, Synthesis
from newsloom.verify import SourceIndex, check_sentence, date_numbers, verify
from synth_fixtures import make_articles, story_articles

NOW = datetime(2031, 3, 10, tzinfo=UTC)


def _synthesis(*texts: str, headline: str = "Storm Ardent destroyed 120 homes in Port Elmore"):
    return Synthesis(
        story_id=1,
        version=1,
        headline=Sentence(headline),
        paragraphs=[[Sentence(t) for t in texts]],
        related=[],
        created_at=NOW,
    )


@pytest.fixture(scope="module")
def index() -> SourceIndex:
    return SourceIndex(story_articles())


def test_supported_sentence_gets_citations_recomputed(index: SourceIndex) -> None:
    c = check_sentence("Mayor Clara Vance said 14 people were injured in the storm.", index)
    assert c.verdict == "supported"
    assert {x.article_id for x in c.citations} >= {1, 2}


def test_changed_number_is_dropped(index: SourceIndex) -> None:
    c = check_sentence("Storm Ardent destroyed 150 homes in Port Elmore, officials said.", index)
    assert c.verdict == "dropped"
    assert any("150" in r or "supports" in r for r in c.reasons)


def test_swapped_person_is_dropped(index: SourceIndex) -> None:
    c = check_sentence("Port Elmore Mayor Mark Holloway said 14 people were hurt.", index)
    assert c.verdict == "dropped"
    assert any("Holloway" in r for r in c.reasons)


def test_former_before_sitting_president_is_removed(index: SourceIndex) -> None:
    c = check_sentence("Former President Mark Holloway ordered federal aid for the region.", index)
    assert c.verdict == "repaired"
    assert c.text == "President Mark Holloway ordered federal aid for the region."
    assert any("former" in r for r in c.reasons)


def test_changed_quote_word_is_dropped(index: SourceIndex) -> None:
    c = check_sentence(
        '"We will rebuild every road and every school," Vance said at a news conference.', index
    )
    assert c.verdict == "dropped"
    assert any("quotation" in r for r in c.reasons)
    ok = check_sentence(
        '"We will rebuild every street and every school," Vance said at a news conference.', index
    )
    assert ok.verdict == "supported"


def test_removed_only_citation_drops_sentence() -> None:
    text = "The regional hospital said 18 people were treated for storm injuries."
    arts = story_articles()
    kept = verify(_synthesis(text), arts)
    assert kept.sentences and kept.sentences[0].citations  # recomputed, not trusted
    without = [a for a in arts if a.outlet != "harbourdaily.example"]
    out = verify(_synthesis(text), without)
    assert not out.sentences
    assert out.dropped[0].verdict == "dropped"
    assert "no source sentence supports it" in out.dropped[0].reasons


def test_verify_moves_dropped_and_keeps_order() -> None:
    arts = story_articles()
    syn = _synthesis(
        "Storm Ardent destroyed 120 homes in Port Elmore, according to city officials.",
        "Storm Ardent destroyed 950 homes in Port Elmore, according to city officials.",
        "Former President Mark Holloway ordered federal aid for the flooded region.",
    )
    out = verify(syn, arts)
    assert [s.verdict for s in out.sentences] == ["supported", "repaired"]
    assert len(out.dropped) == 1 and "950" in out.dropped[0].text
    assert out.headline.verdict == "supported"
    assert verify(out, arts).text == out.text  # idempotent


def test_computed_date_numbers_are_exempt(index: SourceIndex) -> None:
    sat = datetime(2031, 3, 8, tzinfo=UTC)
    assert date_numbers("on Saturday, 8 March", [sat]) == {"8"}
    assert date_numbers("on 30 April", [sat]) == set()
    c = check_sentence(
        "Storm Ardent hit the coastal city of Port Elmore on Saturday, 8 March, destroying 120 "
        "homes, city officials said.",
        index,
    )
    assert c.verdict == "supported"


def test_shifted_date_and_wrong_weekday_are_dropped(index: SourceIndex) -> None:
    base = (
        "Storm Ardent hit the coastal city of Port Elmore on {}, destroying 120 homes, city "
        "officials said."
    )
    assert check_sentence(base.format("Saturday, 8 March"), index).verdict == "supported"
    for wrong in ("Sunday, 9 March", "Friday, 7 March", "Saturday, 9 March", "March 9"):
        c = check_sentence(base.format(wrong), index)
        assert c.verdict == "dropped", wrong
        assert any("date" in r for r in c.reasons), wrong


def test_hyphenated_ex_and_lower_case_title_are_removed(index: SourceIndex) -> None:
    c = check_sentence("Ex-President Mark Holloway ordered federal aid for the region.", index)
    assert c.verdict == "repaired"
    assert c.text == "President Mark Holloway ordered federal aid for the region."
    c = check_sentence(
        "Outgoing president Mark Holloway ordered federal aid for the region.", index
    )
    assert c.text == "President Mark Holloway ordered federal aid for the region."
    c = check_sentence("Port Elmore's acting Mayor Clara Vance said 14 people were hurt.", index)
    assert c.verdict == "repaired" and "acting" not in c.text


def test_name_absent_from_cited_sources_is_dropped(index: SourceIndex) -> None:
    # a sentence-initial surname and a place swapped in: both names stand in no cited source
    c = check_sentence("Holloway said 14 people were injured in the storm.", index)
    assert c.verdict == "dropped"
    c = check_sentence(
        "Storm Ardent destroyed 120 homes in Port Kell, according to officials.", index
    )
    assert c.verdict == "dropped"
    assert any("Kell" in r for r in c.reasons)


def test_accents_and_event_numerals_are_no_minority_spelling() -> None:

    texts = [
        "Striker Kylian Mbappe scored twice as Lyonesse won Super Bowl LVII in Kell.",
        "Striker Kylian Mbappe scored twice in the final, officials said.",
        "Striker Kylian Mbappé scored twice in the final of Super Bowl LVIII, officials said.",
    ]
    arts = make_articles({f"o{i}.example": (NOW, t) for i, t in enumerate(texts, start=1)})
    index = SourceIndex(arts)
    assert check_sentence(texts[2], index).verdict == "supported"


def test_role_word_before_a_name_no_source_prints_it_with_is_removed() -> None:
    day = datetime(2031, 5, 1, tzinfo=UTC)
    arts = make_articles(
        {
            "a.example": (day, "The Mira Solent Alliance won 9% of the vote in the Vessa poll."),
            "b.example": (day, "The Mira Solent Alliance got 9% in Vessa, officials said."),
        }
    )
    index = SourceIndex(arts)
    chk = check_sentence("The ex-Mira Solent Alliance won 9% of the vote in the Vessa poll.", index)
    assert chk.verdict == "repaired" and "ex-" not in chk.text
    # a role word a source prints before the name stays
    arts.append(
        make_articles({"c.example": (day, "The former Vessa Harbour Board met.")}, first_id=3)[0]
    )
    index = SourceIndex(arts)
    assert "former Vessa" in check_sentence("The former Vessa Harbour Board met.", index).text
