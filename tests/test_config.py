"""The TOML config: defaults, clear errors, and feeds add/list/remove that keep the file's text."""

from pathlib import Path

import pytest

from newsloom import config
from newsloom.model import Outlet


def test_defaults_when_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    cfg = config.load()
    assert cfg.feeds == []
    assert cfg.synthesis.backend == "extractive"
    assert cfg.database_url == f"sqlite:///{tmp_path / 'newsloom.sqlite'}"


def test_add_list_remove_keeps_comments(tmp_path: Path) -> None:
    path = tmp_path / "newsloom.toml"
    config.init(path)
    config.add_feed(path, Outlet("Harbour Herald", "http://127.0.0.1:1/h.xml", "en", "XA"))
    config.add_feed(path, Outlet("Valley Times", "http://127.0.0.1:1/v.xml"))
    text = path.read_text()
    assert "# newsloom configuration" in text
    cfg = config.load(path)
    assert [f.name for f in cfg.feeds] == ["Harbour Herald", "Valley Times"]
    assert cfg.feeds[0].language == "en" and cfg.feeds[0].country == "XA"
    removed = config.remove_feed(path, "Harbour Herald")
    assert removed.feed_url == "http://127.0.0.1:1/h.xml"
    assert [f.name for f in config.load(path).feeds] == ["Valley Times"]
    assert "# newsloom configuration" in path.read_text()


def test_duplicate_feed_and_unknown_removal_are_clear(tmp_path: Path) -> None:
    path = tmp_path / "newsloom.toml"
    config.add_feed(path, Outlet("A", "http://127.0.0.1:1/a.xml"))
    with pytest.raises(config.ConfigError, match="already configured"):
        config.add_feed(path, Outlet("B", "http://127.0.0.1:1/a.xml"))
    with pytest.raises(config.ConfigError, match="configured: 'A'"):
        config.remove_feed(path, "nope")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[store\npath=1", "not valid TOML"),
        ("[stores]\npath='x'", "unknown section"),
        ("[fetch]\ntimeout_s = 3", "unknown key"),
        ("[[feeds]]\nname = 'x'", "needs both `name` and `url`"),
        ("[synthesis]\nbackend = 'gpt'", "choose from extractive, openai"),
    ],
)
def test_bad_config_gives_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(config.ConfigError, match=message):
        config.load(path)


def test_missing_explicit_file(tmp_path: Path) -> None:
    with pytest.raises(config.ConfigError, match="does not exist"):
        config.load(tmp_path / "missing.toml")
