"""Mutation testing of the verifier on invented stories: every operator's mutants are caught,
and a mutant that still passes the rule it targets is discarded and counted."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsloom.eval import mutate
from newsloom.model import Article, Sentence, Synthesis
from newsloom.verify import SourceIndex, check_sentence, verify
from synth_fixtures import make_articles, story_articles

NOW = datetime(2031, 3, 10, tzinfo=UTC)

# sentences a writer could take from the storm story of synth_fixtures (dates made absolute)
STORM = [
    "Storm Ardent hit the coastal city of Port Elmore on Saturday, 8 March, destroying 120 "
    "homes, city officials said.",
    "Mayor Clara Vance said 14 people were injured in the storm.",
    '"We will rebuild every street and every school," Vance said at a news conference.',
    "President Mark Holloway ordered federal aid for the flooded region.",
    "Emergency crews worked through the night to restore power to 30,000 customers.",
    "The national weather agency said winds reached 150 kilometres per hour.",
]

# a second invented story: a ferry rescue told by three outlets
FERRY = {
    "lakeside.example": (
        "The ferry Northern Star ran aground near Kell Island on Tuesday with 212 passengers "
        "aboard, the coastguard said.\n"
        'Captain Ilse Varga said the crew "kept every passenger calm and dry" during the '
        "rescue. Harbour Master Tomas Brandt said 9 people were taken to hospital."
    ),
    "islandnews.example": (
        "Coastguard boats evacuated 212 passengers from the Northern Star after it ran aground "
        "near Kell Island.\n"
        "Harbour Master Tomas Brandt said 9 people were taken to hospital with minor injuries. "
        "Transport Minister Lena Osei said an inquiry would begin next month."
    ),
    "baywire.example": (
        "The Northern Star ran aground near Kell Island with 212 passengers, officials said.\n"
        "Transport Minister Lena Osei said an inquiry would examine the ferry's route."
    ),
}
FERRY_SENTENCES = [
    "The ferry Northern Star ran aground near Kell Island on Tuesday, 11 March, with 212 "
    "passengers aboard, the coastguard said.",
    'Captain Ilse Varga said the crew "kept every passenger calm and dry" during the rescue.',
    "Harbour Master Tomas Brandt said 9 people were taken to hospital with minor injuries.",
    "Transport Minister Lena Osei said an inquiry would examine the ferry's route.",
]
WEDNESDAY = datetime(2031, 3, 12, 8, 0, tzinfo=UTC)


def ferry_articles() -> list[Article]:
    return make_articles({o: (WEDNESDAY, t) for o, t in FERRY.items()})


def _synthesis(texts: list[str], articles: list[Article]) -> Synthesis:
    syn = Synthesis(1, 1, Sentence(texts[0]), [[Sentence(t) for t in texts[1:]]], [], NOW)
    return verify(syn, articles)


@pytest.fixture(scope="module")
def stories() -> dict[str, tuple[Synthesis, list[Article]]]:
    storm, ferry = story_articles(), ferry_articles()
    return {
        "STORM": (_synthesis(STORM, storm), storm),
        "FERRY": (_synthesis(FERRY_SENTENCES, ferry), ferry),
    }


def test_base_articles_pass_the_verifier(
    stories: dict[str, tuple[Synthesis, list[Article]]],
) -> None:
    for syn, _ in stories.values():
        assert not syn.dropped
        assert all(s.verdict == "supported" for s in [syn.headline, *syn.sentences])


def test_every_operator_makes_mutants_and_all_are_caught(
    stories: dict[str, tuple[Synthesis, list[Article]]],
) -> None:
    result = mutate.run(stories, seed=0, per_kind=6)
    for kind in mutate.KINDS:
        r = result[kind]
        tested = r["generated"] - r["discarded"]
        assert tested >= 2, (kind, r)
        assert r["caught"] == tested and r["missed"] == 0, (kind, r)
        assert r["catch_rate"] == 1.0
    assert result == mutate.run(stories, seed=0, per_kind=6)  # seeded: the same mutants


@pytest.mark.parametrize("kind", mutate.KINDS)
def test_each_mutant_breaks_its_rule(
    stories: dict[str, tuple[Synthesis, list[Article]]], kind: str
) -> None:
    syn, arts = stories["FERRY"]
    for m in mutate.mutants("FERRY", syn, arts, seed=3, per_kind=4):
        if m.kind != kind or m.discarded:
            continue
        index = SourceIndex(m.articles if m.articles is not None else arts)
        check = check_sentence(m.text, index)
        assert check.verdict in ("dropped", "repaired"), (m.text, check)
        if check.verdict == "dropped":
            assert check.reasons
        if kind != "citation":
            assert m.token is not None and m.text != m.original
            assert mutate._count(m.token, m.text) > mutate._count(m.token, m.original)


def test_role_mutant_is_repaired_by_deleting_the_word() -> None:
    arts = story_articles()
    index = SourceIndex(arts)
    text = "Ex-President Mark Holloway ordered federal aid for the flooded region."
    m = mutate.Mutant("role", "STORM", text[3:].capitalize(), text, "ex-")
    check = check_sentence(text, index)
    assert check.verdict == "repaired"
    assert check.text == "President Mark Holloway ordered federal aid for the flooded region."
    assert mutate.caught(m, index)


def test_shifted_relative_date_is_dropped() -> None:
    index = SourceIndex(story_articles())
    good = STORM[0]
    bad = good.replace("Saturday, 8 March", "Sunday, 9 March")
    assert check_sentence(good, index).verdict == "supported"
    check = check_sentence(bad, index)
    assert check.verdict == "dropped"
    assert any("date" in r for r in check.reasons)


def test_mutant_that_still_passes_the_rule_is_discarded_and_counted() -> None:
    # whichever way 12 moves, the new count is printed by a sentence that supports it
    texts = [
        "Rescuers found 12 boats after the storm, the coastguard said.",
        "Rescuers found 13 boats after the storm, a navy officer said.",
        "Rescuers found 11 boats after the storm, a harbour official said.",
    ]
    arts = make_articles({f"o{i}.example": (WEDNESDAY, t) for i, t in enumerate(texts, start=1)})
    syn = _synthesis([texts[0], texts[0]], arts)
    m = mutate.op_number(
        mutate.Story("E", arts, SourceIndex(arts), [], ["boats"]), texts[0], random.Random(1)
    )
    assert m is not None and m.discarded and m.token in ("11", "13")
    result = mutate.run({"E": (syn, arts)}, seed=0, per_kind=1)
    assert result["number"]["generated"] == 1
    assert result["number"]["discarded"] == 1
    assert result["number"]["caught"] == result["number"]["missed"] == 0
    assert result["number"]["catch_rate"] is None


def test_number_moved_keeps_its_print_form() -> None:
    assert mutate._moved("30,000", True) == "30,001"
    assert mutate._moved("1.5", False) == "1.4"
    assert mutate._moved("0", False) is None


def test_markdown_table(stories: dict[str, tuple[Synthesis, list[Article]]]) -> None:
    lines = mutate.markdown(mutate.run(stories, per_kind=2))
    assert lines[0].startswith("| kind | generated | discarded | caught | missed | catch rate |")
    assert len(lines) == 2 + len(mutate.KINDS)
    assert all(line.endswith("| 100% |") for line in lines[2:])


def test_mutate_command_on_an_invented_data_folder(tmp_path: Path) -> None:
    records = [
        {
            "id": f"a{a.id}",
            "url": a.url,
            "outlet": a.outlet,
            "title": None,
            "text": a.text,
            "published": "2031-03-12",
            "eval_date": "2031-03-12",
            "event": "F1",
            "copy_of": None,
        }
        for a in ferry_articles()
    ]
    (tmp_path / "articles.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    event = {"event": "F1", "date": "2031-03-11", "key_facts": [], "conflicts": []}
    event["roles"] = [
        {"person": "Lena Osei", "role_at_event_time": "transport minister"},
        {"person": "Tomas Brandt", "role_at_event_time": "harbour master"},
    ]
    (tmp_path / "events.jsonl").write_text(json.dumps(event) + "\n")
    import typer

    app = typer.Typer()
    app.command()(mutate.mutate_command)
    out = CliRunner().invoke(app, ["--data", str(tmp_path), "--json"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    assert set(result) == set(mutate.KINDS)
    assert sum(r["generated"] for r in result.values()) > 0
    assert all(r["missed"] == 0 for r in result.values())
