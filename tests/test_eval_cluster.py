"""``newsloom eval cluster`` on a tiny invented data set in the realnews format."""

from __future__ import annotations

import json
import zlib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from newsloom.eval.cluster import cluster_command, evaluate, time_only, tune
from newsloom.eval.data import load

EVENTS = {
    "XE01": (
        "2031-05-04",
        "Volcano Mount Orrin erupts near Kesselby, 2,000 evacuated",
        "Mount Orrin erupted near Kesselby on Sunday and 2,000 residents were evacuated, "
        "governor Ama Telford said. Ash from Orrin closed Kesselby airport.",
    ),
    "XE02": (
        "2031-05-20",
        "Lunvik wins the Harrow Cup final 3-1 against Port Dessa",
        "Lunvik beat Port Dessa 3-1 in the Harrow Cup final in Brightmoor, with two goals from "
        "captain Elio Strand. Port Dessa coach Mira Quell praised Lunvik.",
    ),
    "YE01": (
        "2031-07-09",
        "Central bank of Valdoria raises rates to 6.5%",
        "The Valdoria central bank raised its main rate to 6.5% on Wednesday, governor Piet "
        "Ansel said, citing inflation of 8.2%. Ansel said Valdoria would act again.",
    ),
}
VARIANTS = [
    lambda h, t: (h, t),
    lambda h, t: (None, t + " Officials gave no further details."),
    lambda h, t: ("Update: " + h, "Reports confirmed: " + t),
]


def write_dataset(folder: Path) -> Path:
    folder.mkdir()
    records = []
    for ev, (date, head, text) in EVENTS.items():
        for k, make in enumerate(VARIANTS):
            title, body = make(head, text)
            records.append(
                {
                    "id": f"{ev.lower()}-{k}",
                    "url": f"https://news{k}.test/{ev}",
                    "outlet": f"news{k}.test",
                    "title": title,
                    "text": body,
                    "published": None,
                    "eval_date": date,
                    "event": ev,
                    "copy_of": None,
                }
            )
    records.append(
        {
            "id": "neg-1",
            "url": "https://other.test/n",
            "outlet": "other.test",
            "title": "Harbour of Quillon reopens after storm repairs",
            "text": "The harbour of Quillon reopened on Friday after months of storm repairs.",
            "published": "2031-08-22",
            "eval_date": "2031-08-22",
            "event": None,
            "copy_of": None,
        }
    )
    (folder / "articles.jsonl").write_text(
        "\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8"
    )
    (folder / "events.jsonl").write_text(
        "\n".join(json.dumps({"event": e, "date": d, "name": e}) for e, (d, _, _) in EVENTS.items())
        + "\n",
        encoding="utf-8",
    )
    return folder


def test_evaluate_scores_online_and_baseline(tmp_path: Path) -> None:
    ds = load(write_dataset(tmp_path / "tiny"))
    result = evaluate(ds, "online")
    online = result["methods"]["online"]
    assert result["gold_stories"] == 4
    assert online["bcubed"]["f1"] == 1.0
    assert online["stories"] == 4
    lo, hi = online["bcubed"]["ci95"]["f1"]
    assert lo <= 1.0 <= hi + 1e-9
    assert online["final"]["merges"] == 0
    assert online["errors"] == {"split": [], "merged": []}
    # events weeks apart: the tuned time-only baseline separates them too
    assert result["baseline"]["bcubed"]["f1"] == 1.0


def test_dense_regime_reports_mean_and_worst(tmp_path: Path) -> None:
    ds = load(write_dataset(tmp_path / "tiny"))
    result = evaluate(ds, "online", dense=True, seeds=range(3))
    dense = result["methods"]["online"]["dense"]
    assert len(dense["f1"]) == 3
    assert dense["worst"] <= dense["mean"]
    assert dense["worst"] > 0.9  # content alone separates volcano, football and rates
    # one day: the time-only baseline lumps everything together
    assert result["baseline"]["stories"] == 1


def test_tune_weighs_labelled_streams_in_every_fold(tmp_path: Path) -> None:
    ds = load(write_dataset(tmp_path / "tiny"))
    grid = [{"threshold": 0.22}, {"threshold": 2.0}]  # 2.0: every article its own story
    assert tune([ds], "online", grid)["params"] == grid[0]
    # a labelled stream of near-identical reports that are all different stories (templated
    # copy) outweighs the tiny set here: the folds now prefer never joining
    copies = [a for a in ds.articles if ds.gold.event_of[a.id] == "XE01"][:1] * 6
    copies = [replace(a, id=100 + i) for i, a in enumerate(copies)]
    result = tune([ds], "online", grid, labelled=[(copies, list(range(len(copies))))])
    assert result["params"] == grid[1]
    assert len(result["folds"]) == len({f["fold"] for f in result["folds"]})


def test_time_only_baseline_chains_by_gap() -> None:
    from datetime import UTC, datetime

    from newsloom.model import Article

    def a(day: int) -> Article:
        t = datetime(2031, 1, day, tzinfo=UTC)
        return Article("u", "u", "o", None, "", t, t, id=day)

    assert time_only([a(1), a(2), a(5), a(6)], w=1.0) == [0, 0, 1, 1]
    assert time_only([a(1), a(2), a(5), a(6)], w=3.0) == [0, 0, 0, 0]


def test_command_json_names_articles_by_record_id_only(tmp_path: Path) -> None:
    data = write_dataset(tmp_path / "tiny")
    app = typer.Typer()
    app.command()(cluster_command)
    res = CliRunner().invoke(app, ["--data", str(data), "--method", "all", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert set(out["methods"]) == {"online", "agglomerative", "hdbscan"}
    assert "time-only" in out["baseline"]["name"]
    assert "Mount Orrin" not in res.output  # no titles or text in JSON


def test_command_prints_a_table(tmp_path: Path) -> None:
    data = write_dataset(tmp_path / "tiny")
    app = typer.Typer()
    app.command()(cluster_command)
    res = CliRunner().invoke(app, ["--data", str(data)])
    assert res.exit_code == 0, res.output
    assert "BCubed" in res.output and "time-only" in res.output


def fake_minilm(texts: list[str]) -> np.ndarray:
    """A stand-in for MiniLM (no torch in CI): hashed bag of words, unit length."""
    out = np.zeros((len(texts), 64), dtype=np.float32)
    for i, t in enumerate(texts):
        for w in t.lower().split():
            out[i, zlib.crc32(w.encode()) % 64] += 1.0
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def test_command_evaluates_the_embeddings_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsloom.cluster import embed

    monkeypatch.setattr(embed, "minilm_embeddings", fake_minilm)
    monkeypatch.setattr(embed, "_CACHE", type(embed._CACHE)())
    data = write_dataset(tmp_path / "tiny")
    app = typer.Typer()
    app.command()(cluster_command)
    res = CliRunner().invoke(app, ["--data", str(data), "--embeddings", "--json"])
    assert res.exit_code == 0, res.output
    online = json.loads(res.output)["methods"]["online"]
    assert online["name"] == "online+embeddings"
    assert online["params"]["embeddings"] is True
    assert online["bcubed"]["f1"] == 1.0  # four distinct events stay apart


def test_embeddings_flag_without_the_package_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsloom.cluster import embed
    from newsloom.cluster.peers import EmbeddingsUnavailable

    def missing(texts: list[str]) -> np.ndarray:
        raise EmbeddingsUnavailable("skipped: install newsloom[embeddings]")

    monkeypatch.setattr(embed, "minilm_embeddings", missing)
    monkeypatch.setattr(embed, "_CACHE", type(embed._CACHE)())
    app = typer.Typer()
    app.command()(cluster_command)
    res = CliRunner().invoke(app, ["--data", str(write_dataset(tmp_path / "t")), "--embeddings"])
    assert res.exit_code != 0
    assert "newsloom[embeddings]" in res.output
