"""`newsloom eval synth` on a tiny invented data set written to tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from newsloom.eval.data import load
from newsloom.eval.synth import PysbdTokenizer, evaluate, role_errors, synth_command
from synth_fixtures import TEXTS


def _write(folder: Path) -> Path:
    data = folder / "bench" / "tiny"
    data.mkdir(parents=True)
    recs = []
    for i, (outlet, text) in enumerate(TEXTS.items()):
        recs.append(
            {
                "id": f"a{i}",
                "url": f"https://{outlet}/storm",
                "outlet": outlet,
                "title": None,
                "text": text,
                "published": "2031-03-08",
                "eval_date": "2031-03-08",
                "event": "EV1",
                "copy_of": None,
            }
        )
    event = {
        "event": "EV1",
        "date": "2031-03-08",
        "name": "storm",
        "summary": "a storm",
        "key_facts": [
            {
                "fact": "homes",
                "values": [],
                "require": [["120 homes"]],
                "attributed_to": None,
                "outlets": [],
            },
            {
                "fact": "wind",
                "values": [],
                "require": [["150 kilometres"]],
                "attributed_to": None,
                "outlets": [],
            },
            {
                "fact": "never",
                "values": [],
                "require": [["a volcano erupted"]],
                "attributed_to": None,
                "outlets": [],
            },
        ],
        "conflicts": [
            {
                "fact": "injured",
                "kind": "genuine",
                "versions": [
                    {"value": "14", "outlets": [], "match": ["14 people"]},
                    {"value": "18", "outlets": [], "match": ["18 people"]},
                ],
            },
            {"fact": "role", "kind": "error", "versions": [], "wrong": ["Former President"]},
        ],
        "roles": [{"person": "Mark Holloway", "role_at_event_time": "President"}],
    }
    (data / "articles.jsonl").write_text("\n".join(json.dumps(r) for r in recs) + "\n")
    (data / "events.jsonl").write_text(json.dumps(event) + "\n")
    return data


def test_evaluate_scores_by_the_rules(tmp_path: Path) -> None:
    ds = load(_write(tmp_path))
    out = evaluate(ds, words=150)
    t = out["total"]
    assert t["key_facts"] == 3 and 0.6 <= t["key_fact_recall"] <= 0.67
    assert t["wrong_values"] == 0 and t["role_errors"] == 0
    assert t["unsupported_numbers"] == 0 and t["unsupported_people"] == 0
    assert t["mean_words"] <= 150
    assert out["events"]["EV1"]["missed_key_facts"] == [2]


def test_peer_runs_offline_with_pysbd_tokenizer(tmp_path: Path) -> None:
    ds = load(_write(tmp_path))
    out = evaluate(ds, words=60, method="lexrank")
    assert out["total"]["mean_words"] <= 60
    assert PysbdTokenizer().to_sentences("One here. Two there.") == ("One here.", "Two there.")


def test_role_error_rule() -> None:
    roles = [{"person": "Mark Holloway", "role_at_event_time": "President"}]
    assert role_errors("Former US President Mark Holloway spoke.", roles) == 1
    assert role_errors("President Holloway spoke.", roles) == 0


def test_command_json_and_show(tmp_path: Path) -> None:
    data = _write(tmp_path)
    app = typer.Typer()
    app.command("synth")(synth_command)
    app.command("other")(lambda: None)
    runner = CliRunner()
    res = runner.invoke(app, ["synth", "--data", str(data), "--json", "--method", "newsloom"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["newsloom"]["total"]["key_facts"] == 3
    res = runner.invoke(app, ["synth", "--data", str(data), "--show", "EV1"])
    assert res.exit_code == 0, res.output
    assert "supported" in res.output and "Related:" in res.output
