"""Clustering metrics: BCubed and pairwise precision/recall/F1, with bootstrap intervals.

Both are computed from the contingency table of (predicted label, gold label) counts, so they
cost O(n) and accept any hashable labels. BCubed is the headline figure of the evaluations
(it scores every article, so one big wrong merge and many small splits are both visible);
pairwise is the stricter companion (it weighs large clusters quadratically).

The bootstrap interval resamples *gold events* with replacement (a fixed seed): articles of
one event are not independent, so resampling articles would give intervals that are too narrow.
An event drawn twice counts its articles twice, with their predicted labels unchanged.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PRF:
    """Precision, recall and their harmonic mean."""

    precision: float
    recall: float

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r > 0 else 0.0


def _check(pred: Sequence[Hashable], gold: Sequence[Hashable]) -> None:
    if len(pred) != len(gold):
        raise ValueError(f"{len(pred)} predicted labels for {len(gold)} gold labels")


def bcubed(pred: Sequence[Hashable], gold: Sequence[Hashable]) -> PRF:
    """BCubed precision and recall averaged over items (1.0 each for no items)."""
    _check(pred, gold)
    n = len(gold)
    if n == 0:
        return PRF(1.0, 1.0)
    cells = Counter(zip(pred, gold, strict=True))
    n_pred, n_gold = Counter(pred), Counter(gold)
    p = sum(c * c / n_pred[pl] for (pl, _), c in cells.items()) / n
    r = sum(c * c / n_gold[gl] for (_, gl), c in cells.items()) / n
    return PRF(p, r)


def _pairs(k: int) -> int:
    return k * (k - 1) // 2


def pairwise(pred: Sequence[Hashable], gold: Sequence[Hashable]) -> PRF:
    """Precision and recall over pairs of items put together (1.0 where there are no pairs)."""
    _check(pred, gold)
    cells = Counter(zip(pred, gold, strict=True))
    tp = sum(_pairs(c) for c in cells.values())
    pp = sum(_pairs(c) for c in Counter(pred).values())
    gp = sum(_pairs(c) for c in Counter(gold).values())
    return PRF(tp / pp if pp else 1.0, tp / gp if gp else 1.0)


Metric = Callable[[Sequence[Hashable], Sequence[Hashable]], PRF]


def bootstrap(
    pred: Sequence[Hashable],
    gold: Sequence[Hashable],
    metric: Metric = bcubed,
    n: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> dict[str, tuple[float, float]]:
    """Percentile intervals of precision, recall and F1 when gold events are resampled."""
    _check(pred, gold)
    members: dict[Hashable, list[int]] = {}
    for i, g in enumerate(gold):
        members.setdefault(g, []).append(i)
    events = list(members)
    rng = random.Random(seed)
    draws: dict[str, list[float]] = {"precision": [], "recall": [], "f1": []}
    for _ in range(n):
        idx = [i for e in rng.choices(events, k=len(events)) for i in members[e]]
        s = metric([pred[i] for i in idx], [gold[i] for i in idx])
        draws["precision"].append(s.precision)
        draws["recall"].append(s.recall)
        draws["f1"].append(s.f1)
    lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
    out = {}
    for key, vals in draws.items():
        vals.sort()
        out[key] = (vals[int(lo_q * (n - 1))], vals[int(round(hi_q * (n - 1)))])
    return out
