"""The throughput benchmark's shape on a small stream (timings are reported, never asserted)."""

from __future__ import annotations

from newsloom.cluster.bench import markdown, throughput
from newsloom.cluster.online import STEPS


def test_throughput_rows_per_segment_and_markdown_table() -> None:
    rows = throughput((150, 300))
    assert [r["segment"] for r in rows] == ["0-150", "150-300"]
    assert [r["articles"] for r in rows] == [150, 150]
    assert rows[-1]["window_articles"] == 300  # the widened window still holds every article
    assert set(rows[0]["us_per_article"]) == {*STEPS, "total"}
    assert 0.0 < rows[-1]["bcubed_f1"] <= 1.0
    lines = markdown(rows)
    assert lines[0].startswith("| segment |") and lines[0].count("|") == lines[1].count("|")
    assert len([x for x in lines if x.startswith("| 0-150 ")]) == 1
