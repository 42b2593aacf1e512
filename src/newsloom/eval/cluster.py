"""``newsloom eval cluster``: score story clustering against labelled data.

The online method gets the articles one by one in the README's order (stream, or the dense
regime's seeded shuffles), through the same ``OnlineClusterer`` that ``newsloom run`` uses;
only the fields a method may see reach it (``eval.data`` builds the articles). The main figure
scores the story each article got *on arrival*; a second figure scores the final state after the
recorded merges. Offline peers see all articles at once. The time-only baseline chains
consecutive articles whose times are at most ``w`` days apart, ``w`` tuned by the same
leave-one-group-out procedure as every other parameter (see :func:`tune`).

:func:`evaluate` is pure (data in, dict out); :func:`cluster_command` prints it with rich or as
JSON. Terminal output may show headlines; the JSON names articles by record id and outlet only.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from newsloom.cluster.features import headline
from newsloom.cluster.online import ClusterConfig, OnlineClusterer
from newsloom.cluster.peers import EmbeddingsUnavailable, fit_predict
from newsloom.eval.data import Dataset, load
from newsloom.eval.metrics import PRF, bcubed, bootstrap, pairwise
from newsloom.model import Article

log = logging.getLogger(__name__)

METHODS = ("online", "agglomerative", "hdbscan", "baseline")
BASELINE_GRID = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 7.0, 10.0, 14.0)


@dataclass(slots=True)
class Run:
    """Labels a method gave, on arrival and (for the online method) after recorded merges."""

    on_arrival: list[int]
    final: list[int]
    merges: int = 0
    name: str = ""
    note: str = ""


# ---- the methods -------------------------------------------------------------------------
def run_online(articles: Sequence[Article], config: ClusterConfig | None = None) -> Run:
    """Feed articles one by one; keep each on-arrival story and replay merges for the final."""
    clusterer = OnlineClusterer(config)
    arrival: list[int] = []
    redirect: dict[int, int] = {}
    merges = 0
    for art in articles:
        a = clusterer.add(art)
        arrival.append(a.story_id)
        for m in a.merges:
            redirect[m.source] = m.target
            merges += 1

    def final(sid: int) -> int:
        while sid in redirect:
            sid = redirect[sid]
        return sid

    name = "online+embeddings" if clusterer.config.embeddings else "online"
    return Run(arrival, [final(s) for s in arrival], merges, name)


def time_only(articles: Sequence[Article], w: float) -> list[int]:
    """The time-only baseline: a new group whenever the gap to the previous article (in the
    given order) exceeds ``w`` days."""
    labels: list[int] = []
    prev: datetime | None = None
    group = 0
    for a in articles:
        if prev is not None and abs((a.time - prev).total_seconds()) > w * 86400:
            group += 1
        labels.append(group)
        prev = a.time
    return labels


def run_method(method: str, articles: Sequence[Article], **params: Any) -> Run:
    """One method over articles in the given order (peers ignore the order)."""
    if method == "online":
        return run_online(articles, ClusterConfig(**params) if params else None)
    if method == "baseline":
        labels = time_only(articles, params.get("w", 1.0))
        w = params.get("w", 1.0)
        return Run(labels, labels, 0, f"time-only w={w:g}", "w tuned by leave-one-group-out")
    if method == "hdbscan":
        try:
            labels = fit_predict(list(articles), "hdbscan", **params)
            return Run(labels, labels, 0, "hdbscan", "HDBSCAN on MiniLM embeddings")
        except EmbeddingsUnavailable as exc:
            labels = fit_predict(list(articles), "hdbscan-svd", **params)
            note = f"MiniLM {exc}; this is HDBSCAN on TF-IDF SVD vectors instead"
            return Run(labels, labels, 0, "hdbscan-svd", note)
    labels = fit_predict(list(articles), method, **params)
    return Run(labels, labels, 0, method)


# ---- the tuning procedure ----------------------------------------------------------------
def event_groups(dataset: Dataset) -> dict[str, str]:
    """Groups of confusable events for leave-one-group-out folds, from event ids only.

    The ids carry a kind prefix (``AE`` war, ``BE`` economy and US politics, ...); events of one
    kind share actors and vocabulary, so holding out a whole kind tests thresholds on confusions
    the tuning never saw. A set with a single prefix (one news day) is cut into four contiguous
    blocks of its sorted events, which keeps neighbouring (related) events together.
    """
    events = sorted({e for e in dataset.gold.event_of.values() if e is not None})
    prefix = {e: re.sub(r"\d+$", "", e) for e in events}
    if len(set(prefix.values())) >= 3:
        return prefix
    size = max(1, -(-len(events) // 4))
    return {e: f"block{i // size}" for i, e in enumerate(events)}


def _subset(articles: Sequence[Article], dataset: Dataset, groups: dict[str, str], keep: set[str]):
    return [
        a
        for a in articles
        if (ev := dataset.gold.event_of[a.id]) is None or groups.get(ev) in keep  # type: ignore[index]
    ]


def _score(run_labels: Sequence[int], articles: Sequence[Article], dataset: Dataset) -> float:
    return bcubed(run_labels, [dataset.gold.label(a.id) for a in articles]).f1  # type: ignore[arg-type]


def tune(
    datasets: Sequence[Dataset],
    method: str,
    grid: Sequence[dict[str, Any]],
    dense_seeds: Iterable[int] = (),
    labelled: Sequence[tuple[Sequence[Article], Sequence[Hashable]]] = (),
) -> dict[str, Any]:
    """Leave-one-group-out choice of parameters, checked across data sets.

    For every fold (one group of confusable events of one data set held out), each grid point
    is scored by the mean BCubed F1 over the *other* groups of every data set (stream order,
    plus the dense shuffles of ``dense_seeds``; hard negatives always stay in). The best point
    of each fold is then scored on its held-out group. The chosen parameters are the point
    chosen by most folds (ties: the earlier grid point), and the held-out scores are the honest
    estimate of how it generalises.

    ``labelled``: further (articles, true labels) streams, e.g. a synthetic stream of
    ``demo.synthetic.generate_labeled``, each one more regime in every fold's mean and never
    held out (they have no groups of real events to hold out). They keep the folds from
    choosing, on the real sets alone, a point that collapses templated copy.
    """
    seeds = list(dense_seeds)
    regimes: list[tuple[Dataset, list[Article]]] = []
    for ds in datasets:
        regimes.append((ds, list(ds.articles)))
        regimes.extend((ds, ds.dense(s)) for s in seeds)
    folds = [
        (i, g) for i, ds in enumerate(datasets) for g in sorted(set(event_groups(ds).values()))
    ]
    cache: dict[tuple[int, int, frozenset[str]], float] = {}

    def score(k: int, ds_i: int | None, group: str | None, held: bool) -> float:
        """Mean F1 of grid point k over regimes with ``group`` of data set ``ds_i`` held out
        (held=False) or alone (held=True)."""
        vals = []
        for ds, arts in regimes:
            j = datasets.index(ds)
            groups = event_groups(ds)
            if held:
                if j != ds_i:
                    continue
                keep = {group}
            else:
                keep = set(groups.values()) - ({group} if j == ds_i else set())
            sub = _subset(arts, ds, groups, keep)
            key = (k, id(arts), frozenset(keep))
            if key not in cache:
                cache[key] = _score(run_method(method, sub, **grid[k]).on_arrival, sub, ds)
            vals.append(cache[key])
        if not held:
            for i, (arts, gold) in enumerate(labelled):
                key = (k, -1 - i, frozenset())
                if key not in cache:
                    cache[key] = bcubed(run_method(method, arts, **grid[k]).on_arrival, gold).f1
                vals.append(cache[key])
        return sum(vals) / len(vals)

    chosen: list[int] = []
    held_out: list[dict[str, Any]] = []
    for ds_i, group in folds:
        best = max(range(len(grid)), key=lambda k: (score(k, ds_i, group, False), -k))
        chosen.append(best)
        held_out.append(
            {
                "fold": f"{ds_i}:{group}",
                "params": grid[best],
                "held_out_f1": score(best, ds_i, group, True),
            }
        )
    votes = Counter(chosen)
    final = min(votes, key=lambda k: (-votes[k], k))
    return {"params": grid[final], "folds": held_out}


def tune_baseline(dataset: Dataset) -> float:
    """``w`` of the time-only baseline, by the same leave-one-group-out procedure."""
    result = tune([dataset], "baseline", [{"w": w} for w in BASELINE_GRID])
    return float(result["params"]["w"])


# ---- scoring and reporting ---------------------------------------------------------------
def _prf(s: PRF, ci: dict[str, tuple[float, float]] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"precision": s.precision, "recall": s.recall, "f1": s.f1}
    if ci is not None:
        out["ci95"] = {k: list(v) for k, v in ci.items()}
    return out


def _scores(labels: Sequence[int], gold: Sequence[str], with_ci: bool) -> dict[str, Any]:
    return {
        "bcubed": _prf(bcubed(labels, gold), bootstrap(labels, gold) if with_ci else None),
        "pairwise": _prf(
            pairwise(labels, gold), bootstrap(labels, gold, pairwise) if with_ci else None
        ),
        "stories": len(set(labels)),
    }


def _errors(
    labels: Sequence[int], articles: Sequence[Article], dataset: Dataset, top: int = 5
) -> dict[str, list[dict[str, Any]]]:
    """The worst errors: gold events split over stories, stories that join gold events."""
    gold = [dataset.gold.label(a.id) for a in articles]  # type: ignore[arg-type]

    def ref(a: Article) -> dict[str, Any]:
        return {"record": dataset.gold.record_id[a.id], "outlet": a.outlet, "_title": headline(a)}  # type: ignore[index]

    split = []
    for ev in sorted(set(gold)):
        parts: dict[int, list[Article]] = {}
        for a, g, p in zip(articles, gold, labels, strict=True):
            if g == ev:
                parts.setdefault(p, []).append(a)
        if len(parts) > 1:
            split.append(
                {"event": ev, "stories": [[ref(a) for a in arts] for arts in parts.values()]}
            )
    split.sort(key=lambda e: (-len(e["stories"]), e["event"]))
    merged = []
    for story in sorted(set(labels)):
        members = [(a, g) for a, g, p in zip(articles, gold, labels, strict=True) if p == story]
        events = Counter(g for _, g in members)
        if len(events) > 1:
            merged.append(
                {
                    "story": story,
                    "events": {
                        ev: [ref(a) for a, g in members if g == ev] for ev in sorted(events)
                    },
                }
            )
    merged.sort(key=lambda s: (-len(s["events"]), s["story"]))
    return {"split": split[:top], "merged": merged[:top]}


def _score_method(
    dataset: Dataset, method: str, dense: bool, seeds: Sequence[int], params: dict[str, Any]
) -> dict[str, Any]:
    orders = [dataset.dense(s) for s in seeds] if dense else [list(dataset.articles)]
    runs = [run_method(method, arts, **params) for arts in orders]
    golds = [[dataset.gold.label(a.id) for a in arts] for arts in orders]  # type: ignore[arg-type]
    main = _scores(runs[0].on_arrival, golds[0], with_ci=True)
    out: dict[str, Any] = {"name": runs[0].name, "note": runs[0].note, "params": params, **main}
    out["final"] = {
        **_scores(runs[0].final, golds[0], with_ci=False),
        "merges": runs[0].merges,
    }
    if dense:
        f1s = [bcubed(r.on_arrival, g).f1 for r, g in zip(runs, golds, strict=True)]
        out["dense"] = {
            "seeds": list(seeds),
            "f1": f1s,
            "mean": sum(f1s) / len(f1s),
            "worst": min(f1s),
            "ci_seed": seeds[0],
        }
    out["errors"] = _errors(runs[0].on_arrival, orders[0], dataset)
    return out


def evaluate(
    dataset: Dataset,
    method: str = "online",
    dense: bool = False,
    seeds: Iterable[int] = range(10),
    embeddings: bool = False,
) -> dict[str, Any]:
    """Score ``method`` (or ``"all"``: online and both peers) and the time-only baseline.

    ``embeddings`` evaluates the online method with ``[cluster] embeddings = true`` (the
    configuration a user gets with that setting; needs ``newsloom[embeddings]``)."""
    seeds = list(seeds) if dense else [0]
    names = ["online", "agglomerative", "hdbscan"] if method == "all" else [method]
    for name in names:
        if name not in METHODS:
            raise ValueError(f"unknown method {name!r}; choose from {', '.join(METHODS)} or all")
    w = tune_baseline(dataset)
    result: dict[str, Any] = {
        "regime": "dense" if dense else "stream",
        "articles": len(dataset.articles),
        "gold_stories": len({dataset.gold.label(a.id) for a in dataset.articles}),  # type: ignore[arg-type]
        "methods": {},
    }
    online_config = ClusterConfig(embeddings=embeddings)
    if embeddings and "online" in names:
        from newsloom.cluster.embed import prefetch

        # one batch instead of one call per article: the same embeddings, cached by text
        prefetch(dataset.articles, online_config.lead_sentences)
    for name in names:
        params = online_config.as_dict() if name == "online" else {}
        result["methods"][name] = _score_method(dataset, name, dense, seeds, params)
    result["baseline"] = _score_method(dataset, "baseline", dense, seeds, {"w": w})
    return result


def _public(obj: Any) -> Any:
    """Drop terminal-only fields (headlines) before JSON output."""
    if isinstance(obj, dict):
        return {k: _public(v) for k, v in obj.items() if not k.startswith("_")}
    if isinstance(obj, list):
        return [_public(v) for v in obj]
    return obj


def _print(result: dict[str, Any], data: Path) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    table = Table(title=f"{result['regime']} regime, labels on arrival")
    for col in ("method", "metric", "P", "R", "F1", "F1 95% CI", "stories"):
        table.add_column(col)
    entries = [*result["methods"].values(), result["baseline"]]
    for m in entries:
        for key in ("bcubed", "pairwise"):
            x = m[key]
            table.add_row(
                m["name"] if key == "bcubed" else "",
                key,
                *(f"{x[k]:.3f}" for k in ("precision", "recall", "f1")),
                "{:.3f}-{:.3f}".format(*x["ci95"]["f1"]),
                f"{m['stories']}/{result['gold_stories']}" if key == "bcubed" else "",
                end_section=key == "pairwise",
            )
    console.print(f"{data}: {result['articles']} articles, {result['gold_stories']} gold stories")
    console.print(table)
    for m in entries:
        if m.get("note"):
            console.print(escape(f"{m['name']}: {m['note']}"))
    for m in entries:
        if "dense" in m:
            d = m["dense"]
            console.print(
                f"{m['name']}: dense BCubed F1 mean {d['mean']:.3f}, worst "
                f"{d['worst']:.3f} over seeds {d['seeds'][0]}-{d['seeds'][-1]} "
                f"(table and CI: seed {d['ci_seed']})"
            )
    online = result["methods"].get("online")
    if online:
        f = online["final"]
        console.print(
            f"online after recorded merges: BCubed F1 {f['bcubed']['f1']:.3f}, "
            f"pairwise F1 {f['pairwise']['f1']:.3f}, {f['stories']} stories, "
            f"{f['merges']} merges"
        )
    first = next(iter(result["methods"].values()))
    console.print(f"\n[bold]Worst errors of {first['name']}[/bold]")
    for e in first["errors"]["split"]:
        console.print(f"gold event {e['event']} split over {len(e['stories'])} stories:")
        for i, part in enumerate(e["stories"]):
            for r in part:
                console.print(escape(f"   [{i}] {r['outlet']}: {r['_title'][:90]}"))
    for s in first["errors"]["merged"]:
        console.print(f"story {s['story']} joins gold events {', '.join(s['events'])}:")
        for ev, refs in s["events"].items():
            for r in refs:
                console.print(escape(f"   {ev} {r['outlet']}: {r['_title'][:90]}"))
    # the figures again as the last lines, for a person (or a script) reading the tail
    console.print()
    for m in entries:
        b = m["bcubed"]
        dense = (
            f", dense mean {m['dense']['mean']:.3f} worst {m['dense']['worst']:.3f}"
            if "dense" in m
            else ""
        )
        console.print(
            f"{m['name']}: BCubed F1 {b['f1']:.3f} (P {b['precision']:.3f}, R {b['recall']:.3f}){dense}"
        )


def cluster_command(
    data: Annotated[Path, typer.Option(help="Folder holding articles.jsonl (realnews format).")],
    method: Annotated[
        str,
        typer.Option(
            help="online (what `newsloom run` uses), agglomerative, hdbscan, baseline, "
            "or all (online and both peers)."
        ),
    ] = "online",
    dense: Annotated[
        bool, typer.Option(help="Dense regime: all articles on one day, seeds 0-9.")
    ] = False,
    embeddings: Annotated[
        bool,
        typer.Option(
            help="Online method with [cluster] embeddings = true (needs newsloom[embeddings])."
        ),
    ] = False,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print JSON (articles by record id and outlet only).")
    ] = False,
) -> None:
    """Score story clustering: BCubed and pairwise P/R/F1 with 95% intervals, the time-only
    baseline beside the method, and the worst errors."""
    try:
        result = evaluate(load(data), method=method, dense=dense, embeddings=embeddings)
    except EmbeddingsUnavailable as exc:
        raise typer.BadParameter(f"--embeddings: {exc}") from exc
    if json_out:
        typer.echo(json.dumps(_public(result), indent=2))
    else:
        _print(result, data)
