"""read_jsonl(): good records become articles, bad lines become rejections with line numbers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from newsloom.dedup import content_hash
from newsloom.ingest.files import read_jsonl
from newsloom.model import Article, Rejection

TEXT = (
    "The city council voted on Tuesday to close the Harbour Bridge to cars from next spring.\n"
    "Engineers said a repair would cost about 48 million euros, and the mayor agreed that the "
    "bridge was no longer safe for heavy traffic"
)


def write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "articles.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def rec(**fields: object) -> str:
    base: dict[str, object] = {
        "id": "a1",
        "url": "https://www.gazette.example/news/bridge/?utm_source=x",
        "outlet": "gazette.example",
        "title": "Bridge to close to cars",
        "text": TEXT,
        "published": "2025-03-04",
        "eval_date": "2025-03-04",
        "event": "secret-gold-label",
        "copy_of": None,
    }
    base.update(fields)
    return json.dumps(base)


def test_good_record(tmp_path: Path) -> None:
    (art,) = list(read_jsonl(write(tmp_path, [rec()])))
    assert isinstance(art, Article)
    assert art.url == "https://www.gazette.example/news/bridge/?utm_source=x"
    assert art.canonical_url == "https://gazette.example/news/bridge"
    assert art.outlet == "gazette.example"
    assert art.title == "Bridge to close to cars"
    assert art.text == TEXT
    assert art.published_at == datetime(2025, 3, 4, tzinfo=UTC)
    assert art.fetched_at == art.published_at
    assert art.content_hash == content_hash(TEXT)
    assert art.language == "en"
    assert art.truncated  # the excerpt ends mid-sentence
    assert art.id is None and art.origin_id is None  # gold fields are never read


def test_published_null_falls_back_to_eval_date(tmp_path: Path) -> None:
    (art,) = list(read_jsonl(write(tmp_path, [rec(published=None, eval_date="2025-03-06")])))
    assert isinstance(art, Article)
    assert art.published_at is None
    assert art.fetched_at == datetime(2025, 3, 6, tzinfo=UTC)
    assert art.time == datetime(2025, 3, 6, tzinfo=UTC)


def test_bad_lines_are_reported_with_line_numbers(tmp_path: Path) -> None:
    lines = [
        rec(url="https://a.example/1"),
        "{not json",
        "",  # blank lines are skipped, but still counted
        rec(url="https://a.example/4", text=""),
        json.dumps({"title": "no url", "text": TEXT, "published": "2025-03-04"}),
        rec(url="https://a.example/6", published=None, eval_date=None),
        rec(url="https://a.example/7", published="next Tuesday"),
        "[1, 2, 3]",
        rec(url="https://a.example/9", outlet=None, title=None, published="2025-03-05T10:00:00Z"),
    ]
    path = write(tmp_path, lines)
    out = list(read_jsonl(path))
    assert [type(x).__name__ for x in out] == [
        "Article",
        "Rejection",
        "Rejection",
        "Rejection",
        "Rejection",
        "Rejection",
        "Rejection",
        "Article",
    ]
    rejections = [x for x in out if isinstance(x, Rejection)]
    by_line = {r.reason.split(":", 1)[0]: r for r in rejections}
    assert set(by_line) == {"line 2", "line 4", "line 5", "line 6", "line 7", "line 8"}
    assert by_line["line 2"].url == f"{path}:2" and "invalid JSON" in by_line["line 2"].reason
    assert (
        by_line["line 4"].url == "https://a.example/4"
        and "missing text" in by_line["line 4"].reason
    )
    assert by_line["line 5"].url == f"{path}:5" and "missing url" in by_line["line 5"].reason
    assert "neither published nor eval_date" in by_line["line 6"].reason
    assert "next Tuesday" in by_line["line 7"].reason
    assert "not a JSON object" in by_line["line 8"].reason
    last = out[-1]
    assert isinstance(last, Article)
    assert last.outlet == "a.example"  # derived from the URL when missing
    assert last.title is None
    assert last.published_at == datetime(2025, 3, 5, 10, 0, tzinfo=UTC)


def test_invalid_utf8_line_does_not_stop_import(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(
        rec().encode() + b"\n" + b'{"url": "\xff\xfe"}\n' + rec(url="https://b.example/x").encode()
    )
    out = list(read_jsonl(path))
    assert [type(x).__name__ for x in out] == ["Article", "Rejection", "Article"]
    assert isinstance(out[1], Rejection) and out[1].reason == "line 2: not valid UTF-8"


def test_now_dates_undated_records(tmp_path: Path) -> None:
    now = datetime(2025, 5, 1, tzinfo=UTC)
    (art,) = list(read_jsonl(write(tmp_path, [rec(published=None, eval_date=None)]), now=now))
    assert isinstance(art, Article) and art.fetched_at == now
