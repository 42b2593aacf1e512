"""Extractive synthesis over an invented four-outlet story."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from newsloom.model import Article, Story
from newsloom.synthesize import synthesize
from newsloom.synthesize.facts import atom_weight, contested, figures
from newsloom.synthesize.headline import compress
from newsloom.synthesize.rewrite import (
    absolute_dates,
    compressions,
    drop_opener,
    unfold_possessive_day,
)
from newsloom.synthesize.select import (
    MIN_GAIN,
    Candidate,
    _greedy,
    _minority_first_name,
    candidates,
    select,
)
from newsloom.text import numbers
from newsloom.verify import Check, SourceIndex, SourceSentence
from synth_fixtures import make_articles, story_articles

NOW = datetime(2031, 3, 10, tzinfo=UTC)


def _run(words: int = 600):
    arts = story_articles()
    story = Story(id=7, article_ids=[a.id for a in arts])
    return synthesize(story, arts, words=words, now=NOW), arts


def test_every_sentence_cites_sources_and_keeps_numbers_verbatim() -> None:
    syn, arts = _run()
    by_id = {a.id: a for a in arts}
    assert syn.sentences, "a four-outlet story yields an article"
    for s in [syn.headline, *syn.sentences]:
        assert s.citations, s.text
        assert s.verdict in ("supported", "repaired")
        cited = " ".join(by_id[c.article_id].text[c.start : c.end] for c in s.citations)
        for n in numbers(s.text):
            assert n in cited or n in ("8", "2031"), (n, s.text)  # 8 = the computed date


def test_quotes_are_verbatim_and_wrong_role_never_printed() -> None:
    syn, arts = _run()
    text = syn.text
    assert "Former President" not in text and "former President" not in text
    assert "Mark Holloway" in text
    sources = " ".join(a.text for a in arts)
    for m in re.finditer(r"\u201c[^\u201d]+\u201d|\"[^\"]+\"", text):
        assert m.group(0).strip('"') in sources


def test_truncated_sentence_and_unresolvable_pronoun_left_out() -> None:
    syn, _ = _run()
    assert "weaken" not in syn.text  # the cut last sentence is never a claim
    assert "heartbreaking" not in syn.text or "Holloway called" in syn.text


def test_headline_short_and_budget_respected() -> None:
    for budget in (40, 80, 600):
        syn, _ = _run(budget)
        assert 0 < len(syn.headline.text.split()) <= 14
        assert len(syn.text.split()) <= budget


def test_related_sources_group_copies_under_origin() -> None:
    syn, _ = _run()
    assert len(syn.related) == 3
    first = next(r for r in syn.related if r.article_id == 1)
    assert [c.outlet for c in first.copies] == ["mirrorfeed.example"]
    assert syn.key_facts and any("120" in k.value for k in syn.key_facts)


def test_copies_are_not_separate_evidence_and_non_english_ignored() -> None:
    arts = story_articles()
    foreign = Article(
        url="https://x.example/a",
        canonical_url="https://x.example/a",
        outlet="x.example",
        title=None,
        text="Der Sturm zerstorte 500 Hauser in Port Elmore.",
        published_at=None,
        fetched_at=NOW,
        language="de",
        id=9,
    )
    syn = synthesize(Story(id=1), [*arts, foreign], now=NOW)
    assert "500" not in syn.text
    assert all(c.article_id != 9 for s in syn.sentences for c in s.citations)


def test_rewrites() -> None:
    assert drop_opener("However, the hospital said 18 people were hurt.").startswith("The hospital")
    sat = datetime(2031, 3, 8, tzinfo=UTC)
    assert absolute_dates("The storm hit on Saturday.", sat) == (
        "The storm hit on Saturday, 8 March."
    )
    assert absolute_dates("Crews arrived yesterday.", sat) == "Crews arrived on Friday, 7 March."
    # no known publication date: a removable relative date goes, the rest must not need it
    assert absolute_dates("Crews arrived on Friday.", None) == "Crews arrived."
    assert absolute_dates("Crews arrived early Friday, police said.", None) == (
        "Crews arrived, police said."
    )
    assert absolute_dates("On Friday, crews arrived.", None) is None
    assert absolute_dates("As of Monday, 27 campers were missing.", None) is None
    assert absolute_dates("Crews worked from Friday to Sunday.", None) is None
    assert absolute_dates("Crews arrived on Friday, 7 March.", None) == (
        "Crews arrived on Friday, 7 March."
    )
    assert absolute_dates("Talks resume next week.", sat) is None
    # a possessive weekday is unfolded so that its date can stand beside it, or go
    final = unfold_possessive_day("Harbour City won Saturday's Cup Final in Elm Town.")
    assert final == "Harbour City won the Cup Final on Saturday in Elm Town."
    assert absolute_dates(final, sat) == (
        "Harbour City won the Cup Final on Saturday, 8 March, in Elm Town."
    )
    assert absolute_dates(final, None) == "Harbour City won the Cup Final in Elm Town."
    assert unfold_possessive_day("Saturday's vote was close.") == "The vote on Saturday was close."
    assert unfold_possessive_day("Saturday's powerful storm reached Elm Town.") == (
        "The powerful storm on Saturday reached Elm Town."
    )
    kept = "Saturday's election results announcement came late."
    assert unfold_possessive_day(kept) == kept  # a longer phrase is not split
    short = compress(
        "Storm Ardent destroyed 120 homes in Port Elmore, officials said, as crews worked "
        "through the night to restore power to the city and its suburbs."
    )
    assert short is not None and len(short.split()) <= 14


def test_thin_story_is_short() -> None:
    arts = story_articles()[:1]
    syn = synthesize(Story(id=2), arts, words=600, now=NOW)
    assert len(syn.text.split()) < 120


def test_compressions_cut_only_fact_free_trailing_clauses() -> None:
    long = "The council approved the new harbour budget after a long debate, which lasted well into the night."
    assert compressions(long) == [
        "The council approved the new harbour budget after a long debate."
    ]
    # a tail with a number, a name, an attribution or a quote is kept whole
    assert (
        compressions("The council approved the new harbour budget, which costs 40 million.") == []
    )
    assert compressions("The council approved the new harbour budget, as Mayor Vance said.") == []
    assert compressions('The mayor called it "a fair deal, which we need" at the meeting.') == []
    assert compressions("The budget passed, which surprised few.") == []  # head too short


def test_figures_ordinals_and_tallies() -> None:
    by_unit = {
        f.unit: f for f in figures("Vance scored in the 13th minute as the bill passed 222 to 209.")
    }
    assert by_unit["minute"].ordinal and by_unit["minute"].number == "13"
    assert by_unit["tally"].number == "222-209"
    assert all(f.unit != "tally" for f in figures("The 2018-19 season was long."))


def test_minority_tally_is_left_out_and_majority_printed() -> None:
    day = datetime(2031, 5, 2, 12, tzinfo=UTC)
    arts = make_articles(
        {
            "alpha.example": (
                day,
                "The harbour council approved the dredging plan by 31-12 in a late vote.",
            ),
            "beta.example": (
                day,
                "Councillors backed the dredging plan 31 to 12 after a long debate.",
            ),
            "gamma.example": (day, "The dredging plan won approval in the harbour council, 31-12."),
            "delta.example": (
                day,
                "The harbour council passed the dredging plan by a vote of 31 to 19 on the night.",
            ),
        }
    )
    syn = synthesize(Story(id=3), arts, words=200, now=NOW)
    assert "31-12" in syn.text or "31 to 12" in syn.text
    assert "19" not in syn.text


def test_update_prints_latest_figure_and_claims_are_paired() -> None:
    early = datetime(2031, 6, 1, 8, tzinfo=UTC)
    late = datetime(2031, 6, 2, 8, tzinfo=UTC)
    arts = make_articles(
        {
            "alpha.example": (
                early,
                "A landslide buried the mountain village of Orvane, killing 12 people. "
                "Rescue teams from the capital reached the village by road.",
            ),
            "beta.example": (
                early,
                "The landslide in Orvane has killed 12 people, rescuers at the scene reported. "
                "The Velm army said its drones spotted 40 survivors near the river.",
            ),
            "gamma.example": (
                late,
                "The death toll from the Orvane landslide rose to 19 people on the second day. "
                "The Orvane mayor said rescuers found 25 survivors near the river.",
            ),
        }
    )
    syn = synthesize(Story(id=4), arts, words=400, now=NOW)
    assert "19 people" in syn.text  # the latest toll, from the latest article
    # an attributed disagreement is shown from both sides, each with its speaker
    assert "40 survivors" in syn.text and "25 survivors" in syn.text
    assert "army said" in syn.text and "mayor said" in syn.text


def test_minority_first_name_and_ordinal_of_same_person_left_out() -> None:
    day = datetime(2031, 7, 5, 20, tzinfo=UTC)
    arts = make_articles(
        {
            "alpha.example": (
                day,
                "Striker Tomas Brell scored in the 12th minute as Harbour City beat Elm Town 2-0. "
                "Harbour City coach Ada Kinsey said the team played with courage. "
                "Tomas Brell said the early goal settled the nerves.",
            ),
            "beta.example": (
                day,
                "Tomas Brell opened the scoring in the 12th minute for Harbour City. "
                "Coach Ada Kinsey said the win lifted the club to first place.",
            ),
            "gamma.example": (
                day,
                "Harbour City beat Elm Town 2-0, with Tomas Brell on target early. "
                "Ada Kinsey said the squad deserved the three points.",
            ),
            "delta.example": (
                day,
                'Harbour City forward "Tommy" Brell struck in the 19th minute against Elm Town. '
                "The stadium was sold out for the derby against the local rivals.",
            ),
        }
    )
    index = SourceIndex(arts)
    assert _minority_first_name('Forward "Tommy" Brell struck against Elm Town.', index)
    assert not _minority_first_name("Tomas Brell opened the scoring for Harbour City.", index)
    (fig, rivals, *_), *_ = contested("Brell struck in the 19th minute against Elm Town.", 4, index)
    assert fig.ordinal and fig.number == "19" and rivals == {1, 2}
    syn = synthesize(Story(id=5), arts, words=300, now=NOW)
    assert "12th minute" in syn.text
    assert "Tommy" not in syn.text and "19th" not in syn.text


def _cand(origin: int, names: list[str], words: int) -> Candidate:
    """A bare candidate whose fact atoms are the given person names (weight 1.5 per origin)."""
    text = " ".join(names) + " said" + " so" * (words - len(names) - 1) + "."
    src = SourceSentence(origin, origin, 0, 0, len(text), text, frozenset(), frozenset(), text)
    return Candidate(
        src=src,
        text=text,
        check=Check(text, "supported"),
        atoms={f"p:{n}" for n in names},
        content=set(names),
        words=words,
        position=0.0,
        time=NOW,
        attributed=False,
        quote=False,
        figures=0,
    )


def test_local_search_replaces_a_long_sentence_two_short_ones_cover() -> None:
    # greedy takes the long sentence (both shared names at once) and then only fits a small
    # one; dropping it frees room for two sentences that tell both names plus two more facts
    long = _cand(1, ["xavi", "yara"], 6)
    small = _cand(2, ["rosa"], 4)
    left = _cand(3, ["xavi", "pia"], 5)
    right = _cand(4, ["yara", "quin"], 5)
    cands = [long, small, left, right]
    greedy = _greedy(cands, [], 14, _weights(cands), MIN_GAIN)
    assert greedy == [long, small]
    chosen = select(cands, 14, origins=4)
    assert {c.src.origin for c in chosen} == {2, 3, 4}
    assert sum(c.words for c in chosen) <= 14


def _weights(cands: list[Candidate]) -> dict[str, float]:
    origins: dict[str, set[int]] = {}
    for c in cands:
        for a in c.atoms:
            origins.setdefault(a, set()).add(c.src.origin)
    return {a: atom_weight(a, len(o)) for a, o in origins.items()}


def test_selection_never_covers_less_than_greedy_and_keeps_budget() -> None:
    arts = story_articles()
    index = SourceIndex(arts)
    cands = candidates(arts, index)
    weight = _weights(cands)
    for budget in (30, 60, 120):
        chosen = select(cands, budget, origins=4)
        greedy = _greedy(cands, [], budget, weight, MIN_GAIN)
        assert sum(c.words for c in chosen) <= budget
        assert len({id(c) for c in chosen}) == len(chosen)
        covered = set().union(*(c.atoms for c in chosen))
        base = set().union(*(c.atoms for c in greedy))
        assert sum(weight[a] for a in covered) >= sum(weight[a] for a in base)


def test_part_of_day_keeps_the_date_beside_the_weekday() -> None:
    from newsloom.synthesize.rewrite import absolute_dates

    published = datetime(2026, 3, 4, 9, tzinfo=UTC)
    assert (
        absolute_dates("Crews worked on Tuesday afternoon, police said.", published)
        == "Crews worked on the afternoon of Tuesday, 3 March, police said."
    )
    assert (
        absolute_dates("On Monday night the storm hit.", published)
        == "On the night of Monday, 2 March, the storm hit."
    )


def test_a_sentence_ending_on_a_role_word_goes_last() -> None:
    """ "... serving as interim Director." followed by "Harbour Board Director Mia Lund said"
    would put "interim" before Lund's name: such a sentence is placed last."""
    day = datetime(2031, 3, 9, 12, tzinfo=UTC)
    texts = {
        "a.example": "The Harbour Board closed the Elm Town port after the storm damaged two piers. "
        "Board member Tom Vale is serving as interim Director.",
        "b.example": "Harbour Board Director Mia Lund said the Elm Town port would reopen in May. "
        "The storm damaged two piers at the Elm Town port.",
        "c.example": "Storm damage closed the Elm Town port, the Harbour Board said. "
        "Board member Tom Vale is serving as interim Director.",
    }
    syn = synthesize(Story(id=1), make_articles({o: (day, t) for o, t in texts.items()}), now=NOW)
    body = [s.text for s in syn.sentences][1:]  # the headline first
    assert "Board member Tom Vale is serving as interim Director." in body
    assert body[-1] == "Board member Tom Vale is serving as interim Director."


def test_headline_like_rejects_page_debris_fragments_and_open_clauses() -> None:
    from newsloom.synthesize.headline import compress, headline_like

    assert headline_like("Storm Ardent destroyed 120 homes in Port Elmore")
    assert headline_like("Harbour Bank to cut its main rate in May")
    for junk in (
        "date 2031-03-08 PORT ELMORE, March 9",  # a metadata line
        "Loading Video",
        "OPINION | Storm Ardent hit Port Elmore hard",
        "Stranded passengers wait at the airport (PTI Photo)",
        "Rescuers, Mayor Jana Holt, and Captain Ivo Brandt, the port chief",  # no verb
        "When asked about the storm, Mayor Holt said",  # what she said is cut off
        "The storm, which forecasters in Elm Town had tracked for days",  # open clause
        "Though crews worked through the night in Port Elmore",
    ):
        assert not headline_like(junk), junk
    # a cut must leave a clause with a verb, not the subject of an appositive
    long = (
        "A harbour official, Ivo Brandt, the chief of the Port Elmore authority, told reporters "
        "that 120 homes were destroyed by the storm overnight."
    )
    assert compress(long) is None
