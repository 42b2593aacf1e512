"""BCubed, pairwise and bootstrap intervals on hand-made clusterings."""

from __future__ import annotations

import pytest

from newsloom.eval.metrics import bcubed, bootstrap, pairwise


def test_perfect_clustering_scores_one_whatever_the_label_names() -> None:
    gold = ["a", "a", "b", "c", "c", "c"]
    pred = [7, 7, 3, 9, 9, 9]
    assert bcubed(pred, gold).f1 == pytest.approx(1.0)
    assert pairwise(pred, gold).f1 == pytest.approx(1.0)


def test_everything_in_one_cluster() -> None:
    gold = ["a", "a", "b"]
    pred = [1, 1, 1]
    b = bcubed(pred, gold)
    # items of a: 2/3 each; item of b: 1/3 -> (2/3 + 2/3 + 1/3) / 3 = 5/9
    assert b.precision == pytest.approx(5 / 9)
    assert b.recall == pytest.approx(1.0)
    assert b.f1 == pytest.approx(2 * (5 / 9) / (5 / 9 + 1))
    p = pairwise(pred, gold)
    assert p.precision == pytest.approx(1 / 3)  # one of three predicted pairs is right
    assert p.recall == pytest.approx(1.0)


def test_all_singletons() -> None:
    gold = ["a", "a", "a", "b"]
    pred = [1, 2, 3, 4]
    b = bcubed(pred, gold)
    assert b.precision == pytest.approx(1.0)
    # items of a: 1/3 each, item b: 1 -> (1/3 * 3 + 1) / 4 = 0.5
    assert b.recall == pytest.approx(0.5)
    p = pairwise(pred, gold)
    assert p.precision == pytest.approx(1.0)  # no predicted pairs: nothing wrong
    assert p.recall == pytest.approx(0.0)


def test_split_and_merge_mixed() -> None:
    gold = ["a", "a", "a", "a", "b", "b"]
    pred = [1, 1, 2, 2, 2, 2]
    b = bcubed(pred, gold)
    # precision: cluster 1 pure (2 items at 1), cluster 2 has 2a+2b (4 items at 1/2)
    assert b.precision == pytest.approx((2 * 1 + 4 * 0.5) / 6)
    # recall: each a item 2/4, each b item 2/2
    assert b.recall == pytest.approx((4 * 0.5 + 2 * 1) / 6)
    p = pairwise(pred, gold)
    assert p.precision == pytest.approx(3 / 7)  # tp = 1 + 1 + 1; predicted pairs = 1 + 6
    assert p.recall == pytest.approx(3 / 7)  # gold pairs = 6 + 1


def test_length_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError):
        bcubed([1, 2], ["a"])


def test_bootstrap_is_seeded_and_brackets_the_point_estimate() -> None:
    gold = ["a"] * 4 + ["b"] * 3 + ["c"] * 3 + ["d", "e"]
    pred = [1, 1, 1, 2, 3, 3, 3, 4, 4, 5, 6, 6]
    ci1 = bootstrap(pred, gold, n=300, seed=1)
    ci2 = bootstrap(pred, gold, n=300, seed=1)
    assert ci1 == ci2
    lo, hi = ci1["f1"]
    assert lo <= bcubed(pred, gold).f1 <= hi
    assert lo < hi
    perfect = bootstrap(gold, gold, metric=pairwise, n=50)
    assert perfect["f1"] == (1.0, 1.0)
