"""The CLI end to end on a real SQLite file: every command a user types, with readable errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsloom.cli import app
from newsloom.demo import articles as demo_articles
from newsloom.demo import outlets as demo_outlets

runner = CliRunner()


def _jsonl(path: Path) -> Path:
    names = {o["slug"]: o["name"] for o in demo_outlets()}
    with path.open("w") as fh:
        for a in demo_articles():
            if a.get("lang", "en") != "en":
                continue
            rec = {
                "url": f"https://demo.invalid/{a['outlet']}/{a['slug']}.html",
                "outlet": names[a["outlet"]],
                "title": a["title"],
                "text": "\n".join(a["paragraphs"]),
                "published": a["published"][:10],
            }
            fh.write(json.dumps(rec) + "\n")
    return path


def invoke(tmp_path: Path, *args: str) -> str:
    result = runner.invoke(app, ["--config", str(tmp_path / "newsloom.toml"), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_feeds_commands(tmp_path: Path) -> None:
    invoke(tmp_path, "init")
    invoke(
        tmp_path, "feeds", "add", "http://127.0.0.1:9/a.xml", "--name", "Alpha", "--language", "en"
    )
    assert "Alpha" in invoke(tmp_path, "feeds", "list")
    bad = runner.invoke(
        app, ["--config", str(tmp_path / "newsloom.toml"), "feeds", "add", "ftp://x", "-n", "X"]
    )
    assert bad.exit_code == 1 and "not an http(s) URL" in bad.output
    invoke(tmp_path, "feeds", "remove", "Alpha")
    assert "Alpha" not in invoke(tmp_path, "feeds", "list")


def test_import_run_stories_show_export(tmp_path: Path) -> None:
    invoke(tmp_path, "init")
    out = invoke(tmp_path, "import", str(_jsonl(tmp_path / "demo.jsonl")))
    assert "articles new" in out
    invoke(tmp_path, "run")
    listing = invoke(tmp_path, "stories")
    assert "origins" in listing
    shown = invoke(tmp_path, "show", "1")
    assert "demo.invalid" in shown
    site = invoke(tmp_path, "export", "--out", str(tmp_path / "site"))
    assert "index.html" in site
    assert (tmp_path / "site" / "stories.json").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "999"], "no story 999"),
        (["import", "missing.jsonl"], "does not exist"),
        (["ingest"], "no feeds"),
    ],
)
def test_errors_are_readable(tmp_path: Path, args: list[str], message: str) -> None:
    invoke(tmp_path, "init")
    result = runner.invoke(app, ["--config", str(tmp_path / "newsloom.toml"), *args])
    assert result.exit_code == 1
    assert message in result.output
