"""`newsloom eval synth`: score synthesized articles against the gold events of a labelled set.

One article per gold event, written from that event's articles by the same ``synthesize`` core
that ``newsloom run`` uses (origins come from ``newsloom.dedup`` when it exists: a method never
sees the gold ``copy_of``). Peers (LexRank, TextRank, LSA from ``sumy``) get the same articles
and word budget and are scored by the same code. The rules are those of the data set's README:
key-fact recall, genuine conflicts, updates, wrong values, role errors, faithfulness, readability
counters, redundancy and length. Reports name events by id only.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from newsloom.eval.data import Dataset, load
from newsloom.model import Article, Citation, Sentence, Story, Synthesis
from newsloom.synthesize import synthesize
from newsloom.text import contains, content_words, normalize, numbers, split_sentences, words
from newsloom.verify import SourceIndex, date_numbers, plain

log = logging.getLogger(__name__)

METHODS = ("newsloom", "lexrank", "textrank", "lsa")
_MODS = r"(?:former|ex-|late|outgoing|incoming|acting|interim)"
_OPENER = re.compile(r"^[\"\u201c\u2018']?(He|She|They|It|Meanwhile|However|Also|Additionally)\b")
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
)
_BARE = re.compile(
    rf"\b(yesterday|today|tomorrow|tonight)\b|\b{_WEEKDAY}\b(?!,?\s*(?:\(\s*)?(?:\d{{1,2}}\s+{_MONTH}|"
    rf"{_MONTH}\s+\d{{1,2}}))",
    re.I,
)
_QUOTED = re.compile(r"[\"\u201c]([^\"\u201c\u201d]+)[\"\u201d]")
FIXED_NOW = datetime(2000, 1, 1, tzinfo=UTC)


# ---------------------------------------------------------------------------- methods
class PysbdTokenizer:
    """sumy's tokenizer interface on newsloom.text, so no NLTK data is needed."""

    language = "english"

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(s.text for s in split_sentences(paragraph))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(w for w in words(sentence) if w)


def _peer(name: str) -> Callable[[Sequence[Article], int], Synthesis]:
    """A sumy summarizer as a method: ranked sentences of all articles up to the word budget."""

    def run(articles: Sequence[Article], budget: int) -> Synthesis:
        from sumy.nlp.stemmers import Stemmer
        from sumy.parsers.plaintext import PlaintextParser
        from sumy.summarizers.lex_rank import LexRankSummarizer
        from sumy.summarizers.lsa import LsaSummarizer
        from sumy.summarizers.text_rank import TextRankSummarizer
        from sumy.utils import get_stop_words

        cls = {"lexrank": LexRankSummarizer, "textrank": TextRankSummarizer, "lsa": LsaSummarizer}[
            name
        ]
        summarizer = cls(Stemmer("english"))
        summarizer.stop_words = get_stop_words("english")
        text = "\n\n".join(_complete_text(a) for a in articles if a.text)
        doc = PlaintextParser.from_string(text, PysbdTokenizer()).document
        n = len(doc.sentences)
        lo, hi, best = 1, n, []
        while lo <= hi:  # the largest sentence count that fits the budget
            mid = (lo + hi) // 2
            picked = [str(s) for s in summarizer(doc, mid)]
            if sum(len(s.split()) for s in picked) <= budget:
                best, lo = picked, mid + 1
            else:
                hi = mid - 1
        paragraphs = [[Sentence(s) for s in best]] if best else []
        return Synthesis(0, 1, Sentence(""), paragraphs, [], FIXED_NOW, backend=name)

    return run


def _complete_text(a: Article) -> str:
    spans = split_sentences(a.text)
    if a.truncated and spans:
        return a.text[: spans[-1].start].rstrip()
    return a.text


def _newsloom(articles: Sequence[Article], budget: int) -> Synthesis:
    story = Story(id=0, article_ids=[a.id for a in articles if a.id is not None])
    return synthesize(story, articles, words=budget, now=FIXED_NOW)


def method_fn(method: str) -> Callable[[Sequence[Article], int], Synthesis]:
    """The function that writes one article for ``method``."""
    if method == "newsloom":
        return _newsloom
    if method in METHODS:
        return _peer(method)
    raise ValueError(f"unknown method {method!r}; choose from {', '.join(METHODS)}")


def assign_origins(articles: Sequence[Article]) -> list[Article]:
    """Copies of ``articles`` with ``origin_id`` set by ``newsloom.dedup`` when it exists
    (in stream order); otherwise every article is its own origin. Gold copies are never used."""
    out = [_clone(a) for a in articles]
    try:
        from newsloom.dedup import Deduplicator  # type: ignore[import-not-found]
    except ImportError:
        return out
    dedup = Deduplicator()
    for a in out:
        a.origin_id = dedup.add(a)
    return out


def _clone(a: Article) -> Article:
    return Article(**{f: getattr(a, f) for f in Article.__slots__})  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------- scoring
@dataclass(slots=True)
class EventScore:
    """The scores of one event's article."""

    event: str
    key_facts: int = 0
    key_facts_stated: int = 0
    genuine: int = 0
    genuine_reported: int = 0
    updates: int = 0
    updates_latest: int = 0
    wrong_values: int = 0
    role_errors: int = 0
    sentences: int = 0
    supported: int = 0
    unsupported_numbers: int = 0
    unsupported_quotes: int = 0
    unsupported_people: int = 0
    citations: int = 0
    pronoun_openers: int = 0
    bare_dates: int = 0
    long_headlines: int = 0
    trigrams: int = 0
    repeated_trigrams: int = 0
    words: int = 0
    missed: list[int] = field(default_factory=list)


def score_event(
    event: dict[str, Any], synthesis: Synthesis, articles: Sequence[Article]
) -> EventScore:
    """Score one article by the README rules."""
    sc = EventScore(event=event["event"])
    text = synthesis.text
    norm = normalize(text)
    sc.words = len(text.split())
    for i, kf in enumerate(event.get("key_facts", [])):
        sc.key_facts += 1
        if all(any(contains(norm, alt) for alt in group) for group in kf["require"]):
            sc.key_facts_stated += 1
        else:
            sc.missed.append(i)
    for c in event.get("conflicts", []):
        versions = c.get("versions", [])
        if c["kind"] == "genuine":
            with_match = [v for v in versions if v.get("match")]
            if with_match:
                sc.genuine += 1
                if all(any(contains(norm, m) for m in v["match"]) for v in with_match):
                    sc.genuine_reported += 1
        elif c["kind"] == "update" and c.get("latest") is not None:
            latest = versions[c["latest"]]
            if latest.get("match"):
                sc.updates += 1
                if any(contains(norm, m) for m in latest["match"]):
                    sc.updates_latest += 1
        if c.get("wrong"):
            sc.wrong_values += sum(contains(norm, w) for w in c["wrong"])
    sc.role_errors = role_errors(text, event.get("roles", []))
    _faithfulness(sc, synthesis, articles, [r["person"] for r in event.get("roles", [])])
    _readability(sc, synthesis)
    tri = [tuple(t) for t in _trigrams(words(text))]
    sc.trigrams = len(tri)
    sc.repeated_trigrams = len(tri) - len(set(tri))
    return sc


def role_errors(text: str, roles: Sequence[dict[str, Any]]) -> int:
    """README rule: a role modifier, up to four capitalised words, then a person whose role at
    the event's time contains none of the modifier words."""
    n = 0
    for r in roles:
        role = r.get("role_at_event_time", "").lower()
        if re.search(_MODS, role):
            continue
        full = r["person"]
        names = "|".join(re.escape(x) for x in {full, full.split()[-1]})
        pat = re.compile(rf"(?i:{_MODS})\s*(?:[A-Z][\w.'\u2019-]*\s){{0,4}}(?:{names})\b")
        n += len(pat.findall(text))
    return n


def _trigrams(ws: Sequence[str]) -> list[Sequence[str]]:
    return [ws[i : i + 3] for i in range(len(ws) - 2)]


def _cited(s: Sentence, index: SourceIndex, articles: dict[int, Article]) -> list[Citation]:
    """The sentence's citations that share at least half of its content words."""
    cw = content_words(s.text)
    keep = []
    for c in s.citations:
        a = articles.get(c.article_id)
        if a is None:
            continue
        src = a.text[c.start : c.end]
        if cw and len(cw & content_words(src)) * 2 >= len(cw):
            keep.append(c)
    return keep


def _faithfulness(
    sc: EventScore, synthesis: Synthesis, articles: Sequence[Article], people: Sequence[str]
) -> None:
    by_id = {a.id: a for a in articles if a.id is not None}
    index = SourceIndex(articles)
    sentences = (
        [synthesis.headline, *synthesis.sentences]
        if synthesis.headline.text
        else list(synthesis.sentences)
    )
    for s in sentences:
        if not s.citations and synthesis.backend != "extractive":
            # peers print verbatim source sentences: cite what supports them, by the same rule
            s = Sentence(
                s.text, [Citation(x.article_id, x.start, x.end) for x in index.support(s.text)]
            )
        cites = _cited(s, index, by_id)
        sc.sentences += 1
        sc.citations += len(cites)
        srcs = [by_id[c.article_id].text[c.start : c.end] for c in cites]
        src_norm = [normalize(x) for x in srcs]
        dates = date_numbers(
            s.text,
            [
                by_id[c.article_id].published_at
                for c in cites
                if by_id[c.article_id].published_at is not None
            ],
        )
        have = {n.replace(",", "") for x in srcs for n in numbers(x)}
        bad_n = sum(1 for n in numbers(s.text) if n.replace(",", "") not in have | dates)
        src_plain = [plain(x) for x in srcs]
        bad_q = sum(
            1
            for m in _QUOTED.finditer(s.text)
            if len(m.group(1).split()) >= 3
            and not any(plain(m.group(1)).strip(" ,.") in x for x in src_plain)
        )
        bad_p = 0
        for p in people:
            for form in {p, p.split()[-1]}:
                if contains(normalize(s.text), form):
                    if not any(contains(x, form) for x in src_norm):
                        bad_p += 1
                    break
        sc.unsupported_numbers += bad_n
        sc.unsupported_quotes += bad_q
        sc.unsupported_people += bad_p
        if cites and not (bad_n or bad_q or bad_p):
            sc.supported += 1


def _readability(sc: EventScore, synthesis: Synthesis) -> None:
    for s in [synthesis.headline, *synthesis.sentences]:
        if not s.text:
            continue
        if _OPENER.match(s.text):
            sc.pronoun_openers += 1
        sc.bare_dates += len(_BARE.findall(s.text))
    if len(synthesis.headline.text.split()) > 14:
        sc.long_headlines += 1


# ---------------------------------------------------------------------------- evaluation
def event_articles(dataset: Dataset) -> dict[str, list[Article]]:
    """Each gold event's articles, in stream order."""
    out: dict[str, list[Article]] = {}
    for a in dataset.articles:
        ev = dataset.gold.event_of.get(a.id)  # type: ignore[arg-type]
        if ev is not None:
            out.setdefault(ev, []).append(a)
    return out


def write(dataset: Dataset, method: str, words: int) -> dict[str, tuple[Synthesis, list[Article]]]:
    """One article per gold event, written by ``method``."""
    fn = method_fn(method)
    out = {}
    for ev, arts in sorted(event_articles(dataset).items()):
        if ev not in dataset.gold.events:
            continue
        arts = assign_origins(arts)
        out[ev] = (fn(arts, words), arts)
    return out


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 4) if b else None


def summarize(scores: Sequence[EventScore]) -> dict[str, Any]:
    """Totals over events."""
    t = {
        f: sum(getattr(s, f) for s in scores)
        for f in EventScore.__slots__
        if f not in ("event", "missed")
    }
    return {
        "events": len(scores),
        "key_fact_recall": _ratio(t["key_facts_stated"], t["key_facts"]),
        "key_facts": t["key_facts"],
        "genuine_conflicts_reported": _ratio(t["genuine_reported"], t["genuine"]),
        "genuine_conflicts": t["genuine"],
        "updates_latest": _ratio(t["updates_latest"], t["updates"]),
        "updates": t["updates"],
        "wrong_values": t["wrong_values"],
        "role_errors": t["role_errors"],
        "faithfulness": _ratio(t["supported"], t["sentences"]),
        "unsupported_numbers": t["unsupported_numbers"],
        "unsupported_quotes": t["unsupported_quotes"],
        "unsupported_people": t["unsupported_people"],
        "citations_per_sentence": _ratio(t["citations"], t["sentences"]),
        "pronoun_connective_openers": t["pronoun_openers"],
        "bare_relative_dates": t["bare_dates"],
        "long_headlines": t["long_headlines"],
        "redundancy": _ratio(t["repeated_trigrams"], t["trigrams"]),
        "mean_words": _ratio(t["words"], len(scores)),
    }


def rouge(text: str, reference: str) -> dict[str, float]:
    """ROUGE-1/2/L F-measures (information only)."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=False)
    return {k: round(v.fmeasure, 4) for k, v in scorer.score(reference, text).items()}


def evaluate(
    dataset: Dataset, words: int = 400, method: str = "newsloom", seed_text: str | None = None
) -> dict[str, Any]:
    """Write and score one article per gold event; totals and per-event figures (ids only)."""
    written = write(dataset, method, words)
    scores = [
        score_event(dataset.gold.events[ev], syn, arts) for ev, (syn, arts) in written.items()
    ]
    out: dict[str, Any] = {"method": method, "words": words, "total": summarize(scores)}
    out["events"] = {s.event: {**summarize([s]), "missed_key_facts": s.missed} for s in scores}
    if seed_text is not None and "AE01" in written:
        out["rouge_AE01"] = rouge(written["AE01"][0].text, seed_text)
    return out


def _seed(data: Path) -> str | None:
    p = data / ".." / ".." / "examples" / "seed-article.txt"
    return p.read_text(encoding="utf-8") if p.exists() else None


def show_event(dataset: Dataset, event: str, words: int) -> str:
    """One event's newsloom article with citations and verdicts, as plain text."""
    arts = assign_origins(event_articles(dataset).get(event, []))
    if not arts:
        raise ValueError(f"no articles for event {event!r}")
    syn = _newsloom(arts, words)
    by_id = {a.id: a for a in arts}
    lines = [f"# {syn.headline.text}  [{syn.headline.verdict}]", ""]
    for para in syn.paragraphs:
        for s in para:
            cites = ", ".join(f"{by_id[c.article_id].outlet}#{c.article_id}" for c in s.citations)
            extra = f" ({'; '.join(s.reasons)})" if s.reasons else ""
            lines.append(f"{s.text}\n    [{s.verdict}{extra}] <- {cites}")
        lines.append("")
    for s in syn.dropped:
        lines.append(f"DROPPED: {s.text}\n    {'; '.join(s.reasons)}")
    lines.append("Related: " + ", ".join(r.outlet for r in syn.related))
    return "\n".join(lines)


_COLUMNS = (
    "key_fact_recall",
    "genuine_conflicts_reported",
    "updates_latest",
    "wrong_values",
    "role_errors",
    "faithfulness",
    "unsupported_numbers",
    "unsupported_quotes",
    "unsupported_people",
    "citations_per_sentence",
    "pronoun_connective_openers",
    "bare_relative_dates",
    "long_headlines",
    "redundancy",
    "mean_words",
)


def synth_command(
    data: Annotated[
        Path, typer.Option("--data", help="Folder holding articles.jsonl and events.jsonl.")
    ],
    words: Annotated[int, typer.Option("--words", help="Word budget (headline + body).")] = 400,
    json_out: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
    show: Annotated[
        str | None, typer.Option("--show", help="Print one event's article with citations.")
    ] = None,
    method: Annotated[
        str, typer.Option("--method", help="newsloom, lexrank, textrank, lsa or all.")
    ] = "all",
) -> None:
    """Score synthesized articles (newsloom and sumy peers) against the gold events."""
    dataset = load(data)
    if show:
        typer.echo(show_event(dataset, show, words))
        return
    methods = METHODS if method == "all" else (method,)
    seed = _seed(data)
    results = {m: evaluate(dataset, words, m, seed) for m in methods}
    if json_out:
        typer.echo(json.dumps(results, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"synthesis at {words} words: {data}")
    table.add_column("metric")
    for m in methods:
        table.add_column(m, justify="right")
    for col in _COLUMNS:
        table.add_row(col, *(str(results[m]["total"][col]) for m in methods))
    for m in methods:
        if "rouge_AE01" in results[m]:
            table.add_row(f"ROUGE AE01 ({m})", json.dumps(results[m]["rouge_AE01"]))
    console = Console()
    console.print(table)
    for m in methods:  # the headline figures as the last lines, for whoever reads the tail
        t = results[m]["total"]
        unsupported = t["unsupported_numbers"] + t["unsupported_quotes"] + t["unsupported_people"]
        console.print(
            f"{m}: key-fact recall {t['key_fact_recall']:.3f}, wrong values {t['wrong_values']}, "
            f"role errors {t['role_errors']}, unsupported {unsupported}"
        )
